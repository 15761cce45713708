-- log_constraints: hubroute writes its decision log (hubroute.assignments)
-- straight into the heap only while the table is exactly as the extension
-- made it; whatever a DBA adds to it takes effect (issue 7 §2; the old code's
-- direct write bypassed it):
--  * a NOT NULL on a column a decision leaves NULL (team_id): the routed
--    insert fails with 23502 (the old code stored the NULL);
--  * a CHECK constraint (method <> 'nobody'): enforced, 23514;
--  * once they are dropped, rows are logged again (the direct path);
--  * an expression index calling a user-defined function: the row goes in by
--    an SQL INSERT run as hubroute_internal, so the function runs as that
--    role, never as the superuser routing the insert.
CREATE EXTENSION hubroute;
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO hubroute.users (id, name, seat) VALUES (1, 'Ann', 'service'), (2, 'Bob', 'service');
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (1, 'Support', 'helpdesk');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (1, 1, 'email', 'manual', 'nobody', NULL),
    (10, 1, 'email', 'support', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 1), (10, 2);
CREATE VIEW pg_temp.counts_match AS
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

------------------------------------------------------------------------------
-- NOT NULL on team_id (the log is empty, so the ALTER succeeds). A routed
-- decision names no team: refused. (Terse: the failing row holds a timestamp.)
------------------------------------------------------------------------------
ALTER TABLE hubroute.assignments ALTER COLUMN team_id SET NOT NULL;
\set VERBOSITY terse
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'no team');
\set VERBOSITY default
SELECT :'LAST_ERROR_SQLSTATE' AS not_null_sqlstate;
SELECT count(*) = 0 AS nothing_stored FROM hubroute.tickets;
SELECT count(*) = 0 AS no_null_team_logged FROM hubroute.assignments WHERE team_id IS NULL;
ALTER TABLE hubroute.assignments ALTER COLUMN team_id DROP NOT NULL;

------------------------------------------------------------------------------
-- A CHECK constraint: no 'nobody' decisions in the log. An insert on the
-- 'nobody' channel is refused; a routed one is fine.
------------------------------------------------------------------------------
ALTER TABLE hubroute.assignments ADD CONSTRAINT no_nobody CHECK (method <> 'nobody');
\set VERBOSITY terse
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (1, 'to nobody');
\set VERBOSITY default
SELECT :'LAST_ERROR_SQLSTATE' AS check_sqlstate;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'routed under the check') RETURNING owner_id;
ALTER TABLE hubroute.assignments DROP CONSTRAINT no_nobody;

------------------------------------------------------------------------------
-- Both dropped: the table is as made again, and decisions are logged.
------------------------------------------------------------------------------
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (1, 'to nobody'), (10, 'routed');
SELECT t.subject, a.user_id, a.method FROM hubroute.tickets t
  JOIN hubroute.assignments a ON a.ticket_id = t.id ORDER BY t.id;
SELECT * FROM pg_temp.counts_match;

------------------------------------------------------------------------------
-- An expression index on the log calling a function that says who runs it
-- (declared IMMUTABLE, as an index needs; its notice is its side effect).
------------------------------------------------------------------------------
CREATE FUNCTION public.log_key(method text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RAISE NOTICE 'log_key() runs as %, superuser: %', current_user,
        (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user);
    RETURN method;
END;
$$;
SET client_min_messages = warning;
CREATE INDEX assignments_log_key ON hubroute.assignments (public.log_key(method));
RESET client_min_messages;
-- This session, which routes the inserts below, is a superuser.
SELECT rolsuper AS session_is_superuser FROM pg_roles WHERE rolname = current_user;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'routed with the index');
UPDATE hubroute.tickets SET owner_id = 1 WHERE subject = 'to nobody';
SELECT t.subject, a.user_id, a.method FROM hubroute.tickets t
  JOIN hubroute.assignments a ON a.ticket_id = t.id
 WHERE t.subject IN ('routed with the index', 'to nobody') ORDER BY a.id;
DROP INDEX hubroute.assignments_log_key;
SELECT * FROM pg_temp.counts_match;

DROP VIEW pg_temp.counts_match;
DROP FUNCTION public.log_key(text);
DROP EXTENSION hubroute CASCADE;
