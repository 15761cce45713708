CREATE EXTENSION hubroute;
-- SPEC §2 distribution 'round_robin': per channel, each pool member gets one
-- before anyone gets a second (a rotation); members joining or leaving do
-- not reset it. Load plays no part.
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO hubroute.users (id, name, seat) VALUES
    (1, 'Abe', 'service'), (2, 'Ann', 'service'), (4, 'Bob', 'service'),
    (6, 'Cas', 'sales'), (8, 'Dan', 'service');
INSERT INTO hubroute.teams (id, name) VALUES (1, 'Team');
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (100, 'Inbox', 'inbox'), (200, 'Help desk', 'helpdesk');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (10, 100, 'chat', 'Chat A', 'users_and_teams', 'round_robin'),
    (11, 100, 'email', 'Mail B', 'users_and_teams', 'round_robin'),
    (12, 100, 'chat', 'Manual', 'nobody', NULL),
    (20, 200, 'email', 'Help desk', 'users_and_teams', 'round_robin');
-- channel 10: Ann, Bob, Cas; channel 11: the same three through a team
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 2), (10, 4), (10, 6);
INSERT INTO hubroute.team_members (team_id, user_id) VALUES (1, 2), (1, 4), (1, 6);
INSERT INTO hubroute.channel_targets (channel_id, team_id) VALUES (11, 1);

-- The owners of a channel's items, in insert order (a rotation step each).
CREATE FUNCTION pg_temp.owners(channel bigint, prefix text) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(COALESCE(u.name, '-'), ' ' ORDER BY i.id)
      FROM (SELECT id, owner_id, channel_id, subject FROM hubroute.conversations
            UNION ALL SELECT id, owner_id, channel_id, subject FROM hubroute.tickets) i
      LEFT JOIN hubroute.users u ON u.id = i.owner_id
     WHERE i.channel_id = channel AND i.subject LIKE prefix || '%'
$$;
CREATE FUNCTION pg_temp.conversations(channel bigint, label text, n int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..n LOOP
        INSERT INTO hubroute.conversations (channel_id, subject) VALUES (channel, label);
    END LOOP;
END;
$$;

------------------------------------------------------------------------------
-- A full rotation, one insert at a time: each gets one before anyone a second.
------------------------------------------------------------------------------
SELECT pg_temp.conversations(10, 'r1', 7);
SELECT pg_temp.owners(10, 'r1') AS channel_a;

------------------------------------------------------------------------------
-- Rotation is per channel: channel B starts its own rotation, and channel A
-- carries on where it was (after Ann).
------------------------------------------------------------------------------
SELECT pg_temp.conversations(11, 'r2', 2);
SELECT pg_temp.conversations(10, 'r2', 1);
SELECT pg_temp.owners(11, 'r2') AS channel_b, pg_temp.owners(10, 'r2') AS channel_a_next;

------------------------------------------------------------------------------
-- Load plays no part: Ann now has 30 more open conversations and still gets
-- her turn.
------------------------------------------------------------------------------
INSERT INTO hubroute.conversations (channel_id, subject, owner_id) SELECT 12, 'manual', 2 FROM generate_series(1, 30);
SELECT pg_temp.conversations(10, 'r3', 3);
SELECT pg_temp.owners(10, 'r3') AS channel_a;

------------------------------------------------------------------------------
-- Members joining: the rotation is not reset. Last served on A: Bob.
-- Dan (id 8) and Abe (id 1) join; each gets one before anyone a second.
------------------------------------------------------------------------------
SELECT pg_temp.owners(10, 'r') AS channel_a_so_far;
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 8), (10, 1);
SELECT pg_temp.conversations(10, 'r4', 5);
SELECT pg_temp.owners(10, 'r4') AS channel_a_after_join;

------------------------------------------------------------------------------
-- Members leaving: not reset either. Last served: Bob; Cas, next in line,
-- leaves the pool: Dan is next.
------------------------------------------------------------------------------
DELETE FROM hubroute.channel_targets WHERE channel_id = 10 AND user_id = 6;
SELECT pg_temp.conversations(10, 'r5', 2);
SELECT pg_temp.owners(10, 'r5') AS after_cas_left;
-- the last served (Abe) leaves: the one after him (Ann) is next
DELETE FROM hubroute.channel_targets WHERE channel_id = 10 AND user_id = 1;
SELECT pg_temp.conversations(10, 'r6', 4);
SELECT pg_temp.owners(10, 'r6') AS after_abe_left;

------------------------------------------------------------------------------
-- An ineligible member is skipped without resetting the rotation. Last
-- served: Ann; she becomes unavailable for three items, then is back.
------------------------------------------------------------------------------
UPDATE hubroute.users SET available = false WHERE id = 2;
SELECT pg_temp.conversations(10, 'r7', 3);
UPDATE hubroute.users SET available = true WHERE id = 2;
SELECT pg_temp.conversations(10, 'r8', 3);
SELECT pg_temp.owners(10, 'r7') AS ann_unavailable, pg_temp.owners(10, 'r8') AS ann_back;

------------------------------------------------------------------------------
-- A multi-row INSERT rotates row by row (channel B last served Bob).
------------------------------------------------------------------------------
INSERT INTO hubroute.conversations (channel_id, subject) SELECT 11, 'm' FROM generate_series(1, 6);
SELECT pg_temp.owners(11, 'm') AS channel_b_one_statement;

------------------------------------------------------------------------------
-- Help desk tickets rotate the same way (Cas, a sales seat, cannot be a
-- help-desk target; Abe, Ann, Bob, Dan).
------------------------------------------------------------------------------
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (20, 1), (20, 2), (20, 4), (20, 8);
INSERT INTO hubroute.tickets (channel_id, subject) SELECT 20, 't' FROM generate_series(1, 6);
SELECT pg_temp.owners(20, 't') AS help_desk;

------------------------------------------------------------------------------
-- An empty pool leaves the item unassigned, and the rotation resumes where
-- it was (last served: Ann).
------------------------------------------------------------------------------
DELETE FROM hubroute.channel_targets WHERE channel_id = 20;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (20, 'e1');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (20, 1), (20, 2), (20, 4), (20, 8);
INSERT INTO hubroute.tickets (channel_id, subject) SELECT 20, 'e2' FROM generate_series(1, 2);
SELECT pg_temp.owners(20, 'e') AS help_desk_empty_then_back;
SELECT a.method, a.user_id, a.reason
  FROM hubroute.tickets t JOIN hubroute.assignments a ON a.ticket_id = t.id WHERE t.subject = 'e1';

------------------------------------------------------------------------------
-- Invariants: every routed item has one round_robin decision matching its
-- owner; the counts routing uses equal counting the tables.
------------------------------------------------------------------------------
SELECT a.method, count(*) AS decisions, bool_and(a.user_id IS NOT DISTINCT FROM i.owner_id) AS logged_owner_matches,
       bool_and(i.assigned_at IS NOT NULL) AS assigned_at_set
  FROM (SELECT id, owner_id, assigned_at, 'c' AS k FROM hubroute.conversations
        UNION ALL SELECT id, owner_id, assigned_at, 't' FROM hubroute.tickets) i
  JOIN hubroute.assignments a ON CASE i.k WHEN 'c' THEN a.conversation_id ELSE a.ticket_id END = i.id
 GROUP BY a.method ORDER BY a.method;
SELECT (SELECT count(*) FROM hubroute.tickets) + (SELECT count(*) FROM hubroute.conversations) AS items,
       (SELECT count(*) FROM hubroute.assignments) AS decisions;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

DROP EXTENSION hubroute CASCADE;
