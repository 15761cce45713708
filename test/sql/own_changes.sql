-- own_changes: a transaction that closes, reassigns or deletes items and then
-- inserts routes its own insert on the open counts as it sees them, its own
-- changes included (SPEC §2: balanced is the fewest open tickets; least_busy
-- the fewest open items). Issue 7 §3: the old code counted a transaction's
-- own changes only at commit, so its insert was routed as if it had not
-- closed or moved anything. A change rolled back to a savepoint counts for
-- nothing.
CREATE EXTENSION hubroute;
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO hubroute.users (id, name, seat) VALUES
    (1, 'Ann', 'service'), (2, 'Bob', 'service'), (3, 'Cas', 'service');
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (1, 'Support', 'helpdesk');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (1, 1, 'email', 'manual', 'nobody', NULL),
    (10, 1, 'email', 'balanced', 'users_and_teams', 'balanced'),
    (20, 1, 'email', 'least busy', 'users_and_teams', 'least_busy');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 1), (10, 2), (20, 1), (20, 2);

-- Ann has two open tickets, Bob one: without changes, Bob gets the next one.
INSERT INTO hubroute.tickets (channel_id, subject, owner_id) VALUES
    (1, 'ann 1', 1), (1, 'ann 2', 1), (1, 'bob 1', 2);
CREATE VIEW pg_temp.counts_match AS
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- Each case below is rolled back, so each starts from Ann 2, Bob 1.

-- Ann's tickets closed: Ann has 0 open, Bob 1.
BEGIN;
UPDATE hubroute.tickets SET status = 'closed' WHERE owner_id = 1;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'after close')
    RETURNING owner_id = 1 AS to_ann_after_close;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (20, 'after close, least busy')
    RETURNING owner_id = 2 AS to_bob_now_both_have_one;
-- routing_load() shows the counts as this transaction's decisions see them
SELECT * FROM pg_temp.counts_match;
ROLLBACK;
SELECT * FROM pg_temp.counts_match;

-- Ann's tickets reassigned to Cas (not in the pool): Ann 0, Bob 1.
BEGIN;
UPDATE hubroute.tickets SET owner_id = 3 WHERE owner_id = 1;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'after reassignment')
    RETURNING owner_id = 1 AS to_ann_after_reassignment;
ROLLBACK;

-- Bob's ticket reassigned to Ann: Ann 3, Bob 0 (least_busy too).
BEGIN;
UPDATE hubroute.tickets SET owner_id = 1 WHERE owner_id = 2;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (20, 'after reassignment, least busy')
    RETURNING owner_id = 2 AS to_bob_after_reassignment;
ROLLBACK;

-- Ann's tickets deleted: Ann 0, Bob 1.
BEGIN;
DELETE FROM hubroute.tickets WHERE owner_id = 1;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'after delete')
    RETURNING owner_id = 1 AS to_ann_after_delete;
ROLLBACK;

-- Closed, then rolled back to a savepoint: as if never closed, Bob gets it.
BEGIN;
SAVEPOINT before_close;
UPDATE hubroute.tickets SET status = 'closed' WHERE owner_id = 1;
ROLLBACK TO SAVEPOINT before_close;
SELECT * FROM pg_temp.counts_match;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'after rolled back close')
    RETURNING owner_id = 2 AS to_bob_close_rolled_back;
ROLLBACK;
SELECT * FROM pg_temp.counts_match;

-- And committed: the agent closes Ann's tickets and routes two new ones,
-- which go one to each (Ann first: 0 open).
BEGIN;
UPDATE hubroute.tickets SET status = 'closed' WHERE owner_id = 1;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'new 1'), (10, 'new 2');
COMMIT;
SELECT t.subject, u.name AS owner FROM hubroute.tickets t JOIN hubroute.users u ON u.id = t.owner_id
 WHERE t.subject LIKE 'new %' ORDER BY t.id;
SELECT * FROM pg_temp.counts_match;

DROP VIEW pg_temp.counts_match;
DROP EXTENSION hubroute CASCADE;
