CREATE EXTENSION hubroute;
-- The heap of a pool's members by load (pool_index.c) that balanced and
-- least-busy decisions take the least loaded member from: built from loads
-- that differ (a backend's first decision in a pool others routed into; a
-- backend that missed more changes than the ring holds), then kept current.
-- Every decision here is checked against the pool's counts in the table.
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO hubroute.users (id, name, seat)
SELECT u, 'agent ' || u, 'service' FROM generate_series(1, 5) u
UNION ALL
SELECT u, 'other ' || u, 'service' FROM generate_series(11, 12) u;
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (200, 'Help desk', 'helpdesk');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (10, 200, 'email', 'Support', 'users_and_teams', 'balanced'),
    (11, 200, 'email', 'Manual', 'nobody', NULL),
    (20, 200, 'email', 'Other', 'users_and_teams', 'balanced'),
    (30, 200, 'email', 'Support, least busy', 'users_and_teams', 'least_busy');
INSERT INTO hubroute.channel_targets (channel_id, user_id)
SELECT 10, u FROM generate_series(1, 5) u
UNION ALL SELECT 30, u FROM generate_series(1, 5) u
UNION ALL SELECT 20, u FROM generate_series(11, 12) u;

-- Routes n tickets into channel, one statement each; fails unless each
-- went to a member with the fewest open tickets of the pool (counted in the
-- table) just before. Returns the owners in order.
CREATE FUNCTION public.route_least_loaded(channel bigint, n integer) RETURNS bigint[]
LANGUAGE plpgsql AS $$
DECLARE
    owners bigint[] := '{}';
    fewest bigint;
    owner bigint;
    owner_load bigint;
BEGIN
    FOR i IN 1 .. n LOOP
        SELECT min(coalesce(o.n, 0)) INTO fewest
          FROM hubroute.channel_targets t
          LEFT JOIN (SELECT owner_id, count(*) AS n FROM hubroute.tickets
                      WHERE status <> 'closed' GROUP BY owner_id) o ON o.owner_id = t.user_id
         WHERE t.channel_id = channel;
        INSERT INTO hubroute.tickets (channel_id, subject) VALUES (channel, 'routed')
        RETURNING owner_id INTO owner;
        SELECT count(*) - 1 INTO owner_load FROM hubroute.tickets
         WHERE owner_id = owner AND status <> 'closed';
        IF owner_load IS DISTINCT FROM fewest THEN
            RAISE EXCEPTION 'ticket % went to user % with % open tickets; the fewest was %',
                i, owner, owner_load, fewest;
        END IF;
        owners := owners || owner;
    END LOOP;
    RETURN owners;
END;
$$;

------------------------------------------------------------------------------
-- A heap built from loads that differ: 3, 2, 1, 0, 2 open tickets, given by
-- hand in another session. The first routed ticket goes to user 4, the
-- only one with none; then the pool fills up evenly.
------------------------------------------------------------------------------
INSERT INTO hubroute.tickets (channel_id, subject, owner_id)
SELECT 11, 'by hand', u FROM unnest(ARRAY[1, 1, 1, 2, 2, 3, 5, 5]) u;
\c
SELECT public.route_least_loaded(10, 7);
SELECT user_id, open_tickets FROM hubroute.user_load WHERE user_id <= 5 ORDER BY user_id;

------------------------------------------------------------------------------
-- Least busy reads the same heap of its own pool.
------------------------------------------------------------------------------
\c
UPDATE hubroute.tickets SET status = 'closed'
 WHERE id IN (SELECT id FROM hubroute.tickets WHERE owner_id IN (2, 4) ORDER BY id LIMIT 3);
SELECT public.route_least_loaded(30, 4);

------------------------------------------------------------------------------
-- A backend whose heap missed more changes than the ring holds (4096)
-- builds it again from the loads as they stand: closes make them differ,
-- then 4,100 decisions in another pool push them out of the ring.
------------------------------------------------------------------------------
UPDATE hubroute.tickets SET status = 'closed'
 WHERE id IN (SELECT id FROM hubroute.tickets WHERE owner_id IN (3, 5) AND status <> 'closed'
               ORDER BY id LIMIT 4);
SELECT user_id, open_tickets FROM hubroute.user_load WHERE user_id <= 5 ORDER BY user_id;
INSERT INTO hubroute.tickets (channel_id, subject) SELECT 20, 'elsewhere' FROM generate_series(1, 4100);
SELECT public.route_least_loaded(10, 6);
SELECT user_id, open_tickets FROM hubroute.user_load WHERE user_id <= 5 ORDER BY user_id;
SELECT * FROM hubroute.routing_load_check();

DROP FUNCTION public.route_least_loaded(bigint, integer);
DROP EXTENSION hubroute CASCADE;
