-- hubroute: routing of help-desk tickets and inbox conversations on insert.
--
-- The install script of the current version (the Makefile copies it to
-- sql/hubroute--<default_version>.sql). A change here also goes into the
-- update script from the previous version, sql/hubroute--<prev>--<this>.sql;
-- test/sql/upgrade.sql checks that both give the same extension.
--
-- Every object is schema-qualified and every operator is written as
-- OPERATOR(pg_catalog.x), so nothing here depends on the search_path of the
-- session that runs CREATE EXTENSION.

\echo Use "CREATE EXTENSION hubroute" to load this file. \quit

-- Created here, not by the control file, so that CREATE EXTENSION fails when
-- a schema of that name already exists (it could hold planted objects).
CREATE SCHEMA hubroute;

-------------------------------------------------------------------------------
-- Roles. Roles belong to the cluster, not the database: they are created
-- when missing and shared by every database with hubroute; DROP EXTENSION
-- leaves them. None of them may be a superuser.
--   hubroute_internal     hubroute's own reads run as this role, and
--   hubroute_logger       its own log, outbox and message inserts as this one (see
--                         src/internal_sql.c): no login, no members, no
--                         memberships, only the rights granted at the end
--                         of this script.
--   hubroute_application  an application that inserts items and messages.
--   hubroute_agent        an agent UI that reads, replies, closes and reassigns.
--   hubroute_admin        a DBA who edits routing rules and people.
--   hubroute_reporting    an analyst: reads everything, writes nothing.
-- A DBA applies the model in one step: GRANT hubroute_agent TO alice;
-------------------------------------------------------------------------------

DO $$
DECLARE
    role_name text;
    internal boolean;
    existing record;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['hubroute_internal', 'hubroute_logger', 'hubroute_application',
                                     'hubroute_agent', 'hubroute_admin', 'hubroute_reporting'] LOOP
        internal := role_name OPERATOR(pg_catalog.=) ANY (ARRAY['hubroute_internal', 'hubroute_logger']);
        SELECT r.rolsuper, r.rolcanlogin, r.rolcreaterole, r.rolcreatedb, r.rolreplication,
               EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m
                        WHERE m.roleid OPERATOR(pg_catalog.=) r.oid
                           OR m.member OPERATOR(pg_catalog.=) r.oid) AS has_memberships
          INTO existing
          FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) role_name;
        IF NOT FOUND THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', role_name);
        ELSIF existing.rolsuper
              OR (internal AND (existing.rolcanlogin OR existing.rolcreaterole OR existing.rolcreatedb
                                OR existing.rolreplication OR existing.has_memberships)) THEN
            RAISE EXCEPTION 'role % exists and cannot be used by hubroute', role_name
                USING ERRCODE = 'invalid_role_specification',
                      DETAIL = CASE WHEN existing.rolsuper THEN 'It is a superuser.'
                                    ELSE 'hubroute runs its own SQL as this role; it must have no login,'
                                         ' no members, no memberships and no attributes.' END,
                      HINT = 'Drop or rename that role first.';
        END IF;
    END LOOP;
    -- hubroute's reads must see every row, whatever row security a DBA adds.
    ALTER ROLE hubroute_internal BYPASSRLS;
END;
$$;

-------------------------------------------------------------------------------
-- Validation helpers: every configuration error names the column and either
-- the allowed values or the reason.
-------------------------------------------------------------------------------

CREATE FUNCTION hubroute.require_one_of(tbl text, col text, val text, allowed text[])
RETURNS void LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF val IS NOT NULL AND NOT (val OPERATOR(pg_catalog.=) ANY (allowed)) THEN
        RAISE EXCEPTION 'invalid value for hubroute.%.%: "%"', tbl, col, val
            USING ERRCODE = 'check_violation',
                  COLUMN = col, TABLE = tbl, SCHEMA = 'hubroute',
                  DETAIL = format('Allowed values are: %s.', array_to_string(allowed, ', '));
    END IF;
END;
$$;

-- The seats a workspace kind needs: inbox routing takes sales or service
-- seats, help-desk routing only service seats.
CREATE FUNCTION hubroute.seats_for(workspace_kind text)
RETURNS text[] LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE workspace_kind WHEN 'inbox' THEN ARRAY['sales', 'service']
                               ELSE ARRAY['service'] END
$$;

-- A workspace kind in a sentence, with its article: "an inbox", "a help-desk".
CREATE FUNCTION hubroute.workspace_noun(workspace_kind text)
RETURNS text LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE workspace_kind WHEN 'inbox' THEN 'an inbox' ELSE 'a help-desk' END
$$;

-- Refuses a routing user (target or fallback) without the seat the
-- workspace needs.
CREATE FUNCTION hubroute.require_seat(tbl text, col text, user_id bigint, workspace_id bigint)
RETURNS void LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ws_kind text;
    user_seat text;
BEGIN
    SELECT w.kind INTO ws_kind FROM hubroute.workspaces w WHERE w.id OPERATOR(pg_catalog.=) workspace_id;
    SELECT u.seat INTO user_seat FROM hubroute.users u WHERE u.id OPERATOR(pg_catalog.=) user_id;
    IF user_seat IS NULL OR ws_kind IS NULL THEN
        RETURN;  -- the foreign keys report a missing user or workspace
    END IF;
    IF NOT (user_seat OPERATOR(pg_catalog.=) ANY (hubroute.seats_for(ws_kind))) THEN
        RAISE EXCEPTION 'user % cannot be used in hubroute.%.%: it has seat "%"', user_id, tbl, col, user_seat
            USING ERRCODE = 'check_violation',
                  COLUMN = col, TABLE = tbl, SCHEMA = 'hubroute',
                  DETAIL = format('Routing in %s workspace needs a seat of: %s.',
                                  hubroute.workspace_noun(ws_kind), array_to_string(hubroute.seats_for(ws_kind), ', ')),
                  HINT = 'Give the user a seat first, e.g. UPDATE hubroute.users SET seat = ''service''.';
    END IF;
END;
$$;

-------------------------------------------------------------------------------
-- People
-------------------------------------------------------------------------------

CREATE TABLE hubroute.users (
    id            bigint PRIMARY KEY,
    name          text NOT NULL,
    email         text,
    seat          text NOT NULL DEFAULT 'none',
    available     boolean NOT NULL DEFAULT true,
    active        boolean NOT NULL DEFAULT true,
    ticket_access boolean NOT NULL DEFAULT true,
    -- the most open tickets / conversations routing gives the user; NULL: no limit (SPEC §6)
    ticket_capacity       integer,
    conversation_capacity integer
);

CREATE TABLE hubroute.teams (
    id   bigint PRIMARY KEY,
    name text NOT NULL UNIQUE
);

CREATE TABLE hubroute.team_members (
    team_id    bigint NOT NULL REFERENCES hubroute.teams ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES hubroute.users ON DELETE CASCADE,
    is_primary boolean NOT NULL DEFAULT true,
    PRIMARY KEY (team_id, user_id)
);
-- A user has at most one primary team; the trigger below gives the message,
-- this index holds the rule against concurrent inserts.
CREATE UNIQUE INDEX team_members_one_primary ON hubroute.team_members (user_id) WHERE is_primary;

-------------------------------------------------------------------------------
-- Workspaces and channels
-------------------------------------------------------------------------------

CREATE TABLE hubroute.workspaces (
    id   bigint PRIMARY KEY,
    name text NOT NULL,
    kind text NOT NULL
);

