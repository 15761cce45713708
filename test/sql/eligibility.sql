CREATE EXTENSION hubroute;
-- SPEC §2 "Eligible users": active; the seat the workspace needs; ticket
-- access in a help desk; membership of a restricted workspace's teams;
-- availability (only_available); required skills (use_skills); team targets
-- route to primary members only. No eligible user: unassigned, with a reason.
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO hubroute.users (id, name, seat, active, available, ticket_access) VALUES
    (1, 'Ann', 'service', true, true, true),
    (2, 'Bob', 'sales', true, true, true),
    (3, 'Cas', 'none', true, true, true),
    (4, 'Dan', 'service', false, true, true),    -- deactivated
    (5, 'Eve', 'service', true, true, false),    -- no ticket access
    (6, 'Fay', 'service', true, false, true),    -- not available
    (7, 'Gus', 'service', true, true, true),
    (8, 'Hal', 'service', true, true, true),
    (9, 'Ivy', 'service', true, true, true),
    (10, 'Jon', 'sales', true, true, true),
    (11, 'Kim', 'service', true, true, true),
    (12, 'Lee', 'service', true, true, true);
INSERT INTO hubroute.teams (id, name) VALUES
    (1, 'Mixed seats'), (2, 'Restricted'), (3, 'Other'), (4, 'Pairs'), (5, 'Only additional');
INSERT INTO hubroute.team_members (team_id, user_id, is_primary) VALUES
    (1, 1, true), (1, 2, true), (1, 3, true),    -- Ann service, Bob sales, Cas none
    (2, 8, true), (2, 7, false),                 -- Hal primary, Gus additional in Restricted
    (3, 7, true),                                -- Gus's main team
    (4, 11, true), (4, 12, false),               -- Kim primary, Lee additional in Pairs
    (5, 9, false);                               -- Ivy: an additional member only
INSERT INTO hubroute.workspaces (id, name, kind) VALUES
    (100, 'Inbox', 'inbox'), (200, 'Help desk', 'helpdesk'), (300, 'Restricted inbox', 'inbox');
INSERT INTO hubroute.workspace_teams (workspace_id, team_id) VALUES (300, 2);
INSERT INTO hubroute.skills (id, name, kind) VALUES (1, 'Dutch', 'language'), (2, 'Billing', 'category'), (3, 'Legal', 'category');
INSERT INTO hubroute.user_skills (user_id, skill_id) VALUES (9, 1), (9, 2), (10, 1);

-- What each routed item got: owner, the one decision logged for it.
CREATE TEMP VIEW routed AS
SELECT 'conversation' AS kind, i.subject, u.name AS owner, a.method,
       CASE WHEN a.user_id IS NULL THEN a.reason END AS why_unassigned,
       (SELECT count(*) FROM hubroute.assignments x WHERE x.conversation_id = i.id) AS decisions
  FROM hubroute.conversations i
  LEFT JOIN hubroute.users u ON u.id = i.owner_id
  LEFT JOIN hubroute.assignments a ON a.conversation_id = i.id
UNION ALL
SELECT 'ticket', i.subject, u.name, a.method,
       CASE WHEN a.user_id IS NULL THEN a.reason END,
       (SELECT count(*) FROM hubroute.assignments x WHERE x.ticket_id = i.id)
  FROM hubroute.tickets i
  LEFT JOIN hubroute.users u ON u.id = i.owner_id
  LEFT JOIN hubroute.assignments a ON a.ticket_id = i.id;

-- Closing everything between sections keeps the load of one section from
-- steering the next (least_busy and balanced prefer the least loaded).
CREATE FUNCTION pg_temp.close_all() RETURNS void LANGUAGE sql AS $$
    UPDATE hubroute.conversations SET status = 'closed' WHERE status = 'open';
    UPDATE hubroute.tickets SET status = 'closed' WHERE status = 'open';
$$;

