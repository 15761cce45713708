CREATE EXTENSION hubroute;
-- SPEC §2 assign_to 'contact_owner': the contact must have an owner and be
-- tracked. An eligible owner gets the item, also when not available (then an
-- 'owner_offline' notification is written for the owner). No owner, not
-- tracked, no contact, or an owner not eligible for another reason: the
-- channel's fallback_user_id when set and eligible (respecting
-- only_available; method 'fallback'), else unassigned with a reason.
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO hubroute.users (id, name, seat, available, active, ticket_access) VALUES
    (1, 'Ann', 'service', true, true, true),
    (2, 'Bob', 'service', false, true, true),    -- not available
    (3, 'Cas', 'none', true, true, true),        -- no seat
    (4, 'Dan', 'service', true, false, true),    -- deactivated
    (5, 'Eve', 'service', true, true, false),    -- no ticket access
    (6, 'Fay', 'service', true, true, true),     -- the fallback user
    (7, 'Gus', 'sales', true, true, true);       -- sales seat
INSERT INTO hubroute.teams (id, name) VALUES (1, 'Restricted'), (2, 'Main');
INSERT INTO hubroute.team_members (team_id, user_id, is_primary) VALUES (1, 1, true), (2, 6, true), (1, 6, false);
INSERT INTO hubroute.workspaces (id, name, kind) VALUES
    (100, 'Inbox', 'inbox'), (200, 'Help desk', 'helpdesk'), (300, 'Restricted inbox', 'inbox');
INSERT INTO hubroute.workspace_teams (workspace_id, team_id) VALUES (300, 1);
INSERT INTO hubroute.contacts (id, name, owner_id, tracked) VALUES
    (101, 'owner Ann', 1, true),
    (102, 'owner Bob (away)', 2, true),
    (103, 'owner Cas (no seat)', 3, true),
    (104, 'owner Dan (inactive)', 4, true),
    (105, 'owner Eve (no ticket access)', 5, true),
    (106, 'no owner', NULL, true),
    (107, 'owner Ann, not tracked', 1, false),
    (108, 'owner Gus (sales)', 7, true);
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, fallback_user_id) VALUES
    (10, 100, 'chat', 'No fallback', 'contact_owner', NULL),
    (11, 100, 'chat', 'Fallback Fay', 'contact_owner', 6),
    (20, 200, 'email', 'Help desk, fallback Fay', 'contact_owner', 6),
    (30, 300, 'chat', 'Restricted, fallback Fay', 'contact_owner', 6);

-- Each item: its contact, owner, the decision logged, and its notifications.
CREATE TEMP VIEW routed AS
SELECT 'conversation' AS kind, i.id, i.channel_id, i.subject, ct.name AS contact, u.name AS owner, a.method,
       CASE WHEN a.user_id IS NULL THEN a.reason END AS why_unassigned,
       (SELECT count(*) FROM hubroute.assignments x WHERE x.conversation_id = i.id) AS decisions,
       (SELECT string_agg(n.kind || ' to ' || nu.name, ', ') FROM hubroute.notifications n
          JOIN hubroute.users nu ON nu.id = n.user_id WHERE n.conversation_id = i.id) AS notified
  FROM hubroute.conversations i
  LEFT JOIN hubroute.contacts ct ON ct.id = i.contact_id
  LEFT JOIN hubroute.users u ON u.id = i.owner_id
  LEFT JOIN hubroute.assignments a ON a.conversation_id = i.id
UNION ALL
SELECT 'ticket', i.id, i.channel_id, i.subject, ct.name, u.name, a.method,
       CASE WHEN a.user_id IS NULL THEN a.reason END,
       (SELECT count(*) FROM hubroute.assignments x WHERE x.ticket_id = i.id),
       (SELECT string_agg(n.kind || ' to ' || nu.name, ', ') FROM hubroute.notifications n
          JOIN hubroute.users nu ON nu.id = n.user_id WHERE n.ticket_id = i.id)
  FROM hubroute.tickets i
  LEFT JOIN hubroute.contacts ct ON ct.id = i.contact_id
  LEFT JOIN hubroute.users u ON u.id = i.owner_id
  LEFT JOIN hubroute.assignments a ON a.ticket_id = i.id;

------------------------------------------------------------------------------
-- 1. Inbox channel with fallback Fay.
------------------------------------------------------------------------------
INSERT INTO hubroute.conversations (channel_id, contact_id, subject)
    SELECT 11, c, format('1-%s', c) FROM unnest(ARRAY[101, 102, 103, 104, 105, 106, 107, 108]) c;
INSERT INTO hubroute.conversations (channel_id, contact_id, subject) VALUES (11, NULL, '1-no contact');
SELECT subject, contact, owner, method, notified, decisions FROM routed WHERE subject LIKE '1-%' ORDER BY id;

------------------------------------------------------------------------------
-- 2. No fallback: the same cases stay unassigned, each with its reason.
------------------------------------------------------------------------------
INSERT INTO hubroute.conversations (channel_id, contact_id, subject)
    SELECT 10, c, format('2-%s', c) FROM unnest(ARRAY[101, 102, 103, 104, 106, 107]) c;