CREATE TABLE hubroute.workspace_teams (
    workspace_id bigint NOT NULL REFERENCES hubroute.workspaces ON DELETE CASCADE,
    team_id      bigint NOT NULL REFERENCES hubroute.teams ON DELETE CASCADE,
    PRIMARY KEY (workspace_id, team_id)
);
CREATE INDEX workspace_teams_team ON hubroute.workspace_teams (team_id);

CREATE TABLE hubroute.channels (
    id               bigint PRIMARY KEY,
    workspace_id     bigint NOT NULL REFERENCES hubroute.workspaces,
    kind             text NOT NULL,
    name             text NOT NULL,
    assign_to        text NOT NULL DEFAULT 'nobody',
    distribution     text,
    only_available   boolean NOT NULL DEFAULT true,
    fallback_user_id bigint REFERENCES hubroute.users,
    use_skills       boolean NOT NULL DEFAULT false,
    timezone         text NOT NULL DEFAULT 'UTC',
    voicemail_message   text,   -- posted on a call nobody takes during hours
    after_hours_message text,   -- posted on a call nobody takes after hours
    -- an item the rule cannot place waits here until someone can take it (SPEC §6)
    queue            boolean NOT NULL DEFAULT false
);

CREATE TABLE hubroute.channel_targets (
    id         bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    channel_id bigint NOT NULL REFERENCES hubroute.channels ON DELETE CASCADE,
    user_id    bigint REFERENCES hubroute.users ON DELETE CASCADE,
    team_id    bigint REFERENCES hubroute.teams ON DELETE CASCADE,
    UNIQUE (channel_id, user_id),
    UNIQUE (channel_id, team_id)
);

-------------------------------------------------------------------------------
-- Contacts and skills
-------------------------------------------------------------------------------

CREATE TABLE hubroute.contacts (
    id       bigint PRIMARY KEY,
    name     text,
    email    text,
    owner_id bigint REFERENCES hubroute.users ON DELETE SET NULL,
    tracked  boolean NOT NULL DEFAULT false
);

CREATE TABLE hubroute.skills (
    id   bigint PRIMARY KEY,
    name text NOT NULL UNIQUE,
    kind text NOT NULL DEFAULT 'category'
);

CREATE TABLE hubroute.user_skills (
    user_id  bigint NOT NULL REFERENCES hubroute.users ON DELETE CASCADE,
    skill_id bigint NOT NULL REFERENCES hubroute.skills ON DELETE CASCADE,
    PRIMARY KEY (user_id, skill_id)
);

-------------------------------------------------------------------------------
-- Work items
--
-- Tickets and conversations have no foreign keys: a key to the channel would
-- make every insert lock the channel's row, and under concurrent inserts into
-- one channel those locks pile up as multixacts. The routing trigger checks
-- channel, owner, team and contact instead, with the same SQLSTATE (23503),
-- and hubroute.item_reference_guard() keeps rows that items refer to from
-- being deleted (see src/integrity.c).
-------------------------------------------------------------------------------

CREATE TABLE hubroute.tickets (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    channel_id      bigint NOT NULL,
    contact_id      bigint,
    subject         text,
    required_skills bigint[] NOT NULL DEFAULT '{}',
    status          text NOT NULL DEFAULT 'open'
                    CONSTRAINT tickets_status_check CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['open', 'closed'])),
    owner_id        bigint,
    team_id         bigint,
    handled_by      text NOT NULL DEFAULT 'human'
                    CONSTRAINT tickets_handled_by_check CHECK (handled_by OPERATOR(pg_catalog.=) ANY (ARRAY['human', 'customer_agent'])),
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    assigned_at     timestamptz,
    conversation_id bigint,     -- the conversation a handoff made it from
    priority        smallint NOT NULL DEFAULT 0     -- a queue serves higher first
);
CREATE INDEX tickets_owner ON hubroute.tickets (owner_id);
CREATE INDEX tickets_unassigned ON hubroute.tickets (channel_id, created_at)
    WHERE owner_id IS NULL AND status OPERATOR(pg_catalog.=) 'open';
-- A channel's queue in the order it is served (src/drain.c).
CREATE INDEX tickets_queue ON hubroute.tickets (channel_id, priority DESC, created_at, id)
    WHERE owner_id IS NULL AND status OPERATOR(pg_catalog.=) 'open' AND handled_by OPERATOR(pg_catalog.=) 'human';

CREATE TABLE hubroute.conversations (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    channel_id      bigint NOT NULL,
    contact_id      bigint,
    subject         text,
    required_skills bigint[] NOT NULL DEFAULT '{}',
    status          text NOT NULL DEFAULT 'open'
                    CONSTRAINT conversations_status_check CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['open', 'closed'])),
    owner_id        bigint,
    team_id         bigint,
    handled_by      text NOT NULL DEFAULT 'human'
                    CONSTRAINT conversations_handled_by_check CHECK (handled_by OPERATOR(pg_catalog.=) ANY (ARRAY['human', 'customer_agent'])),
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    assigned_at     timestamptz,
    priority        smallint NOT NULL DEFAULT 0     -- a queue serves higher first
);
CREATE INDEX conversations_owner ON hubroute.conversations (owner_id);
CREATE INDEX conversations_unassigned ON hubroute.conversations (channel_id, created_at)
    WHERE owner_id IS NULL AND status OPERATOR(pg_catalog.=) 'open';
-- A channel's queue in the order it is served (src/drain.c).
CREATE INDEX conversations_queue ON hubroute.conversations (channel_id, priority DESC, created_at, id)
    WHERE owner_id IS NULL AND status OPERATOR(pg_catalog.=) 'open' AND handled_by OPERATOR(pg_catalog.=) 'human';

CREATE TABLE hubroute.messages (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    ticket_id       bigint REFERENCES hubroute.tickets ON DELETE CASCADE,
    conversation_id bigint REFERENCES hubroute.conversations ON DELETE CASCADE,
    direction       text NOT NULL
                    CONSTRAINT messages_direction_check CHECK (direction OPERATOR(pg_catalog.=) ANY (ARRAY['incoming', 'outgoing'])),
    author_user_id  bigint REFERENCES hubroute.users,
    body            text,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT messages_one_item_check CHECK ((ticket_id IS NULL) OPERATOR(pg_catalog.<>) (conversation_id IS NULL)),
    -- set by the application that runs the customer agent, on a visitor's message
    asks_for_human      boolean NOT NULL DEFAULT false,
    agent_cannot_answer boolean NOT NULL DEFAULT false
);
CREATE INDEX messages_ticket ON hubroute.messages (ticket_id) WHERE ticket_id IS NOT NULL;
CREATE INDEX messages_conversation ON hubroute.messages (conversation_id) WHERE conversation_id IS NOT NULL;

-- The log: one row per routing decision and per manual change of owner.
-- hubroute only appends to it. It keeps no foreign keys, so that the history
-- of deleted items and users stays. Rows anyone else writes, changes or
-- deletes reload routing's counts (hubroute.log_changed(), below).
CREATE TABLE hubroute.assignments (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    ticket_id       bigint,
    conversation_id bigint,
    user_id         bigint,
    team_id         bigint,
    method          text NOT NULL,
    reason          text,
    at              timestamptz NOT NULL DEFAULT pg_catalog.now(),
    channel_id      bigint,
    CONSTRAINT assignments_one_item_check CHECK ((ticket_id IS NULL) OPERATOR(pg_catalog.<>) (conversation_id IS NULL))
);
CREATE INDEX assignments_ticket ON hubroute.assignments (ticket_id) WHERE ticket_id IS NOT NULL;
CREATE INDEX assignments_conversation ON hubroute.assignments (conversation_id) WHERE conversation_id IS NOT NULL;

