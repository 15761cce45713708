-- hubroute demo: a small help desk and a shared inbox, configured with plain
-- SQL, a stream of tickets and conversations, and who got what and why.
\set QUIET 1
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION hubroute;

\echo
\echo '== The people =='
INSERT INTO hubroute.users (id, name, seat, available, active, ticket_access) VALUES
    (1, 'Anouk',   'service', true,  true,  true),
    (2, 'Bram',    'service', true,  true,  true),
    (3, 'Chloe',   'service', false, true,  true),   -- away
    (4, 'Daan',    'service', true,  true,  false),  -- no ticket access
    (5, 'Eva',     'sales',   true,  true,  true),
    (6, 'Finn',    'sales',   true,  true,  true),
    (7, 'Gijs',    'none',    true,  true,  true),   -- no seat: never routed
    (8, 'Hanna',   'service', true,  false, true);   -- deactivated
INSERT INTO hubroute.teams VALUES (1, 'Support NL'), (2, 'Sales');
INSERT INTO hubroute.team_members (team_id, user_id, is_primary) VALUES
    (1, 1, true), (1, 2, true), (1, 3, true), (1, 4, true), (1, 8, true),
    (2, 5, true), (2, 6, true), (2, 1, false);       -- Anouk helps Sales (additional)
INSERT INTO hubroute.skills VALUES (1, 'billing', 'category'), (2, 'german', 'language');
INSERT INTO hubroute.user_skills VALUES (1, 1), (2, 1), (2, 2);
TABLE hubroute.users;

\echo '== Workspaces and channels: each routing rule is one row =='
INSERT INTO hubroute.workspaces VALUES (1, 'Help desk', 'helpdesk'), (2, 'Inbox', 'inbox');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution, use_skills, fallback_user_id) VALUES
    (10, 1, 'email',    'support@ (balanced)',        'users_and_teams', NULL,          false, NULL),
    (11, 1, 'form',     'billing form (skills)',      'users_and_teams', 'balanced',    true,  NULL),
    (12, 1, 'whatsapp', 'VIP line (contact owner)',   'contact_owner',   NULL,          false, 2),
    (20, 2, 'chat',     'website chat (least busy)',  'users_and_teams', NULL,          false, NULL),
    (21, 2, 'email',    'sales@ (round robin)',       'users_and_teams', 'round_robin', false, NULL),
    (22, 2, 'bot',      'chatbot (customer agent)',   'customer_agent',  NULL,          false, NULL),
    (23, 2, 'form',     'newsletter form (nobody)',   'nobody',          NULL,          false, NULL);
INSERT INTO hubroute.channel_targets (channel_id, team_id) VALUES (10, 1), (20, 2), (21, 2);
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (11, 1), (11, 2), (20, 1);
SELECT id, name, assign_to, coalesce(distribution, '(default)') AS distribution, use_skills
  FROM hubroute.channels ORDER BY id;

INSERT INTO hubroute.contacts (id, name, owner_id, tracked) VALUES
    (100, 'ACME (owner Anouk, tracked)',      1, true),
    (101, 'Globex (owner Chloe, away)',        3, true),
    (102, 'Initech (owner Anouk, no cookie)',  1, false),
    (103, 'Umbrella (no owner)',               NULL, true);

\echo '== A stream of work: the application only INSERTs =='
INSERT INTO hubroute.tickets (channel_id, subject)
SELECT 10, 'Cannot log in #' || g FROM generate_series(1, 6) g;
INSERT INTO hubroute.tickets (channel_id, subject, required_skills) VALUES
    (11, 'Invoice wrong',        '{1}'),
    (11, 'Rechnung falsch',      '{1,2}'),
    (11, 'Factura incorrecta',   '{1,3}');
INSERT INTO hubroute.tickets (channel_id, subject, contact_id) VALUES
    (12, 'ACME: urgent',    100),
    (12, 'Globex: urgent',  101),
    (12, 'Initech: urgent', 102),
    (12, 'Umbrella: help',  103);
