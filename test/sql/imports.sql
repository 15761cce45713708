-- imports: an INSERT that carries assigned_at was decided elsewhere (an
-- import from another system, or a restore). It is kept as it is, but
-- (issue 7 §2; the old code skipped both the check and the log):
--  * the workspace's team rules apply to its owner (23514 when refused);
--  * it is logged once, method 'import', with its owner and its assigned_at,
--    and counted; its owner's last assignment follows the log;
--  * unless the log already has rows for that item (a restore brings the
--    log back first: pg_dump's data of hubroute.assignments comes before
--    that of hubroute.tickets): then nothing is logged again.
CREATE EXTENSION hubroute;
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO hubroute.users (id, name, seat) VALUES
    (1, 'Ann', 'service'), (2, 'Bob', 'service'), (3, 'Cas', 'service');
INSERT INTO hubroute.teams (id, name) VALUES (1, 'Blue');
INSERT INTO hubroute.team_members (team_id, user_id) VALUES (1, 1), (1, 2);
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (1, 'Support', 'helpdesk'), (2, 'Blue desk', 'helpdesk');
-- Blue desk: only Ann and Bob (team Blue) may own its tickets.
INSERT INTO hubroute.workspace_teams (workspace_id, team_id) VALUES (2, 1);
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (10, 1, 'email', 'support', 'users_and_teams', 'balanced'),
    (20, 2, 'email', 'blue', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 1), (10, 2), (20, 1), (20, 2);
CREATE VIEW pg_temp.counts_match AS
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;
-- routing's last assignment of a user equals the log's.
CREATE FUNCTION pg_temp.stamp_follows_log(uid bigint) RETURNS boolean LANGUAGE sql AS $$
    SELECT (SELECT r.last_assigned_at FROM hubroute.routing_load() r WHERE r.user_id = uid)
           IS NOT DISTINCT FROM (SELECT max(a.at) FROM hubroute.assignments a WHERE a.user_id = uid)
$$;
-- The log rows of a ticket.
CREATE FUNCTION pg_temp.log_of(ticket bigint)
RETURNS TABLE (user_id bigint, method text, reason text, at timestamptz) LANGUAGE sql AS $$
    SELECT a.user_id, a.method, a.reason, a.at FROM hubroute.assignments a
     WHERE a.ticket_id = ticket ORDER BY a.id
$$;

------------------------------------------------------------------------------
-- A restore into a new database (routing has not loaded its counts yet):
-- the log rows come back first, then the ticket, with its owner and
-- assigned_at. The ticket is counted; nothing is logged again.
------------------------------------------------------------------------------
INSERT INTO hubroute.assignments (ticket_id, user_id, method, reason, at, channel_id) VALUES
    (500, NULL, 'balanced', 'none of the 2 users in the pool is available', '2024-01-01 09:00+00', 10),
    (500, 1, 'manual', NULL, '2024-01-01 10:00+00', 10);
INSERT INTO hubroute.tickets (id, channel_id, subject, owner_id, assigned_at)
    VALUES (500, 10, 'restored', 1, '2024-01-01 10:00+00');
SELECT * FROM pg_temp.log_of(500);
SELECT user_id, open_tickets, last_assigned_at FROM hubroute.routing_load() WHERE user_id = 1;
SELECT * FROM pg_temp.counts_match;

------------------------------------------------------------------------------
-- An import into the Blue desk with an owner outside team Blue: refused.
------------------------------------------------------------------------------
INSERT INTO hubroute.tickets (id, channel_id, subject, owner_id, assigned_at)
    VALUES (600, 20, 'imported for Cas', 3, '2024-02-01 09:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS outside_team_sqlstate;
SELECT count(*) = 0 AS nothing_stored FROM hubroute.tickets WHERE id = 600;

------------------------------------------------------------------------------
-- Valid imports: Bob's open ticket into the Blue desk, a closed one of
-- Cas's, and one that had no owner. Each is logged once, as an import at its
-- assigned_at; the open one is counted.
------------------------------------------------------------------------------
INSERT INTO hubroute.tickets (id, channel_id, subject, owner_id, assigned_at, status) VALUES
    (601, 20, 'imported for Bob', 2, '2024-02-01 09:00+00', 'open'),
    (602, 10, 'imported, closed, Cas', 3, '2024-02-02 09:00+00', 'closed'),
    (603, 10, 'imported, no owner', NULL, '2024-02-03 09:00+00', 'open');
SELECT t.id, l.* FROM unnest(ARRAY[601, 602, 603]) t(id), LATERAL pg_temp.log_of(t.id) l ORDER BY t.id;
SELECT bool_and(n = 1) AS logged_once,
       bool_and(a.method = 'import' AND a.user_id IS NOT DISTINCT FROM t.owner_id AND a.at = t.assigned_at)
           AS logged_as_import_with_owner
  FROM hubroute.tickets t
  JOIN hubroute.assignments a ON a.ticket_id = t.id
  JOIN (SELECT ticket_id, count(*) AS n FROM hubroute.assignments GROUP BY ticket_id) c ON c.ticket_id = t.id
 WHERE t.id IN (601, 602, 603);
SELECT user_id, open_tickets, last_assigned_at FROM hubroute.routing_load()
 WHERE user_id IN (2, 3) ORDER BY user_id;
SELECT * FROM pg_temp.counts_match;

------------------------------------------------------------------------------
-- A restore into the live database (routing has its counts loaded): Ann's
-- closed ticket 510 comes back, log first, assigned in March. Nothing is
-- logged again, and Ann's last assignment is March, as the log says (and as
-- a restart would load it).
------------------------------------------------------------------------------
INSERT INTO hubroute.assignments (ticket_id, user_id, method, reason, at, channel_id)
    VALUES (510, 1, 'manual', NULL, '2024-03-01 10:00+00', 10);
INSERT INTO hubroute.tickets (id, channel_id, subject, owner_id, assigned_at, status)
    VALUES (510, 10, 'restored live', 1, '2024-03-01 10:00+00', 'closed');
SELECT * FROM pg_temp.log_of(510);
SELECT pg_temp.stamp_follows_log(1) AS ann_stamp_follows_log;
SELECT * FROM pg_temp.counts_match;

------------------------------------------------------------------------------
-- Routing goes on from the imported state: Ann and Bob have one open ticket
-- each; Bob's last assignment (February) is older than Ann's (March).
------------------------------------------------------------------------------
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'new') RETURNING owner_id = 2 AS to_bob;
SELECT * FROM pg_temp.counts_match;

DROP VIEW pg_temp.counts_match;
DROP FUNCTION pg_temp.log_of(bigint), pg_temp.stamp_follows_log(bigint);
DROP EXTENSION hubroute CASCADE;