-- An outbox the application reads to send e-mail.
CREATE TABLE hubroute.notifications (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    user_id         bigint NOT NULL REFERENCES hubroute.users ON DELETE CASCADE,
    kind            text NOT NULL,
    ticket_id       bigint,
    conversation_id bigint,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now()
);

-------------------------------------------------------------------------------
-- The customer agent (AI) and calling channels (SPEC §4)
-------------------------------------------------------------------------------

-- The customer agent's settings: exactly one row, made here. Inserting a
-- second row, deleting it or truncating the table is refused
-- (customer_agent_one_row(), below); a COPY into it, which is how a restore
-- of pg_dump's output brings its row back, replaces it.
CREATE TABLE hubroute.customer_agent (
    id                  boolean PRIMARY KEY DEFAULT true
                        CONSTRAINT customer_agent_single CHECK (id),
    paused              boolean NOT NULL DEFAULT false,
    handoff_process     text NOT NULL DEFAULT 'live',
    handoff_mode        text NOT NULL DEFAULT 'same_targets',
    workflow_channel_id bigint REFERENCES hubroute.channels,
    message_available   text,
    message_unavailable text,
    message_unassigned  text,
    close_if_unassigned boolean NOT NULL DEFAULT false
);
INSERT INTO hubroute.customer_agent DEFAULT VALUES;

-- The humans a conversation is handed to: users, and the primary members of
-- teams, like channel_targets.
CREATE TABLE hubroute.handoff_targets (
    id      bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    user_id bigint UNIQUE REFERENCES hubroute.users ON DELETE CASCADE,
    team_id bigint UNIQUE REFERENCES hubroute.teams ON DELETE CASCADE
);

-- Words or phrases in a visitor's message that hand the conversation to a
-- human (whole words, any case).
CREATE TABLE hubroute.handoff_triggers (
    phrase text PRIMARY KEY
);
CREATE UNIQUE INDEX handoff_triggers_phrase_any_case ON hubroute.handoff_triggers (pg_catalog.lower(phrase));

-- Opening hours of a channel, in its timezone: weekday 1 (Monday) .. 7,
-- opens inclusive, closes exclusive; closes before opens spans midnight
-- (the row belongs to the day it opens). No rows: always open.
CREATE TABLE hubroute.channel_hours (
    channel_id bigint NOT NULL REFERENCES hubroute.channels ON DELETE CASCADE,
    weekday    smallint NOT NULL,
    opens      time NOT NULL,
    closes     time NOT NULL,
    PRIMARY KEY (channel_id, weekday, opens)
);

-------------------------------------------------------------------------------
-- Reporting views
-------------------------------------------------------------------------------

-- Both views are security_invoker: a reader needs SELECT on the tables
-- behind them and sees what their row-level security lets it see, so the
-- views are never a way around table rights.

-- Counted from the tables, so always equal to counting them. Routing does not
-- read this view: it compares the same counts kept in shared memory
-- (hubroute.routing_load(); hubroute.routing_load_check() compares the two).
CREATE VIEW hubroute.user_load WITH (security_invoker = true) AS
SELECT u.id AS user_id,
       u.name,
       u.available,
       COALESCE(t.open_tickets, 0) AS open_tickets,
       COALESCE(c.open_conversations, 0) AS open_conversations,
       a.last_assigned_at
  FROM hubroute.users u
  LEFT JOIN (SELECT owner_id, pg_catalog.count(*)::integer AS open_tickets
               FROM hubroute.tickets
              WHERE status OPERATOR(pg_catalog.=) 'open' AND owner_id IS NOT NULL
              GROUP BY owner_id) t ON t.owner_id OPERATOR(pg_catalog.=) u.id
  LEFT JOIN (SELECT owner_id, pg_catalog.count(*)::integer AS open_conversations
               FROM hubroute.conversations
              WHERE status OPERATOR(pg_catalog.=) 'open' AND owner_id IS NOT NULL
              GROUP BY owner_id) c ON c.owner_id OPERATOR(pg_catalog.=) u.id
  LEFT JOIN (SELECT user_id, pg_catalog.max(at) AS last_assigned_at
               FROM hubroute.assignments
              WHERE user_id IS NOT NULL
              GROUP BY user_id) a ON a.user_id OPERATOR(pg_catalog.=) u.id;

CREATE VIEW hubroute.unassigned WITH (security_invoker = true) AS
SELECT 'ticket'::text AS kind, t.id, t.channel_id, t.created_at, t.handled_by
  FROM hubroute.tickets t
 WHERE t.owner_id IS NULL AND t.status OPERATOR(pg_catalog.=) 'open'
UNION ALL
SELECT 'conversation'::text, c.id, c.channel_id, c.created_at, c.handled_by
  FROM hubroute.conversations c
 WHERE c.owner_id IS NULL AND c.status OPERATOR(pg_catalog.=) 'open';

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

-------------------------------------------------------------------------------
-- Configuration validation triggers
-------------------------------------------------------------------------------

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

CREATE FUNCTION hubroute.users_validate() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM hubroute.require_one_of('users', 'seat', NEW.seat, ARRAY['none', 'sales', 'service']);
    PERFORM hubroute.require_capacity('ticket_capacity', NEW.ticket_capacity);
    PERFORM hubroute.require_capacity('conversation_capacity', NEW.conversation_capacity);
    RETURN NEW;
END;
$$;
CREATE TRIGGER users_validate BEFORE INSERT OR UPDATE ON hubroute.users
    FOR EACH ROW EXECUTE FUNCTION hubroute.users_validate();

CREATE FUNCTION hubroute.team_members_validate() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    other_team bigint;
BEGIN
    IF NEW.is_primary THEN
        SELECT m.team_id INTO other_team FROM hubroute.team_members m
         WHERE m.user_id OPERATOR(pg_catalog.=) NEW.user_id AND m.is_primary
           AND m.team_id OPERATOR(pg_catalog.<>) NEW.team_id;
        IF FOUND THEN
            RAISE EXCEPTION 'user % already has primary team %', NEW.user_id, other_team
                USING ERRCODE = 'unique_violation',
                      COLUMN = 'is_primary', TABLE = 'team_members', SCHEMA = 'hubroute',
                      DETAIL = 'A user has at most one primary (main) team; other memberships are additional.',
                      HINT = 'Insert this membership with is_primary = false, or make the other one additional first.';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER team_members_validate BEFORE INSERT OR UPDATE ON hubroute.team_members
    FOR EACH ROW EXECUTE FUNCTION hubroute.team_members_validate();

CREATE FUNCTION hubroute.workspaces_validate() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM hubroute.require_one_of('workspaces', 'kind', NEW.kind, ARRAY['inbox', 'helpdesk']);
    IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' AND NEW.kind OPERATOR(pg_catalog.<>) OLD.kind
       AND EXISTS (SELECT 1 FROM hubroute.channels c WHERE c.workspace_id OPERATOR(pg_catalog.=) NEW.id) THEN
        RAISE EXCEPTION 'cannot change hubroute.workspaces.kind of workspace % from "%" to "%"', NEW.id, OLD.kind, NEW.kind
            USING ERRCODE = 'check_violation',
                  COLUMN = 'kind', TABLE = 'workspaces', SCHEMA = 'hubroute',
                  DETAIL = 'The workspace has channels, and their items belong to its kind.';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER workspaces_validate BEFORE INSERT OR UPDATE ON hubroute.workspaces
    FOR EACH ROW EXECUTE FUNCTION hubroute.workspaces_validate();

