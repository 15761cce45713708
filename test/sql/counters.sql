-- counters: the counts routing compares (hubroute.routing_load(), kept in
-- shared memory) always equal counting the open items in hubroute.tickets and
-- hubroute.conversations, and the last decision per user in
-- hubroute.assignments, once transactions end, whatever the application does
-- to the items. hubroute.routing_load_check() lists every difference: the
-- invariant is that it returns no rows (counts_match).
CREATE EXTENSION hubroute;

-- Ann, Bob and Cid are the help-desk pool of channel 10; Dee has a service
-- seat but is in no pool; Eve has a sales seat (inbox only); Fay never gets
-- anything; Hal and Ida are the pool of channel 11; channel 12 has only Ann.
INSERT INTO hubroute.users (id, name, seat) VALUES
    (1, 'Ann', 'service'), (2, 'Bob', 'service'), (3, 'Cid', 'service'),
    (4, 'Dee', 'service'), (5, 'Eve', 'sales'), (6, 'Fay', 'none'),
    (8, 'Hal', 'service'), (9, 'Ida', 'service');
INSERT INTO hubroute.workspaces (id, name, kind) VALUES
    (1, 'Support', 'helpdesk'), (2, 'Sales', 'inbox');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (10, 1, 'email', 'support mail', 'users_and_teams', 'balanced'),
    (11, 1, 'form', 'support form', 'users_and_teams', 'balanced'),
    (12, 1, 'chat', 'ann only', 'users_and_teams', 'balanced'),
    (20, 2, 'chat', 'sales chat', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES
    (10, 1), (10, 2), (10, 3), (11, 8), (11, 9), (12, 1), (20, 1), (20, 5);

-- Every user is listed, with zeros and no last assignment yet.
SELECT user_id, name, available, open_tickets, open_conversations,
       last_assigned_at IS NOT NULL AS was_assigned
  FROM hubroute.user_load ORDER BY user_id;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- Routed inserts, one statement each: balanced over Ann, Bob, Cid.
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 't1') RETURNING id, owner_id;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 't2') RETURNING id, owner_id;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 't3') RETURNING id, owner_id;
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (20, 'c1') RETURNING id, owner_id;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;
-- last_assigned_at is set for those who got an item, and only for them.
SELECT user_id, open_tickets, open_conversations,
       last_assigned_at IS NOT NULL AS was_assigned
  FROM hubroute.user_load ORDER BY user_id;