------------------------------------------------------------------------------
-- 1. active = false: never routed to, even with only_available = false.
------------------------------------------------------------------------------
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution)
    VALUES (1, 100, 'chat', 'Inactive only', 'users_and_teams', 'least_busy');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (1, 4);
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (1, '1a inactive Dan only');
UPDATE hubroute.channels SET only_available = false WHERE id = 1;
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (1, '1b inactive Dan only, availability ignored');
-- with Ann in the pool, Ann gets everything
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (1, 1);
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (1, '1c Dan and Ann'), (1, '1d Dan and Ann');
-- reactivated, Dan is routed to again (he has the fewest open items)
UPDATE hubroute.users SET active = true WHERE id = 4;
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (1, '1e Dan active again');
SELECT * FROM routed WHERE subject LIKE '1%' ORDER BY subject;
UPDATE hubroute.users SET active = false WHERE id = 4;
SELECT pg_temp.close_all();

------------------------------------------------------------------------------
-- 2. The seat the workspace needs: inbox sales or service, help desk service.
--    Team 'Mixed seats' has Ann (service), Bob (sales), Cas (none) as
--    primary members.
------------------------------------------------------------------------------
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution)
    VALUES (2, 100, 'chat', 'Inbox by team', 'users_and_teams', 'least_busy'),
           (3, 200, 'email', 'Help desk by team', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, team_id) VALUES (2, 1), (3, 1);
INSERT INTO hubroute.conversations (channel_id, subject)
    SELECT 2, format('2-conv-%s', n) FROM generate_series(1, 6) n;
INSERT INTO hubroute.tickets (channel_id, subject)
    SELECT 3, format('2-tick-%s', n) FROM generate_series(1, 4) n;
-- inbox: Ann and Bob share the conversations, Cas (no seat) gets none;
-- help desk: only Ann (service) gets tickets
SELECT kind, owner, count(*) FROM routed WHERE subject LIKE '2-%' GROUP BY 1, 2 ORDER BY 1, 2;
-- a seat taken away after the user was configured as a target: no longer routed
UPDATE hubroute.users SET seat = 'none' WHERE id = 2;
INSERT INTO hubroute.conversations (channel_id, subject)
    SELECT 2, format('2-later-%s', n) FROM generate_series(1, 3) n;
SELECT kind, owner, count(*) FROM routed WHERE subject LIKE '2-later-%' GROUP BY 1, 2 ORDER BY 1, 2;
UPDATE hubroute.users SET seat = 'sales' WHERE id = 2;
SELECT pg_temp.close_all();

------------------------------------------------------------------------------
-- 3. Help desk needs ticket_access; an inbox does not.
------------------------------------------------------------------------------
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution)
    VALUES (4, 200, 'form', 'Eve only (help desk)', 'users_and_teams', NULL),
           (5, 100, 'form', 'Eve only (inbox)', 'users_and_teams', 'least_busy');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (4, 5), (5, 5);
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (4, '3a help desk, Eve has no ticket access');
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (5, '3b inbox, ticket access not needed');
UPDATE hubroute.users SET ticket_access = true WHERE id = 5;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (4, '3c help desk, ticket access granted');
SELECT * FROM routed WHERE subject LIKE '3%' ORDER BY subject;
UPDATE hubroute.users SET ticket_access = false WHERE id = 5;
SELECT pg_temp.close_all();

------------------------------------------------------------------------------
-- 4. A workspace restricted by workspace_teams: only members (primary or
--    additional) of its teams. Targets: Ann (no member), Gus (additional
--    member), Hal (primary member).
------------------------------------------------------------------------------
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution)
    VALUES (6, 300, 'chat', 'Restricted chat', 'users_and_teams', 'least_busy');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (6, 1), (6, 7), (6, 8);
INSERT INTO hubroute.conversations (channel_id, subject)
    SELECT 6, format('4-%s', n) FROM generate_series(1, 6) n;
SELECT owner, count(*) FROM routed WHERE subject LIKE '4-%' GROUP BY 1 ORDER BY 1;
-- Ann alone in the pool: unassigned
DELETE FROM hubroute.channel_targets WHERE channel_id = 6 AND user_id IN (7, 8);
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (6, '4x Ann only, not a member');
SELECT * FROM routed WHERE subject = '4x Ann only, not a member';
SELECT pg_temp.close_all();