-- A channel may move to a workspace of another kind only while it has no
-- items and no target without the seat the new kind needs.
CREATE FUNCTION hubroute.require_same_kind(old_channel hubroute.channels, new_channel hubroute.channels)
RETURNS void LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    old_kind text := (SELECT w.kind FROM hubroute.workspaces w WHERE w.id OPERATOR(pg_catalog.=) old_channel.workspace_id);
    new_kind text := (SELECT w.kind FROM hubroute.workspaces w WHERE w.id OPERATOR(pg_catalog.=) new_channel.workspace_id);
    target record;
BEGIN
    IF old_kind OPERATOR(pg_catalog.=) new_kind THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM hubroute.tickets t WHERE t.channel_id OPERATOR(pg_catalog.=) old_channel.id)
       OR EXISTS (SELECT 1 FROM hubroute.conversations c WHERE c.channel_id OPERATOR(pg_catalog.=) old_channel.id) THEN
        RAISE EXCEPTION 'cannot move channel % from % workspace to % workspace', old_channel.id,
                hubroute.workspace_noun(old_kind), hubroute.workspace_noun(new_kind)
            USING ERRCODE = 'check_violation',
                  COLUMN = 'workspace_id', TABLE = 'channels', SCHEMA = 'hubroute',
                  DETAIL = 'The channel has items, and they belong to its workspace''s kind.';
    END IF;
    FOR target IN SELECT ct.user_id FROM hubroute.channel_targets ct
                   WHERE ct.channel_id OPERATOR(pg_catalog.=) old_channel.id AND ct.user_id IS NOT NULL
    LOOP
        PERFORM hubroute.require_seat('channel_targets', 'user_id', target.user_id, new_channel.workspace_id);
    END LOOP;
END;
$$;

-- Is the channel open at a moment, by hubroute.channel_hours in the
-- channel's time zone? (No rows: always open.)
CREATE FUNCTION hubroute.channel_is_open(channel_id bigint, at timestamptz DEFAULT pg_catalog.now())
RETURNS boolean
    AS 'MODULE_PATHNAME', 'hubroute_channel_is_open' LANGUAGE C STABLE STRICT;

-- The distribution values routing knows, one per strategy (src/strategies.c).
CREATE FUNCTION hubroute.distributions() RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'hubroute_distributions' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION hubroute.channels_validate() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM hubroute.require_one_of('channels', 'kind', NEW.kind,
        ARRAY['chat', 'bot', 'messenger', 'email', 'form', 'calling', 'whatsapp']);
    PERFORM hubroute.require_one_of('channels', 'assign_to', NEW.assign_to,
        ARRAY['nobody', 'users_and_teams', 'contact_owner', 'customer_agent']);
    PERFORM hubroute.require_one_of('channels', 'distribution', NEW.distribution,
        ARRAY(SELECT hubroute.distributions()));
    IF NEW.timezone IS NOT NULL THEN
        -- Ask PostgreSQL itself: it knows names, abbreviations and POSIX forms.
        BEGIN
            PERFORM pg_catalog.timezone(NEW.timezone, pg_catalog.now());
        EXCEPTION WHEN invalid_parameter_value THEN
            RAISE EXCEPTION 'invalid value for hubroute.channels.timezone: "%"', NEW.timezone
                USING ERRCODE = 'invalid_parameter_value',
                      COLUMN = 'timezone', TABLE = 'channels', SCHEMA = 'hubroute',
                      DETAIL = 'The time zone must be one PostgreSQL knows, such as ''Europe/Amsterdam'' (see pg_timezone_names).';
        END;
    END IF;
    IF NEW.fallback_user_id IS NOT NULL THEN
        PERFORM hubroute.require_seat('channels', 'fallback_user_id', NEW.fallback_user_id, NEW.workspace_id);
    END IF;
    IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' AND NEW.workspace_id OPERATOR(pg_catalog.<>) OLD.workspace_id THEN
        PERFORM hubroute.require_same_kind(OLD, NEW);
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER channels_validate BEFORE INSERT OR UPDATE ON hubroute.channels
    FOR EACH ROW EXECUTE FUNCTION hubroute.channels_validate();

CREATE FUNCTION hubroute.channel_targets_validate() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF (NEW.user_id IS NULL) OPERATOR(pg_catalog.=) (NEW.team_id IS NULL) THEN
        RAISE EXCEPTION 'a hubroute.channel_targets row must set exactly one of user_id and team_id'
            USING ERRCODE = 'check_violation',
                  COLUMN = 'user_id', TABLE = 'channel_targets', SCHEMA = 'hubroute',
                  DETAIL = format('The row sets %s.', CASE WHEN NEW.user_id IS NULL THEN 'neither' ELSE 'both' END),
                  HINT = 'Use one row per user and one row per team.';
    END IF;
    IF NEW.user_id IS NOT NULL THEN
        PERFORM hubroute.require_seat('channel_targets', 'user_id', NEW.user_id,
            (SELECT c.workspace_id FROM hubroute.channels c WHERE c.id OPERATOR(pg_catalog.=) NEW.channel_id));
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER channel_targets_validate BEFORE INSERT OR UPDATE ON hubroute.channel_targets
    FOR EACH ROW EXECUTE FUNCTION hubroute.channel_targets_validate();

CREATE FUNCTION hubroute.skills_validate() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM hubroute.require_one_of('skills', 'kind', NEW.kind, ARRAY['language', 'category']);
    RETURN NEW;
END;
$$;
CREATE TRIGGER skills_validate BEFORE INSERT OR UPDATE ON hubroute.skills
    FOR EACH ROW EXECUTE FUNCTION hubroute.skills_validate();

CREATE FUNCTION hubroute.customer_agent_validate() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    workspace_kind text;
BEGIN
    PERFORM hubroute.require_one_of('customer_agent', 'handoff_process', NEW.handoff_process,
        ARRAY['live', 'async', 'none']);
    PERFORM hubroute.require_one_of('customer_agent', 'handoff_mode', NEW.handoff_mode,
        ARRAY['same_targets', 'workflow']);
    IF NEW.workflow_channel_id IS NOT NULL THEN
        SELECT w.kind INTO workspace_kind
          FROM hubroute.channels c JOIN hubroute.workspaces w ON w.id OPERATOR(pg_catalog.=) c.workspace_id
         WHERE c.id OPERATOR(pg_catalog.=) NEW.workflow_channel_id;
        IF workspace_kind OPERATOR(pg_catalog.<>) 'helpdesk' THEN
            RAISE EXCEPTION 'hubroute.customer_agent.workflow_channel_id must be a help-desk channel'
                USING ERRCODE = 'check_violation',
                      COLUMN = 'workflow_channel_id', TABLE = 'customer_agent', SCHEMA = 'hubroute',
                      DETAIL = format('Channel %s belongs to %s workspace; the workflow creates tickets.',
                                      NEW.workflow_channel_id, hubroute.workspace_noun(workspace_kind));
        END IF;
    END IF;
    IF NEW.handoff_mode OPERATOR(pg_catalog.=) 'workflow' AND NEW.workflow_channel_id IS NULL THEN
        RAISE EXCEPTION 'handoff_mode ''workflow'' needs hubroute.customer_agent.workflow_channel_id'
            USING ERRCODE = 'check_violation',
                  COLUMN = 'workflow_channel_id', TABLE = 'customer_agent', SCHEMA = 'hubroute',
                  DETAIL = 'The workflow creates a ticket on that help-desk channel for each handoff.',
                  HINT = 'Set workflow_channel_id to a help-desk channel in the same UPDATE.';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER customer_agent_validate BEFORE INSERT OR UPDATE ON hubroute.customer_agent
    FOR EACH ROW EXECUTE FUNCTION hubroute.customer_agent_validate();

