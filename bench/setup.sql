-- bench/setup.sql: the benchmark's help desk, the two comparison tables and
-- the hand-written router. Run once by bench/run.sh in a fresh database.
--
-- psql variables: multi (name of the multi-channel set, e.g. '10ch'),
-- channels, users (per channel), pools (sizes of the big pools, e.g.
-- '5000,20000', each a set 'pool<size>'), contacts, desk_channels and
-- desk_users (the set 'desk': many channels with small pools, for the
-- scenarios that change the configuration while inserting), drain_users
-- (the pool of the set 'drain', SPEC §6).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION hubroute;
CREATE SCHEMA bench;

-------------------------------------------------------------------------------
-- Channel sets. A set is a run of consecutive channel ids; channel number k
-- of a set (k = 0, 1, ...) has its own users first_user + 1 .. first_user +
-- n_users, with first_user = (first_user of k = 0) + k * n_users, so that a
-- pgbench script can pick a channel and a user of its pool by arithmetic.
-------------------------------------------------------------------------------

CREATE TABLE bench.channels (
    channel_id   bigint PRIMARY KEY,
    set_name     text NOT NULL,
    assign_to    text NOT NULL,
    distribution text,
    first_user   bigint NOT NULL,
    n_users      integer NOT NULL,
    workspace_id bigint NOT NULL DEFAULT 1,     -- 1: the help desk, 2: the inbox
    kind         text NOT NULL DEFAULT 'email'
);

INSERT INTO bench.channels
SELECT c, :'multi', 'users_and_teams', NULL, (c - 1) * :users, :users
  FROM generate_series(1, :channels) c;
INSERT INTO bench.channels VALUES
    (900, 'hot',                'users_and_teams', NULL,          100000, :users),
    (911, 'rule-balanced',      'users_and_teams', 'balanced',    300000, :users),
    (912, 'rule-least_busy',    'users_and_teams', 'least_busy',  310000, :users),
    (913, 'rule-random',        'users_and_teams', 'random',      320000, :users),
    (914, 'rule-round_robin',   'users_and_teams', 'round_robin', 330000, :users),
    (915, 'rule-contact_owner', 'contact_owner',   NULL,          340000, :users);
-- The big pools: channels 901, 902, ..., their users one block after another.
INSERT INTO bench.channels
SELECT 900 + n, 'pool' || size, 'users_and_teams', NULL,
       200000 + coalesce(sum(size) OVER (ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0),
       size
  FROM unnest(string_to_array(:'pools', ',')::integer[]) WITH ORDINALITY p(size, n);
INSERT INTO bench.channels
SELECT 1000 + c, 'desk', 'users_and_teams', NULL, 400000 + (c - 1) * :desk_users, :desk_users
  FROM generate_series(1, :desk_channels) c;
-- Inbox channels of the same pool size: a chat channel and a calling
-- channel open around the clock by its hours (so every call reads them).
INSERT INTO bench.channels VALUES
    (921, 'chat', 'users_and_teams', 'least_busy', 350000, :users, 2, 'chat'),
    (922, 'call', 'users_and_teams', 'least_busy', 360000, :users, 2, 'calling'),
    (923, 'agent', 'customer_agent', NULL, 370000, :users, 2, 'chat');
-- SPEC §6 (capacity, the waiting queue, events): the set 'queue', one help
-- desk channel whose capacities and queue flag each scenario sets
-- (bench.queue_config), and the set 'drain', one channel of drain_users
-- agents with a queue for the drain scenario. Neither has a queue nor its
-- users a capacity but while those scenarios run (bench.reset).
INSERT INTO bench.channels VALUES
    (931, 'queue', 'users_and_teams', 'balanced', 500000, :users),
    (932, 'drain', 'users_and_teams', 'balanced', 510000, :drain_users);

-- The help desk itself, configured as a DBA would: service seats, one
-- workspace, the channels' rules and their target users.
INSERT INTO hubroute.users (id, name, seat)
SELECT c.first_user + i, 'agent ' || (c.first_user + i), 'service'
  FROM bench.channels c, generate_series(1, c.n_users) i;
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (1, 'Help desk', 'helpdesk');
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (2, 'Inbox', 'inbox');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution, timezone)
SELECT channel_id, workspace_id, kind, set_name || ' #' || channel_id, assign_to, distribution,
       CASE kind WHEN 'calling' THEN 'Europe/Amsterdam' ELSE 'UTC' END
  FROM bench.channels;