INSERT INTO hubroute.conversations (channel_id, subject)
SELECT 20, 'Chat #' || g FROM generate_series(1, 5) g;
INSERT INTO hubroute.conversations (channel_id, subject)
SELECT 21, 'Quote request #' || g FROM generate_series(1, 4) g;
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (22, 'Where is my parcel?');
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (23, 'Subscribe me');

\echo '== Who got what, and why (hubroute.assignments) =='
SELECT CASE WHEN a.ticket_id IS NOT NULL THEN 'ticket ' || a.ticket_id
            ELSE 'conversation ' || a.conversation_id END AS item,
       coalesce(t.subject, c.subject) AS subject,
       ch.name AS channel,
       coalesce(u.name, '(unassigned)') AS owner,
       a.method,
       a.reason
  FROM hubroute.assignments a
  LEFT JOIN hubroute.tickets t ON t.id = a.ticket_id
  LEFT JOIN hubroute.conversations c ON c.id = a.conversation_id
  JOIN hubroute.channels ch ON ch.id = coalesce(t.channel_id, c.channel_id)
  LEFT JOIN hubroute.users u ON u.id = a.user_id
 ORDER BY a.id;

\echo '== Notifications outbox (owner was away) =='
SELECT n.kind, u.name AS to_user, n.ticket_id FROM hubroute.notifications n
  JOIN hubroute.users u ON u.id = n.user_id ORDER BY n.id;

\echo '== After insert: a manual reassign, a reply, a close =='
UPDATE hubroute.tickets SET owner_id = 2 WHERE id = 1;
INSERT INTO hubroute.messages (conversation_id, direction, author_user_id, body)
SELECT id, 'outgoing', 6, 'Thanks, we will get back to you' FROM hubroute.conversations WHERE channel_id = 23;
UPDATE hubroute.tickets SET status = 'closed' WHERE id IN (2, 3);
SELECT coalesce('ticket ' || a.ticket_id, 'conversation ' || a.conversation_id) AS item,
       u.name AS owner, a.method
  FROM hubroute.assignments a LEFT JOIN hubroute.users u ON u.id = a.user_id
 WHERE a.method IN ('manual', 'reply') ORDER BY a.id;

\echo '== Reporting is plain SQL: load per user (hubroute.user_load) =='
SELECT user_id, name, available, open_tickets, open_conversations,
       last_assigned_at IS NOT NULL AS ever_assigned
  FROM hubroute.user_load ORDER BY user_id;

\echo '== Still unassigned (hubroute.unassigned) =='
SELECT kind, id, channel_id, handled_by FROM hubroute.unassigned ORDER BY kind, id;

\echo '== The DBA edits a rule: the next insert follows it, no reload =='
UPDATE hubroute.channels SET assign_to = 'users_and_teams', distribution = 'random' WHERE id = 23;
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (23, 5);
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (23, 'Subscribe me too') RETURNING id, owner_id;

\echo '== The customer agent hands a chat to a human (live) =='
-- The chatbot (channel 22) is the customer agent's; Sales (Eva, Finn) take
-- over what it cannot do; a refund always goes to a human.
INSERT INTO hubroute.handoff_targets (team_id) VALUES (2);
INSERT INTO hubroute.handoff_triggers (phrase) VALUES ('refund');
UPDATE hubroute.customer_agent
   SET handoff_process = 'live',
       message_available = 'A colleague takes over the chat now.',
       message_unavailable = 'Nobody is free right now; we come back to you by e-mail.';
INSERT INTO hubroute.conversations (id, channel_id, subject) VALUES (500, 22, 'Order 1234');
INSERT INTO hubroute.messages (conversation_id, direction, body)
VALUES (500, 'incoming', 'Where is order 1234?'),                 -- the customer agent answers
       (500, 'incoming', 'It arrived broken, I want a Refund!');  -- a handoff phrase
SELECT c.id, u.name AS owner, c.handled_by, a.method, a.reason
  FROM hubroute.conversations c
  LEFT JOIN hubroute.users u ON u.id = c.owner_id
  LEFT JOIN hubroute.assignments a ON a.conversation_id = c.id AND a.method = 'handoff'
 WHERE c.id = 500;
