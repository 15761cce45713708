-- config_changes: what a change to the routing configuration costs (issue 8
-- §5). Every backend keeps a copy of the configuration; a change to what
-- routing reads makes it build the copy again, a user's availability is
-- applied to the copy in place, and a statement that changes nothing
-- routing reads changes nothing. hubroute.routing_cache() says how often
-- this session built its copy. (The old code built it again after any
-- statement on a configuration table, even one that changed no row.)
CREATE EXTENSION hubroute;
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO hubroute.users (id, name, seat) VALUES
    (1, 'Ann', 'service'), (2, 'Bob', 'service'), (3, 'Cas', 'service');
INSERT INTO hubroute.teams (id, name) VALUES (1, 'Support');
INSERT INTO hubroute.team_members (team_id, user_id) VALUES (1, 1), (1, 2), (1, 3);
INSERT INTO hubroute.skills (id, name) VALUES (1, 'Dutch');
INSERT INTO hubroute.user_skills (user_id, skill_id) VALUES (1, 1);
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (1, 'Help desk', 'helpdesk');
-- least_busy with every ticket closed right away: each insert goes to the
-- least recently assigned eligible user, so who is skipped shows at once.
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (10, 1, 'email', 'support mail', 'users_and_teams', 'least_busy');
INSERT INTO hubroute.channel_targets (channel_id, team_id) VALUES (10, 1);

-- How many times this session built its copy since the last call.
CREATE TEMP TABLE seen_builds (n bigint);
INSERT INTO seen_builds VALUES (0);
CREATE FUNCTION pg_temp.new_builds() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    total bigint := (SELECT builds FROM hubroute.routing_cache());
    before bigint := (SELECT n FROM seen_builds);
BEGIN
    UPDATE seen_builds SET n = total;
    RETURN total - before;
END;
$$;
-- Routes n tickets into channel 10 and closes them; returns their owners.
CREATE FUNCTION pg_temp.route(n integer) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    owners text[] := '{}';
    owner bigint;
BEGIN
    FOR i IN 1 .. n LOOP
        INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'routed') RETURNING owner_id INTO owner;
        UPDATE hubroute.tickets SET status = 'closed' WHERE owner_id = owner AND status = 'open';
        owners := owners || coalesce(owner::text, 'nobody');
    END LOOP;
    RETURN array_to_string(owners, ' ');
END;
$$;

-- The first insert builds the copy.
SELECT pg_temp.route(3) AS owners, pg_temp.new_builds() AS builds;

------------------------------------------------------------------------------
-- 1. Statements that change nothing routing reads build nothing: no row
--    matched, every value set to itself, or only columns routing never
--    reads (names, e-mail addresses).
------------------------------------------------------------------------------
UPDATE hubroute.users SET seat = 'sales' WHERE false;
DELETE FROM hubroute.team_members WHERE team_id = 99;
UPDATE hubroute.channels SET distribution = distribution, assign_to = assign_to;
UPDATE hubroute.users SET available = available, seat = seat;
UPDATE hubroute.team_members SET is_primary = is_primary;
UPDATE hubroute.users SET name = 'Ann B.', email = 'ann@example.com' WHERE id = 1;
UPDATE hubroute.teams SET name = 'Support desk';
UPDATE hubroute.workspaces SET name = 'Service desk';
UPDATE hubroute.channels SET name = 'support e-mail';
SELECT pg_temp.route(3) AS owners, pg_temp.new_builds() AS builds;

------------------------------------------------------------------------------
-- 2. Availability: applied in place, at once for the transaction that
--    changes it (other sessions at its commit: isolation spec
--    availability_churn).
------------------------------------------------------------------------------
SELECT availability_changes AS changes_before FROM hubroute.routing_cache() \gset
UPDATE hubroute.users SET available = false WHERE id = 1;
SELECT pg_temp.route(3) AS owners_while_ann_away, pg_temp.new_builds() AS builds;
UPDATE hubroute.users SET available = true WHERE id = 1;
SELECT pg_temp.route(3) AS owners_with_ann_back, pg_temp.new_builds() AS builds;
SELECT availability_changes - :changes_before AS changes_applied FROM hubroute.routing_cache();

