-- rules_basic: the 'nobody' and 'customer_agent' rules, the channel checks
-- on insert, the hubroute.unassigned view, and a DBA's rule edit taking
-- effect on the very next insert.
CREATE EXTENSION hubroute;

INSERT INTO hubroute.users (id, name, seat) VALUES
    (1, 'Ann', 'service'), (2, 'Bob', 'service'), (5, 'Eve', 'sales');
INSERT INTO hubroute.workspaces (id, name, kind) VALUES
    (1, 'Support', 'helpdesk'), (2, 'Sales', 'inbox');
-- 10, 20: nobody (the default rule); 21: customer agent; 11: nobody for now,
-- with Ann and Bob as targets for when the DBA switches it on.
INSERT INTO hubroute.channels (id, workspace_id, kind, name) VALUES
    (10, 1, 'email', 'support mail'),
    (11, 1, 'form', 'support form'),
    (20, 2, 'email', 'sales mail');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to) VALUES
    (21, 2, 'chat', 'sales bot chat', 'customer_agent');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (11, 1), (11, 2);
SELECT id, assign_to FROM hubroute.channels ORDER BY id;

-- nobody: the ticket stays unassigned, one decision is logged (method
-- 'nobody', with a reason), assigned_at records the decision.
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'nobody ticket')
RETURNING id, owner_id, handled_by, assigned_at IS NOT NULL AS decided;
SELECT ticket_id, conversation_id, user_id, method, reason
  FROM hubroute.assignments WHERE ticket_id = 1 ORDER BY id;

-- The same for a conversation.
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (20, 'nobody conversation')
RETURNING id, owner_id, handled_by, assigned_at IS NOT NULL AS decided;
SELECT ticket_id, conversation_id, user_id, method, reason
  FROM hubroute.assignments WHERE conversation_id = 1 ORDER BY id;

-- customer_agent: handled by the customer agent, no owner, logged.
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (21, 'bot conversation')
RETURNING id, owner_id, handled_by, assigned_at IS NOT NULL AS decided;
SELECT ticket_id, conversation_id, user_id, method, reason IS NOT NULL AS has_reason
  FROM hubroute.assignments WHERE conversation_id = 2 ORDER BY id;

-- Nobody's counts moved.
SELECT user_id, open_tickets, open_conversations FROM hubroute.user_load ORDER BY user_id;

-- A ticket on an inbox channel and a conversation on a help-desk channel
-- are refused with a clear error (an integrity error, SQLSTATE class 23);
-- nothing is stored or logged.
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (20, 'ticket on inbox channel');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (10, 'conversation on help-desk channel');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- A ticket on a channel that does not exist: an integrity error.
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (999, 'ticket on no channel');
SELECT left(:'LAST_ERROR_SQLSTATE', 2) = '23' AS integrity_error;
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (999, 'conversation on no channel');
SELECT left(:'LAST_ERROR_SQLSTATE', 2) = '23' AS integrity_error;
SELECT (SELECT count(*) FROM hubroute.tickets) AS tickets,
       (SELECT count(*) FROM hubroute.conversations) AS conversations,
       (SELECT count(*) FROM hubroute.assignments) AS decisions;
-- Nor does a channel move into the wrong kind of workspace.
UPDATE hubroute.tickets SET channel_id = 20 WHERE id = 1;
SELECT id, channel_id FROM hubroute.tickets ORDER BY id;

-- hubroute.unassigned: open items without an owner, of both kinds. A
-- ticket with an owner and a closed unassigned ticket are not listed.
INSERT INTO hubroute.tickets (channel_id, subject, owner_id) VALUES (10, 'owned', 1);
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'to be closed');
UPDATE hubroute.tickets SET status = 'closed' WHERE subject = 'to be closed';
SELECT id, subject, status, owner_id FROM hubroute.tickets ORDER BY id;
SELECT kind, id, channel_id, created_at IS NOT NULL AS has_created_at
  FROM hubroute.unassigned ORDER BY kind, id;
-- created_at is the item's own.
SELECT bool_and(u.created_at = coalesce(t.created_at, c.created_at)) AS created_at_matches
  FROM hubroute.unassigned u
  LEFT JOIN hubroute.tickets t ON u.kind = 'ticket' AND t.id = u.id
  LEFT JOIN hubroute.conversations c ON u.kind = 'conversation' AND c.id = u.id;
-- An item leaves the view when it gets an owner, comes back when unassigned.
UPDATE hubroute.tickets SET owner_id = 2 WHERE id = 1;
SELECT kind, id FROM hubroute.unassigned ORDER BY kind, id;
UPDATE hubroute.tickets SET owner_id = NULL WHERE id = 1;
SELECT kind, id FROM hubroute.unassigned ORDER BY kind, id;

-- A DBA's rule edit applies to the very next insert, in the same session,
-- with no reload: nobody, then users_and_teams, then nobody again.
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (11, 'before the edit')
RETURNING id, owner_id;
UPDATE hubroute.channels SET assign_to = 'users_and_teams', distribution = 'balanced' WHERE id = 11;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (11, 'after the edit')
RETURNING id, owner_id;
UPDATE hubroute.channels SET assign_to = 'nobody' WHERE id = 11;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (11, 'after the second edit')
RETURNING id, owner_id;
-- Also inside one transaction.
BEGIN;
UPDATE hubroute.channels SET assign_to = 'users_and_teams' WHERE id = 11;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (11, 'in transaction')
RETURNING id, owner_id IS NOT NULL AS assigned;
COMMIT;
SELECT t.subject, a.user_id, a.method
  FROM hubroute.assignments a JOIN hubroute.tickets t ON t.id = a.ticket_id
 WHERE t.channel_id = 11 ORDER BY a.id;

-- The counts routing uses equal counting the tables.
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

DROP EXTENSION hubroute CASCADE;
