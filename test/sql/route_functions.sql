-- route_functions: hubroute.route_ticket(id) and hubroute.route_conversation(id)
-- route an open unassigned item now, by its channel's current rule, and
-- return the owner (or NULL, with the reason logged).
CREATE EXTENSION hubroute;

INSERT INTO hubroute.users (id, name, seat) VALUES
    (1, 'Ann', 'service'), (2, 'Bob', 'service'), (5, 'Eve', 'sales');
INSERT INTO hubroute.workspaces (id, name, kind) VALUES
    (1, 'Support', 'helpdesk'), (2, 'Sales', 'inbox');
-- Both channels start with the rule 'nobody'; their targets are ready.
INSERT INTO hubroute.channels (id, workspace_id, kind, name) VALUES
    (10, 1, 'email', 'support mail'), (20, 2, 'chat', 'sales chat');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 1), (10, 2), (20, 5);

INSERT INTO hubroute.tickets (channel_id, subject)
SELECT 10, 't' || g FROM generate_series(1, 3) g;
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (20, 'c1');
SELECT kind, id, channel_id FROM hubroute.unassigned ORDER BY kind, id;

-- Under the rule 'nobody', routing now still gives nobody: NULL, logged.
SELECT hubroute.route_ticket(1) AS owner;
SELECT ticket_id, user_id, method, reason IS NOT NULL AS has_reason
  FROM hubroute.assignments WHERE ticket_id = 1 ORDER BY id;

-- The DBA switches both channels to users_and_teams; routing the waiting
-- items now assigns them.
UPDATE hubroute.channels SET assign_to = 'users_and_teams', distribution = 'balanced'
 WHERE id IN (10, 20);
SELECT hubroute.route_ticket(1) AS owner;
SELECT hubroute.route_ticket(2) AS owner;
SELECT hubroute.route_conversation(1) AS owner;
SELECT id, owner_id, assigned_at IS NOT NULL AS assigned_at_set
  FROM hubroute.tickets ORDER BY id;
SELECT id, owner_id FROM hubroute.conversations ORDER BY id;
-- One logged decision per call, with the distribution as method.
SELECT ticket_id, conversation_id, user_id, method
  FROM hubroute.assignments ORDER BY id;
-- Counted like any other assignment; gone from the unassigned view.
SELECT user_id, open_tickets, open_conversations,
       last_assigned_at IS NOT NULL AS was_assigned
  FROM hubroute.user_load ORDER BY user_id;
SELECT kind, id FROM hubroute.unassigned ORDER BY kind, id;

-- Errors: an item that already has an owner, one that does not exist, a
-- closed one. Nothing is changed or logged by them.
SELECT count(*) AS decisions_before FROM hubroute.assignments;
SELECT hubroute.route_ticket(1);
SELECT hubroute.route_conversation(1);
SELECT hubroute.route_ticket(999);
SELECT hubroute.route_conversation(999);
UPDATE hubroute.tickets SET status = 'closed' WHERE id = 3;
SELECT hubroute.route_ticket(3);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT count(*) AS decisions_after FROM hubroute.assignments;
SELECT id, status, owner_id FROM hubroute.tickets ORDER BY id;
-- The function is STRICT: a NULL id gives NULL.
SELECT hubroute.route_ticket(NULL) IS NULL AS null_for_null;

-- Nobody eligible: Ann and Bob are away. A new ticket stays unassigned on
-- insert; routing it now returns NULL and logs why.
UPDATE hubroute.users SET available = false WHERE id IN (1, 2);
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 't4') RETURNING id, owner_id;
SELECT hubroute.route_ticket(4) AS owner;
SELECT ticket_id, user_id, method, reason
  FROM hubroute.assignments WHERE ticket_id = 4 ORDER BY id;
SELECT id, owner_id FROM hubroute.tickets WHERE id = 4;
-- Bob is back: routing it now gives Bob.
UPDATE hubroute.users SET available = true WHERE id = 2;
SELECT hubroute.route_ticket(4) AS owner;
SELECT ticket_id, user_id, method
  FROM hubroute.assignments WHERE ticket_id = 4 ORDER BY id;

-- Reopened and unassigned, ticket 3 can be routed again.
UPDATE hubroute.tickets SET status = 'open' WHERE id = 3;
SELECT hubroute.route_ticket(3) AS owner;

SELECT kind, id FROM hubroute.unassigned ORDER BY kind, id;
-- the counts routing uses equal counting the tables
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

DROP EXTENSION hubroute CASCADE;
