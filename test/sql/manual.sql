-- manual: owners set by hand, on INSERT or by UPDATE, are kept and logged
-- with method 'manual'; a workspace restricted to teams only accepts their
-- members (and those teams) as owners; an item cannot move to a channel of
-- the other kind of workspace.
CREATE EXTENSION hubroute;

INSERT INTO hubroute.users (id, name, seat) VALUES
    (1, 'Ann', 'service'), (2, 'Bob', 'service'), (3, 'Cid', 'service'), (4, 'Dee', 'service');
INSERT INTO hubroute.teams (id, name) VALUES (1, 'Blue'), (2, 'Red');
-- Ann: Blue (primary). Bob: Red (primary) and Blue (additional).
-- Cid: Red (primary). Dee: no team.
INSERT INTO hubroute.team_members (team_id, user_id, is_primary) VALUES
    (1, 1, true), (2, 2, true), (1, 2, false), (2, 3, true);
INSERT INTO hubroute.workspaces (id, name, kind) VALUES
    (1, 'Open desk', 'helpdesk'), (2, 'Blue desk', 'helpdesk'), (3, 'Inbox', 'inbox');
-- Blue desk is restricted to team Blue.
INSERT INTO hubroute.workspace_teams (workspace_id, team_id) VALUES (2, 1);
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (10, 1, 'email', 'open mail', 'users_and_teams', 'balanced'),
    (20, 2, 'email', 'blue mail', 'nobody', NULL),
    (30, 3, 'chat', 'inbox chat', 'nobody', NULL);
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 1), (10, 2);

-------------------------------------------------------------------------------
-- INSERT naming an owner: kept (Dee is not even in the channel's pool), no
-- routing decision, one 'manual' row, assigned_at set, counted.
-------------------------------------------------------------------------------
INSERT INTO hubroute.tickets (channel_id, subject, owner_id) VALUES (10, 'named', 4)
RETURNING id, owner_id, assigned_at IS NOT NULL AS assigned_at_set;
SELECT ticket_id, user_id, team_id, method FROM hubroute.assignments ORDER BY id;
SELECT user_id, open_tickets FROM hubroute.user_load ORDER BY user_id;

-- A routed one for comparison, then UPDATE ... SET owner_id: logged 'manual',
-- assigned_at moves forward, counts follow.
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'routed')
RETURNING id, owner_id;
CREATE TEMP TABLE before AS SELECT id, assigned_at FROM hubroute.tickets;
UPDATE hubroute.tickets SET owner_id = 3 WHERE id = 2;
SELECT t.id, t.owner_id, t.assigned_at > b.assigned_at AS assigned_at_moved
  FROM hubroute.tickets t JOIN before b USING (id) WHERE t.id = 2;
SELECT ticket_id, user_id, team_id, method FROM hubroute.assignments WHERE ticket_id = 2 ORDER BY id;
SELECT user_id, open_tickets FROM hubroute.user_load ORDER BY user_id;

-- An UPDATE that does not change the owner logs nothing.
UPDATE hubroute.tickets SET owner_id = 3, subject = 'routed, renamed' WHERE id = 2;
SELECT count(*) AS decisions_for_ticket_2 FROM hubroute.assignments WHERE ticket_id = 2;

-- Unassigning (owner_id = NULL) is logged too, with a reason.
UPDATE hubroute.tickets SET owner_id = NULL WHERE id = 2;
SELECT ticket_id, user_id, method, reason IS NOT NULL AS has_reason
  FROM hubroute.assignments WHERE ticket_id = 2 ORDER BY id;
SELECT kind, id FROM hubroute.unassigned ORDER BY kind, id;

-- Setting a team by hand is logged as well.
UPDATE hubroute.tickets SET team_id = 2 WHERE id = 2;
SELECT ticket_id, user_id, team_id, method FROM hubroute.assignments WHERE ticket_id = 2 ORDER BY id;

-------------------------------------------------------------------------------
-- Blue desk is restricted to team Blue: only Blue members may own its items.
-------------------------------------------------------------------------------
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (20, 'blue ticket') RETURNING id, owner_id;
-- Ann (primary member of Blue): accepted.
UPDATE hubroute.tickets SET owner_id = 1 WHERE id = 3;
-- Bob (additional member of Blue): accepted.
UPDATE hubroute.tickets SET owner_id = 2 WHERE id = 3;
SELECT ticket_id, user_id, method FROM hubroute.assignments WHERE ticket_id = 3 ORDER BY id;
-- Cid (Red only) and Dee (no team): refused with a clear error.
UPDATE hubroute.tickets SET owner_id = 3 WHERE id = 3;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE hubroute.tickets SET owner_id = 4 WHERE id = 3;
-- The row, the log and the counts are unchanged.
SELECT id, owner_id, team_id FROM hubroute.tickets WHERE id = 3;
SELECT ticket_id, user_id, method FROM hubroute.assignments WHERE ticket_id = 3 ORDER BY id;
SELECT user_id, open_tickets FROM hubroute.user_load ORDER BY user_id;
-- An INSERT naming Cid is refused the same way; nothing is stored.
INSERT INTO hubroute.tickets (channel_id, subject, owner_id) VALUES (20, 'blue for Cid', 3);
SELECT count(*) AS tickets_for_cid FROM hubroute.tickets WHERE owner_id = 3;
-- An INSERT naming Bob (additional member) is accepted.
INSERT INTO hubroute.tickets (channel_id, subject, owner_id) VALUES (20, 'blue for Bob', 2)
RETURNING id, owner_id;

-- Teams: team Blue may own Blue desk items, team Red may not.
UPDATE hubroute.tickets SET team_id = 1 WHERE id = 3;
UPDATE hubroute.tickets SET team_id = 2 WHERE id = 3;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO hubroute.tickets (channel_id, subject, team_id) VALUES (20, 'blue for Red', 2);
SELECT id, owner_id, team_id FROM hubroute.tickets WHERE channel_id = 20 ORDER BY id;
SELECT ticket_id, user_id, team_id, method FROM hubroute.assignments WHERE ticket_id = 3 ORDER BY id;

-- Moving a ticket owned by Dee from the open desk into the restricted Blue
-- desk is refused: Dee may not own Blue desk items.
INSERT INTO hubroute.tickets (channel_id, subject, owner_id) VALUES (10, 'Dee''s', 4)
RETURNING id, owner_id;
UPDATE hubroute.tickets SET channel_id = 20 WHERE subject = 'Dee''s';
SELECT id, channel_id, owner_id FROM hubroute.tickets WHERE subject = 'Dee''s';

-------------------------------------------------------------------------------
-- A ticket cannot move to a channel of an inbox (nor a conversation to a
-- help-desk channel).
-------------------------------------------------------------------------------
UPDATE hubroute.tickets SET channel_id = 30 WHERE id = 1;
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (30, 'chat') RETURNING id;
UPDATE hubroute.conversations SET channel_id = 10 WHERE id = 1;
SELECT 'ticket' AS kind, id, channel_id FROM hubroute.tickets WHERE id = 1
UNION ALL
SELECT 'conversation', id, channel_id FROM hubroute.conversations WHERE id = 1
ORDER BY kind, id;

-- Whatever was refused, the counts still equal counting the tables.
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

DROP EXTENSION hubroute CASCADE;
