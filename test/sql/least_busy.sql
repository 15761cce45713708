CREATE EXTENSION hubroute;
-- SPEC §2 distribution 'least_busy': the user with the fewest open items
-- (tickets and conversations together); ties go to the user who was least
-- recently assigned one.
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO hubroute.users (id, name, seat) VALUES
    (1, 'Ann', 'service'), (2, 'Bob', 'service'), (3, 'Cas', 'sales');
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (100, 'Inbox', 'inbox'), (200, 'Help desk', 'helpdesk');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (10, 200, 'email', 'Support', 'users_and_teams', 'least_busy'),
    (11, 200, 'email', 'Manual help desk', 'nobody', NULL),
    (20, 100, 'email', 'Sales mail', 'users_and_teams', 'least_busy'),
    (21, 100, 'email', 'Manual inbox', 'nobody', NULL);
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES
    (10, 1), (10, 2),
    (20, 1), (20, 2), (20, 3);

CREATE TEMP VIEW routed AS
SELECT 'conversation' AS kind, i.id, i.subject, u.name AS owner, a.method
  FROM hubroute.conversations i
  LEFT JOIN hubroute.users u ON u.id = i.owner_id
  LEFT JOIN hubroute.assignments a ON a.conversation_id = i.id
UNION ALL
SELECT 'ticket', i.id, i.subject, u.name, a.method
  FROM hubroute.tickets i
  LEFT JOIN hubroute.users u ON u.id = i.owner_id
  LEFT JOIN hubroute.assignments a ON a.ticket_id = i.id;

CREATE TEMP VIEW load AS
SELECT name, open_tickets, open_conversations, open_tickets + open_conversations AS open_items
  FROM hubroute.user_load;

------------------------------------------------------------------------------
-- Open items of both kinds count. By hand: Ann gets 2 tickets, then Bob 1
-- conversation; Cas has nothing.
------------------------------------------------------------------------------
INSERT INTO hubroute.tickets (channel_id, subject, owner_id) VALUES (11, 'ann ticket 1', 1), (11, 'ann ticket 2', 1);
INSERT INTO hubroute.conversations (channel_id, subject, owner_id) VALUES (21, 'bob conversation 1', 2);
SELECT * FROM load ORDER BY name;
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (20, 'a1 Cas has 0 items');
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (20, 'a2 Bob and Cas have 1: Bob less recently assigned');
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (20, 'a3 Cas has 1, the others 2');
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (20, 'a4 all 2: Ann least recently assigned');
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (20, 'a5 Bob and Cas have 2: Bob less recently assigned');
SELECT subject, owner, method FROM routed WHERE subject LIKE 'a_ %' ORDER BY id;
SELECT * FROM load ORDER BY name;

------------------------------------------------------------------------------
-- In a help desk too, conversations count: tickets go to the user with the
-- fewest items overall, not the fewest tickets.
------------------------------------------------------------------------------
-- give Ann 3 more conversations by hand: Ann 6 items (2 tickets), Bob 3 (no tickets)
INSERT INTO hubroute.conversations (channel_id, subject, owner_id)
    SELECT 21, format('ann conversation %s', n), 1 FROM generate_series(1, 3) n;
SELECT * FROM load ORDER BY name;
INSERT INTO hubroute.tickets (channel_id, subject)
    SELECT 10, format('b%s', n) FROM generate_series(1, 4) n;
-- Bob gets 3 (reaching 6 items), then they tie and Ann (less recent) gets one
SELECT string_agg(owner, ' ' ORDER BY id) AS owners_in_order FROM routed WHERE subject LIKE 'b_';
SELECT * FROM load ORDER BY name;

------------------------------------------------------------------------------
-- Closing items changes the next decisions; deleting an item too.
------------------------------------------------------------------------------
-- close all of Cas's items, and delete two of Bob's conversations
UPDATE hubroute.conversations SET status = 'closed' WHERE owner_id = 3;
DELETE FROM hubroute.conversations WHERE subject IN ('a2 Bob and Cas have 1: Bob less recently assigned', 'bob conversation 1');
SELECT * FROM load ORDER BY name;
INSERT INTO hubroute.conversations (channel_id, subject)
    SELECT 20, format('c%s', n) FROM generate_series(1, 6) n;
SELECT string_agg(owner, ' ' ORDER BY id) AS owners_in_order FROM routed WHERE subject LIKE 'c_';
SELECT * FROM load ORDER BY name;

------------------------------------------------------------------------------
-- All equal: strictly by least recently assigned, whatever the ids.
------------------------------------------------------------------------------
UPDATE hubroute.conversations SET status = 'closed';
UPDATE hubroute.tickets SET status = 'closed';
-- last assignments so far: Ann (b4) < Bob (c5) < Cas (c6); two manual
-- assignments make Cas the least recent, then Bob, then Ann (highest id first)
INSERT INTO hubroute.conversations (channel_id, subject, owner_id, status) VALUES (21, 'touch Bob', 2, 'open');
INSERT INTO hubroute.conversations (channel_id, subject, owner_id, status) VALUES (21, 'touch Ann', 1, 'open');
UPDATE hubroute.conversations SET status = 'closed' WHERE subject LIKE 'touch %';
SELECT name, open_items FROM load ORDER BY name;
INSERT INTO hubroute.conversations (channel_id, subject)
    SELECT 20, format('d%s', n) FROM generate_series(1, 3) n;
SELECT string_agg(owner, ' ' ORDER BY id) AS owners_in_order FROM routed WHERE subject LIKE 'd_';

------------------------------------------------------------------------------
-- Invariants.
------------------------------------------------------------------------------
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
-- every routed decision here is least_busy (the rest are manual)
SELECT method, count(*) FROM hubroute.assignments GROUP BY method ORDER BY method;
-- the counts routing uses equal counting the tables
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

DROP VIEW load;
DROP VIEW routed;
DROP EXTENSION hubroute CASCADE;