INSERT INTO hubroute.channel_hours (channel_id, weekday, opens, closes)
SELECT c.channel_id, d, '00:00', '24:00' FROM bench.channels c, generate_series(1, 7) d
 WHERE c.kind = 'calling';
-- The customer agent's channel hands conversations to its set's users.
INSERT INTO hubroute.handoff_targets (user_id)
SELECT c.first_user + i FROM bench.channels c, generate_series(1, c.n_users) i WHERE c.set_name = 'agent';
UPDATE hubroute.customer_agent SET message_available = 'A colleague takes over.';
INSERT INTO hubroute.channel_targets (channel_id, user_id)
SELECT c.channel_id, c.first_user + i
  FROM bench.channels c, generate_series(1, c.n_users) i;
-- Contacts of the contact-owner channel: tracked, owned round the pool
-- (contact k by user first_user + 1 + (k - 1) % n_users).
INSERT INTO hubroute.contacts (id, name, owner_id, tracked)
SELECT k, 'contact ' || k, c.first_user + 1 + (k - 1) % c.n_users, true
  FROM bench.channels c, generate_series(1, :contacts) k
 WHERE c.assign_to = 'contact_owner';

-------------------------------------------------------------------------------
-- plain: the same table without hubroute; the client picks the owner.
-------------------------------------------------------------------------------

CREATE TABLE bench.plain_tickets (LIKE hubroute.tickets INCLUDING ALL);

-------------------------------------------------------------------------------
-- handwritten: the balanced rule as a careful DBA would write it without
-- hubroute. Exact under concurrency: the pool's counter rows are locked in
-- user id order (no deadlock), and READ COMMITTED re-reads a row that a
-- concurrent router changed before it is locked. Only the insert path is
-- written (the benchmark neither closes nor deletes tickets).
-------------------------------------------------------------------------------

CREATE TABLE bench.hw_tickets (LIKE hubroute.tickets INCLUDING ALL);
CREATE TABLE bench.hw_assignments (LIKE hubroute.assignments INCLUDING ALL);
CREATE TABLE bench.hw_pool (
    channel_id bigint NOT NULL,
    user_id    bigint NOT NULL,
    PRIMARY KEY (channel_id, user_id)
);
CREATE TABLE bench.hw_counters (
    user_id          bigint PRIMARY KEY,
    open_tickets     integer NOT NULL DEFAULT 0,
    last_assigned_at timestamptz
);
INSERT INTO bench.hw_pool (channel_id, user_id)
SELECT channel_id, user_id FROM hubroute.channel_targets WHERE user_id IS NOT NULL;
INSERT INTO bench.hw_counters (user_id) SELECT id FROM hubroute.users;

CREATE FUNCTION bench.hw_route() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pick bigint;
BEGIN
    IF NEW.owner_id IS NOT NULL OR NEW.assigned_at IS NOT NULL THEN
        RETURN NEW;  -- a manual owner or an import: kept as it is
    END IF;
    -- Lock the eligible pool's counters (in user id order), then take the
    -- fewest open tickets; ties: least recently assigned, then lowest id.
    WITH pool AS MATERIALIZED (
        SELECT c.user_id, c.open_tickets, c.last_assigned_at
          FROM bench.hw_pool p
          JOIN hubroute.users u ON u.id = p.user_id
          JOIN bench.hw_counters c ON c.user_id = p.user_id
         WHERE p.channel_id = NEW.channel_id
           AND u.active AND u.seat = 'service' AND u.ticket_access AND u.available
         ORDER BY c.user_id
           FOR UPDATE OF c
    )
    SELECT pool.user_id INTO pick
      FROM pool
     ORDER BY pool.open_tickets, pool.last_assigned_at NULLS FIRST, pool.user_id
     LIMIT 1;

    IF pick IS NULL THEN
        INSERT INTO bench.hw_assignments (ticket_id, method, reason, at)
        VALUES (NEW.id, 'nobody', 'no eligible user in the pool', now());
        RETURN NEW;
    END IF;
    UPDATE bench.hw_counters
       SET open_tickets = open_tickets + 1, last_assigned_at = now()
     WHERE user_id = pick;
    NEW.owner_id := pick;
    NEW.assigned_at := now();
    INSERT INTO bench.hw_assignments (ticket_id, user_id, method, reason, at)
    VALUES (NEW.id, pick, 'balanced', 'fewest open tickets', now());
    RETURN NEW;