INSERT INTO hubroute.conversations (channel_id, contact_id, subject) VALUES (10, NULL, '2-no contact');
SELECT subject, owner, method, why_unassigned, notified FROM routed WHERE subject LIKE '2-%' ORDER BY id;
-- they wait in the Unassigned view
SELECT count(*) AS unassigned_conversations FROM hubroute.unassigned u
  JOIN hubroute.conversations c ON u.kind = 'conversation' AND u.id = c.id WHERE c.subject LIKE '2-%';

------------------------------------------------------------------------------
-- 3. Help desk: the owner needs a service seat and ticket access.
------------------------------------------------------------------------------
INSERT INTO hubroute.tickets (channel_id, contact_id, subject)
    SELECT 20, c, format('3-%s', c) FROM unnest(ARRAY[101, 102, 105, 108]) c;
SELECT subject, contact, owner, method, notified, decisions FROM routed WHERE subject LIKE '3-%' ORDER BY id;

------------------------------------------------------------------------------
-- 4. The fallback respects only_available; an unavailable owner does not
--    depend on it.
------------------------------------------------------------------------------
UPDATE hubroute.users SET available = false WHERE id = 6;
INSERT INTO hubroute.conversations (channel_id, contact_id, subject) VALUES
    (11, 106, '4a no owner, Fay away, only_available'),
    (11, 102, '4b owner Bob away, only_available');
UPDATE hubroute.channels SET only_available = false WHERE id = 11;
INSERT INTO hubroute.conversations (channel_id, contact_id, subject) VALUES
    (11, 106, '4c no owner, Fay away, availability ignored');
-- a deactivated fallback is never used
UPDATE hubroute.users SET active = false WHERE id = 6;
INSERT INTO hubroute.conversations (channel_id, contact_id, subject) VALUES
    (11, 106, '4d no owner, Fay deactivated');
UPDATE hubroute.users SET active = true, available = true WHERE id = 6;
UPDATE hubroute.channels SET only_available = true WHERE id = 11;
SELECT subject, owner, method, why_unassigned, notified FROM routed WHERE subject LIKE '4%' ORDER BY id;

------------------------------------------------------------------------------
-- 5. A restricted workspace: the owner must be a member of its teams.
--    Ann is a primary member, Fay an additional member, Bob none.
------------------------------------------------------------------------------
UPDATE hubroute.users SET available = true WHERE id = 2;
INSERT INTO hubroute.conversations (channel_id, contact_id, subject) VALUES
    (30, 101, '5a owner Ann, member'),
    (30, 102, '5b owner Bob, not a member');
SELECT subject, owner, method, notified FROM routed WHERE subject LIKE '5%' ORDER BY id;
UPDATE hubroute.users SET available = false WHERE id = 2;

------------------------------------------------------------------------------
-- 6. Rule rows are read at the routing moment: a new owner, a contact that
--    becomes tracked, a fallback that changes apply to the next insert.
------------------------------------------------------------------------------
UPDATE hubroute.contacts SET tracked = true WHERE id = 107;
UPDATE hubroute.contacts SET owner_id = 7 WHERE id = 106;
UPDATE hubroute.channels SET fallback_user_id = 7 WHERE id = 10;
INSERT INTO hubroute.conversations (channel_id, contact_id, subject) VALUES
    (10, 107, '6a contact now tracked: Ann'),
    (10, 106, '6b contact now owned by Gus'),
    (10, 103, '6c owner Cas has no seat: new fallback Gus');
SELECT subject, owner, method FROM routed WHERE subject LIKE '6%' ORDER BY id;

------------------------------------------------------------------------------
-- Notifications: exactly one owner_offline per item routed to an unavailable
-- contact owner, and none otherwise (not for the fallback user).
------------------------------------------------------------------------------
SELECT n.kind, u.name AS user_name,
       CASE WHEN n.ticket_id IS NOT NULL THEN 'ticket' ELSE 'conversation' END AS item_kind,
       coalesce(t.subject, c.subject) AS subject
  FROM hubroute.notifications n
  JOIN hubroute.users u ON u.id = n.user_id
  LEFT JOIN hubroute.tickets t ON t.id = n.ticket_id
  LEFT JOIN hubroute.conversations c ON c.id = n.conversation_id
 ORDER BY n.id;

------------------------------------------------------------------------------
-- Invariants.
------------------------------------------------------------------------------
SELECT count(*) AS items,
       bool_and(decisions = 1) AS one_decision_each,
       bool_and(method IN ('contact_owner', 'fallback')) AS methods_ok,
       bool_and(owner IS NOT NULL OR why_unassigned IS NOT NULL) AS unassigned_have_reason
  FROM routed;
SELECT bool_and(assigned_at IS NOT NULL) AS assigned_at_set
  FROM (SELECT assigned_at FROM hubroute.conversations UNION ALL SELECT assigned_at FROM hubroute.tickets) s;
-- the counts routing uses equal counting the tables
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

DROP VIEW routed;
DROP EXTENSION hubroute CASCADE;
