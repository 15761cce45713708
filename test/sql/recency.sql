-- recency: ties in balanced and least_busy go to the least recently assigned
-- user (SPEC §2), and "assigned" means the last logged assignment of an
-- owner, whatever kind: routed, manual (also of a closed item, or at insert),
-- reply. Issue 7 §3: the old code logged a manual assignment of a closed item
-- (user_load.last_assigned_at showed it) but did not count it as an
-- assignment in memory until a restart reloaded the log, so the next
-- tie-break depended on whether the server had restarted.
-- routing_load_check() compares routing_load().last_assigned_at with
-- max(assignments.at); a reload of the counts (rebuild_counters(), as a
-- restart would) must change nothing.
CREATE EXTENSION hubroute;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Three pools of two users, all with no open tickets and never assigned:
-- without recency, a tie goes to the lower id (Ann, Cas, Eve).
INSERT INTO hubroute.users (id, name, seat) VALUES
    (1, 'Ann', 'service'), (2, 'Bob', 'service'), (3, 'Cas', 'service'),
    (4, 'Dan', 'service'), (5, 'Eve', 'service'), (6, 'Fay', 'service');
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (1, 'Support', 'helpdesk');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (1, 1, 'email', 'manual', 'nobody', NULL),
    (10, 1, 'email', 'Ann Bob', 'users_and_teams', 'balanced'),
    (20, 1, 'email', 'Cas Dan', 'users_and_teams', 'least_busy'),
    (30, 1, 'email', 'Eve Fay', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES
    (10, 1), (10, 2), (20, 3), (20, 4), (30, 5), (30, 6);
CREATE VIEW pg_temp.counts_match AS
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;
-- routing's last assignment of a user equals the log's.
CREATE FUNCTION pg_temp.stamp_follows_log(uid bigint) RETURNS boolean LANGUAGE sql AS $$
    SELECT (SELECT r.last_assigned_at FROM hubroute.routing_load() r WHERE r.user_id = uid)
           IS NOT DISTINCT FROM (SELECT max(a.at) FROM hubroute.assignments a WHERE a.user_id = uid)
$$;

------------------------------------------------------------------------------
-- A closed ticket assigned to Ann by hand: Ann has 0 open tickets, like
-- Bob, but was assigned one just now: the next ticket goes to Bob.
------------------------------------------------------------------------------
INSERT INTO hubroute.tickets (channel_id, subject, status) VALUES (1, 'closed, unassigned', 'closed');
UPDATE hubroute.tickets SET owner_id = 1 WHERE subject = 'closed, unassigned';
SELECT user_id, method FROM hubroute.assignments a JOIN hubroute.tickets t ON t.id = a.ticket_id
 WHERE t.subject = 'closed, unassigned' ORDER BY a.id;
SELECT pg_temp.stamp_follows_log(1) AS ann_stamp_follows_log;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'after Ann''s manual assignment')
    RETURNING owner_id = 2 AS to_bob;
SELECT * FROM pg_temp.counts_match;

------------------------------------------------------------------------------
-- A closed ticket inserted with Cas as owner (a manual assignment at
-- insert): least_busy gives the next one to Dan.
------------------------------------------------------------------------------
INSERT INTO hubroute.tickets (channel_id, subject, status, owner_id) VALUES (1, 'closed for Cas', 'closed', 3);
SELECT pg_temp.stamp_follows_log(3) AS cas_stamp_follows_log;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (20, 'after Cas''s closed ticket')
    RETURNING owner_id = 4 AS to_dan;
SELECT * FROM pg_temp.counts_match;

------------------------------------------------------------------------------
-- Eve replies to an unassigned ticket (she becomes its owner, method reply),
-- which is then closed: the next ticket goes to Fay.
------------------------------------------------------------------------------
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (1, 'Eve answers');
INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body)
SELECT id, 'outgoing', 5, 'hello' FROM hubroute.tickets WHERE subject = 'Eve answers';
UPDATE hubroute.tickets SET status = 'closed' WHERE subject = 'Eve answers';
SELECT pg_temp.stamp_follows_log(5) AS eve_stamp_follows_log;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (30, 'after Eve''s reply')
    RETURNING owner_id = 6 AS to_fay;
SELECT * FROM pg_temp.counts_match;

------------------------------------------------------------------------------
-- The same in one transaction: Bob was assigned last (routed); Ann is
-- given a closed ticket by hand, and the ticket routed right after goes to
-- Bob.
------------------------------------------------------------------------------
UPDATE hubroute.tickets SET status = 'closed';
BEGIN;
UPDATE hubroute.tickets SET owner_id = 1 WHERE subject = 'Eve answers';
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'after Ann''s second manual assignment')
    RETURNING owner_id = 2 AS to_bob;
COMMIT;
SELECT * FROM pg_temp.counts_match;

------------------------------------------------------------------------------
-- Reloading the counts from the tables (as after a restart) changes nothing.
------------------------------------------------------------------------------
CREATE TEMP TABLE before_reload AS SELECT * FROM hubroute.routing_load();
SELECT hubroute.rebuild_counters();
SELECT NOT EXISTS (SELECT * FROM before_reload EXCEPT SELECT * FROM hubroute.routing_load())
   AND NOT EXISTS (SELECT * FROM hubroute.routing_load() EXCEPT SELECT * FROM before_reload)
       AS same_after_reload;

DROP TABLE before_reload;
DROP VIEW pg_temp.counts_match;
DROP FUNCTION pg_temp.stamp_follows_log(bigint);
DROP EXTENSION hubroute CASCADE;