END;
$$;
CREATE TRIGGER hw_route BEFORE INSERT ON bench.hw_tickets
    FOR EACH ROW EXECUTE FUNCTION bench.hw_route();

-------------------------------------------------------------------------------
-- Helpers for bench/run.sh.
-------------------------------------------------------------------------------

-- Empties every item table and decision log (TRUNCATE on hubroute.tickets
-- recounts the extension's counters) and zeroes the hand-written counters.
CREATE PROCEDURE bench.reset() LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE hubroute.messages, hubroute.tickets, hubroute.conversations, hubroute.assignments RESTART IDENTITY;
    TRUNCATE bench.plain_tickets, bench.hw_tickets, bench.hw_assignments RESTART IDENTITY;
    UPDATE bench.hw_counters SET open_tickets = 0, last_assigned_at = NULL;
    -- churn-4c may stop while an agent is away.
    UPDATE hubroute.users SET available = true WHERE NOT available;
    -- The SPEC §6 scenarios set capacities and queues: none elsewhere.
    UPDATE hubroute.users SET ticket_capacity = NULL WHERE ticket_capacity IS NOT NULL;
    UPDATE hubroute.channels SET queue = false WHERE queue;
END;
$$;

-- The item table and decision log of a variant (every variant but plain
-- and handwritten is hubroute's: the SPEC §6 ones too).
CREATE FUNCTION bench.variant_tables(variant text, OUT tickets regclass, OUT log regclass)
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE variant WHEN 'plain' THEN 'bench.plain_tickets'::regclass
                        WHEN 'handwritten' THEN 'bench.hw_tickets'::regclass
                        ELSE 'hubroute.tickets'::regclass END,
           CASE variant WHEN 'plain' THEN NULL
                        WHEN 'handwritten' THEN 'bench.hw_assignments'::regclass
                        ELSE 'hubroute.assignments'::regclass END
$$;

-- Open tickets per user of the variant's table, every user of every
-- hubroute.users row included (0 when it owns none).
CREATE FUNCTION bench.open_per_user(variant text)
RETURNS TABLE (user_id bigint, open_tickets bigint) LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format(
        'SELECT u.id, coalesce(o.n, 0)
           FROM hubroute.users u
           LEFT JOIN (SELECT owner_id, count(*) FILTER (WHERE status = ''open'') AS n
                        FROM %s GROUP BY owner_id) o ON o.owner_id = u.id',
        (bench.variant_tables(variant)).tickets);
END;
$$;

-- The largest spread (max - min open tickets among a pool's users) over the
-- channels of a set, counted from the variant's item table.
CREATE FUNCTION bench.spread(variant text, p_set text) RETURNS bigint LANGUAGE sql AS $$
    SELECT coalesce(max(spread), 0)
      FROM (SELECT t.channel_id, max(o.open_tickets) - min(o.open_tickets) AS spread
              FROM hubroute.channel_targets t
              JOIN bench.channels c ON c.channel_id = t.channel_id
              JOIN bench.open_per_user(variant) o ON o.user_id = t.user_id
             WHERE c.set_name = p_set
             GROUP BY t.channel_id) s
$$;

-- What is wrong after a routed run, as text ('' when nothing): benchmark
-- tickets left unassigned, tickets of a contact-owner channel not given to
-- the contact's owner, decisions logged other than once per ticket, and load
-- counters that differ from counting the table (hubroute.user_load for
-- hubroute, bench.hw_counters for the hand-written router).
CREATE FUNCTION bench.check_run(variant text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    tbl regclass := (bench.variant_tables(variant)).tickets;
    log regclass := (bench.variant_tables(variant)).log;
    inserted bigint;
    unassigned bigint;
    not_contact_owner bigint;
    logged bigint;
    drift bigint;
    problems text[] := '{}';
BEGIN
    IF log IS NULL THEN
        RETURN '';
    END IF;
    EXECUTE format('SELECT count(*), count(*) FILTER (WHERE owner_id IS NULL)
                      FROM %s WHERE subject = ''bench''', tbl) INTO inserted, unassigned;
    EXECUTE format('SELECT count(*) FROM %s t
                      JOIN bench.channels ch ON ch.channel_id = t.channel_id
                      JOIN hubroute.contacts c ON c.id = t.contact_id
                     WHERE t.subject = ''bench'' AND ch.assign_to = ''contact_owner''
                       AND t.owner_id IS DISTINCT FROM c.owner_id', tbl) INTO not_contact_owner;
    EXECUTE format('SELECT count(*) FROM %s', log) INTO logged;
    IF variant <> 'handwritten' THEN
        SELECT count(*) INTO drift
          FROM hubroute.user_load l JOIN bench.open_per_user(variant) o ON o.user_id = l.user_id
         WHERE l.open_tickets <> o.open_tickets;
    ELSE
        SELECT count(*) INTO drift
          FROM bench.hw_counters c JOIN bench.open_per_user(variant) o ON o.user_id = c.user_id
         WHERE c.open_tickets <> o.open_tickets;
    END IF;
    IF unassigned > 0 THEN
        problems := problems || format('%s of %s tickets unassigned', unassigned, inserted);
    END IF;
    IF not_contact_owner > 0 THEN
        problems := problems || format('%s tickets not given to their contact''s owner', not_contact_owner);
    END IF;
    IF logged <> inserted THEN
        problems := problems || format('%s decisions logged for %s tickets', logged, inserted);
    END IF;
    IF drift > 0 THEN
        problems := problems || format('load counters of %s users differ from counting the table', drift);
    END IF;
    RETURN array_to_string(problems, '; ');
END;
$$;

-- The memory test's load: n tickets on the channels of a set, one per
-- transaction, routed by hubroute or (routed = false) into plain_tickets
-- with an owner picked round the pool.
CREATE PROCEDURE bench.memory_inserts(routed boolean, n integer, p_set text) LANGUAGE plpgsql AS $$
DECLARE
    chans bigint[];
    firsts bigint[];
    sizes integer[];
    k integer;
BEGIN
    SELECT array_agg(c.channel_id ORDER BY c.channel_id), array_agg(c.first_user ORDER BY c.channel_id),
           array_agg(c.n_users ORDER BY c.channel_id)
      INTO chans, firsts, sizes
      FROM bench.channels c WHERE c.set_name = p_set;
    FOR i IN 1 .. n LOOP
        k := 1 + i % cardinality(chans);
        IF routed THEN
            INSERT INTO hubroute.tickets (channel_id, subject) VALUES (chans[k], 'bench');
        ELSE
            INSERT INTO bench.plain_tickets (channel_id, subject, owner_id, assigned_at)
            VALUES (chans[k], 'bench', firsts[k] + 1 + (i / cardinality(chans)) % sizes[k], now());
        END IF;
        COMMIT;
    END LOOP;
END;
$$;

-------------------------------------------------------------------------------
-- SPEC §6: capacity, the waiting queue and events (bench/run.sh, scenarios
-- cap-, close-, handover- and drain; bench.reset() undoes every setting).
-------------------------------------------------------------------------------

-- The ticket capacity of every user of a set's pools (NULL: no limit) and the
-- queue flag of its channels.
CREATE PROCEDURE bench.queue_config(p_set text, p_capacity integer, p_queue boolean) LANGUAGE plpgsql AS $$
BEGIN
    UPDATE hubroute.users u SET ticket_capacity = p_capacity
      FROM bench.channels c
     WHERE c.set_name = p_set AND u.id BETWEEN c.first_user + 1 AND c.first_user + c.n_users
       AND u.ticket_capacity IS DISTINCT FROM p_capacity;
    UPDATE hubroute.channels h SET queue = p_queue
      FROM bench.channels c
     WHERE c.set_name = p_set AND h.id = c.channel_id AND h.queue <> p_queue;
END;
$$;

-- n open tickets on the (first) channel of a set, owned round its pool
-- (ticket k by user first_user + 1 + (k - 1) % n_users), ids 1 .. n after
-- bench.reset(): imported with the item triggers off, as bench/load.sql
-- does, then hubroute.rebuild_counters() recounts (CALL it outside a
-- transaction block: it commits the load first).
CREATE PROCEDURE bench.load_open_tickets(p_set text, n bigint) LANGUAGE plpgsql AS $$
DECLARE
    ch bench.channels;
BEGIN
    SELECT * INTO STRICT ch FROM bench.channels WHERE set_name = p_set ORDER BY channel_id LIMIT 1;
    PERFORM set_config('session_replication_role', 'replica', true);
    INSERT INTO hubroute.tickets (channel_id, subject, status, owner_id, assigned_at)
    SELECT ch.channel_id, 'imported', 'open', ch.first_user + 1 + (k - 1) % ch.n_users, now()
      FROM generate_series(1, n) k;
    COMMIT;
    PERFORM hubroute.rebuild_counters();
END;
$$;

-- n tickets into the (first) channel of a set, in one statement, routed: with
-- the set's users at capacity or away, they wait in the channel's queue.
CREATE PROCEDURE bench.fill_queue(p_set text, n bigint) LANGUAGE sql AS $$
    INSERT INTO hubroute.tickets (channel_id, subject)
    SELECT (SELECT min(channel_id) FROM bench.channels WHERE set_name = p_set), 'waiting'
      FROM generate_series(1, n);
$$;

-- What is wrong after a run of a SPEC §6 variant on the set 'queue' that
-- made `transactions` transactions, as text ('' when nothing). Every variant:
-- routing's counts equal the tables, no user over its capacity, every
-- routed ticket assigned. Inserts (nocap, cap, close_insert): one ticket
-- per transaction. Closes (close, close_cap, close_insert, handover): one
-- ticket closed per transaction (else the run ran out of open tickets).
-- cap, close_cap: nothing waited. handover: one waiting ticket handed over per
-- close, the queue never ran dry, every user at its capacity at the end.
CREATE FUNCTION bench.check_queue_run(variant text, transactions bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    m bigint;
    problems text[] := '{}';
BEGIN
    SELECT count(*) INTO n FROM hubroute.routing_load_check();
    IF n > 0 THEN
        problems := problems || format('routing''s counts differ from the tables (%s rows of routing_load_check())', n);
    END IF;
    SELECT count(*) INTO n
      FROM hubroute.users u JOIN bench.open_per_user('hubroute') o ON o.user_id = u.id
     WHERE o.open_tickets > u.ticket_capacity;
    IF n > 0 THEN
        problems := problems || format('%s users over their capacity', n);
    END IF;
    SELECT count(*), count(*) FILTER (WHERE owner_id IS NULL) INTO n, m
      FROM hubroute.tickets WHERE subject = 'bench';
    IF m > 0 THEN
        problems := problems || format('%s of %s routed tickets unassigned', m, n);
    END IF;
    IF variant IN ('nocap', 'cap', 'close_insert') AND n <> transactions THEN
        problems := problems || format('%s transactions inserted %s tickets', transactions, n);
    END IF;
    IF variant IN ('close', 'close_cap', 'close_insert', 'handover') THEN
        SELECT count(*) INTO n FROM hubroute.tickets WHERE status = 'closed';
        IF n <> transactions THEN
            problems := problems || format('%s transactions closed %s tickets (ran out of open tickets?)', transactions, n);
        END IF;
    END IF;
    IF variant IN ('cap', 'close_cap') AND EXISTS (SELECT FROM hubroute.queue) THEN
        problems := problems || 'tickets waited in the queue';
    END IF;
    IF variant = 'handover' THEN
        SELECT count(*) INTO n FROM hubroute.tickets WHERE subject = 'waiting' AND owner_id IS NOT NULL;
        IF n <> transactions THEN
            problems := problems || format('%s closes handed over %s waiting tickets', transactions, n);
        END IF;
        IF NOT EXISTS (SELECT FROM hubroute.queue) THEN
            problems := problems || 'the queue ran dry';
        END IF;
        SELECT count(*) INTO n
          FROM bench.channels c
          JOIN hubroute.users u ON u.id BETWEEN c.first_user + 1 AND c.first_user + c.n_users
          JOIN bench.open_per_user('hubroute') o ON o.user_id = u.id
         WHERE c.set_name = 'queue' AND o.open_tickets <> u.ticket_capacity;
        IF n > 0 THEN
            problems := problems || format('%s users not at their capacity at the end', n);
        END IF;
    END IF;
    RETURN array_to_string(problems, '; ');
END;
$$;

-- The drain scenario: its clock (one row), the time each agent's return
-- took, and the inserts timed beside it.
CREATE TABLE bench.drain_run (
    started_at timestamptz,
    ended_at   timestamptz,
    done       boolean NOT NULL DEFAULT false
);
CREATE TABLE bench.drain_steps (user_id bigint, ms double precision);
CREATE TABLE bench.drain_inserts (at timestamptz, ms double precision);

-- The drain scenario's start: every agent of the set away with ticket
-- capacity p_capacity, its channel's queue on, and n routed tickets waiting.
CREATE PROCEDURE bench.drain_setup(p_set text, p_capacity integer, n bigint) LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE bench.drain_run, bench.drain_steps, bench.drain_inserts;
    INSERT INTO bench.drain_run DEFAULT VALUES;
    UPDATE hubroute.users u SET available = false
      FROM bench.channels c
     WHERE c.set_name = p_set AND u.id BETWEEN c.first_user + 1 AND c.first_user + c.n_users;
    CALL bench.queue_config(p_set, p_capacity, true);
    COMMIT;
    CALL bench.fill_queue(p_set, n);
END;
$$;

-- The agents of a set come back one at a time, each
-- `UPDATE hubroute.users SET available = true WHERE id = ...` its own
-- transaction (which drains the queue for it); records the clock and each
-- agent's time, then tells bench.insert_beside() to stop.
CREATE PROCEDURE bench.drain_bring_back(p_set text) LANGUAGE plpgsql AS $$
DECLARE
    agent bigint;
    t0 timestamptz;
BEGIN
    UPDATE bench.drain_run SET started_at = clock_timestamp();
    COMMIT;
    FOR agent IN SELECT u.id FROM bench.channels c
                   JOIN hubroute.users u ON u.id BETWEEN c.first_user + 1 AND c.first_user + c.n_users
                  WHERE c.set_name = p_set ORDER BY u.id LOOP
        t0 := clock_timestamp();
        UPDATE hubroute.users SET available = true WHERE id = agent;
        COMMIT;
        INSERT INTO bench.drain_steps VALUES (agent, 1000 * extract(epoch FROM clock_timestamp() - t0));
    END LOOP;
    UPDATE bench.drain_run SET ended_at = clock_timestamp(), done = true;
    COMMIT;
END;
$$;

-- Beside the drain: one routed ticket on channel p_channel per transaction,
-- a pause of p_pause_ms between them, each insert-and-commit timed, until
-- bench.drain_bring_back() is done; the times go to bench.drain_inserts.
CREATE PROCEDURE bench.insert_beside(p_channel bigint, p_pause_ms double precision) LANGUAGE plpgsql AS $$
DECLARE
    ats timestamptz[] := '{}';
    mss double precision[] := '{}';
    t0 timestamptz;
BEGIN
    WHILE NOT (SELECT done FROM bench.drain_run) LOOP
        t0 := clock_timestamp();
        INSERT INTO hubroute.tickets (channel_id, subject) VALUES (p_channel, 'bench');
        COMMIT;
        ats := ats || t0;
        mss := mss || 1000 * extract(epoch FROM clock_timestamp() - t0)::double precision;
        PERFORM pg_sleep(p_pause_ms / 1000);
    END LOOP;
    INSERT INTO bench.drain_inserts SELECT * FROM unnest(ats, mss);
END;
$$;

-- The drain scenario's figures, one (name, value) a row: the whole drain in
-- seconds and per item in ms, the slowest and the median agent's return in
-- ms, and the inserts beside it: how many, how many ran while the drain ran,
-- their median, their longest while it ran, their longest of all (ms).
CREATE FUNCTION bench.drain_figures(n_items bigint) RETURNS TABLE (name text, value numeric)
LANGUAGE sql AS $$
    WITH r AS (SELECT * FROM bench.drain_run),
    s AS (SELECT max(ms) AS slowest, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS median
            FROM bench.drain_steps),
    i AS (SELECT count(*) AS n,
                 count(*) FILTER (WHERE d.at < r.ended_at AND d.at + d.ms * interval '1 ms' > r.started_at) AS during,
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY d.ms) AS median,
                 max(d.ms) FILTER (WHERE d.at < r.ended_at AND d.at + d.ms * interval '1 ms' > r.started_at) AS max_during,
                 max(d.ms) AS max_all
            FROM bench.drain_inserts d, r)
    SELECT x.name, trim_scale(round(x.value::numeric, 3))
      FROM r, s, i, LATERAL (VALUES
          ('seconds', extract(epoch FROM r.ended_at - r.started_at)),
          ('item_ms', 1000 * extract(epoch FROM r.ended_at - r.started_at) / n_items),
          ('slowest_agent_ms', s.slowest::numeric),
          ('median_agent_ms', s.median::numeric),
          ('inserts', i.n::numeric),
          ('inserts_during', i.during::numeric),
          ('insert_median_ms', i.median::numeric),
          ('insert_max_during_ms', i.max_during::numeric),
          ('insert_max_ms', i.max_all::numeric)) x(name, value)
     WHERE x.value IS NOT NULL
$$;

-- What is wrong after the drain scenario, as text ('' when nothing): tickets
-- left in the queue, agents of the set not holding exactly p_capacity open
-- tickets, agents whose return was not timed, routing's counts not those of
-- the tables, inserts beside the drain left unassigned.
CREATE FUNCTION bench.check_drain(p_set text, p_capacity integer) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    problems text[] := '{}';
BEGIN
    SELECT count(*) INTO n FROM hubroute.queue;
    IF n > 0 THEN
        problems := problems || format('%s tickets still waiting in the queue', n);
    END IF;
    SELECT count(*) INTO n
      FROM bench.channels c
      JOIN hubroute.users u ON u.id BETWEEN c.first_user + 1 AND c.first_user + c.n_users
      JOIN bench.open_per_user('hubroute') o ON o.user_id = u.id
     WHERE c.set_name = p_set AND o.open_tickets <> p_capacity;
    IF n > 0 THEN
        problems := problems || format('%s agents do not hold %s open tickets', n, p_capacity);
    END IF;
    SELECT (SELECT n_users FROM bench.channels WHERE set_name = p_set) - count(*) INTO n FROM bench.drain_steps;
    IF n <> 0 THEN
        problems := problems || format('%s agents'' returns not timed', n);
    END IF;
    SELECT count(*) INTO n FROM hubroute.routing_load_check();
    IF n > 0 THEN
        problems := problems || format('routing''s counts differ from the tables (%s rows of routing_load_check())', n);
    END IF;
    SELECT count(*) INTO n FROM hubroute.tickets WHERE subject = 'bench' AND owner_id IS NULL;
    IF n > 0 THEN
        problems := problems || format('%s inserts beside the drain unassigned', n);
    END IF;
    RETURN array_to_string(problems, '; ');
END;
$$;
