-- The update paths: 0.1 or 0.2 installed, then ALTER EXTENSION hubroute UPDATE,
-- gives the same extension as a fresh install of the current version:
-- every relation, column, default, constraint, index, trigger, function,
-- view, policy, right, owner, extension member, table registered for
-- pg_dump, and row the install script writes.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Rights in a fixed order (an update grants in another order than a fresh
-- install, to the same effect).
CREATE FUNCTION public.sorted_acl(acl aclitem[]) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT array_agg(a::text ORDER BY a::text) FROM unnest(acl) a
$$;

-- Everything of hubroute the catalogs hold, by name (no oids). Its body
-- names schema hubroute, which exists only while the extension does.
SET check_function_bodies = off;
CREATE FUNCTION public.hubroute_catalog() RETURNS TABLE (kind text, name text, definition text)
LANGUAGE sql AS $$
    WITH ours AS (SELECT c.oid, c.relname, c.relkind FROM pg_class c
                   WHERE c.relnamespace = 'hubroute'::regnamespace)
    SELECT 'schema', n.nspname::text, format('owner=%s acl=%s', n.nspowner::regrole, public.sorted_acl(n.nspacl))
      FROM pg_namespace n WHERE n.nspname = 'hubroute'
    UNION ALL
    SELECT 'relation', c.relname::text,
           format('kind=%s owner=%s acl=%s rls=%s force_rls=%s options=%s', c.relkind, c.relowner::regrole,
                  public.sorted_acl(c.relacl), c.relrowsecurity, c.relforcerowsecurity, c.reloptions)
      FROM pg_class c WHERE c.relnamespace = 'hubroute'::regnamespace
    UNION ALL
    SELECT 'column', o.relname || '.' || a.attname,
           format('#%s %s not_null=%s default=%s identity=%s generated=%s acl=%s',
                  row_number() OVER (PARTITION BY o.oid ORDER BY a.attnum), format_type(a.atttypid, a.atttypmod),
                  a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, public.sorted_acl(a.attacl))
      FROM ours o JOIN pg_attribute a ON a.attrelid = o.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef d ON d.adrelid = o.oid AND d.adnum = a.attnum
    UNION ALL
    SELECT 'constraint', co.conrelid::regclass || '.' || co.conname,
           format('%s deferrable=%s deferred=%s', pg_get_constraintdef(co.oid), co.condeferrable, co.condeferred)
      FROM pg_constraint co WHERE co.connamespace = 'hubroute'::regnamespace
    UNION ALL
    SELECT 'index', o.relname::text, pg_get_indexdef(o.oid) FROM ours o WHERE o.relkind = 'i'
    UNION ALL
    SELECT 'sequence', o.relname::text,
           format('%s start=%s increment=%s min=%s max=%s cache=%s cycle=%s', s.seqtypid::regtype, s.seqstart,
                  s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle)
      FROM ours o JOIN pg_sequence s ON s.seqrelid = o.oid
    UNION ALL
    SELECT 'trigger', t.tgrelid::regclass || '.' || t.tgname, format('%s enabled=%s', pg_get_triggerdef(t.oid), t.tgenabled)
      FROM pg_trigger t JOIN ours o ON o.oid = t.tgrelid WHERE NOT t.tgisinternal
    UNION ALL
    SELECT 'function', p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
           format('%s owner=%s acl=%s', pg_get_functiondef(p.oid), p.proowner::regrole, public.sorted_acl(p.proacl))
      FROM pg_proc p WHERE p.pronamespace = 'hubroute'::regnamespace
    UNION ALL
    SELECT 'view', o.relname::text, pg_get_viewdef(o.oid) FROM ours o WHERE o.relkind = 'v'
    UNION ALL
    SELECT 'policy', p.tablename || '.' || p.policyname,
           format('%s %s roles=%s using=%s check=%s', p.permissive, p.cmd, p.roles, p.qual, p.with_check)
      FROM pg_policies p WHERE p.schemaname = 'hubroute'
    UNION ALL
    SELECT 'rule', r.tablename || '.' || r.rulename, r.definition
      FROM pg_rules r WHERE r.schemaname = 'hubroute'
    UNION ALL
    SELECT 'member', pg_describe_object(d.classid, d.objid, d.objsubid), ''
      FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
     WHERE d.refclassid = 'pg_extension'::regclass AND e.extname = 'hubroute' AND d.deptype = 'e'
    UNION ALL
    SELECT 'dumped', c.config::regclass::text, coalesce(c.condition, '')
      FROM pg_extension e, unnest(e.extconfig, e.extcondition) c(config, condition)
     WHERE e.extname = 'hubroute'
    UNION ALL
    SELECT 'rows', o.relname::text,
           (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %s', o.oid::regclass),
                                                false, true, '')))[1]::text
      FROM ours o WHERE o.relkind = 'r'
$$;
RESET check_function_bodies;

-- From every release: 0.1 (through 0.2) and 0.2.
CREATE TABLE public.updated (from_version text, kind text, name text, definition text);
CREATE EXTENSION hubroute VERSION '0.1';
ALTER EXTENSION hubroute UPDATE;
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'hubroute') AS updated_to_default
  FROM pg_extension WHERE extname = 'hubroute';
INSERT INTO public.updated SELECT '0.1', * FROM public.hubroute_catalog();
DROP EXTENSION hubroute CASCADE;
CREATE EXTENSION hubroute VERSION '0.2';
ALTER EXTENSION hubroute UPDATE;
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'hubroute') AS updated_to_default
  FROM pg_extension WHERE extname = 'hubroute';
INSERT INTO public.updated SELECT '0.2', * FROM public.hubroute_catalog();
DROP EXTENSION hubroute CASCADE;

CREATE EXTENSION hubroute;
CREATE TABLE public.fresh AS SELECT * FROM public.hubroute_catalog();

-- The listing covers every kind of object (a listing that found nothing
-- would compare equal).
SELECT kind, count(*) > 0 AS listed FROM public.fresh GROUP BY kind ORDER BY kind;

-- What differs, from either release: nothing.
SELECT v.from_version, d.*
  FROM (VALUES ('0.1'), ('0.2')) v(from_version),
       LATERAL ((SELECT 'only after the update' AS side, u.kind, u.name, u.definition FROM public.updated u
                  WHERE u.from_version = v.from_version
                 EXCEPT SELECT 'only after the update', * FROM public.fresh)
                UNION ALL
                (SELECT 'only in a fresh install', * FROM public.fresh
                 EXCEPT SELECT 'only in a fresh install', u.kind, u.name, u.definition FROM public.updated u
                  WHERE u.from_version = v.from_version)) d
 ORDER BY 1, 3, 4, 2;

DROP TABLE public.updated, public.fresh;
DROP FUNCTION public.hubroute_catalog();
DROP FUNCTION public.sorted_acl(aclitem[]);
DROP EXTENSION hubroute CASCADE;
