-- Memory a long transaction holds (issue 8 §4): a PL/pgSQL import loop with
-- an exception block per row commits a subtransaction for every item it
-- inserts. PostgreSQL keeps state per subtransaction for a table that has
-- statement-level triggers (8 kB for each released subtransaction), which
-- the item tables once had: 20,000 such blocks held 156 MB until the
-- transaction ended. hubroute now needs no statement trigger; what is left
-- is its own record of each routed insert (for the rollback), a hundred
-- bytes or so.
BEGIN;
CREATE EXTENSION hubroute;
SELECT plan(3);

INSERT INTO hubroute.users (id, name, seat) VALUES (1, 'Ann', 'service'), (2, 'Bob', 'service');
INSERT INTO hubroute.workspaces VALUES (1, 'Help desk', 'helpdesk');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (10, 1, 'email', 'support', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 1), (10, 2);
CREATE TABLE public.mem_plain (LIKE hubroute.tickets INCLUDING ALL);

-- How much more memory the backend holds after n inserts into tbl, each in
-- its own exception block.
CREATE FUNCTION pg_temp.loop_growth(tbl text, n integer) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    before bigint;
BEGIN
    SELECT sum(total_bytes) INTO before FROM pg_backend_memory_contexts;
    FOR i IN 1..n LOOP
        BEGIN
            EXECUTE format('INSERT INTO %s (channel_id, subject) VALUES (10, %L)', tbl, 'row ' || i);
        EXCEPTION WHEN others THEN
            RAISE;
        END;
    END LOOP;
    RETURN (SELECT sum(total_bytes) FROM pg_backend_memory_contexts) - before;
END;
$$;

CREATE TEMP TABLE growth AS
SELECT pg_temp.loop_growth('public.mem_plain', 20000) AS plain,
       pg_temp.loop_growth('hubroute.tickets', 20000) AS routed;

SELECT cmp_ok((SELECT routed FROM growth), '<', 8 * 1024 * 1024::bigint,
    '20,000 exception blocks that each insert a routed ticket hold less than 8 MB (the plain table: '
    || (SELECT pg_size_pretty(plain) FROM growth) || ', hubroute: '
    || (SELECT pg_size_pretty(routed) FROM growth) || ')');
SELECT is((SELECT count(*) FROM hubroute.tickets WHERE owner_id IS NOT NULL), 20000::bigint,
    'every one of them was routed');
SELECT is_empty('SELECT * FROM hubroute.routing_load_check()', 'routing counts equal the tables');

SELECT * FROM finish();
ROLLBACK;
