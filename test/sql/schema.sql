CREATE EXTENSION hubroute;
-- SPEC §1: the objects created by the extension.
-- Everything is checked against an explicit list of what SPEC §1 names, so
-- that later additions (SPEC §4 columns, tables, functions) do not change
-- this output; a separate query shows nothing unexpected is exposed.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- The extension is not relocatable, and cannot be moved.
SELECT extname, extrelocatable, extversion FROM pg_extension WHERE extname = 'hubroute';
ALTER EXTENSION hubroute SET SCHEMA public;

-- The schema belongs to the extension (dropped with it) ...
SELECT n.nspname, d.deptype
  FROM pg_depend d
  JOIN pg_namespace n ON d.classid = 'pg_namespace'::regclass AND d.objid = n.oid
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'hubroute');
DROP EXTENSION hubroute;
SELECT count(*) AS hubroute_schemas_after_drop FROM pg_namespace WHERE nspname = 'hubroute';

-- ... and is created by it: CREATE EXTENSION refuses a pre-existing schema
-- (which could hold planted objects), and leaves that schema alone.
CREATE SCHEMA hubroute;
CREATE TABLE hubroute.planted (x int);
CREATE EXTENSION hubroute;
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'hubroute';
SELECT relname FROM pg_class WHERE relnamespace = 'hubroute'::regnamespace ORDER BY relname;
DROP SCHEMA hubroute CASCADE;
CREATE EXTENSION hubroute;

