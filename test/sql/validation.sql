CREATE EXTENSION hubroute;
-- SPEC §5: configuration rows are validated when written. Each refusal names
-- the column and the allowed values (or the reason), has a proper SQLSTATE,
-- and leaves what is stored unchanged.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Runs one statement; returns 'ok' or the SQLSTATE with the table and column
-- the error names.
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    state text;
    tbl text;
    col text;
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, tbl = TABLE_NAME, col = COLUMN_NAME;
    RETURN format('%s %s.%s', state, tbl, col);
END;
$$;

-- A valid configuration to start from.
INSERT INTO hubroute.users (id, name, seat) VALUES
    (1, 'Ann', 'service'), (2, 'Bob', 'sales'), (3, 'Cas', 'none');
INSERT INTO hubroute.teams (id, name) VALUES (10, 'Support'), (11, 'Sales');
INSERT INTO hubroute.team_members (team_id, user_id) VALUES (10, 1), (11, 2);
INSERT INTO hubroute.workspaces (id, name, kind) VALUES
    (100, 'Inbox', 'inbox'), (200, 'Help desk', 'helpdesk'), (300, 'Empty', 'inbox');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (1000, 100, 'chat', 'Web chat', 'users_and_teams', 'least_busy'),
    (2000, 200, 'email', 'Support mail', 'users_and_teams', NULL);
INSERT INTO hubroute.skills (id, name, kind) VALUES (1, 'Dutch', 'language'), (2, 'Billing', DEFAULT);
SELECT id, name, kind FROM hubroute.skills ORDER BY id;

------------------------------------------------------------------------------
-- Unknown enum values: the message names table and column, DETAIL the
-- allowed values.
------------------------------------------------------------------------------
INSERT INTO hubroute.users (id, name, seat) VALUES (4, 'Dan', 'admin');
UPDATE hubroute.users SET seat = 'Service' WHERE id = 1;
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (400, 'Forum', 'forum');
UPDATE hubroute.workspaces SET kind = 'chat' WHERE id = 300;
INSERT INTO hubroute.channels (id, workspace_id, kind, name) VALUES (3000, 100, 'sms', 'Texts');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to) VALUES (3000, 100, 'chat', 'Chat', 'everyone');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, distribution) VALUES (3000, 100, 'chat', 'Chat', 'fair');
UPDATE hubroute.channels SET distribution = 'round-robin' WHERE id = 1000;
INSERT INTO hubroute.skills (id, name, kind) VALUES (3, 'Hammer', 'tool');

-- The same errors, as SQLSTATE (23514 check_violation) and the table and
-- column the error report names.
\set VERBOSITY sqlstate
UPDATE hubroute.users SET seat = 'admin' WHERE id = 3;
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to) VALUES (3000, 100, 'chat', 'Chat', 'everyone');
\set VERBOSITY default
SELECT s AS statement, pg_temp.try(s) AS result
  FROM (VALUES
    ('UPDATE hubroute.users SET seat = ''admin'' WHERE id = 3'),
    ('UPDATE hubroute.workspaces SET kind = ''forum'' WHERE id = 300'),
    ('UPDATE hubroute.channels SET kind = ''sms'' WHERE id = 1000'),
    ('UPDATE hubroute.channels SET assign_to = ''everyone'' WHERE id = 1000'),
    ('UPDATE hubroute.channels SET distribution = ''fair'' WHERE id = 1000'),
    ('UPDATE hubroute.skills SET kind = ''tool'' WHERE id = 1')) v(s);

-- Every allowed value is accepted (in a transaction that is rolled back).
BEGIN;
SELECT bool_and(pg_temp.try(format('UPDATE hubroute.users SET seat = %L WHERE id = 3', v)) = 'ok') AS seats_accepted
  FROM unnest(ARRAY['none', 'sales', 'service']) v;
SELECT bool_and(pg_temp.try(format('INSERT INTO hubroute.workspaces VALUES (%s, %L, %L)', 400 + n, v, v)) = 'ok') AS workspace_kinds_accepted
  FROM unnest(ARRAY['inbox', 'helpdesk']) WITH ORDINALITY AS v(v, n);
SELECT bool_and(pg_temp.try(format('INSERT INTO hubroute.skills VALUES (%s, %L, %L)', 10 + n, v, v)) = 'ok') AS skill_kinds_accepted
  FROM unnest(ARRAY['language', 'category']) WITH ORDINALITY AS v(v, n);