-- hubroute.customer_agent keeps exactly one row: a second INSERT, a DELETE
-- and a TRUNCATE are refused. A COPY replaces the row: a restore of
-- pg_dump's output copies the row it dumped over the one CREATE EXTENSION
-- made.
CREATE FUNCTION hubroute.customer_agent_one_row() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_LEVEL OPERATOR(pg_catalog.=) 'ROW'
       AND pg_catalog.current_query() OPERATOR(pg_catalog.~*) '^\s*copy\s' THEN
        IF TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN
            DELETE FROM hubroute.customer_agent;  -- the row this trigger lets go, below
            RETURN NEW;
        ELSIF pg_catalog.pg_trigger_depth() OPERATOR(pg_catalog.>) 1 THEN
            RETURN OLD;
        END IF;
    END IF;
    IF TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN
        RAISE EXCEPTION 'hubroute.customer_agent holds exactly one row'
            USING ERRCODE = 'unique_violation', TABLE = 'customer_agent', SCHEMA = 'hubroute',
                  DETAIL = 'The customer agent''s settings are the one row CREATE EXTENSION made.',
                  HINT = 'Change the settings with UPDATE hubroute.customer_agent SET ...';
    END IF;
    RAISE EXCEPTION 'the row of hubroute.customer_agent cannot be removed'
        USING ERRCODE = 'restrict_violation', TABLE = 'customer_agent', SCHEMA = 'hubroute',
              DETAIL = 'The customer agent''s settings are the one row CREATE EXTENSION made.',
              HINT = 'Set handoff_process = ''none'' or paused instead.';
END;
$$;
CREATE TRIGGER customer_agent_one_row BEFORE INSERT OR DELETE ON hubroute.customer_agent
    FOR EACH ROW EXECUTE FUNCTION hubroute.customer_agent_one_row();
CREATE TRIGGER customer_agent_no_truncate BEFORE TRUNCATE ON hubroute.customer_agent
    FOR EACH STATEMENT EXECUTE FUNCTION hubroute.customer_agent_one_row();

CREATE FUNCTION hubroute.handoff_targets_validate() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    user_seat text;
BEGIN
    IF (NEW.user_id IS NULL) OPERATOR(pg_catalog.=) (NEW.team_id IS NULL) THEN
        RAISE EXCEPTION 'a hubroute.handoff_targets row must set exactly one of user_id and team_id'
            USING ERRCODE = 'check_violation',
                  COLUMN = 'user_id', TABLE = 'handoff_targets', SCHEMA = 'hubroute',
                  DETAIL = format('The row sets %s.', CASE WHEN NEW.user_id IS NULL THEN 'neither' ELSE 'both' END),
                  HINT = 'Use one row per user and one row per team.';
    END IF;
    SELECT u.seat INTO user_seat FROM hubroute.users u WHERE u.id OPERATOR(pg_catalog.=) NEW.user_id;
    IF user_seat OPERATOR(pg_catalog.=) 'none' THEN
        RAISE EXCEPTION 'user % cannot be used in hubroute.handoff_targets.user_id: it has seat "none"', NEW.user_id
            USING ERRCODE = 'check_violation',
                  COLUMN = 'user_id', TABLE = 'handoff_targets', SCHEMA = 'hubroute',
                  DETAIL = 'Conversations handed off go to inbox workspaces, which need a seat of: sales, service.',
                  HINT = 'Give the user a seat first, e.g. UPDATE hubroute.users SET seat = ''service''.';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER handoff_targets_validate BEFORE INSERT OR UPDATE ON hubroute.handoff_targets
    FOR EACH ROW EXECUTE FUNCTION hubroute.handoff_targets_validate();

CREATE FUNCTION hubroute.handoff_triggers_validate() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.phrase OPERATOR(pg_catalog.!~) '[[:alnum:]]' THEN
        RAISE EXCEPTION 'invalid value for hubroute.handoff_triggers.phrase: "%"', NEW.phrase
            USING ERRCODE = 'check_violation',
                  COLUMN = 'phrase', TABLE = 'handoff_triggers', SCHEMA = 'hubroute',
                  DETAIL = 'A phrase is one or more words; it has no letter or digit.';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER handoff_triggers_validate BEFORE INSERT OR UPDATE ON hubroute.handoff_triggers
    FOR EACH ROW EXECUTE FUNCTION hubroute.handoff_triggers_validate();

CREATE FUNCTION hubroute.channel_hours_validate() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.weekday NOT BETWEEN 1 AND 7 THEN
        RAISE EXCEPTION 'invalid value for hubroute.channel_hours.weekday: %', NEW.weekday
            USING ERRCODE = 'check_violation',
                  COLUMN = 'weekday', TABLE = 'channel_hours', SCHEMA = 'hubroute',
                  DETAIL = 'Weekdays are ISO numbers: 1 (Monday) to 7 (Sunday).';
    END IF;
    IF NEW.closes OPERATOR(pg_catalog.=) NEW.opens THEN
        RAISE EXCEPTION 'hubroute.channel_hours.closes must differ from opens (both %)', NEW.opens
            USING ERRCODE = 'check_violation',
                  COLUMN = 'closes', TABLE = 'channel_hours', SCHEMA = 'hubroute',
                  DETAIL = 'opens is inclusive and closes exclusive; closes before opens spans midnight.',
                  HINT = 'For a whole day use opens ''00:00'' and closes ''24:00''.';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER channel_hours_validate BEFORE INSERT OR UPDATE ON hubroute.channel_hours
    FOR EACH ROW EXECUTE FUNCTION hubroute.channel_hours_validate();

-------------------------------------------------------------------------------
-- Routing and counters (C)
--
-- The C trigger functions are not SECURITY DEFINER and switch to no
-- superuser: what they do on the caller's behalf runs as the caller, and
-- their own few SQL statements run as hubroute_internal (reads) or
-- hubroute_logger (log, outbox and message inserts), restricted, with a pinned
-- search_path (src/internal_sql.c). Each checks that it fired on the
-- hubroute table it was made for. Every statement they run qualifies its
-- objects.
-------------------------------------------------------------------------------

-- BEFORE INSERT: checks the channel and the references, routes an item that
-- names no owner.
CREATE FUNCTION hubroute.item_before_insert() RETURNS trigger
    AS 'MODULE_PATHNAME', 'hubroute_item_before_insert' LANGUAGE C;

-- BEFORE UPDATE of owner, team, contact or channel: checks, and the log of a
-- manual change.
CREATE FUNCTION hubroute.item_before_update() RETURNS trigger
    AS 'MODULE_PATHNAME', 'hubroute_item_before_update' LANGUAGE C;

-- AFTER INSERT/UPDATE/DELETE: logs an inserted row's decision and keeps the
-- shared counts equal to the tables.
CREATE FUNCTION hubroute.item_count() RETURNS trigger
    AS 'MODULE_PATHNAME', 'hubroute_item_count' LANGUAGE C;

-- AFTER INSERT on messages: reply assignment.
CREATE FUNCTION hubroute.message_reply() RETURNS trigger
    AS 'MODULE_PATHNAME', 'hubroute_message_reply' LANGUAGE C;