-- Every column of SPEC §1: type, NOT NULL, default, identity.
CREATE TEMP TABLE spec_columns (tbl text, col text, typ text, not_null boolean, def text, ord serial);
INSERT INTO spec_columns (tbl, col, typ, not_null, def) VALUES
    ('users', 'id', 'bigint', true, NULL),
    ('users', 'name', 'text', true, NULL),
    ('users', 'email', 'text', false, NULL),
    ('users', 'seat', 'text', true, '''none''::text'),
    ('users', 'available', 'boolean', true, 'true'),
    ('users', 'active', 'boolean', true, 'true'),
    ('users', 'ticket_access', 'boolean', true, 'true'),
    ('teams', 'id', 'bigint', true, NULL),
    ('teams', 'name', 'text', true, NULL),
    ('team_members', 'team_id', 'bigint', true, NULL),
    ('team_members', 'user_id', 'bigint', true, NULL),
    ('team_members', 'is_primary', 'boolean', true, 'true'),
    ('workspaces', 'id', 'bigint', true, NULL),
    ('workspaces', 'name', 'text', true, NULL),
    ('workspaces', 'kind', 'text', true, NULL),
    ('workspace_teams', 'workspace_id', 'bigint', true, NULL),
    ('workspace_teams', 'team_id', 'bigint', true, NULL),
    ('channels', 'id', 'bigint', true, NULL),
    ('channels', 'workspace_id', 'bigint', true, NULL),
    ('channels', 'kind', 'text', true, NULL),
    ('channels', 'name', 'text', true, NULL),
    ('channels', 'assign_to', 'text', true, '''nobody''::text'),
    ('channels', 'distribution', 'text', false, NULL),
    ('channels', 'only_available', 'boolean', true, 'true'),
    ('channels', 'fallback_user_id', 'bigint', false, NULL),
    ('channels', 'use_skills', 'boolean', true, 'false'),
    ('channels', 'timezone', 'text', true, '''UTC''::text'),
    ('channel_targets', 'channel_id', 'bigint', true, NULL),
    ('channel_targets', 'user_id', 'bigint', false, NULL),
    ('channel_targets', 'team_id', 'bigint', false, NULL),
    ('contacts', 'id', 'bigint', true, NULL),
    ('contacts', 'name', 'text', false, NULL),
    ('contacts', 'email', 'text', false, NULL),
    ('contacts', 'owner_id', 'bigint', false, NULL),
    ('contacts', 'tracked', 'boolean', true, 'false'),
    ('skills', 'id', 'bigint', true, NULL),
    ('skills', 'name', 'text', true, NULL),
    ('skills', 'kind', 'text', true, '''category''::text'),
    ('user_skills', 'user_id', 'bigint', true, NULL),
    ('user_skills', 'skill_id', 'bigint', true, NULL),
    ('tickets', 'id', 'bigint', true, NULL),
    ('tickets', 'channel_id', 'bigint', true, NULL),
    ('tickets', 'contact_id', 'bigint', false, NULL),
    ('tickets', 'subject', 'text', false, NULL),
    ('tickets', 'required_skills', 'bigint[]', true, '''{}''::bigint[]'),
    ('tickets', 'status', 'text', true, '''open''::text'),
    ('tickets', 'owner_id', 'bigint', false, NULL),
    ('tickets', 'team_id', 'bigint', false, NULL),
    ('tickets', 'handled_by', 'text', true, '''human''::text'),
    ('tickets', 'created_at', 'timestamp with time zone', true, 'now()'),
    ('tickets', 'assigned_at', 'timestamp with time zone', false, NULL),
    ('conversations', 'id', 'bigint', true, NULL),
    ('conversations', 'channel_id', 'bigint', true, NULL),
    ('conversations', 'contact_id', 'bigint', false, NULL),
    ('conversations', 'subject', 'text', false, NULL),
    ('conversations', 'required_skills', 'bigint[]', true, '''{}''::bigint[]'),
    ('conversations', 'status', 'text', true, '''open''::text'),
    ('conversations', 'owner_id', 'bigint', false, NULL),
    ('conversations', 'team_id', 'bigint', false, NULL),
    ('conversations', 'handled_by', 'text', true, '''human''::text'),
    ('conversations', 'created_at', 'timestamp with time zone', true, 'now()'),
    ('conversations', 'assigned_at', 'timestamp with time zone', false, NULL),
    ('messages', 'id', 'bigint', true, NULL),
    ('messages', 'ticket_id', 'bigint', false, NULL),
    ('messages', 'conversation_id', 'bigint', false, NULL),
    ('messages', 'direction', 'text', true, NULL),
    ('messages', 'author_user_id', 'bigint', false, NULL),
    ('messages', 'body', 'text', false, NULL),
    ('messages', 'created_at', 'timestamp with time zone', true, 'now()'),
    ('assignments', 'id', 'bigint', true, NULL),
    ('assignments', 'ticket_id', 'bigint', false, NULL),
    ('assignments', 'conversation_id', 'bigint', false, NULL),
    ('assignments', 'user_id', 'bigint', false, NULL),
    ('assignments', 'method', 'text', true, NULL),
    ('assignments', 'reason', 'text', false, NULL),
    ('assignments', 'at', 'timestamp with time zone', true, NULL),
    ('notifications', 'id', 'bigint', true, NULL),
    ('notifications', 'user_id', 'bigint', true, NULL),
    ('notifications', 'kind', 'text', true, NULL),
    ('notifications', 'ticket_id', 'bigint', false, NULL),
    ('notifications', 'conversation_id', 'bigint', false, NULL),
    ('notifications', 'created_at', 'timestamp with time zone', true, 'now()');

-- One row per SPEC column, as found in the catalog ("missing" when absent).
-- def is only compared where SPEC gives a default ("at" may have one).
SELECT s.tbl, s.col,
       COALESCE(format_type(a.atttypid, a.atttypmod), 'missing') AS type,
       a.attnotnull AS not_null,
       pg_get_expr(d.adbin, d.adrelid) AS "default",
       a.attidentity <> '' AS generated,
       format_type(a.atttypid, a.atttypmod) IS NOT DISTINCT FROM s.typ
           AND a.attnotnull IS NOT DISTINCT FROM s.not_null
           AND (s.def IS NULL OR pg_get_expr(d.adbin, d.adrelid) = s.def) AS ok
  FROM spec_columns s
  LEFT JOIN pg_attribute a
         ON a.attrelid = to_regclass('hubroute.' || s.tbl) AND a.attname = s.col
        AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 ORDER BY s.ord;

-- The generated ids of SPEC §1 are identity columns.
SELECT s.tbl, a.attidentity <> '' AS id_is_identity
  FROM (VALUES ('tickets'), ('conversations'), ('messages'), ('assignments'), ('notifications')) s(tbl)
  LEFT JOIN pg_attribute a ON a.attrelid = to_regclass('hubroute.' || s.tbl) AND a.attname = 'id'
 ORDER BY s.tbl;

-- Primary keys and unique constraints of the SPEC tables.
SELECT c.conrelid::regclass AS tbl, c.contype,
       (SELECT string_agg(a.attname, ', ' ORDER BY k.ord)
          FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS columns
  FROM pg_constraint c
 WHERE c.conrelid IN (SELECT to_regclass('hubroute.' || tbl) FROM spec_columns)
   AND c.contype IN ('p', 'u')
 ORDER BY c.conrelid::regclass::text, c.contype, columns;

-- A user has at most one primary team: enforced by a unique partial index too.
SELECT indexrelid::regclass AS index, indisunique, pg_get_expr(indpred, indrelid) AS predicate
  FROM pg_index WHERE indrelid = 'hubroute.team_members'::regclass AND indpred IS NOT NULL;

-- The reporting views and their columns, in order (extra columns allowed).
SELECT s.view, s.col, c.relkind, a.attnum IS NOT NULL AS present,
       format_type(a.atttypid, a.atttypmod) AS type
  FROM (VALUES ('user_load', 'user_id', 1), ('user_load', 'name', 2),
               ('user_load', 'available', 3), ('user_load', 'open_tickets', 4),
               ('user_load', 'open_conversations', 5), ('user_load', 'last_assigned_at', 6),
               ('unassigned', 'kind', 1), ('unassigned', 'id', 2),
               ('unassigned', 'channel_id', 3), ('unassigned', 'created_at', 4)) s(view, col, ord)
  LEFT JOIN pg_class c ON c.oid = to_regclass('hubroute.' || s.view)
  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = s.col AND a.attnum = s.ord
 ORDER BY s.view DESC, s.ord;

-- The views work and are empty on a fresh install.
SELECT count(*) AS user_load_rows FROM hubroute.user_load;
SELECT count(*) AS unassigned_rows FROM hubroute.unassigned;

-- pg_dump carries the rows: every SPEC table is registered as a configuration
-- table, with no condition.
SELECT s.tbl,
       cfg.rel IS NOT NULL AS registered,
       cfg.cond AS condition
  FROM (SELECT DISTINCT tbl FROM spec_columns) s
  LEFT JOIN (SELECT unnest(extconfig)::regclass::text AS rel, unnest(extcondition) AS cond
               FROM pg_extension WHERE extname = 'hubroute') cfg
         ON cfg.rel = 'hubroute.' || s.tbl
 ORDER BY s.tbl;

-- No table or sequence of the schema is left out of the dump.
SELECT c.relname AS not_dumped
  FROM pg_class c
 WHERE c.relnamespace = 'hubroute'::regnamespace AND c.relkind IN ('r', 'S')
   AND c.oid <> ALL (SELECT unnest(extconfig) FROM pg_extension WHERE extname = 'hubroute')
 ORDER BY 1;

-- Functions: the public API is executable by PUBLIC ...
SELECT f.name, p.oid IS NOT NULL AS exists,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
  FROM (VALUES ('route_ticket'), ('route_conversation')) f(name)
  LEFT JOIN pg_proc p ON p.proname = f.name AND p.pronamespace = 'hubroute'::regnamespace
 ORDER BY f.name;
SELECT pg_get_function_result('hubroute.route_ticket(bigint)'::regprocedure) AS route_ticket_returns,
       pg_get_function_result('hubroute.route_conversation(bigint)'::regprocedure) AS route_conversation_returns;

-- ... and the helper and trigger functions are not (listed by name, so that
-- functions added later do not change this output) ...
SELECT f.name, p.oid IS NOT NULL AS exists,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
  FROM (VALUES ('require_one_of'), ('seats_for'), ('require_seat'),
               ('users_validate'), ('team_members_validate'),
               ('workspaces_validate'), ('channels_validate'), ('channel_targets_validate'),
               ('skills_validate'), ('item_before_insert'), ('item_before_update'),
               ('item_count'), ('message_reply'), ('rebuild_counters'),
               ('item_truncated'), ('log_changed'), ('config_changed'), ('item_reference_guard'),
               ('routing_load'), ('routing_load_check'), ('shared_memory'),
               ('routing_cache'), ('distributions'), ('require_capacity'), ('config_drain')) f(name)
  LEFT JOIN pg_proc p ON p.proname = f.name AND p.pronamespace = 'hubroute'::regnamespace
 ORDER BY f.name;

-- ... nor is any other function outside the public API (SPEC: route_ticket,
-- route_conversation, handoff, drain): no rows.
SELECT p.oid::regprocedure AS non_api_function_executable_by_public
  FROM pg_proc p
 WHERE p.pronamespace = 'hubroute'::regnamespace
   AND p.proname NOT IN ('route_ticket', 'route_conversation', 'handoff', 'drain')
   AND has_function_privilege('public', p.oid, 'EXECUTE')
 ORDER BY 1::text;

-- No items: routing counts nothing that the tables do not hold.
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

DROP TABLE spec_columns;
DROP EXTENSION hubroute CASCADE;