-- In a transaction: seen at once, gone with a rollback (which makes the
-- copy, which saw it, be built again).
BEGIN;
UPDATE hubroute.users SET available = false WHERE id = 2;
SELECT pg_temp.route(2) AS owners_while_bob_away, pg_temp.new_builds() AS builds;
ROLLBACK;
SELECT pg_temp.route(3) AS owners_after_rollback, pg_temp.new_builds() AS builds;

-- A savepoint rolled back takes back its own changes only.
BEGIN;
UPDATE hubroute.users SET available = false WHERE id = 3;
SAVEPOINT s;
UPDATE hubroute.users SET available = false WHERE id = 2;
SELECT pg_temp.route(2) AS owners_while_bob_and_cas_away;
ROLLBACK TO SAVEPOINT s;
SELECT pg_temp.route(2) AS owners_while_cas_away, pg_temp.new_builds() AS builds;
COMMIT;
SELECT pg_temp.route(2) AS owners_after_commit, pg_temp.new_builds() AS builds;
UPDATE hubroute.users SET available = true WHERE id = 3;

-- With session_replication_role = replica too (a bulk load): the trigger
-- fires always.
SET session_replication_role = replica;
UPDATE hubroute.users SET available = false WHERE id = 2;
RESET session_replication_role;
SELECT pg_temp.route(2) AS owners_while_bob_away, pg_temp.new_builds() AS builds;
UPDATE hubroute.users SET available = true WHERE id = 2;

------------------------------------------------------------------------------
-- 3. Anything else routing reads builds the copy again: availability
--    together with another column, a rule, a membership, a skill, a
--    TRUNCATE, a new user.
------------------------------------------------------------------------------
UPDATE hubroute.users SET available = false, ticket_access = false WHERE id = 3;
SELECT pg_temp.route(2) AS owners_without_cas, pg_temp.new_builds() AS builds;
UPDATE hubroute.users SET available = true, ticket_access = true WHERE id = 3;
SELECT pg_temp.new_builds() AS builds_before_routing;
UPDATE hubroute.channels SET only_available = false WHERE id = 10;
UPDATE hubroute.users SET available = false WHERE id = 1;
SELECT pg_temp.route(3) AS owners_ignoring_availability, pg_temp.new_builds() AS builds;
UPDATE hubroute.channels SET only_available = true WHERE id = 10;
UPDATE hubroute.users SET available = true WHERE id = 1;
UPDATE hubroute.team_members SET is_primary = false WHERE user_id = 2;
SELECT pg_temp.route(2) AS owners_without_bob, pg_temp.new_builds() AS builds;
UPDATE hubroute.team_members SET is_primary = true WHERE user_id = 2;
TRUNCATE hubroute.user_skills;
INSERT INTO hubroute.users (id, name, seat) VALUES (4, 'Dan', 'service');
INSERT INTO hubroute.team_members (team_id, user_id) VALUES (1, 4);
-- Dan, never assigned, comes first.
SELECT pg_temp.route(4) AS owners_with_dan, pg_temp.new_builds() AS builds;

-- One transaction that changes many users' availability builds the copy
-- again rather than publish them one by one (past 256).
INSERT INTO hubroute.users (id, name, seat) SELECT g, 'agent ' || g, 'service' FROM generate_series(100, 399) g;
SELECT pg_temp.route(1) AS owner, pg_temp.new_builds() AS builds;
UPDATE hubroute.users SET available = false WHERE id >= 100;
SELECT pg_temp.route(1) AS owner, pg_temp.new_builds() AS builds;
UPDATE hubroute.users SET available = false WHERE id >= 100 AND id < 200;
SELECT pg_temp.route(1) AS owner, pg_temp.new_builds() AS builds;

-- What the copy holds.
SELECT users, channels, last_build_ms >= 0 AS timed FROM hubroute.routing_cache();
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

DROP EXTENSION hubroute CASCADE;