-- each channel kind, with the assign_to and distribution values in turn
SELECT bool_and(pg_temp.try(format('INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES (%s, 100, %L, %L, %L, %L)',
                                   5000 + n, k, k, a, d)) = 'ok') AS channel_values_accepted
  FROM unnest(ARRAY['chat', 'bot', 'messenger', 'email', 'form', 'calling', 'whatsapp']) WITH ORDINALITY AS k(k, n),
       LATERAL (VALUES (CASE n % 4 WHEN 0 THEN 'nobody' WHEN 1 THEN 'users_and_teams'
                                   WHEN 2 THEN 'contact_owner' ELSE 'customer_agent' END,
                        CASE n % 4 WHEN 0 THEN 'balanced' WHEN 1 THEN 'random'
                                   WHEN 2 THEN 'least_busy' ELSE 'round_robin' END)) x(a, d);
SELECT count(DISTINCT assign_to) AS assign_to_values, count(DISTINCT distribution) AS distribution_values
  FROM hubroute.channels WHERE id > 5000;
ROLLBACK;

-- Nothing was stored or changed by the refused statements.
SELECT id, name, seat FROM hubroute.users ORDER BY id;
SELECT id, name, kind FROM hubroute.workspaces ORDER BY id;
SELECT id, workspace_id, kind, assign_to, distribution FROM hubroute.channels ORDER BY id;
SELECT id, name, kind FROM hubroute.skills ORDER BY id;

-- A multi-row INSERT with one bad row stores none of its rows.
INSERT INTO hubroute.users (id, name, seat) VALUES (5, 'Eve', 'sales'), (6, 'Fay', 'agent'), (7, 'Gus', 'service');
SELECT count(*) AS users_5_to_7 FROM hubroute.users WHERE id BETWEEN 5 AND 7;

------------------------------------------------------------------------------
-- channel_targets: exactly one of user_id and team_id.
------------------------------------------------------------------------------
INSERT INTO hubroute.channel_targets (channel_id, user_id, team_id) VALUES (1000, 2, 11);
INSERT INTO hubroute.channel_targets (channel_id, user_id, team_id) VALUES (1000, NULL, NULL);
SELECT pg_temp.try('INSERT INTO hubroute.channel_targets (channel_id) VALUES (1000)') AS neither;
-- valid targets
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (1000, 2);
INSERT INTO hubroute.channel_targets (channel_id, team_id) VALUES (1000, 10), (2000, 10);
-- an UPDATE that would set both is refused too
UPDATE hubroute.channel_targets SET team_id = 11 WHERE channel_id = 1000 AND user_id = 2;
UPDATE hubroute.channel_targets SET user_id = NULL WHERE channel_id = 1000 AND user_id = 2;

------------------------------------------------------------------------------
-- A target user without the seat the workspace needs: inbox needs sales or
-- service, help desk needs service.
------------------------------------------------------------------------------
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (1000, 3);  -- inbox, seat none
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (2000, 2);  -- help desk, seat sales
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (2000, 3);  -- help desk, seat none
SELECT pg_temp.try('INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (2000, 2)') AS sales_in_help_desk;
-- accepted: service in a help desk, service in an inbox
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (2000, 1), (1000, 1);
-- moving an existing target to a user without the seat is refused
UPDATE hubroute.channel_targets SET user_id = 2 WHERE channel_id = 2000 AND user_id = 1;
-- a multi-row INSERT with one target lacking the seat stores nothing
INSERT INTO hubroute.users (id, name, seat) VALUES (8, 'Hal', 'service');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (2000, 8), (2000, 3);

-- The targets stored: exactly the accepted ones.
SELECT channel_id, user_id, team_id FROM hubroute.channel_targets ORDER BY channel_id, user_id, team_id;

------------------------------------------------------------------------------
-- fallback_user_id without the seat the workspace needs.
------------------------------------------------------------------------------
UPDATE hubroute.channels SET assign_to = 'contact_owner', fallback_user_id = 3 WHERE id = 1000;  -- seat none
UPDATE hubroute.channels SET assign_to = 'contact_owner', fallback_user_id = 2 WHERE id = 2000;  -- sales in help desk
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, fallback_user_id)
    VALUES (3000, 200, 'form', 'Form', 'contact_owner', 3);
SELECT pg_temp.try('UPDATE hubroute.channels SET fallback_user_id = 3 WHERE id = 1000') AS fallback_without_seat;
-- accepted: sales in an inbox, service in a help desk
UPDATE hubroute.channels SET fallback_user_id = 2 WHERE id = 1000;
UPDATE hubroute.channels SET fallback_user_id = 1 WHERE id = 2000;
SELECT id, assign_to, fallback_user_id FROM hubroute.channels ORDER BY id;

