CREATE EXTENSION hubroute;
-- SPEC §6 the waiting queue: on a channel with queue = true, an item nobody
-- can take waits; hubroute.queue lists the waiting items in the order they
-- are served; every change that makes room hands them out within its own
-- transaction, highest priority first, then oldest, then lowest id, by the
-- channel's distribution, logged with a reason that says it came from the
-- queue; hubroute.drain(channel_id) drains on demand.
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO hubroute.users (id, name, seat, ticket_capacity) VALUES
    (1, 'Ann', 'service', 1), (2, 'Bob', 'service', 1), (3, 'Cas', 'service', 1);
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (200, 'Help desk', 'helpdesk');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution, queue) VALUES
    (10, 200, 'email', 'queued', 'users_and_teams', 'balanced', true),
    (11, 200, 'email', 'not queued', 'users_and_teams', 'balanced', false);
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 1), (10, 2), (11, 1), (11, 2);
INSERT INTO hubroute.skills (id, name) VALUES (1, 'dutch');
INSERT INTO hubroute.user_skills (user_id, skill_id) VALUES (2, 1);

CREATE TEMP VIEW owners AS
SELECT t.subject, u.name AS owner FROM hubroute.tickets t LEFT JOIN hubroute.users u ON u.id = t.owner_id
 WHERE t.status = 'open' ORDER BY t.id;
CREATE TEMP VIEW waiting AS
SELECT q.kind, t.subject, q.priority, q.reason FROM hubroute.queue q JOIN hubroute.tickets t ON t.id = q.id;

-- Ann and Bob take one each; the rest wait, in the order they will be served.
INSERT INTO hubroute.tickets (channel_id, subject, priority) VALUES
    (10, 'a', 0), (10, 'b', 0), (10, 'c', 0), (10, 'd', 5), (10, 'e', 0);
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (11, 'not queued');
SELECT * FROM waiting;
SELECT count(*) AS waiting_since_decided FROM hubroute.queue q
  JOIN hubroute.assignments a ON a.ticket_id = q.id AND a.at = q.waiting_since;

-- Ann closes her ticket: in the same transaction, the waiting ticket with
-- the highest priority is hers, logged as coming from the queue.
BEGIN;
UPDATE hubroute.tickets SET status = 'closed' WHERE subject = 'a';
SELECT * FROM owners;
SELECT a.method, a.reason FROM hubroute.assignments a JOIN hubroute.tickets t ON t.id = a.ticket_id
 WHERE t.subject = 'd' ORDER BY a.id DESC LIMIT 1;
COMMIT;
-- A rolled back close hands nothing over.
BEGIN;
UPDATE hubroute.tickets SET status = 'closed' WHERE subject = 'b';
SELECT owner FROM owners WHERE subject = 'c';
ROLLBACK;
SELECT * FROM waiting;

-- Reassigning away: Bob's ticket goes to Cas by hand (Cas is in no pool);
-- Bob takes the oldest waiting one.
UPDATE hubroute.tickets SET owner_id = 3 WHERE subject = 'b';
-- Deleting Cas's ticket moves nothing: Cas is in no queue's pool.
DELETE FROM hubroute.tickets WHERE subject = 'b';
SELECT * FROM owners;

-- Head of line: a ticket that needs a skill nobody with room has waits, and
-- a ticket behind it goes only to someone who could not have taken it.
UPDATE hubroute.channels SET use_skills = true WHERE id = 10;
INSERT INTO hubroute.tickets (channel_id, subject, required_skills, priority) VALUES (10, 'dutch', '{1}', 9);
SELECT * FROM waiting;
UPDATE hubroute.tickets SET status = 'closed' WHERE subject = 'd';   -- Ann's: Ann has no Dutch
SELECT * FROM owners;
UPDATE hubroute.tickets SET status = 'closed' WHERE subject = 'c';   -- Bob's: Bob has Dutch
SELECT * FROM owners;

-- Availability: away agents take nothing, not even after closing; coming
-- back drains.
UPDATE hubroute.channels SET use_skills = false WHERE id = 10;
UPDATE hubroute.users SET available = false WHERE id IN (1, 2);
UPDATE hubroute.tickets SET status = 'closed' WHERE owner_id IN (1, 2);
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'h1'), (10, 'h2');
SELECT * FROM waiting;
UPDATE hubroute.users SET available = true WHERE id = 1;
SELECT * FROM owners;

-- A capacity raised drains; so does a new target, and a channel given a queue.
INSERT INTO hubroute.tickets (channel_id, subject) SELECT 10, 'f' || g FROM generate_series(1, 3) g;
UPDATE hubroute.users SET ticket_capacity = 3 WHERE id = 1;
SELECT * FROM owners;
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 3);
SELECT * FROM owners;
UPDATE hubroute.users SET ticket_capacity = NULL WHERE id = 1;
SELECT subject, owner FROM owners WHERE subject = 'not queued';
UPDATE hubroute.channels SET queue = true WHERE id = 11;
SELECT subject, owner FROM owners WHERE subject = 'not queued';

