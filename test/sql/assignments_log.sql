-- assignments_log: every decision writes one hubroute.assignments row, with
-- the item's channel. The row goes straight into the table while it is as
-- the extension made it; once a DBA adds a trigger or a column to the log,
-- rows go in by an ordinary INSERT, so those take effect.
CREATE EXTENSION hubroute;
INSERT INTO hubroute.users (id, name, seat) VALUES (1, 'Ann', 'service'), (2, 'Bob', 'service');
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (1, 'Support', 'helpdesk'), (2, 'Sales', 'inbox');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (10, 1, 'email', 'support mail', 'users_and_teams', 'balanced'),
    (11, 1, 'form', 'nobody', 'nobody', NULL),
    (20, 2, 'chat', 'sales chat', 'users_and_teams', 'round_robin');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 1), (10, 2), (20, 1), (20, 2);

-- Routed, unassigned, manual, and a conversation: one row each, ids from the
-- identity, exactly one item column set, every index finds its row.
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'routed');
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (11, 'nobody');
INSERT INTO hubroute.tickets (channel_id, subject, owner_id) VALUES (10, 'manual', 2);
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (20, 'chat');
SELECT id, ticket_id, conversation_id, user_id, team_id, method, reason IS NOT NULL AS has_reason,
       at IS NOT NULL AS has_at, channel_id
  FROM hubroute.assignments ORDER BY id;
SET enable_seqscan = off;
SELECT count(*) AS found_by_ticket_index FROM hubroute.assignments WHERE ticket_id IN (1, 2, 3);
SELECT count(*) AS found_by_conversation_index FROM hubroute.assignments WHERE conversation_id = 1;
SELECT count(*) AS found_by_primary_key FROM hubroute.assignments WHERE id = 4;
RESET enable_seqscan;
-- A rolled-back insert leaves no log row.
BEGIN;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'rolled back');
ROLLBACK;
SELECT count(*) AS log_rows FROM hubroute.assignments;

-- A DBA's trigger on the log fires for routed decisions too. It runs as
-- hubroute_logger, with search_path pinned to pg_catalog, pg_temp: a
-- trigger function that names its table unqualified is not found ...
CREATE TABLE log_seen (assignment_id bigint, method text, run_as name);
CREATE FUNCTION log_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO log_seen VALUES (NEW.id, NEW.method, current_user);
    RETURN NEW;
END;
$$;
CREATE TRIGGER log_seen AFTER INSERT ON hubroute.assignments FOR EACH ROW EXECUTE FUNCTION log_seen();
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'seen');
-- ... one that sets its own search_path, with the rights it needs, is.
ALTER FUNCTION log_seen() SET search_path = public, pg_temp;
GRANT INSERT ON log_seen TO hubroute_logger;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'seen');
SELECT * FROM log_seen;
DROP TRIGGER log_seen ON hubroute.assignments;

-- A column the DBA added gets its default.
ALTER TABLE hubroute.assignments ADD COLUMN source text DEFAULT 'router';
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'with source');
SELECT ticket_id, method, source FROM hubroute.assignments ORDER BY id DESC LIMIT 1;
ALTER TABLE hubroute.assignments DROP COLUMN source;
-- And back to the extension's own columns: straight in again.
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'after');
SELECT ticket_id, user_id, method, channel_id FROM hubroute.assignments ORDER BY id DESC LIMIT 1;

-- Whichever way the rows went in, the counts routing uses equal counting
-- the tables (last_assigned_at included).
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

DROP FUNCTION log_seen();
REVOKE ALL ON log_seen FROM hubroute_logger;
DROP TABLE log_seen;
DROP EXTENSION hubroute CASCADE;
