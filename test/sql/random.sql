CREATE EXTENSION hubroute;
-- SPEC §2 distribution 'random': uniformly at random among the eligible.
-- Outputs are booleans over many decisions, so the test is deterministic in
-- practice (a share below 50 of 300 for one of three users has a
-- probability far below 1e-9).
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO hubroute.users (id, name, seat, available, active) VALUES
    (1, 'Ann', 'service', true, true),
    (2, 'Bob', 'sales', true, true),
    (3, 'Cas', 'service', true, true),
    (4, 'Dan', 'service', false, true),   -- not available
    (5, 'Eve', 'service', true, false),   -- deactivated
    (6, 'Fay', 'none', true, true);       -- no seat (a primary team member)
INSERT INTO hubroute.teams (id, name) VALUES (1, 'Team');
INSERT INTO hubroute.team_members (team_id, user_id) VALUES (1, 3), (1, 6);
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (100, 'Inbox', 'inbox'), (200, 'Help desk', 'helpdesk');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (10, 100, 'email', 'Mail (default: random)', 'users_and_teams', NULL),
    (11, 100, 'chat', 'Chat', 'nobody', NULL),
    (20, 200, 'chat', 'Help chat', 'users_and_teams', 'random');
-- pool of channel 10: Ann, Bob, Dan, Eve and team 1 (Cas, Fay); eligible: Ann, Bob, Cas
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 1), (10, 2), (10, 4), (10, 5);
INSERT INTO hubroute.channel_targets (channel_id, team_id) VALUES (10, 1);
-- pool of channel 20 (a help desk: no sales seats): Ann, Cas, Dan; eligible: Ann, Cas
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (20, 1), (20, 3), (20, 4);

-- Load does not matter to random: Ann already has 100 open conversations.
INSERT INTO hubroute.conversations (channel_id, subject, owner_id)
    SELECT 11, 'manual', 1 FROM generate_series(1, 100);

-- 300 conversations, one statement; then 150 more, one statement each.
INSERT INTO hubroute.conversations (channel_id, subject)
    SELECT 10, 'random' FROM generate_series(1, 300);
DO $$
BEGIN
    FOR i IN 1..150 LOOP
        INSERT INTO hubroute.conversations (channel_id, subject) VALUES (10, 'random single');
    END LOOP;
END;
$$;

-- Only eligible users were chosen, each often enough, all logged as random.
SELECT count(*) AS conversations,
       bool_and(owner_id IN (1, 2, 3)) AS only_eligible_chosen,
       count(*) FILTER (WHERE owner_id = 1) >= 75 AS ann_at_least_75,
       count(*) FILTER (WHERE owner_id = 2) >= 75 AS bob_at_least_75,
       count(*) FILTER (WHERE owner_id = 3) >= 75 AS cas_at_least_75
  FROM hubroute.conversations WHERE subject LIKE 'random%';
SELECT subject, count(*) FILTER (WHERE owner_id = 1) >= 50 AS ann_50,
       count(*) FILTER (WHERE owner_id = 2) >= 50 AS bob_50,
       count(*) FILTER (WHERE owner_id = 3) >= 50 AS cas_50
  FROM hubroute.conversations WHERE subject = 'random' GROUP BY subject;
SELECT a.method, count(*) AS decisions,
       bool_and(a.user_id = c.owner_id) AS logged_owner_matches,
       bool_and(c.assigned_at IS NOT NULL) AS assigned_at_set
  FROM hubroute.conversations c JOIN hubroute.assignments a ON a.conversation_id = c.id
 WHERE c.subject LIKE 'random%'
 GROUP BY a.method;

-- The same in a help desk (explicit 'random'): Ann and Cas, never Dan.
INSERT INTO hubroute.tickets (channel_id, subject)
    SELECT 20, 'help' FROM generate_series(1, 300);
SELECT count(*) AS tickets,
       bool_and(owner_id IN (1, 3)) AS only_eligible_chosen,
       count(*) FILTER (WHERE owner_id = 1) >= 100 AS ann_at_least_100,
       count(*) FILTER (WHERE owner_id = 3) >= 100 AS cas_at_least_100,
       bool_and(a.method = 'random') AS all_random
  FROM hubroute.tickets t JOIN hubroute.assignments a ON a.ticket_id = t.id;

-- One eligible member: always that one.
UPDATE hubroute.users SET available = false WHERE id = 3;
INSERT INTO hubroute.tickets (channel_id, subject)
    SELECT 20, 'only Ann' FROM generate_series(1, 20);
SELECT count(*) AS tickets, bool_and(owner_id = 1) AS all_to_ann
  FROM hubroute.tickets WHERE subject = 'only Ann';

-- Nobody eligible: unassigned, with a reason.
UPDATE hubroute.users SET available = false WHERE id = 1;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (20, 'nobody available');
SELECT t.owner_id, a.method, a.user_id, a.reason
  FROM hubroute.tickets t JOIN hubroute.assignments a ON a.ticket_id = t.id
 WHERE t.subject = 'nobody available';

-- One decision per item; the counts routing uses equal counting the tables.
SELECT (SELECT count(*) FROM hubroute.tickets) + (SELECT count(*) FROM hubroute.conversations) AS items,
       (SELECT count(*) FROM hubroute.assignments) AS decisions;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

DROP EXTENSION hubroute CASCADE;
