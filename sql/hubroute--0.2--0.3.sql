-- hubroute 0.2 -> 0.3: ALTER EXTENSION hubroute UPDATE TO '0.3'.
--
-- Capacity, the waiting queue and events (SPEC §6). Everything here is also
-- in sql/hubroute.sql, the install script of 0.3; test/sql/upgrade.sql checks
-- that an updated 0.2 (and 0.1) equals a fresh 0.3.

\echo Use "ALTER EXTENSION hubroute UPDATE TO '0.3'" to load this file. \quit

ALTER TABLE hubroute.users
    ADD COLUMN ticket_capacity integer,
    ADD COLUMN conversation_capacity integer;
ALTER TABLE hubroute.channels ADD COLUMN queue boolean NOT NULL DEFAULT false;
ALTER TABLE hubroute.tickets ADD COLUMN priority smallint NOT NULL DEFAULT 0;
ALTER TABLE hubroute.conversations ADD COLUMN priority smallint NOT NULL DEFAULT 0;

-- A channel's queue in the order it is served (src/drain.c).
CREATE INDEX tickets_queue ON hubroute.tickets (channel_id, priority DESC, created_at, id)
    WHERE owner_id IS NULL AND status OPERATOR(pg_catalog.=) 'open' AND handled_by OPERATOR(pg_catalog.=) 'human';
CREATE INDEX conversations_queue ON hubroute.conversations (channel_id, priority DESC, created_at, id)
    WHERE owner_id IS NULL AND status OPERATOR(pg_catalog.=) 'open' AND handled_by OPERATOR(pg_catalog.=) 'human';

-- A capacity is NULL (no limit) or a number of open items, 0 or more.
CREATE FUNCTION hubroute.require_capacity(col text, val integer)
RETURNS void LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF val OPERATOR(pg_catalog.<) 0 THEN
        RAISE EXCEPTION 'invalid value for hubroute.users.%: %', col, val
            USING ERRCODE = 'check_violation',
                  COLUMN = col, TABLE = 'users', SCHEMA = 'hubroute',
                  DETAIL = 'A capacity is the most open items routing gives the user: 0 or more, or NULL for no limit.';
    END IF;
END;
$$;

CREATE OR REPLACE FUNCTION hubroute.users_validate() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM hubroute.require_one_of('users', 'seat', NEW.seat, ARRAY['none', 'sales', 'service']);
    PERFORM hubroute.require_capacity('ticket_capacity', NEW.ticket_capacity);
    PERFORM hubroute.require_capacity('conversation_capacity', NEW.conversation_capacity);
    RETURN NEW;
END;
$$;

-- Open, unassigned items waiting in a channel's queue (SPEC §6), in the order
-- they will be served: highest priority first, then oldest, then lowest id.
-- waiting_since and reason come from the item's last logged decision.
CREATE VIEW hubroute.queue WITH (security_invoker = true) AS
SELECT q.kind, q.id, q.channel_id, q.priority, q.created_at, q.waiting_since, q.reason
  FROM (SELECT 'ticket'::text AS kind, t.id, t.channel_id, t.priority, t.created_at,
               COALESCE(d.at, t.created_at) AS waiting_since, d.reason
          FROM hubroute.tickets t
          JOIN hubroute.channels ch ON ch.id OPERATOR(pg_catalog.=) t.channel_id AND ch.queue
          LEFT JOIN LATERAL (SELECT a.at, a.reason FROM hubroute.assignments a
                              WHERE a.ticket_id OPERATOR(pg_catalog.=) t.id
                              ORDER BY a.id DESC LIMIT 1) d ON true
         WHERE t.owner_id IS NULL AND t.status OPERATOR(pg_catalog.=) 'open'
           AND t.handled_by OPERATOR(pg_catalog.=) 'human'
        UNION ALL
        SELECT 'conversation'::text, c.id, c.channel_id, c.priority, c.created_at,
               COALESCE(d.at, c.created_at), d.reason
          FROM hubroute.conversations c
          JOIN hubroute.channels ch ON ch.id OPERATOR(pg_catalog.=) c.channel_id AND ch.queue
          LEFT JOIN LATERAL (SELECT a.at, a.reason FROM hubroute.assignments a
                              WHERE a.conversation_id OPERATOR(pg_catalog.=) c.id
                              ORDER BY a.id DESC LIMIT 1) d ON true
         WHERE c.owner_id IS NULL AND c.status OPERATOR(pg_catalog.=) 'open'
           AND c.handled_by OPERATOR(pg_catalog.=) 'human') q
 ORDER BY q.priority DESC, q.created_at, q.id;

-- Run as the caller, like route_ticket(): it locks and updates the waiting
-- items with the caller's own rights and row-level security (SPEC §6).
CREATE FUNCTION hubroute.drain(channel_id bigint) RETURNS integer
    AS 'MODULE_PATHNAME', 'hubroute_drain'
    LANGUAGE C STRICT;
COMMENT ON FUNCTION hubroute.drain(bigint) IS
    'hands the waiting items of a channel''s queue to users who can take them now; returns how many';

-- AFTER INSERT, UPDATE or DELETE FOR EACH STATEMENT on a configuration
-- table: drains the queues its changes may have made room for (SPEC §6).
CREATE FUNCTION hubroute.config_drain() RETURNS trigger
    AS 'MODULE_PATHNAME', 'hubroute_config_drain' LANGUAGE C;
REVOKE ALL ON FUNCTION hubroute.config_drain() FROM PUBLIC;
DO $$
DECLARE
    config_table text;
BEGIN
    FOREACH config_table IN ARRAY ARRAY['users', 'teams', 'team_members', 'workspaces', 'workspace_teams',
                                        'channels', 'channel_targets', 'user_skills', 'customer_agent',
                                        'handoff_targets', 'handoff_triggers', 'channel_hours'] LOOP
        EXECUTE pg_catalog.format($sql$
            CREATE TRIGGER hubroute_config_drain
                AFTER INSERT OR UPDATE OR DELETE ON hubroute.%1$I
                FOR EACH STATEMENT EXECUTE FUNCTION hubroute.config_drain();
        $sql$, config_table);
    END LOOP;
END;
$$;

REVOKE ALL ON FUNCTION hubroute.require_capacity(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hubroute.require_capacity(text, integer) TO hubroute_agent, hubroute_admin;
-- hubroute_logger: a queue drained by a change that made room (SPEC §6).
GRANT SELECT (id, channel_id, contact_id, required_skills, status, owner_id, team_id, handled_by,
              assigned_at, created_at, priority),
      UPDATE (owner_id, handled_by, assigned_at) ON hubroute.tickets TO hubroute_logger;
GRANT SELECT (priority) ON hubroute.conversations TO hubroute_logger;
GRANT INSERT (priority) ON hubroute.tickets, hubroute.conversations TO hubroute_application;
GRANT UPDATE (priority) ON hubroute.tickets, hubroute.conversations TO hubroute_agent;
GRANT SELECT ON hubroute.queue TO hubroute_agent, hubroute_admin, hubroute_reporting;
