-- table_changes: hubroute's tables as a DBA may change them (issue 7 §4).
--  * a column routing reads, retyped (required_skills to integer[]): a clear
--    error naming the column and the types, SQLSTATE 42804 (the old code
--    read the int4 array as int8: past its end, misrouting);
--  * a column routing reads, dropped: 42703 with a hint (the old code: XX000
--    "item row has no column");
--  * ALTER SCHEMA hubroute OWNER TO a role that is no superuser: inserts,
--    closes, replies and route_ticket() keep working (the old code ran its
--    SQL as the schema owner: "permission denied for table tickets");
--  * channel_id NULL: the standard not-null error naming channel_id, 23502
--    (the old code: "channel 0 does not exist").
-- The schema changes are made in transactions that are rolled back.
CREATE EXTENSION hubroute;
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO hubroute.users (id, name, seat) VALUES (1, 'Ann', 'service'), (2, 'Bob', 'service');
INSERT INTO hubroute.skills (id, name) VALUES (1, 'english'), (2, 'dutch');
INSERT INTO hubroute.user_skills (user_id, skill_id) VALUES (1, 1), (2, 1), (2, 2);
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (1, 'Support', 'helpdesk');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution, use_skills) VALUES
    (1, 1, 'email', 'manual', 'nobody', NULL, false),
    (10, 1, 'email', 'support', 'users_and_teams', 'balanced', true);
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 1), (10, 2);
CREATE VIEW pg_temp.counts_match AS
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

------------------------------------------------------------------------------
-- required_skills retyped to integer[].
------------------------------------------------------------------------------
BEGIN;
ALTER TABLE hubroute.tickets ALTER COLUMN required_skills TYPE integer[];
INSERT INTO hubroute.tickets (channel_id, subject, required_skills) VALUES (10, 'dutch', '{2}')
    RETURNING owner_id;
ROLLBACK;
SELECT :'LAST_ERROR_SQLSTATE' AS retyped_sqlstate;

------------------------------------------------------------------------------
-- assigned_at dropped.
------------------------------------------------------------------------------
BEGIN;
ALTER TABLE hubroute.tickets DROP COLUMN assigned_at;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'no assigned_at') RETURNING owner_id;
ROLLBACK;
SELECT :'LAST_ERROR_SQLSTATE' AS dropped_sqlstate;
-- Back as made, routing works again: Bob has both skills.
INSERT INTO hubroute.tickets (channel_id, subject, required_skills) VALUES (10, 'dutch', '{2}')
    RETURNING owner_id = 2 AS to_bob;

------------------------------------------------------------------------------
-- channel_id NULL (terse: the failing row's detail holds a timestamp).
------------------------------------------------------------------------------
\set VERBOSITY terse
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (NULL, 'no channel');
SELECT :'LAST_ERROR_SQLSTATE' AS null_channel_sqlstate;
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (NULL, 'no channel');
SELECT :'LAST_ERROR_SQLSTATE' AS null_channel_sqlstate;
\set VERBOSITY default

------------------------------------------------------------------------------
-- The schema given to a role that is no superuser.
------------------------------------------------------------------------------
CREATE ROLE hubroute_test_schema_owner;
ALTER SCHEMA hubroute OWNER TO hubroute_test_schema_owner;
-- a routed insert (Ann: fewer open tickets)
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'routed') RETURNING owner_id = 1 AS to_ann;
-- a close
UPDATE hubroute.tickets SET status = 'closed' WHERE subject = 'routed' RETURNING status;
-- a reply on an unassigned ticket
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (1, 'waiting');
INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body)
SELECT id, 'outgoing', 1, 'hello' FROM hubroute.tickets WHERE subject = 'waiting';
SELECT owner_id = 1 AS reply_assigned FROM hubroute.tickets WHERE subject = 'waiting';
-- route_ticket()
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (1, 'routed later');
UPDATE hubroute.channels SET assign_to = 'users_and_teams', distribution = 'balanced' WHERE id = 1;
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (1, 2);
SELECT hubroute.route_ticket(id) = 2 AS route_ticket_to_bob FROM hubroute.tickets WHERE subject = 'routed later';
SELECT count(*) AS decisions_logged FROM hubroute.assignments;
SELECT * FROM pg_temp.counts_match;
ALTER SCHEMA hubroute OWNER TO CURRENT_USER;

DROP VIEW pg_temp.counts_match;
DROP EXTENSION hubroute CASCADE;
DROP ROLE hubroute_test_schema_owner;