-- AFTER any change FOR EACH STATEMENT on a configuration table: every
-- backend's cached copy of the routing configuration becomes stale.
CREATE FUNCTION hubroute.config_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'hubroute_config_changed' LANGUAGE C;

-- AFTER INSERT, UPDATE or DELETE FOR EACH STATEMENT on a configuration
-- table: drains the queues its changes may have made room for (SPEC §6).
CREATE FUNCTION hubroute.config_drain() RETURNS trigger
    AS 'MODULE_PATHNAME', 'hubroute_config_drain' LANGUAGE C;

-- BEFORE DELETE, UPDATE OF id or TRUNCATE on the tables items refer to:
-- refuses to take away a row an item still refers to (the foreign keys the
-- item tables do not have).
CREATE FUNCTION hubroute.item_reference_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'hubroute_item_reference_guard' LANGUAGE C;

-- The counts routing compares, per user, as kept in shared memory now
-- (transactions in flight included). Equal to hubroute.user_load once they end.
CREATE FUNCTION hubroute.routing_load(
    OUT user_id bigint, OUT open_tickets integer, OUT open_conversations integer,
    OUT last_assigned_at timestamptz)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'hubroute_routing_load' LANGUAGE C;

-- Every user whose counts in routing_load() differ from counting the tables:
-- one row per difference (what: open_tickets, open_conversations or
-- last_assigned_at). Empty when routing compares what the tables hold, which
-- is so whenever no transaction writing items is in flight.
CREATE FUNCTION hubroute.routing_load_check(
    OUT user_id bigint, OUT what text, OUT routing text, OUT tables text)
    RETURNS SETOF record LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH routing AS (
        SELECT r.user_id, r.open_tickets, r.open_conversations, r.last_assigned_at
          FROM hubroute.routing_load() r
    ), counted AS (
        SELECT u.user_id,
               (SELECT pg_catalog.count(*)::integer FROM hubroute.tickets t
                 WHERE t.owner_id OPERATOR(pg_catalog.=) u.user_id
                   AND t.status OPERATOR(pg_catalog.=) 'open') AS open_tickets,
               (SELECT pg_catalog.count(*)::integer FROM hubroute.conversations c
                 WHERE c.owner_id OPERATOR(pg_catalog.=) u.user_id
                   AND c.status OPERATOR(pg_catalog.=) 'open') AS open_conversations,
               (SELECT pg_catalog.max(a.at) FROM hubroute.assignments a
                 WHERE a.user_id OPERATOR(pg_catalog.=) u.user_id) AS last_assigned_at
          FROM (SELECT t.owner_id AS user_id FROM hubroute.tickets t WHERE t.owner_id IS NOT NULL
                UNION SELECT c.owner_id FROM hubroute.conversations c WHERE c.owner_id IS NOT NULL
                UNION SELECT a.user_id FROM hubroute.assignments a WHERE a.user_id IS NOT NULL
                UNION SELECT r.user_id FROM routing r) u
    ), compared AS (
        SELECT c.user_id, COALESCE(r.open_tickets, 0) AS r_tickets, c.open_tickets AS t_tickets,
               COALESCE(r.open_conversations, 0) AS r_conversations,
               c.open_conversations AS t_conversations,
               r.last_assigned_at AS r_last, c.last_assigned_at AS t_last
          FROM counted c LEFT JOIN routing r ON r.user_id OPERATOR(pg_catalog.=) c.user_id
    )
    SELECT m.user_id, m.what, m.routing, m.tables
      FROM compared,
           LATERAL (VALUES (compared.user_id, 'open_tickets', r_tickets::text, t_tickets::text),
                           (compared.user_id, 'open_conversations', r_conversations::text, t_conversations::text),
                           (compared.user_id, 'last_assigned_at', r_last::text, t_last::text))
                   m(user_id, what, routing, tables)
     WHERE m.routing IS DISTINCT FROM m.tables
     ORDER BY m.user_id, m.what
$$;

-- What hubroute keeps in shared memory, over all databases: how many have a
-- routing state, their user slots and round-robin rotations, and the bytes
-- these take.
CREATE FUNCTION hubroute.shared_memory(
    OUT databases integer, OUT user_slots bigint, OUT rotations bigint, OUT bytes bigint)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'hubroute_shared_memory' LANGUAGE C;

-- This session's cached copy of the routing configuration: how often it was
-- built, how many availability changes were applied to it in place, the
-- users and channels in it, and how long its last build took.
CREATE FUNCTION hubroute.routing_cache(
    OUT builds bigint, OUT availability_changes bigint, OUT users integer, OUT channels integer,
    OUT last_build_ms double precision)
    AS 'MODULE_PATHNAME', 'hubroute_routing_cache' LANGUAGE C;

-- Loads the shared counts again from the tables when the calling transaction
-- commits: for repair after the item triggers were bypassed (a bulk load
-- with session_replication_role = replica). Waits for transactions writing
-- items, and holds new ones off until then.
CREATE FUNCTION hubroute.rebuild_counters() RETURNS void
    AS 'MODULE_PATHNAME', 'hubroute_rebuild_counters' LANGUAGE C;

-- AFTER TRUNCATE of an item table: rebuild_counters(), without requiring
-- the right to call it.
CREATE FUNCTION hubroute.item_truncated() RETURNS trigger
    AS 'MODULE_PATHNAME', 'hubroute_item_truncated' LANGUAGE C;

-- BEFORE INSERT, UPDATE, DELETE or TRUNCATE of the log by anyone but
-- hubroute itself: last assignments and rotations come from it, so the
-- counts are loaded again at commit.
CREATE FUNCTION hubroute.log_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'hubroute_log_changed' LANGUAGE C;

-- The same triggers on both item tables.
DO $$
DECLARE
    item_table text;
BEGIN
    FOREACH item_table IN ARRAY ARRAY['tickets', 'conversations'] LOOP
        EXECUTE pg_catalog.format($sql$
            CREATE TRIGGER hubroute_route BEFORE INSERT ON hubroute.%1$I
                FOR EACH ROW EXECUTE FUNCTION hubroute.item_before_insert();
            CREATE TRIGGER hubroute_assign BEFORE UPDATE ON hubroute.%1$I
                FOR EACH ROW
                WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id
                      OR OLD.team_id IS DISTINCT FROM NEW.team_id
                      OR OLD.contact_id IS DISTINCT FROM NEW.contact_id
                      OR OLD.channel_id IS DISTINCT FROM NEW.channel_id)
                EXECUTE FUNCTION hubroute.item_before_update();
            -- No WHEN clause: a routed row always needs it, and a WHEN
            -- would be parsed and planned again at every execution.
            CREATE TRIGGER hubroute_count_insert AFTER INSERT ON hubroute.%1$I
                FOR EACH ROW EXECUTE FUNCTION hubroute.item_count();
            CREATE TRIGGER hubroute_count_update AFTER UPDATE ON hubroute.%1$I
                FOR EACH ROW
                WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id
                      OR OLD.status IS DISTINCT FROM NEW.status
                      OR OLD.team_id IS DISTINCT FROM NEW.team_id
                      OR OLD.contact_id IS DISTINCT FROM NEW.contact_id
                      OR OLD.channel_id IS DISTINCT FROM NEW.channel_id)
                EXECUTE FUNCTION hubroute.item_count();
            CREATE TRIGGER hubroute_count_delete AFTER DELETE ON hubroute.%1$I
                FOR EACH ROW WHEN (OLD.owner_id IS NOT NULL AND OLD.status OPERATOR(pg_catalog.=) 'open')
                EXECUTE FUNCTION hubroute.item_count();
            CREATE TRIGGER hubroute_truncate AFTER TRUNCATE ON hubroute.%1$I
                FOR EACH STATEMENT EXECUTE FUNCTION hubroute.item_truncated();
        $sql$, item_table);
    END LOOP;