-- An insert naming its owner (Dee, outside the pool) counts for Dee.
INSERT INTO hubroute.tickets (channel_id, subject, owner_id) VALUES (10, 't4', 4) RETURNING id, owner_id;
SELECT user_id, open_tickets, last_assigned_at IS NOT NULL AS was_assigned
  FROM hubroute.user_load WHERE user_id = 4;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- Close, then reopen ticket 1 (Ann's).
UPDATE hubroute.tickets SET status = 'closed' WHERE id = 1;
SELECT user_id, open_tickets FROM hubroute.user_load WHERE user_id = 1;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;
UPDATE hubroute.tickets SET status = 'open' WHERE id = 1;
SELECT user_id, open_tickets FROM hubroute.user_load WHERE user_id = 1;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- Reassign ticket 2 from Bob to Cid.
UPDATE hubroute.tickets SET owner_id = 3 WHERE id = 2;
SELECT user_id, open_tickets FROM hubroute.user_load WHERE user_id IN (2, 3) ORDER BY user_id;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- Reassign and close in one UPDATE: nobody keeps it.
UPDATE hubroute.tickets SET owner_id = 2, status = 'closed' WHERE id = 2;
SELECT user_id, open_tickets FROM hubroute.user_load WHERE user_id IN (2, 3) ORDER BY user_id;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- Unassign ticket 3 (Cid's).
UPDATE hubroute.tickets SET owner_id = NULL WHERE id = 3;
SELECT user_id, open_tickets FROM hubroute.user_load WHERE user_id = 3;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- Delete ticket 4 (Dee's, open) and ticket 2 (closed: no count to move).
DELETE FROM hubroute.tickets WHERE id IN (2, 4);
SELECT user_id, open_tickets FROM hubroute.user_load WHERE user_id IN (2, 4) ORDER BY user_id;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- Start the pool even again: close everything, so Ann, Bob and Cid all have 0.
UPDATE hubroute.tickets SET status = 'closed';
SELECT user_id, open_tickets FROM hubroute.user_load ORDER BY user_id;

-- Nine tickets routed in ONE statement into the balanced pool spread as if
-- they had been routed one at a time: three each.
INSERT INTO hubroute.tickets (channel_id, subject)
SELECT 10, 'bulk ' || g FROM generate_series(1, 9) g;
SELECT owner_id, count(*) AS open_tickets FROM hubroute.tickets
 WHERE status = 'open' GROUP BY owner_id ORDER BY owner_id;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;
-- Every routed ticket logged one decision.
SELECT count(*) AS bulk_decisions FROM hubroute.assignments a
  JOIN hubroute.tickets t ON t.id = a.ticket_id
 WHERE t.subject LIKE 'bulk %' AND a.method = 'balanced';

-- Seven more in one statement, starting from 3/3/3: still within 1.
INSERT INTO hubroute.tickets (channel_id, subject)
SELECT 10, 'bulk2 ' || g FROM generate_series(1, 7) g;
SELECT max(open_tickets) - min(open_tickets) <= 1 AS within_one,
       sum(open_tickets) AS total
  FROM hubroute.user_load WHERE user_id IN (1, 2, 3);
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- Conversations too: six in one statement into the inbox pool (Ann, Eve).
UPDATE hubroute.conversations SET status = 'closed';
INSERT INTO hubroute.conversations (channel_id, subject)
SELECT 20, 'bulk ' || g FROM generate_series(1, 6) g;
SELECT owner_id, count(*) AS open_conversations FROM hubroute.conversations
 WHERE status = 'open' GROUP BY owner_id ORDER BY owner_id;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- One statement that names an owner in its first row and routes the next:
-- as if one at a time, the named row counts when the next row is routed.
-- Hal and Ida (channel 11) have never had an item; Hal is named, so the
-- routed ticket must go to Ida.
INSERT INTO hubroute.tickets (channel_id, subject, owner_id) VALUES
    (11, 'mixed named', 8), (11, 'mixed routed', NULL);
SELECT subject, owner_id FROM hubroute.tickets
 WHERE subject LIKE 'mixed %' ORDER BY id;
SELECT user_id, open_tickets FROM hubroute.user_load WHERE user_id IN (8, 9) ORDER BY user_id;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- A routed insert rolled back to a savepoint leaves no trace on later
-- routing in the same transaction. Twice, a statement routes one ticket to
-- Ann (channel 12) and then fails; the four tickets routed afterwards on
-- channel 10 (Ann, Bob, Cid, all at 0 open) spread as if those never
-- happened: counts within 1.
UPDATE hubroute.tickets SET status = 'closed' WHERE channel_id = 10;
BEGIN;
SAVEPOINT s1;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (12, 'doomed'), (999, 'bad channel');
ROLLBACK TO SAVEPOINT s1;
SAVEPOINT s2;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (12, 'doomed'), (999, 'bad channel');
ROLLBACK TO SAVEPOINT s2;
INSERT INTO hubroute.tickets (channel_id, subject)
SELECT 10, 'after savepoint ' || g FROM generate_series(1, 4) g;
COMMIT;
SELECT max(open_tickets) - min(open_tickets) <= 1 AS within_one,
       sum(open_tickets) AS total
  FROM hubroute.user_load WHERE user_id IN (1, 2, 3);
SELECT count(*) AS doomed_tickets FROM hubroute.tickets WHERE subject = 'doomed';
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- INSERT ... ON CONFLICT DO NOTHING that hits an existing ticket inserts
-- nothing: it routes nothing, logs no decision and leaves no trace on later
-- routing. Twice on channel 12 (Ann only) with the id of ticket 1, then
-- three new tickets on channel 10 (Ann, Bob, Cid, all at 0 open): one each.
UPDATE hubroute.tickets SET status = 'closed' WHERE channel_id = 10;
SELECT count(*) AS decisions_for_ticket_1 FROM hubroute.assignments WHERE ticket_id = 1;
BEGIN;
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (1, 12, 'duplicate')
    ON CONFLICT (id) DO NOTHING;
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (1, 12, 'duplicate')
    ON CONFLICT (id) DO NOTHING;
INSERT INTO hubroute.tickets (channel_id, subject)
SELECT 10, 'after conflict ' || g FROM generate_series(1, 3) g;
COMMIT;
SELECT count(*) AS decisions_for_ticket_1 FROM hubroute.assignments WHERE ticket_id = 1;
SELECT user_id, open_tickets FROM hubroute.user_load WHERE user_id IN (1, 2, 3) ORDER BY user_id;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- Reopen many, then close many in one UPDATE.
UPDATE hubroute.tickets SET status = 'open' WHERE subject LIKE 'bulk %';
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;
UPDATE hubroute.tickets SET status = 'closed' WHERE subject LIKE 'bulk %' AND id % 2 = 0;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;
-- Reassign many in one UPDATE: all open bulk tickets to Bob.
UPDATE hubroute.tickets SET owner_id = 2 WHERE subject LIKE 'bulk %' AND status = 'open';
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- Delete many in one statement.
DELETE FROM hubroute.tickets WHERE subject LIKE 'bulk%';
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;
DELETE FROM hubroute.conversations WHERE id % 2 = 1;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- A user added later is listed at once, with zeros.
INSERT INTO hubroute.users (id, name, seat) VALUES (7, 'Gus', 'service');
SELECT user_id, name, open_tickets, open_conversations,
       last_assigned_at IS NOT NULL AS was_assigned
  FROM hubroute.user_load WHERE user_id = 7;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- TRUNCATE of tickets (messages reference them, so truncated with them)
-- rebuilds the counters: no open tickets left, conversations untouched.
SELECT sum(open_conversations) AS open_conversations_before FROM hubroute.user_load;
TRUNCATE hubroute.tickets, hubroute.messages;
SELECT user_id, open_tickets, open_conversations FROM hubroute.user_load ORDER BY user_id;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;
-- Routing afterwards starts from the rebuilt counters.
INSERT INTO hubroute.tickets (channel_id, subject)
SELECT 10, 'after truncate ' || g FROM generate_series(1, 3) g;
SELECT user_id, open_tickets FROM hubroute.user_load WHERE user_id IN (1, 2, 3) ORDER BY user_id;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- hubroute.rebuild_counters() repairs counts that were bypassed: items
-- loaded with the triggers off, one open for Ann, one closed for Bob, and
-- one open for Bob deleted the same way.
SET session_replication_role = replica;
INSERT INTO hubroute.tickets (channel_id, subject, owner_id, status, assigned_at) VALUES
    (10, 'bulk open', 1, 'open', now()), (10, 'bulk closed', 2, 'closed', now());
DELETE FROM hubroute.tickets WHERE id = (SELECT min(id) FROM hubroute.tickets WHERE owner_id = 2 AND status = 'open');
RESET session_replication_role;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;
-- What differs: the tables hold one open ticket more for Ann, one less for Bob.
SELECT * FROM hubroute.routing_load_check();
SELECT hubroute.rebuild_counters();
-- The counts are loaded again once that transaction has committed.
SELECT user_id, open_tickets, open_conversations FROM hubroute.routing_load()
 WHERE user_id IN (1, 2, 3) ORDER BY user_id;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;
-- A rebuild that rolls back changes nothing.
BEGIN;
SELECT hubroute.rebuild_counters();
ROLLBACK;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- Counts in flight live in this backend's transaction: a transaction that
-- routed, changed or rebuilt counts cannot be prepared for two-phase
-- commit, and is rolled back with its counts. The message says which.
BEGIN;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'two-phase');
PREPARE TRANSACTION 'hubroute_2pc';
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;
BEGIN;
UPDATE hubroute.tickets SET status = 'closed'
 WHERE id = (SELECT min(id) FROM hubroute.tickets WHERE status = 'open' AND owner_id IS NOT NULL);
PREPARE TRANSACTION 'hubroute_2pc';
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;
BEGIN;
SELECT hubroute.rebuild_counters();
PREPARE TRANSACTION 'hubroute_2pc';
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

DROP EXTENSION hubroute CASCADE;