------------------------------------------------------------------------------
-- 5. only_available: true (default) skips unavailable users; false ignores
--    availability. Targets: Fay (not available) alone, then with Ann.
------------------------------------------------------------------------------
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution)
    VALUES (7, 100, 'whatsapp', 'Availability', 'users_and_teams', 'least_busy');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (7, 6);
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (7, '5a Fay only, not available');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (7, 1);
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (7, '5b Fay and Ann'), (7, '5c Fay and Ann');
-- the DBA's change applies to the next insert
UPDATE hubroute.channels SET only_available = false WHERE id = 7;
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (7, '5d availability ignored: Fay is least busy');
SELECT * FROM routed WHERE subject LIKE '5%' ORDER BY subject;
SELECT pg_temp.close_all();

------------------------------------------------------------------------------
-- 6. use_skills with required_skills: the user needs every required skill.
--    Ivy: Dutch + Billing; Jon: Dutch; Ann: none.
------------------------------------------------------------------------------
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution, use_skills)
    VALUES (8, 100, 'chat', 'Skills', 'users_and_teams', 'least_busy', true);
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (8, 1), (8, 9), (8, 10);
-- Dutch and Billing: only Ivy, every time
INSERT INTO hubroute.conversations (channel_id, subject, required_skills)
    SELECT 8, format('6-both-%s', n), '{1,2}' FROM generate_series(1, 3) n;
SELECT owner, count(*) FROM routed WHERE subject LIKE '6-both-%' GROUP BY 1 ORDER BY 1;
-- Dutch: Ivy or Jon, never Ann
INSERT INTO hubroute.conversations (channel_id, subject, required_skills)
    SELECT 8, format('6-dutch-%s', n), '{1}' FROM generate_series(1, 6) n;
SELECT owner, count(*) FROM routed WHERE subject LIKE '6-dutch-%' GROUP BY 1 ORDER BY 1;
SELECT pg_temp.close_all();
-- no required skills: everyone in the pool
INSERT INTO hubroute.conversations (channel_id, subject)
    SELECT 8, format('6-none-%s', n) FROM generate_series(1, 6) n;
SELECT owner, count(*) FROM routed WHERE subject LIKE '6-none-%' GROUP BY 1 ORDER BY 1;
-- a skill nobody has: unassigned
INSERT INTO hubroute.conversations (channel_id, subject, required_skills) VALUES (8, '6x legal', '{3}');
-- use_skills = false: required skills are ignored (Ann, the least busy, gets it)
UPDATE hubroute.channels SET use_skills = false WHERE id = 8;
INSERT INTO hubroute.conversations (channel_id, subject, required_skills) VALUES (8, '6y legal, skills not used', '{3}');
SELECT * FROM routed WHERE subject LIKE '6x%' OR subject LIKE '6y%' ORDER BY subject;
SELECT pg_temp.close_all();

------------------------------------------------------------------------------
-- 7. Team targets route to primary members only; additional members never.
--    Team 'Pairs': Kim primary, Lee additional.
------------------------------------------------------------------------------
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution)
    VALUES (9, 100, 'messenger', 'Team Pairs', 'users_and_teams', 'least_busy');
INSERT INTO hubroute.channel_targets (channel_id, team_id) VALUES (9, 4);
INSERT INTO hubroute.conversations (channel_id, subject)
    SELECT 9, format('7-%s', n) FROM generate_series(1, 4) n;
SELECT owner, count(*) FROM routed WHERE subject LIKE '7-%' GROUP BY 1 ORDER BY 1;
-- the same in a help desk
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to)
    VALUES (10, 200, 'email', 'Team Pairs (help desk)', 'users_and_teams');
INSERT INTO hubroute.channel_targets (channel_id, team_id) VALUES (10, 4);
INSERT INTO hubroute.tickets (channel_id, subject)
    SELECT 10, format('7-tick-%s', n) FROM generate_series(1, 3) n;