END;
$$;

-- The configuration the routing cache copies, and the columns of each table
-- that routing never reads (a change to them alone invalidates nothing).
-- Row triggers: a statement that changes no row changes no cache. ENABLE
-- ALWAYS: a change made with session_replication_role = replica must reach
-- the caches too.
DO $$
DECLARE
    config_table record;
BEGIN
    FOR config_table IN SELECT * FROM (VALUES ('users', ARRAY['name', 'email']), ('teams', ARRAY['name']),
                                              ('team_members', ARRAY[]::text[]),
                                              ('workspaces', ARRAY['name']),
                                              ('workspace_teams', ARRAY[]::text[]),
                                              ('channels', ARRAY['name']),
                                              ('channel_targets', ARRAY[]::text[]),
                                              ('user_skills', ARRAY[]::text[]),
                                              ('customer_agent', ARRAY[]::text[]),
                                              ('handoff_targets', ARRAY[]::text[]),
                                              ('handoff_triggers', ARRAY[]::text[]),
                                              ('channel_hours', ARRAY[]::text[])) c(tab, unread) LOOP
        EXECUTE pg_catalog.format($sql$
            CREATE TRIGGER hubroute_config_changed
                AFTER INSERT OR UPDATE OR DELETE ON hubroute.%1$I
                FOR EACH ROW EXECUTE FUNCTION hubroute.config_changed(%2$s);
            ALTER TABLE hubroute.%1$I ENABLE ALWAYS TRIGGER hubroute_config_changed;
            CREATE TRIGGER hubroute_config_truncated
                AFTER TRUNCATE ON hubroute.%1$I
                FOR EACH STATEMENT EXECUTE FUNCTION hubroute.config_changed();
            ALTER TABLE hubroute.%1$I ENABLE ALWAYS TRIGGER hubroute_config_truncated;
            CREATE TRIGGER hubroute_config_drain
                AFTER INSERT OR UPDATE OR DELETE ON hubroute.%1$I
                FOR EACH STATEMENT EXECUTE FUNCTION hubroute.config_drain();
        $sql$, config_table.tab,
        (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(c), ', ') FROM pg_catalog.unnest(config_table.unread) c));
    END LOOP;
END;
$$;

-- The rows items refer to, and the item column that refers to each.
DO $$
DECLARE
    referenced record;
BEGIN
    FOR referenced IN SELECT * FROM (VALUES ('channels', 'channel_id'), ('users', 'owner_id'),
                                            ('teams', 'team_id'), ('contacts', 'contact_id')) r(tab, col) LOOP
        EXECUTE pg_catalog.format($sql$
            CREATE TRIGGER hubroute_item_reference_guard
                BEFORE DELETE OR UPDATE OF id ON hubroute.%1$I
                FOR EACH ROW EXECUTE FUNCTION hubroute.item_reference_guard(%2$L);
            CREATE TRIGGER hubroute_item_reference_guard_truncate
                BEFORE TRUNCATE ON hubroute.%1$I
                FOR EACH STATEMENT EXECUTE FUNCTION hubroute.item_reference_guard(%2$L);
        $sql$, referenced.tab, referenced.col);
    END LOOP;
END;
$$;

-- Not while changes are applied as a replica, like every trigger here:
-- rebuild_counters() counts what was applied so (src/triggers.c).
CREATE TRIGGER hubroute_log_changed BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON hubroute.assignments
    FOR EACH STATEMENT EXECUTE FUNCTION hubroute.log_changed();

CREATE TRIGGER hubroute_reply AFTER INSERT ON hubroute.messages
    FOR EACH ROW
    WHEN (NEW.direction OPERATOR(pg_catalog.=) 'outgoing' AND NEW.author_user_id IS NOT NULL)
    EXECUTE FUNCTION hubroute.message_reply();

-------------------------------------------------------------------------------
-- Public API
-------------------------------------------------------------------------------

