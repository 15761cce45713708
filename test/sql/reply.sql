-- reply: an outgoing message by a user on an open unassigned item makes that
-- user its owner (method 'reply'); nothing else a message does assigns.
CREATE EXTENSION hubroute;

INSERT INTO hubroute.users (id, name, seat) VALUES
    (1, 'Ann', 'service'), (2, 'Bob', 'service'), (3, 'Cid', 'service');
INSERT INTO hubroute.teams (id, name) VALUES (1, 'Blue');
INSERT INTO hubroute.team_members (team_id, user_id) VALUES (1, 1);
INSERT INTO hubroute.workspaces (id, name, kind) VALUES
    (1, 'Support', 'helpdesk'), (2, 'Sales', 'inbox'), (3, 'Blue desk', 'helpdesk');
-- Blue desk: only members of team Blue (Ann) may own its items.
INSERT INTO hubroute.workspace_teams (workspace_id, team_id) VALUES (3, 1);
-- Every channel assigns to nobody, so items start unassigned.
INSERT INTO hubroute.channels (id, workspace_id, kind, name) VALUES
    (10, 1, 'email', 'support mail'), (20, 2, 'chat', 'sales chat'), (30, 3, 'email', 'blue mail');
INSERT INTO hubroute.tickets (channel_id, subject) VALUES
    (10, 't1'), (10, 't2'), (10, 't3'), (30, 'blue t4'), (10, 't5 closed');
UPDATE hubroute.tickets SET status = 'closed' WHERE id = 5;
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (20, 'c1');
SELECT kind, id FROM hubroute.unassigned ORDER BY kind, id;

-- Incoming messages never assign, even with an author set.
INSERT INTO hubroute.messages (ticket_id, direction, body) VALUES (1, 'incoming', 'help!');
INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body)
VALUES (1, 'incoming', 2, 'forwarded by Bob');
-- An outgoing message without an author (an automatic reply) does not either.
INSERT INTO hubroute.messages (ticket_id, direction, body) VALUES (1, 'outgoing', 'we got your mail');
SELECT id, owner_id FROM hubroute.tickets WHERE id = 1;

-- Bob replies: Bob owns ticket 1, logged as 'reply', assigned_at set, counted.
INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body)
VALUES (1, 'outgoing', 2, 'on it');
SELECT id, owner_id, assigned_at IS NOT NULL AS assigned_at_set FROM hubroute.tickets WHERE id = 1;
SELECT ticket_id, user_id, method FROM hubroute.assignments WHERE ticket_id = 1 ORDER BY id;
SELECT user_id, open_tickets, open_conversations,
       last_assigned_at IS NOT NULL AS was_assigned
  FROM hubroute.user_load ORDER BY user_id;

-- Ann replies to Bob's ticket: nothing changes, nothing is logged.
INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body)
VALUES (1, 'outgoing', 1, 'me too');
SELECT id, owner_id FROM hubroute.tickets WHERE id = 1;
SELECT ticket_id, user_id, method FROM hubroute.assignments WHERE ticket_id = 1 ORDER BY id;

-- A ticket assigned by hand is not taken over by a reply either.
UPDATE hubroute.tickets SET owner_id = 3 WHERE id = 2;
INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body)
VALUES (2, 'outgoing', 1, 'hello');
SELECT id, owner_id FROM hubroute.tickets WHERE id = 2;

-- Two replies in one statement on an unassigned ticket: the first author
-- gets it, the second changes nothing.
INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body)
VALUES (3, 'outgoing', 3, 'first'), (3, 'outgoing', 1, 'second');
SELECT id, owner_id FROM hubroute.tickets WHERE id = 3;
SELECT ticket_id, user_id, method FROM hubroute.assignments WHERE ticket_id = 3 ORDER BY id;

-- Conversations work the same way.
INSERT INTO hubroute.messages (conversation_id, direction, author_user_id, body)
VALUES (1, 'incoming', NULL, 'hi');
SELECT id, owner_id FROM hubroute.conversations WHERE id = 1;
INSERT INTO hubroute.messages (conversation_id, direction, author_user_id, body)
VALUES (1, 'outgoing', 1, 'hi there');
SELECT id, owner_id FROM hubroute.conversations WHERE id = 1;
SELECT conversation_id, user_id, method FROM hubroute.assignments
 WHERE conversation_id = 1 ORDER BY id;

-- Blue desk: Bob (not in team Blue) cannot own ticket 4. His reply is stored
-- (the message insert does not fail) and the ticket stays unassigned.
INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body)
VALUES (4, 'outgoing', 2, 'Bob answers the blue desk')
RETURNING ticket_id, direction, author_user_id;
SELECT id, owner_id FROM hubroute.tickets WHERE id = 4;
SELECT ticket_id, user_id, method FROM hubroute.assignments WHERE ticket_id = 4 ORDER BY id;
-- Ann (team Blue) replies next and gets it.
INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body)
VALUES (4, 'outgoing', 1, 'Ann answers the blue desk');
SELECT id, owner_id FROM hubroute.tickets WHERE id = 4;

-- A closed unassigned ticket is not assigned by a reply (only open items are).
INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body)
VALUES (5, 'outgoing', 1, 'late answer');
SELECT id, status, owner_id FROM hubroute.tickets WHERE id = 5;

-- A message must reference exactly one of ticket and conversation (terse
-- errors: the failing row's detail would show its created_at).
\set VERBOSITY terse
INSERT INTO hubroute.messages (ticket_id, conversation_id, direction, author_user_id, body)
VALUES (1, 1, 'outgoing', 1, 'both');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO hubroute.messages (direction, author_user_id, body)
VALUES ('outgoing', 1, 'neither');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
\set VERBOSITY default

-- All messages but the two refused ones are stored.
SELECT count(*) AS messages FROM hubroute.messages;
SELECT kind, id FROM hubroute.unassigned ORDER BY kind, id;
-- the counts routing uses equal counting the tables
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

DROP EXTENSION hubroute CASCADE;