SELECT owner, count(*) FROM routed WHERE subject LIKE '7-tick-%' GROUP BY 1 ORDER BY 1;
-- a team with only an additional member (Ivy): an empty pool
INSERT INTO hubroute.channel_targets (channel_id, team_id) VALUES (1, 5);
DELETE FROM hubroute.channel_targets WHERE channel_id = 1 AND user_id IS NOT NULL;
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (1, '7x team with additional members only');
-- Lee listed as a user target is routed to (as a user, not as a team member)
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (9, 12);
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (9, '7y Lee as user target, Kim busier');
SELECT * FROM routed WHERE subject LIKE '7x%' OR subject LIKE '7y%' ORDER BY subject;
SELECT pg_temp.close_all();

------------------------------------------------------------------------------
-- 8. Nobody to route to: an empty pool, and assign_to = 'nobody'.
------------------------------------------------------------------------------
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution)
    VALUES (11, 100, 'email', 'No targets', 'users_and_teams', 'random'),
           (12, 200, 'email', 'No targets (help desk)', 'users_and_teams', 'round_robin'),
           (13, 100, 'chat', 'Nobody', 'nobody', NULL);
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (11, '8a no targets');
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (12, '8b no targets');
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (13, '8c assign_to nobody');
SELECT * FROM routed WHERE subject LIKE '8%' ORDER BY subject;
-- unassigned items stay open in the Unassigned view
SELECT u.kind, i.subject
  FROM hubroute.unassigned u
  JOIN (SELECT 'conversation' AS kind, id, subject FROM hubroute.conversations
        UNION ALL SELECT 'ticket', id, subject FROM hubroute.tickets) i ON i.kind = u.kind AND i.id = u.id
 ORDER BY 2;

------------------------------------------------------------------------------
-- Invariants over everything routed in this file.
------------------------------------------------------------------------------
-- every routed insert wrote exactly one decision, which matches the owner,
-- and set assigned_at; an unassigned decision always says why
SELECT count(*) AS items,
       bool_and(decisions = 1) AS one_decision_each,
       bool_and(i.assigned_at IS NOT NULL) AS assigned_at_set,
       bool_and(a.user_id IS NOT DISTINCT FROM i.owner_id) AS logged_owner_matches,
       bool_and(a.user_id IS NOT NULL OR a.reason IS NOT NULL) AS unassigned_have_reason
  FROM (SELECT id, owner_id, assigned_at,
               (SELECT count(*) FROM hubroute.assignments x WHERE x.conversation_id = c.id) AS decisions
          FROM hubroute.conversations c) i
  JOIN hubroute.assignments a ON a.conversation_id = i.id;
SELECT count(*) AS items,
       bool_and((SELECT count(*) FROM hubroute.assignments x WHERE x.ticket_id = t.id) = 1) AS one_decision_each,
       bool_and(t.assigned_at IS NOT NULL) AS assigned_at_set,
       bool_and(a.user_id IS NOT DISTINCT FROM t.owner_id) AS logged_owner_matches
  FROM hubroute.tickets t JOIN hubroute.assignments a ON a.ticket_id = t.id;
-- no one ineligible ever got an item: Cas (no seat), Dan (inactive), and in a
-- help desk Bob and Jon (sales) and Eve (no ticket access)
SELECT (SELECT count(*) FROM hubroute.conversations WHERE owner_id IN (3)) AS cas_conversations,
       (SELECT count(*) FROM hubroute.conversations WHERE owner_id = 4
          AND subject <> '1e Dan active again') AS dan_conversations_while_inactive,
       (SELECT count(*) FROM hubroute.tickets WHERE owner_id IN (2, 3, 10)) AS tickets_to_sales_or_no_seat,
       (SELECT count(*) FROM hubroute.tickets WHERE owner_id = 5
          AND subject <> '3c help desk, ticket access granted') AS eve_tickets_without_access;
-- the counts routing uses equal counting the tables
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

DROP VIEW routed;
DROP EXTENSION hubroute CASCADE;
