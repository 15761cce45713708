-- trigger_misuse: hubroute's C trigger functions attached where the extension
-- did not attach them, by a role that a DBA granted EXECUTE on them (and
-- TRIGGER on a table, or that owns its own). Issue 7 §1:
--  * item_reference_guard() pasted its trigger argument into SQL that it ran
--    as the schema owner (a superuser): SQL text as argument ran with raised
--    privilege. Now the argument must be the fixed column name, and the
--    function works only on hubroute's own tables.
--  * the row triggers recognised their table by name only: attached to some
--    other table called tickets with other column types, they wrote an int8
--    into a text column and crashed the server. Now: a clean error, SQLSTATE
--    39P01 (trigger protocol violated), and the server lives on.
CREATE EXTENSION hubroute;
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO hubroute.users (id, name, seat) VALUES (1, 'Ann', 'service');
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (1, 'Support', 'helpdesk');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution)
    VALUES (10, 1, 'email', 'support mail', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 1);
INSERT INTO hubroute.contacts (id, name) VALUES (1, 'kept'), (2, 'unreferenced');
INSERT INTO hubroute.tickets (channel_id, contact_id, subject) VALUES (10, 1, 'refers to contact 1');

-- The role, and what a DBA granted it.
CREATE ROLE hubroute_test_misuse;
GRANT CREATE ON SCHEMA public TO hubroute_test_misuse;
-- As the issue has it: EXECUTE on all of the schema's functions.
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA hubroute TO hubroute_test_misuse;
GRANT TRIGGER ON hubroute.contacts TO hubroute_test_misuse;

------------------------------------------------------------------------------
-- item_reference_guard() with SQL text as its argument. The planted function
-- records who ran it; it must never run at all.
------------------------------------------------------------------------------
SET ROLE hubroute_test_misuse;
CREATE TABLE public.planted_runs (run_as text, superuser boolean);
GRANT INSERT ON public.planted_runs TO PUBLIC;
CREATE FUNCTION public.planted() RETURNS boolean LANGUAGE sql AS $$
    INSERT INTO public.planted_runs
    SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user);
    SELECT false;
$$;
-- On hubroute's contacts, where the role may add triggers: the old code ran
-- "... WHERE i.contact_id = $1 OR public.planted() OR i.contact_id = $1".
CREATE TRIGGER a_guard BEFORE DELETE ON hubroute.contacts FOR EACH ROW
    EXECUTE FUNCTION hubroute.item_reference_guard('contact_id = $1 OR public.planted() OR i.contact_id');
-- On a table of its own.
CREATE TABLE public.my_contacts (id bigint PRIMARY KEY);
INSERT INTO public.my_contacts VALUES (1);
CREATE TRIGGER a_guard BEFORE DELETE ON public.my_contacts FOR EACH ROW
    EXECUTE FUNCTION hubroute.item_reference_guard('contact_id = $1 OR public.planted() OR i.contact_id');
DELETE FROM public.my_contacts WHERE id = 1;
SELECT :'LAST_ERROR_SQLSTATE' AS own_table_sqlstate;
RESET ROLE;
-- A DBA deletes an unreferenced contact: the planted trigger fires, and is refused.
DELETE FROM hubroute.contacts WHERE id = 2;
SELECT :'LAST_ERROR_SQLSTATE' AS contacts_sqlstate;
SELECT NOT EXISTS (SELECT FROM public.planted_runs) AS planted_sql_never_ran;
SELECT * FROM public.planted_runs;
DROP TRIGGER a_guard ON hubroute.contacts;
-- Without it, the guard that the extension attached works as before.
DELETE FROM hubroute.contacts WHERE id = 2;
DELETE FROM hubroute.contacts WHERE id = 1;
SELECT :'LAST_ERROR_SQLSTATE' AS referenced_contact_sqlstate;