-- hubroute.drain(): with nobody to take them, nothing; with room, how many.
UPDATE hubroute.users SET ticket_capacity = 0;
INSERT INTO hubroute.tickets (channel_id, subject) SELECT 10, 'g' || g FROM generate_series(1, 3) g;
SELECT hubroute.drain(10) AS drained_when_full;
BEGIN;
SET LOCAL session_replication_role = replica;   -- no drain on the change itself
UPDATE hubroute.users SET ticket_capacity = NULL WHERE id = 3;
COMMIT;
SELECT hubroute.drain(10) AS drained;
SELECT hubroute.drain(11) AS drained_other;
SELECT hubroute.drain(99);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS still_waiting FROM hubroute.queue;

-- A savepoint rolled back takes its close and its handover back; a
-- multi-row close hands over one waiting ticket per ticket closed (Bob is
-- still away: k3 waits).
UPDATE hubroute.users SET ticket_capacity = 1 WHERE id IN (1, 2);
UPDATE hubroute.users SET available = false WHERE id = 3;
INSERT INTO hubroute.tickets (channel_id, subject) SELECT 10, 'k' || g FROM generate_series(1, 3) g;
BEGIN;
SAVEPOINT before_close;
UPDATE hubroute.tickets SET status = 'closed' WHERE owner_id = 1 AND status = 'open';
SELECT count(*) AS handed_to_ann FROM hubroute.tickets WHERE subject LIKE 'k%' AND owner_id = 1;
ROLLBACK TO SAVEPOINT before_close;
SELECT count(*) AS handed_after_rollback FROM hubroute.tickets WHERE subject LIKE 'k%' AND owner_id IS NOT NULL;
COMMIT;
SELECT * FROM hubroute.routing_load_check();
UPDATE hubroute.users SET ticket_capacity = 2 WHERE id IN (1, 2);
UPDATE hubroute.tickets SET status = 'closed' WHERE owner_id IN (1, 2) AND status = 'open';
SELECT subject, owner FROM owners WHERE subject LIKE 'k%';
SELECT name, open_tickets FROM hubroute.user_load WHERE user_id IN (1, 2) ORDER BY user_id;

-- hubroute.drain() runs as the caller: row security that hides the waiting
-- items from it leaves them waiting, and nothing of what it saw (or did
-- not see) keeps a later drain of anyone else's from handing them out.
UPDATE hubroute.users SET ticket_capacity = 1, available = true;
UPDATE hubroute.tickets SET status = 'closed' WHERE status = 'open';
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'r own 1'), (10, 'r own 2'), (10, 'r own 3'), (10, 'r w');
SELECT subject, owner FROM owners WHERE subject LIKE 'r %';
CREATE ROLE hr_queue_blind;
GRANT USAGE ON SCHEMA hubroute TO hr_queue_blind;
GRANT SELECT, UPDATE ON hubroute.tickets TO hr_queue_blind;
ALTER TABLE hubroute.tickets ENABLE ROW LEVEL SECURITY;
CREATE POLICY not_for_blind ON hubroute.tickets USING (current_user <> 'hr_queue_blind');
SET ROLE hr_queue_blind;
SELECT hubroute.drain(10) AS drained_by_blind_role;
RESET ROLE;
UPDATE hubroute.tickets SET status = 'closed' WHERE subject = 'r own 1';
SELECT subject, owner FROM owners WHERE subject LIKE 'r %';
DROP POLICY not_for_blind ON hubroute.tickets;
ALTER TABLE hubroute.tickets DISABLE ROW LEVEL SECURITY;
REVOKE ALL ON hubroute.tickets FROM hr_queue_blind;
REVOKE USAGE ON SCHEMA hubroute FROM hr_queue_blind;
DROP ROLE hr_queue_blind;

-- A drain for a change that fails is undone and reported as a WARNING; the
-- change itself goes on, and the item waits for the next drain.
UPDATE hubroute.tickets SET status = 'closed' WHERE status = 'open';
UPDATE hubroute.users SET ticket_capacity = 0, available = true;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'poison');
CREATE FUNCTION pg_temp.refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'poison refused' USING ERRCODE = 'check_violation';
END;
$$;
CREATE TRIGGER refuse_poison BEFORE UPDATE ON hubroute.tickets FOR EACH ROW
    WHEN (NEW.subject = 'poison' AND NEW.owner_id IS NOT NULL) EXECUTE FUNCTION pg_temp.refuse_poison();
GRANT EXECUTE ON FUNCTION pg_temp.refuse_poison() TO hubroute_logger;
UPDATE hubroute.users SET ticket_capacity = NULL WHERE id = 1;
SELECT ticket_capacity FROM hubroute.users WHERE id = 1;
SELECT subject, owner FROM owners WHERE subject = 'poison';
DROP TRIGGER refuse_poison ON hubroute.tickets;
SELECT hubroute.drain(10) AS drained_after;
SELECT subject, owner FROM owners WHERE subject = 'poison';

-- The log: one row per decision handed out from the queue, by the
-- distribution, and nothing for a drain that found no one.
SELECT a.method, count(*) FROM hubroute.assignments a WHERE a.reason LIKE 'from the queue:%' GROUP BY 1;
SELECT * FROM hubroute.routing_load_check();
DROP EXTENSION hubroute CASCADE;
