-- bench/setup.sql: the benchmark's help desk, the two comparison tables and
-- the hand-written router. Run once by bench/run.sh in a fresh database.
--
-- psql variables: multi (name of the multi-channel set, e.g. '10ch'),
-- channels, users (per channel), pools (sizes of the big pools, e.g.
-- '5000,20000', each a set 'pool<size>'), contacts, desk_channels and
-- desk_users (the set 'desk': many channels with small pools, for the
-- scenarios that change the configuration while inserting).
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
END;
$$;

-- The item table and decision log of a variant.
CREATE FUNCTION bench.variant_tables(variant text, OUT tickets regclass, OUT log regclass)
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE variant WHEN 'plain' THEN 'bench.plain_tickets'::regclass
                        WHEN 'hubroute' THEN 'hubroute.tickets'::regclass
                        WHEN 'handwritten' THEN 'bench.hw_tickets'::regclass END,
           CASE variant WHEN 'hubroute' THEN 'hubroute.assignments'::regclass
                        WHEN 'handwritten' THEN 'bench.hw_assignments'::regclass END
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
    IF variant = 'hubroute' THEN
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