SELECT direction, CASE WHEN u.name IS NOT NULL THEN u.name WHEN direction = 'incoming' THEN 'the visitor'
                       ELSE 'the customer agent' END AS author, body
  FROM hubroute.messages m LEFT JOIN hubroute.users u ON u.id = m.author_user_id
 WHERE m.conversation_id = 500 ORDER BY m.id;

\echo '== A phone line with opening hours: calls during and after hours =='
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution, timezone,
                               voicemail_message, after_hours_message)
VALUES (24, 2, 'calling', 'phone (9-17 Amsterdam)', 'users_and_teams', 'least_busy', 'Europe/Amsterdam',
        'We missed your call and call you back.', 'We are closed; we call you back tomorrow morning.');
INSERT INTO hubroute.channel_targets (channel_id, team_id) VALUES (24, 2);
INSERT INTO hubroute.channel_hours (channel_id, weekday, opens, closes)
SELECT 24, d, '09:00', '17:00' FROM generate_series(1, 5) d;
INSERT INTO hubroute.conversations (id, channel_id, subject, created_at) VALUES
    (600, 24, 'call on Monday 10:00', '2026-12-07 10:00 Europe/Amsterdam'),
    (601, 24, 'call on Monday 17:30', '2026-12-07 17:30 Europe/Amsterdam');
SELECT c.subject, hubroute.channel_is_open(24, c.created_at) AS open, coalesce(u.name, '(unassigned)') AS owner,
       a.method, (SELECT m.body FROM hubroute.messages m WHERE m.conversation_id = c.id) AS posted
  FROM hubroute.conversations c
  LEFT JOIN hubroute.users u ON u.id = c.owner_id
  JOIN hubroute.assignments a ON a.conversation_id = c.id
 WHERE c.id IN (600, 601) ORDER BY c.id;

\echo '== Capacity and the waiting queue: a close hands the next ticket over =='
-- A priority desk served by Anouk and Bram, each with a capacity of the
-- open tickets they have now: what nobody can take waits in the channel's
-- queue, highest priority first.
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution, queue)
VALUES (13, 1, 'email', 'priority desk (queue)', 'users_and_teams', 'balanced', true);
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (13, 1), (13, 2);
UPDATE hubroute.users u SET ticket_capacity = l.open_tickets
  FROM hubroute.user_load l WHERE l.user_id = u.id AND u.id IN (1, 2);
SELECT u.name, l.open_tickets, u.ticket_capacity
  FROM hubroute.users u JOIN hubroute.user_load l ON l.user_id = u.id WHERE u.id IN (1, 2) ORDER BY u.id;
INSERT INTO hubroute.tickets (channel_id, subject, priority) VALUES
    (13, 'Printer jam', 0), (13, 'Site down', 9), (13, 'Password reset', 0);
\echo 'Both are at capacity: the new tickets wait (hubroute.queue, in the order they will be served):'
SELECT q.id, t.subject, q.priority, q.reason
  FROM hubroute.queue q JOIN hubroute.tickets t ON t.id = q.id ORDER BY q.priority DESC, q.created_at, q.id;
\echo 'Bram closes a ticket; in the same transaction the queue hands him the most urgent one:'
BEGIN;
UPDATE hubroute.tickets SET status = 'closed'
 WHERE id = (SELECT min(id) FROM hubroute.tickets WHERE owner_id = 2 AND status = 'open');
SELECT t.subject, u.name AS owner, a.method, a.reason
  FROM hubroute.tickets t JOIN hubroute.users u ON u.id = t.owner_id
  JOIN hubroute.assignments a ON a.ticket_id = t.id AND a.user_id = t.owner_id
 WHERE t.channel_id = 13 AND a.reason LIKE 'from the queue%';
COMMIT;
\echo 'Anouk takes one more ticket: the next waiting one is hers at once:'
UPDATE hubroute.users SET ticket_capacity = ticket_capacity + 1 WHERE id = 1;
SELECT t.subject, coalesce(u.name, '(waiting)') AS owner
  FROM hubroute.tickets t LEFT JOIN hubroute.users u ON u.id = t.owner_id
 WHERE t.channel_id = 13 ORDER BY t.id;