-- Run as the caller: it locks and updates the item with the caller's own
-- rights (UPDATE of owner_id, handled_by and assigned_at) and row-level
-- security.
CREATE FUNCTION hubroute.route_ticket(id bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'hubroute_route_ticket'
    LANGUAGE C STRICT;
COMMENT ON FUNCTION hubroute.route_ticket(bigint) IS
    'routes an open unassigned ticket now by its channel''s rule; returns the owner or NULL';

CREATE FUNCTION hubroute.route_conversation(id bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'hubroute_route_conversation'
    LANGUAGE C STRICT;
COMMENT ON FUNCTION hubroute.route_conversation(bigint) IS
    'routes an open unassigned conversation now by its channel''s rule; returns the owner or NULL';

-- AFTER INSERT on messages: a visitor's message that asks for a human hands
-- a conversation the customer agent handles to one (SPEC §4), as hubroute's
-- own decision, run as hubroute_logger.
CREATE FUNCTION hubroute.message_handoff() RETURNS trigger
    AS 'MODULE_PATHNAME', 'hubroute_message_handoff' LANGUAGE C;
CREATE TRIGGER hubroute_handoff AFTER INSERT ON hubroute.messages
    FOR EACH ROW
    WHEN (NEW.direction OPERATOR(pg_catalog.=) 'incoming' AND NEW.conversation_id IS NOT NULL)
    EXECUTE FUNCTION hubroute.message_handoff();

-- Run as the caller, like route_conversation(): it locks and updates the
-- conversation with the caller's own rights and row-level security.
CREATE FUNCTION hubroute.handoff(conversation_id bigint, reason text DEFAULT NULL) RETURNS bigint
    AS 'MODULE_PATHNAME', 'hubroute_handoff'
    LANGUAGE C;
COMMENT ON FUNCTION hubroute.handoff(bigint, text) IS
    'hands a conversation the customer agent handles to a human; returns the owner or NULL';

-- Run as the caller, like route_ticket(): it locks and updates the waiting
-- items with the caller's own rights and row-level security (SPEC §6).
CREATE FUNCTION hubroute.drain(channel_id bigint) RETURNS integer
    AS 'MODULE_PATHNAME', 'hubroute_drain'
    LANGUAGE C STRICT;
COMMENT ON FUNCTION hubroute.drain(bigint) IS
    'hands the waiting items of a channel''s queue to users who can take them now; returns how many';

-------------------------------------------------------------------------------
-- Privileges. Functions are revoked from PUBLIC but the route functions,
-- which act with the caller's own rights. The validation triggers call
-- their helpers with the rights of whoever writes the row: the roles that
-- write configuration rows may execute them. Then each role gets what its job
-- needs, and nothing else (the README lists them).
-------------------------------------------------------------------------------

REVOKE ALL ON FUNCTION hubroute.require_one_of(text, text, text, text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.seats_for(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.workspace_noun(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.require_same_kind(hubroute.channels, hubroute.channels) FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.require_seat(text, text, bigint, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.users_validate() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.require_capacity(text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.team_members_validate() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.workspaces_validate() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.channels_validate() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.channel_targets_validate() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.skills_validate() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.item_before_insert() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.item_before_update() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.item_count() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.item_truncated() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.log_changed() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.config_changed() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.config_drain() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.item_reference_guard() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.routing_load() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.routing_load_check() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.shared_memory() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.routing_cache() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.distributions() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.customer_agent_validate() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.customer_agent_one_row() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.handoff_targets_validate() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.handoff_triggers_validate() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.channel_hours_validate() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.message_reply() FROM PUBLIC;
REVOKE ALL ON FUNCTION hubroute.rebuild_counters() FROM PUBLIC;
GRANT USAGE ON SCHEMA hubroute TO PUBLIC;

-- hubroute_internal: what src/internal_sql.c's reads need, no more.
GRANT SELECT ON hubroute.users, hubroute.teams, hubroute.team_members, hubroute.workspaces,
                hubroute.workspace_teams, hubroute.channels, hubroute.channel_targets,
                hubroute.user_skills TO hubroute_internal;        -- the cached configuration
GRANT SELECT ON hubroute.customer_agent, hubroute.handoff_targets, hubroute.handoff_triggers,
                hubroute.channel_hours TO hubroute_internal;   -- the cached settings of SPEC §4
GRANT SELECT ON hubroute.tickets, hubroute.conversations TO hubroute_internal; -- counts, references
GRANT SELECT ON hubroute.assignments TO hubroute_internal;                   -- recency, rotations
GRANT SELECT ON hubroute.assignments_id_seq TO hubroute_internal;            -- a restore loading
-- hubroute_logger: the log and the outbox, when written through SQL.
GRANT INSERT ON hubroute.assignments, hubroute.notifications TO hubroute_logger;
-- hubroute posts a call's voicemail message.
GRANT INSERT ON hubroute.messages TO hubroute_logger;
REVOKE ALL ON FUNCTION hubroute.message_handoff() FROM PUBLIC;
-- hubroute_logger: a handoff a visitor's message asks for, and the ticket a
-- workflow handoff makes from the conversation.
GRANT SELECT (id, channel_id, contact_id, required_skills, status, owner_id, team_id, handled_by,
              assigned_at, created_at, subject),
      UPDATE (owner_id, handled_by, assigned_at, status) ON hubroute.conversations TO hubroute_logger;
GRANT INSERT (channel_id, contact_id, subject, conversation_id) ON hubroute.tickets TO hubroute_logger;
-- hubroute_logger: a queue drained by a change that made room (SPEC §6).
GRANT SELECT (id, channel_id, contact_id, required_skills, status, owner_id, team_id, handled_by,
              assigned_at, created_at, priority),
      UPDATE (owner_id, handled_by, assigned_at) ON hubroute.tickets TO hubroute_logger;
GRANT SELECT (priority) ON hubroute.conversations TO hubroute_logger;
-- Every role of the model may ask whether a channel is open.
REVOKE ALL ON FUNCTION hubroute.channel_is_open(bigint, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hubroute.channel_is_open(bigint, timestamptz)
    TO hubroute_application, hubroute_agent, hubroute_admin, hubroute_reporting;

-- hubroute_application: inserts items (with an owner, if it names one, but
-- not imports: assigned_at is not its to set) and incoming messages, keeps
-- contacts, reads and empties the notifications outbox. Posting an agent's
-- outgoing reply makes the author the owner, which needs hubroute_agent's
-- rights. Column rights, so that it cannot LOCK those tables exclusively.
GRANT SELECT ON hubroute.tickets, hubroute.conversations, hubroute.messages TO hubroute_application;
GRANT INSERT (id, channel_id, contact_id, subject, required_skills, status, owner_id, team_id,
              handled_by, created_at, priority)
    ON hubroute.tickets, hubroute.conversations TO hubroute_application;
GRANT INSERT ON hubroute.messages TO hubroute_application;
GRANT SELECT, INSERT ON hubroute.contacts TO hubroute_application;
GRANT UPDATE (name, email, owner_id, tracked) ON hubroute.contacts TO hubroute_application;
GRANT SELECT, DELETE ON hubroute.notifications TO hubroute_application;

-- hubroute_agent: reads the help desk, replies, closes, reopens and
-- reassigns items, routes waiting ones, and sets its availability.
GRANT SELECT ON hubroute.tickets, hubroute.conversations, hubroute.messages, hubroute.contacts,
                hubroute.users, hubroute.teams, hubroute.team_members, hubroute.workspaces,
                hubroute.channels, hubroute.skills, hubroute.user_skills, hubroute.assignments,
                hubroute.user_load, hubroute.unassigned, hubroute.queue TO hubroute_agent;
GRANT UPDATE (status, owner_id, team_id, subject, required_skills, handled_by, assigned_at, priority)
    ON hubroute.tickets, hubroute.conversations TO hubroute_agent;
GRANT INSERT ON hubroute.messages TO hubroute_agent;
GRANT UPDATE (available) ON hubroute.users TO hubroute_agent;
GRANT EXECUTE ON FUNCTION hubroute.require_one_of(text, text, text, text[]) TO hubroute_agent;
GRANT EXECUTE ON FUNCTION hubroute.require_capacity(text, integer) TO hubroute_agent;

-- hubroute_admin: edits the routing configuration and people, reads
-- everything, and may inspect and rebuild routing's counts.
GRANT SELECT, INSERT, UPDATE, DELETE
    ON hubroute.users, hubroute.teams, hubroute.team_members, hubroute.workspaces,
       hubroute.workspace_teams, hubroute.channels, hubroute.channel_targets,
       hubroute.contacts, hubroute.skills, hubroute.user_skills TO hubroute_admin;
GRANT SELECT ON hubroute.tickets, hubroute.conversations, hubroute.messages,
                hubroute.assignments, hubroute.notifications,
                hubroute.user_load, hubroute.unassigned, hubroute.queue TO hubroute_admin;
GRANT EXECUTE ON FUNCTION hubroute.require_one_of(text, text, text, text[]), hubroute.seats_for(text),
                          hubroute.require_capacity(text, integer),
                          hubroute.workspace_noun(text),
                          hubroute.require_same_kind(hubroute.channels, hubroute.channels),
                          hubroute.require_seat(text, text, bigint, bigint),
                          hubroute.routing_load(), hubroute.routing_load_check(),
                          hubroute.shared_memory(), hubroute.routing_cache(),
                          hubroute.rebuild_counters() TO hubroute_admin;
-- channels_validate() runs as the editor of a channel.
GRANT EXECUTE ON FUNCTION hubroute.distributions() TO hubroute_admin;
GRANT SELECT, UPDATE ON hubroute.customer_agent TO hubroute_admin;
GRANT SELECT, INSERT, UPDATE, DELETE
    ON hubroute.handoff_targets, hubroute.handoff_triggers, hubroute.channel_hours TO hubroute_admin;

-- hubroute_reporting: reads every table and view, writes nothing.
GRANT SELECT ON ALL TABLES IN SCHEMA hubroute TO hubroute_reporting;

-------------------------------------------------------------------------------
-- pg_dump carries the rows of every table. The shared counts are not a table:
-- a restored database loads them from its tables on first use.
-------------------------------------------------------------------------------

SELECT pg_catalog.pg_extension_config_dump('hubroute.users', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.teams', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.team_members', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.workspaces', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.workspace_teams', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.channels', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.channel_targets', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.contacts', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.skills', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.user_skills', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.tickets', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.conversations', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.messages', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.assignments', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.notifications', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.channel_targets_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.tickets_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.conversations_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.messages_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.assignments_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.notifications_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.customer_agent', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.handoff_targets', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.handoff_triggers', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.channel_hours', '');
SELECT pg_catalog.pg_extension_config_dump('hubroute.handoff_targets_id_seq', '');
