CREATE EXTENSION hubroute;
-- SPEC §2 distribution 'balanced': the user with the fewest open tickets (in
-- a help desk) / open conversations (in an inbox); ties go to the least
-- recently assigned, then to the lowest id. And the channel's default
-- distribution when distribution IS NULL.
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO hubroute.users (id, name, seat) VALUES
    (1, 'Ann', 'service'), (2, 'Bob', 'service'), (3, 'Cas', 'service'), (4, 'Dan', 'sales');
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (100, 'Inbox', 'inbox'), (200, 'Help desk', 'helpdesk');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (10, 200, 'email', 'Support', 'users_and_teams', 'balanced'),
    (20, 100, 'chat', 'Chat', 'users_and_teams', 'balanced'),
    (21, 100, 'email', 'Manual inbox', 'nobody', NULL);
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES
    (10, 1), (10, 2), (10, 3),
    (20, 1), (20, 2);

-- Each item with its owner and the method logged for its routing decision.
CREATE TEMP VIEW routed AS
SELECT 'conversation' AS kind, i.id, i.subject, u.name AS owner, a.method
  FROM hubroute.conversations i
  LEFT JOIN hubroute.users u ON u.id = i.owner_id
  LEFT JOIN hubroute.assignments a ON a.conversation_id = i.id AND a.method <> 'manual'
UNION ALL
SELECT 'ticket', i.id, i.subject, u.name, a.method
  FROM hubroute.tickets i
  LEFT JOIN hubroute.users u ON u.id = i.owner_id
  LEFT JOIN hubroute.assignments a ON a.ticket_id = i.id AND a.method <> 'manual';

-- Open counts per user.
CREATE TEMP VIEW load AS
SELECT name, open_tickets, open_conversations FROM hubroute.user_load WHERE user_id <= 3;

------------------------------------------------------------------------------
-- Tie on load: least recently assigned first, never-assigned users first of
-- all, and among those the lowest id.
------------------------------------------------------------------------------
-- Ann was just given (and closed) a ticket by hand: she has 0 open tickets
-- like the others, but is the most recently assigned.
INSERT INTO hubroute.tickets (channel_id, subject, owner_id) VALUES (10, 'm1 manual for Ann', 1);
UPDATE hubroute.tickets SET status = 'closed' WHERE subject = 'm1 manual for Ann';
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 't1 all 0: Bob and Cas never assigned, Bob has the lower id');
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 't2 all 0: Cas never assigned');
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 't3 Ann has 0, the others 1');
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 't4 all 1: Bob least recently assigned');
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 't5 Cas and Ann have 1: Cas less recently');
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 't6 Ann has 1');
SELECT subject, owner, method FROM routed WHERE kind = 'ticket' ORDER BY id;
SELECT * FROM load ORDER BY name;

------------------------------------------------------------------------------
-- Closing items changes the next decisions; reopening too.
------------------------------------------------------------------------------
-- close two of Cas's tickets: Cas has 0, the others 2
UPDATE hubroute.tickets SET status = 'closed' WHERE subject IN ('t2 all 0: Cas never assigned', 't5 Cas and Ann have 1: Cas less recently');
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'c1 Cas has 0 after closing');
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'c2 Cas has 1, the others 2');
-- reopen one: Cas back to 3, Ann and Bob have 2
UPDATE hubroute.tickets SET status = 'open' WHERE subject = 't2 all 0: Cas never assigned';
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'c3 Cas has 3 after reopening: Ann or Bob');
SELECT subject, owner, method FROM routed WHERE subject LIKE 'c_ %' ORDER BY id;
SELECT * FROM load ORDER BY name;

------------------------------------------------------------------------------
-- A help desk balances open tickets only: conversations do not count.
------------------------------------------------------------------------------
-- Bob gets 5 open conversations by hand (an inbox channel that routes
-- nobody), and two of his tickets are closed
INSERT INTO hubroute.conversations (channel_id, subject, owner_id)
    SELECT 21, format('bob conversation %s', n), 2 FROM generate_series(1, 5) n;
UPDATE hubroute.tickets SET status = 'closed' WHERE subject LIKE 't1 %' OR subject LIKE 't4 %';
-- Ann 2 tickets, Bob 1 ticket + 5 conversations, Cas 3: Bob gets the ticket
-- (least_busy would pick Ann)
SELECT * FROM load ORDER BY name;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'h1 Bob has the fewest tickets');
SELECT subject, owner FROM routed WHERE subject LIKE 'h1%';

------------------------------------------------------------------------------
-- An inbox balances open conversations only: tickets do not count.
-- Channel 20's pool is Ann (2 tickets, 0 conversations) and Bob (2 tickets,
-- 5 conversations): Ann gets conversations until she has 5 too, then they
-- alternate.
------------------------------------------------------------------------------
INSERT INTO hubroute.conversations (channel_id, subject)
    SELECT 20, format('i%s', n) FROM generate_series(1, 7) n;
SELECT string_agg(owner, ' ' ORDER BY id) AS owners_in_order FROM routed WHERE kind = 'conversation' AND subject LIKE 'i%';
SELECT * FROM load ORDER BY name;

------------------------------------------------------------------------------
-- Items routed by one multi-row INSERT count for the rows after them: close
-- everything, then 6 tickets in one statement go 2 + 2 + 2.
------------------------------------------------------------------------------
UPDATE hubroute.tickets SET status = 'closed';
INSERT INTO hubroute.tickets (channel_id, subject)
    SELECT 10, format('multi %s', n) FROM generate_series(1, 6) n;