------------------------------------------------------------------------------
-- The row and statement triggers on look-alike tables whose columns have
-- other types. Each function is attached alone and fired once; the error is
-- caught and reported.
------------------------------------------------------------------------------
SET ROLE hubroute_test_misuse;
-- Its channel_id is a bigint, so routing finds channel 10 and picks Ann; the
-- old code then wrote her id, an int8, into the text column owner_id.
CREATE TABLE public.tickets (id text PRIMARY KEY, channel_id bigint, contact_id text, subject text,
    required_skills text, status text, owner_id text, team_id text, handled_by text,
    created_at text, assigned_at text);
INSERT INTO public.tickets (id, channel_id, owner_id) VALUES ('old', 10, 'y');
CREATE TABLE public.messages (id text, ticket_id text, conversation_id text, direction text,
    author_user_id text, body text);
-- A users table whose availability is text: config_changed() must not read
-- it as hubroute.users (issue 8 §5 made it look at what a row change changed).
CREATE TABLE public.users (id text, available text);
INSERT INTO public.users VALUES ('1', 'yes');
CREATE FUNCTION pg_temp.misuse(fn text, event text, level text, tbl text, stmt text,
                               OUT code text, OUT message text)
LANGUAGE plpgsql SET client_min_messages = warning AS $$
BEGIN
    BEGIN
        EXECUTE format('CREATE TRIGGER misuse %s ON %s FOR EACH %s EXECUTE FUNCTION %s()',
                       event, tbl, level, fn);
        EXECUTE stmt;
        code := '00000';
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
    END;
    EXECUTE format('DROP TRIGGER IF EXISTS misuse ON %s', tbl);
END;
$$;
CREATE TEMP TABLE misuse_results AS
SELECT m.fn, m.event, r.code, r.message
  FROM (VALUES
    ('hubroute.item_before_insert', 'BEFORE INSERT', 'ROW', 'public.tickets',
     $$INSERT INTO public.tickets (id, channel_id, status) VALUES ('a', 10, 'open')$$),
    ('hubroute.item_count', 'AFTER INSERT', 'ROW', 'public.tickets',
     $$INSERT INTO public.tickets (id, channel_id, status, owner_id) VALUES ('b', 10, 'open', '1')$$),
    ('hubroute.item_count', 'AFTER UPDATE', 'ROW', 'public.tickets',
     $$UPDATE public.tickets SET owner_id = 'z', status = 'closed'$$),
    ('hubroute.item_count', 'AFTER DELETE', 'ROW', 'public.tickets',
     $$DELETE FROM public.tickets$$),
    ('hubroute.item_before_update', 'BEFORE UPDATE', 'ROW', 'public.tickets',
     $$UPDATE public.tickets SET owner_id = 'z'$$),
    ('hubroute.item_truncated', 'AFTER TRUNCATE', 'STATEMENT', 'public.tickets',
     $$TRUNCATE public.tickets$$),
    ('hubroute.message_reply', 'AFTER INSERT', 'ROW', 'public.messages',
     $$INSERT INTO public.messages (ticket_id, direction, author_user_id) VALUES ('1', 'outgoing', '1')$$),
    ('hubroute.config_changed', 'AFTER UPDATE', 'ROW', 'public.users',
     $$UPDATE public.users SET available = 'no'$$)
  ) m(fn, event, level, tbl, stmt),
  LATERAL pg_temp.misuse(m.fn, m.event, m.level, m.tbl, m.stmt) r;
RESET ROLE;
SELECT fn, event, code, message FROM misuse_results;
SELECT bool_and(code = '39P01') AS every_misuse_refused FROM misuse_results;
-- The server lives on, the look-alike table is untouched and hubroute still routes.
SELECT count(*) AS lookalike_rows, bool_and(owner_id = 'y') AS lookalike_unchanged FROM public.tickets;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'after the misuse') RETURNING owner_id;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

DROP TABLE public.tickets, public.messages, public.users, public.my_contacts, public.planted_runs, misuse_results;
DROP FUNCTION public.planted(), pg_temp.misuse(text, text, text, text, text);
DROP EXTENSION hubroute CASCADE;
REVOKE CREATE ON SCHEMA public FROM hubroute_test_misuse;
DROP ROLE hubroute_test_misuse;
