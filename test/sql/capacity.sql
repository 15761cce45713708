CREATE EXTENSION hubroute;
-- SPEC §6 capacity: users.ticket_capacity / conversation_capacity are the
-- most open tickets / conversations routing gives a user; a user at capacity
-- is not eligible for routing (every distribution and the contact-owner
-- rule) or handoff. Manual assignment may exceed it, and is logged.
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO hubroute.users (id, name, seat, ticket_capacity, conversation_capacity) VALUES
    (1, 'Ann', 'service', 1, 2), (2, 'Bob', 'service', 2, 0), (3, 'Cas', 'service', NULL, NULL);
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (100, 'Inbox', 'inbox'), (200, 'Help desk', 'helpdesk');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (10, 200, 'email', 'balanced', 'users_and_teams', 'balanced'),
    (11, 200, 'email', 'random', 'users_and_teams', 'random'),
    (12, 200, 'email', 'round robin', 'users_and_teams', 'round_robin'),
    (13, 200, 'email', 'least busy', 'users_and_teams', 'least_busy'),
    (20, 100, 'chat', 'chat', 'users_and_teams', 'least_busy'),
    (21, 100, 'chat', 'by owner', 'contact_owner', NULL);
INSERT INTO hubroute.channel_targets (channel_id, user_id)
SELECT c, u FROM unnest(ARRAY[10, 11, 12, 13, 20]) c, unnest(ARRAY[1, 2]) u;

CREATE TEMP VIEW load AS
SELECT name, open_tickets, open_conversations FROM hubroute.user_load WHERE user_id <= 3 ORDER BY user_id;

-- Bad capacities are refused, naming the column.
UPDATE hubroute.users SET ticket_capacity = -1 WHERE id = 1;
INSERT INTO hubroute.users (id, name, seat, conversation_capacity) VALUES (9, 'Zed', 'service', -5);
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------
-- Balanced: Ann (capacity 1) and Bob (capacity 2) take three tickets; the
-- fourth finds both at capacity and stays unassigned, saying why.
------------------------------------------------------------------------------
INSERT INTO hubroute.tickets (channel_id, subject) SELECT 10, 'b' || g FROM generate_series(1, 4) g;
SELECT t.subject, u.name AS owner, a.reason
  FROM hubroute.tickets t LEFT JOIN hubroute.users u ON u.id = t.owner_id
  JOIN hubroute.assignments a ON a.ticket_id = t.id ORDER BY t.id;
SELECT * FROM load;

-- Every distribution honours it: nobody has room for a ticket now.
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (11, 'random'), (12, 'round robin'), (13, 'least busy');
SELECT t.subject, t.owner_id, a.method, a.reason
  FROM hubroute.tickets t JOIN hubroute.assignments a ON a.ticket_id = t.id WHERE t.channel_id <> 10 ORDER BY t.id;

-- A closed ticket makes room again (no queue here: nothing is handed over).
UPDATE hubroute.tickets SET status = 'closed' WHERE subject = 'b1';
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (12, 'round robin 2'), (11, 'random 2');
SELECT subject, owner_id FROM hubroute.tickets WHERE subject IN ('round robin 2', 'random 2') ORDER BY id;

-- Manual assignment may exceed a capacity; it is logged as usual.
UPDATE hubroute.tickets SET owner_id = 1 WHERE subject = 'b4';
SELECT a.method, a.user_id FROM hubroute.assignments a JOIN hubroute.tickets t ON t.id = a.ticket_id
 WHERE t.subject = 'b4' ORDER BY a.id;
SELECT * FROM load;

-- Capacity is per kind: Bob (conversation capacity 0) gets no conversation,
-- Ann takes two.
INSERT INTO hubroute.conversations (channel_id, subject) SELECT 20, 'c' || g FROM generate_series(1, 3) g;
SELECT c.subject, c.owner_id, a.reason
  FROM hubroute.conversations c JOIN hubroute.assignments a ON a.conversation_id = c.id ORDER BY c.id;

-- Contact owner at capacity: the fallback (Cas, no limit) gets it instead;
-- a fallback at capacity leaves it unassigned.
INSERT INTO hubroute.contacts (id, name, owner_id, tracked) VALUES (7, 'Kim', 1, true);
UPDATE hubroute.channels SET fallback_user_id = 3 WHERE id = 21;
INSERT INTO hubroute.conversations (channel_id, contact_id, subject) VALUES (21, 7, 'owner full');
UPDATE hubroute.channels SET fallback_user_id = 2 WHERE id = 21;
INSERT INTO hubroute.conversations (channel_id, contact_id, subject) VALUES (21, 7, 'fallback full');
SELECT c.subject, c.owner_id, a.method, a.reason
  FROM hubroute.conversations c JOIN hubroute.assignments a ON a.conversation_id = c.id
 WHERE c.channel_id = 21 ORDER BY c.id;

-- Capacity raised: routing uses it at once.
UPDATE hubroute.users SET conversation_capacity = 3 WHERE id = 1;
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (20, 'after raise');
SELECT owner_id FROM hubroute.conversations WHERE subject = 'after raise';

-- Handoff: a target at capacity is not eligible.
INSERT INTO hubroute.handoff_targets (user_id) VALUES (1), (2);
UPDATE hubroute.channels SET assign_to = 'customer_agent' WHERE id = 20;
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (20, 'bot');
SELECT hubroute.handoff(id, 'asked') FROM hubroute.conversations WHERE subject = 'bot';
SELECT a.method, a.user_id, a.reason FROM hubroute.assignments a
  JOIN hubroute.conversations c ON c.id = a.conversation_id WHERE c.subject = 'bot' ORDER BY a.id;

-- Workflow handoff: a ticket on the workflow channel and the conversation
-- go to the same target, who needs room for both. Ann and Bob are full of
-- tickets; Bob with room for tickets but none for conversations still
-- cannot; with room for both he takes them.
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to) VALUES (30, 200, 'form', 'handoffs', 'nobody');
UPDATE hubroute.customer_agent SET handoff_mode = 'workflow', workflow_channel_id = 30;
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (20, 'bot 2'), (20, 'bot 3'), (20, 'bot 4');
SELECT hubroute.handoff(id, 'asked') FROM hubroute.conversations WHERE subject = 'bot 2';
UPDATE hubroute.users SET ticket_capacity = 3 WHERE id = 2;
SELECT hubroute.handoff(id, 'asked') FROM hubroute.conversations WHERE subject = 'bot 3';
UPDATE hubroute.users SET conversation_capacity = 1 WHERE id = 2;
SELECT hubroute.handoff(id, 'asked') FROM hubroute.conversations WHERE subject = 'bot 4';
SELECT t.conversation_id, t.owner_id, a.reason FROM hubroute.tickets t
  JOIN hubroute.assignments a ON a.ticket_id = t.id WHERE t.channel_id = 30 ORDER BY t.id;

-- What routing compares equals the tables.
SELECT * FROM hubroute.routing_load_check();
DROP EXTENSION hubroute CASCADE;