SELECT owner, count(*) FROM routed WHERE subject LIKE 'multi %' GROUP BY owner ORDER BY owner;
-- and they rotate by least recently assigned within the statement
SELECT string_agg(owner, ' ' ORDER BY id) AS owners_in_order FROM routed WHERE subject LIKE 'multi %';

------------------------------------------------------------------------------
-- distribution IS NULL: the channel's default. Help desk: balanced; inbox:
-- random for email and form, least_busy for every other kind.
------------------------------------------------------------------------------
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution)
SELECT ws * 10 + n, ws, k, format('%s %s', w, k), 'users_and_teams', NULL
  FROM unnest(ARRAY['chat', 'bot', 'messenger', 'email', 'form', 'calling', 'whatsapp']) WITH ORDINALITY AS k(k, n),
       (VALUES (100, 'inbox'), (200, 'helpdesk')) AS w(ws, w)
 WHERE (ws = 100 OR n IN (1, 4, 5))
 ORDER BY 1;
INSERT INTO hubroute.channel_targets (channel_id, user_id)
    SELECT id, 1 FROM hubroute.channels WHERE id > 1000;
INSERT INTO hubroute.conversations (channel_id, subject)
    SELECT id, name FROM hubroute.channels WHERE id > 1000 AND workspace_id = 100;
INSERT INTO hubroute.tickets (channel_id, subject)
    SELECT id, name FROM hubroute.channels WHERE id > 1000 AND workspace_id = 200;
SELECT c.name AS channel, c.distribution IS NULL AS distribution_null, r.owner, r.method
  FROM hubroute.channels c
  JOIN routed r ON r.subject = c.name
 WHERE c.id > 1000
 ORDER BY c.workspace_id, c.id;

------------------------------------------------------------------------------
-- Items whose insert was rolled back (to a savepoint) count for nobody: the
-- decisions after it are as if they never happened. Channel 31 routes only
-- to Eve; channel 30 balances between Eve and Fay (both never assigned).
------------------------------------------------------------------------------
INSERT INTO hubroute.users (id, name, seat) VALUES (5, 'Eve', 'service'), (6, 'Fay', 'service');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (30, 200, 'email', 'Eve and Fay', 'users_and_teams', 'balanced'),
    (31, 200, 'email', 'Eve only', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (30, 5), (30, 6), (31, 5);
BEGIN;
SAVEPOINT before_batch;
-- three tickets routed to Eve, then the statement fails on its last row
\set VERBOSITY terse
INSERT INTO hubroute.tickets (channel_id, subject, status) VALUES
    (31, 'rolled back 1', 'open'), (31, 'rolled back 2', 'open'), (31, 'rolled back 3', 'open'),
    (31, 'bad status', 'bogus');
\set VERBOSITY default
ROLLBACK TO SAVEPOINT before_batch;
INSERT INTO hubroute.tickets (channel_id, subject)
    SELECT 30, format('after rollback %s', n) FROM generate_series(1, 4) n;
COMMIT;
-- Eve (lower id) first, then alternating; 2 each
SELECT string_agg(owner, ' ' ORDER BY id) AS owners_in_order FROM routed WHERE subject LIKE 'after rollback %';
SELECT name, open_tickets FROM hubroute.user_load WHERE user_id IN (5, 6) ORDER BY name;

-- An insert that does not happen (ON CONFLICT DO NOTHING) is no decision:
-- nothing logged, no load added; the next two go Eve (less recent), Fay.
SELECT id AS eve_ticket FROM hubroute.tickets WHERE subject = 'after rollback 1' \gset
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (:eve_ticket, 30, 'conflict')
    ON CONFLICT (id) DO NOTHING;
SELECT count(*) AS decisions_for_that_ticket FROM hubroute.assignments WHERE ticket_id = :eve_ticket;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (30, 'after conflict 1'), (30, 'after conflict 2');
SELECT string_agg(owner, ' ' ORDER BY id) AS owners_in_order FROM routed WHERE subject LIKE 'after conflict %';

------------------------------------------------------------------------------
-- Invariants.
------------------------------------------------------------------------------
-- one decision per routed item, matching the owner, assigned_at set
SELECT bool_and(n = 1) AS one_decision_each, bool_and(matches) AS logged_owner_matches,
       bool_and(has_assigned_at) AS assigned_at_set
  FROM (SELECT count(a.id) AS n, bool_and(a.user_id IS NOT DISTINCT FROM t.owner_id) AS matches,
               bool_and(t.assigned_at IS NOT NULL) AS has_assigned_at
          FROM hubroute.tickets t LEFT JOIN hubroute.assignments a ON a.ticket_id = t.id
         GROUP BY t.id
        UNION ALL
        SELECT count(a.id), bool_and(a.user_id IS NOT DISTINCT FROM c.owner_id),
               bool_and(c.assigned_at IS NOT NULL)
          FROM hubroute.conversations c LEFT JOIN hubroute.assignments a ON a.conversation_id = c.id
         GROUP BY c.id) s;
-- the counts routing uses equal counting the tables
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

DROP VIEW load;
DROP VIEW routed;
DROP EXTENSION hubroute CASCADE;