------------------------------------------------------------------------------
-- channels.timezone must be a known time zone.
------------------------------------------------------------------------------
INSERT INTO hubroute.channels (id, workspace_id, kind, name, timezone) VALUES (3000, 100, 'chat', 'Mars chat', 'Mars/Olympus_Mons');
UPDATE hubroute.channels SET timezone = 'Europe/Atlantis' WHERE id = 1000;
SELECT pg_temp.try('UPDATE hubroute.channels SET timezone = ''Nowhere'' WHERE id = 1000') AS bad_timezone;
UPDATE hubroute.channels SET timezone = 'Europe/Amsterdam' WHERE id = 1000;
SELECT id, timezone FROM hubroute.channels ORDER BY id;

------------------------------------------------------------------------------
-- A user has at most one primary team.
------------------------------------------------------------------------------
INSERT INTO hubroute.team_members (team_id, user_id) VALUES (11, 1);   -- is_primary defaults to true
SELECT pg_temp.try('INSERT INTO hubroute.team_members (team_id, user_id, is_primary) VALUES (11, 1, true)') AS second_primary;
INSERT INTO hubroute.team_members (team_id, user_id, is_primary) VALUES (11, 1, false);  -- additional: fine
UPDATE hubroute.team_members SET is_primary = true WHERE team_id = 11 AND user_id = 1;
-- swapping the main team: make the old one additional first
UPDATE hubroute.team_members SET is_primary = false WHERE team_id = 10 AND user_id = 1;
UPDATE hubroute.team_members SET is_primary = true WHERE team_id = 11 AND user_id = 1;
SELECT team_id, user_id, is_primary FROM hubroute.team_members ORDER BY user_id, team_id;

------------------------------------------------------------------------------
-- A workspace's kind cannot change while it has channels.
------------------------------------------------------------------------------
UPDATE hubroute.workspaces SET kind = 'helpdesk' WHERE id = 100;
SELECT pg_temp.try('UPDATE hubroute.workspaces SET kind = ''inbox'' WHERE id = 200') AS change_kind;
-- an UPDATE touching several workspaces fails as a whole: 300 is not changed either
UPDATE hubroute.workspaces SET kind = 'helpdesk' WHERE id IN (100, 300);
-- renaming is fine, and so is changing the kind of a workspace without channels
UPDATE hubroute.workspaces SET name = 'Shared inbox' WHERE id = 100;
UPDATE hubroute.workspaces SET kind = 'helpdesk' WHERE id = 300;
SELECT id, name, kind FROM hubroute.workspaces ORDER BY id;

------------------------------------------------------------------------------
-- Nor can a channel move to a workspace of the other kind while it has
-- items, or when a target user lacks the seat the new workspace needs.
------------------------------------------------------------------------------
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (400, 'Second help desk', 'helpdesk'), (500, 'Second inbox', 'inbox');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to) VALUES
    (4000, 100, 'chat', 'Chat with items', 'users_and_teams'),
    (5000, 100, 'chat', 'Chat with a sales target', 'users_and_teams');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (4000, 1), (5000, 2);
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (4000, 'hello');
SELECT pg_temp.try('UPDATE hubroute.channels SET workspace_id = 400 WHERE id = 4000') AS move_with_items,
       pg_temp.try('UPDATE hubroute.channels SET workspace_id = 400 WHERE id = 5000') AS move_with_sales_target,
       pg_temp.try('UPDATE hubroute.channels SET workspace_id = 500 WHERE id = 4000') AS move_to_same_kind;
SELECT id, workspace_id FROM hubroute.channels WHERE id IN (4000, 5000) ORDER BY id;
DELETE FROM hubroute.conversations;
DELETE FROM hubroute.assignments;
DELETE FROM hubroute.channels WHERE id IN (4000, 5000);
DELETE FROM hubroute.workspaces WHERE id IN (400, 500);

------------------------------------------------------------------------------
-- Items on a channel of the wrong workspace kind, or no channel, are refused.
------------------------------------------------------------------------------
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (1000, 'ticket in an inbox');
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (2000, 'conversation in a help desk');
SELECT pg_temp.try('INSERT INTO hubroute.tickets (channel_id) VALUES (1000)') AS ticket_in_inbox,
       pg_temp.try('INSERT INTO hubroute.conversations (channel_id) VALUES (9999)') AS no_such_channel;
SELECT (SELECT count(*) FROM hubroute.tickets) AS tickets,
       (SELECT count(*) FROM hubroute.conversations) AS conversations,
       (SELECT count(*) FROM hubroute.assignments) AS assignments;

-- Final state: only what was accepted.
SELECT id, name, seat, available, active, ticket_access FROM hubroute.users ORDER BY id;
SELECT id, workspace_id, kind, name, assign_to, distribution, fallback_user_id, timezone
  FROM hubroute.channels ORDER BY id;
-- The counts routing uses equal counting the tables.
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

DROP EXTENSION hubroute CASCADE;
