-- privileges: the role model CREATE EXTENSION sets up. For each of
-- hubroute_application, hubroute_agent, hubroute_admin and
-- hubroute_reporting, a role without login granted it shows, with SET ROLE,
-- the job it is for and what it is refused (with the SQLSTATE). Then
-- hubroute_internal and hubroute_logger, the roles hubroute's own SQL runs
-- as: no login, no superuser, no members, no memberships, exactly the
-- install script's grants, and hubroute refuses to run as them once they
-- are given more.
CREATE EXTENSION hubroute;

-- Runs one statement; returns 'ok', or its SQLSTATE and message. Refusals
-- below go through it, so that each shows its SQLSTATE; a refused statement
-- is rolled back (the exception block is a subtransaction).
CREATE FUNCTION pg_temp.try(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END;
$$;

-- users: Ann, Bob (service), Cid (service, away), Dan (service, away)
-- channels: 10 help-desk mail balanced over Ann and Bob; 11 help-desk form
-- nobody; 12 help-desk chat by contact owner; 13 help-desk phone balanced
-- over Dan only (away, so its items wait); 20 inbox chat balanced over Ann
-- and Bob. Contact 100 is owned by Cid.
INSERT INTO hubroute.users (id, name, seat, available) VALUES
    (1, 'Ann', 'service', true), (2, 'Bob', 'service', true),
    (3, 'Cid', 'service', false), (4, 'Dan', 'service', false);
INSERT INTO hubroute.teams (id, name) VALUES (1, 'Support');
INSERT INTO hubroute.team_members (team_id, user_id) VALUES (1, 1), (1, 2);
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (1, 'Help', 'helpdesk'), (2, 'Inbox', 'inbox');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (10, 1, 'email', 'help mail', 'users_and_teams', 'balanced'),
    (11, 1, 'form', 'help form', 'nobody', NULL),
    (12, 1, 'chat', 'help chat', 'contact_owner', NULL),
    (13, 1, 'calling', 'help phone', 'users_and_teams', 'balanced'),
    (20, 2, 'chat', 'inbox chat', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES
    (10, 1), (10, 2), (13, 4), (20, 1), (20, 2);
INSERT INTO hubroute.contacts (id, name, owner_id, tracked) VALUES (100, 'Customer', 3, true);
INSERT INTO hubroute.skills (id, name, kind) VALUES (1, 'Dutch', 'language');

-- One role without login per job, granted the role for it.
CREATE ROLE hr_priv_app NOLOGIN IN ROLE hubroute_application;
CREATE ROLE hr_priv_agent NOLOGIN IN ROLE hubroute_agent;
CREATE ROLE hr_priv_admin NOLOGIN IN ROLE hubroute_admin;
CREATE ROLE hr_priv_reporting NOLOGIN IN ROLE hubroute_reporting;

-------------------------------------------------------------------------------
-- hubroute_application: inserts tickets, conversations, incoming messages
-- and contacts; reads and empties the notifications outbox.
-------------------------------------------------------------------------------
SET ROLE hr_priv_app;
-- Routed on insert.
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (1, 10, 'routed') RETURNING id, owner_id;
INSERT INTO hubroute.conversations (id, channel_id, subject) VALUES (1, 20, 'routed chat') RETURNING id, owner_id;
-- Waiting: channel 11 assigns nobody, channel 13's only target is away.
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES
    (2, 11, 'waits'), (3, 13, 'waits for Dan'), (7, 11, 'waits too')
RETURNING id, owner_id;
INSERT INTO hubroute.messages (ticket_id, direction, body) VALUES (1, 'incoming', 'Help!') RETURNING ticket_id, direction;
INSERT INTO hubroute.contacts (id, name, owner_id, tracked) VALUES (101, 'New customer', 1, true) RETURNING id;
UPDATE hubroute.contacts SET email = 'new@example.com' WHERE id = 101;
-- Contact 100's owner Cid is away: he gets the ticket and an e-mail.
INSERT INTO hubroute.tickets (id, channel_id, contact_id, subject) VALUES (4, 12, 100, 'for Cid')
RETURNING id, owner_id;
SELECT user_id, kind, ticket_id FROM hubroute.notifications ORDER BY id;
DELETE FROM hubroute.notifications WHERE kind = 'owner_offline';
-- The application that runs the customer agent flags a visitor's message.
INSERT INTO hubroute.messages (conversation_id, direction, body, asks_for_human)
VALUES (1, 'incoming', 'a human please', true) RETURNING conversation_id, asks_for_human;
-- Refused: changing owners or status, routing, replies that would assign,
-- the rules, people, the log and routing's counts.
SELECT action, pg_temp.try(statement) AS outcome
  FROM (VALUES
    ('import a ticket (assigned_at)', $$INSERT INTO hubroute.tickets (id, channel_id, owner_id, assigned_at) VALUES (90, 10, 1, '2100-01-01')$$),
    ('lock contacts exclusively',     $$LOCK TABLE hubroute.contacts IN ACCESS EXCLUSIVE MODE$$),
    ('reassign a ticket',             $$UPDATE hubroute.tickets SET owner_id = 2 WHERE id = 1$$),
    ('close a ticket',                $$UPDATE hubroute.tickets SET status = 'closed' WHERE id = 1$$),
    ('delete a ticket',               $$DELETE FROM hubroute.tickets WHERE id = 1$$),
    ('route_ticket()',                $$SELECT hubroute.route_ticket(3)$$),
    ('route_conversation()',          $$SELECT hubroute.route_conversation(1)$$),
    ('post a reply that assigns',     $$INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body) VALUES (2, 'outgoing', 1, 'Hi')$$),
    ('edit a channel''s rule',        $$UPDATE hubroute.channels SET distribution = 'random' WHERE id = 10$$),
    ('add a channel target',          $$INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (11, 1)$$),
    ('pause the customer agent',      $$UPDATE hubroute.customer_agent SET paused = true$$),
    ('read users',                    $$SELECT count(*) FROM hubroute.users$$),
    ('read the log',                  $$SELECT count(*) FROM hubroute.assignments$$),
    ('write the log',                 $$INSERT INTO hubroute.assignments (ticket_id, method) VALUES (1, 'manual')$$),
    ('read routing''s counts',        $$SELECT count(*) FROM hubroute.routing_load()$$),
    ('rebuild_counters()',            $$SELECT hubroute.rebuild_counters()$$)
  ) AS t(action, statement);
RESET ROLE;
SELECT id, owner_id, status FROM hubroute.tickets ORDER BY id;
SELECT count(*) AS notifications_left FROM hubroute.notifications;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-------------------------------------------------------------------------------
-- hubroute_agent: reads, replies (a reply assigns its author), closes,
-- reopens and reassigns, routes waiting items, sets availability.
-------------------------------------------------------------------------------
SET ROLE hr_priv_agent;
SELECT kind, id, channel_id FROM hubroute.unassigned ORDER BY kind, id;
SELECT user_id, open_tickets, open_conversations FROM hubroute.user_load ORDER BY user_id;
SELECT count(*) > 0 AS reads_the_log FROM hubroute.assignments;
-- Ann replies to waiting ticket 2: she becomes its owner.
INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body) VALUES (2, 'outgoing', 1, 'On it');
SELECT id, owner_id FROM hubroute.tickets WHERE id = 2;
-- Close, reopen, reassign.
UPDATE hubroute.tickets SET status = 'closed' WHERE id = 1;
UPDATE hubroute.tickets SET status = 'open' WHERE id = 1;
UPDATE hubroute.tickets SET owner_id = 2 WHERE id = 2;
-- Dan comes back, and the ticket that waited for him is routed. (The grant
-- is on the column available: an agent role may set any user's.)
UPDATE hubroute.users SET available = true WHERE id = 4;
SELECT hubroute.route_ticket(3) AS owner;
-- Refused: the rules, people, the log, deleting items or messages,
-- inserting items, and routing's counts.
SELECT action, pg_temp.try(statement) AS outcome
  FROM (VALUES
    ('edit a channel''s rule',        $$UPDATE hubroute.channels SET distribution = 'random' WHERE id = 10$$),
    ('add a channel target',          $$INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (11, 1)$$),
    ('change a user''s seat',         $$UPDATE hubroute.users SET seat = 'sales' WHERE id = 1$$),
    ('add a team member',             $$INSERT INTO hubroute.team_members (team_id, user_id, is_primary) VALUES (1, 3, true)$$),
    ('pause the customer agent',      $$UPDATE hubroute.customer_agent SET paused = true$$),
    ('add a handoff target',          $$INSERT INTO hubroute.handoff_targets (user_id) VALUES (1)$$),
    ('add a handoff phrase',          $$INSERT INTO hubroute.handoff_triggers (phrase) VALUES ('agent')$$),
    ('set a channel''s hours',        $$INSERT INTO hubroute.channel_hours (channel_id, weekday, opens, closes) VALUES (13, 1, '09:00', '17:00')$$),
    ('write the log',                 $$INSERT INTO hubroute.assignments (ticket_id, method) VALUES (1, 'manual')$$),
    ('change the log',                $$UPDATE hubroute.assignments SET user_id = NULL$$),
    ('delete a ticket',               $$DELETE FROM hubroute.tickets WHERE id = 1$$),
    ('delete a message',              $$DELETE FROM hubroute.messages$$),
    ('insert a ticket',               $$INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'agent')$$),
    ('change a ticket''s channel',    $$UPDATE hubroute.tickets SET channel_id = 11 WHERE id = 1$$),
    ('read the outbox',               $$SELECT count(*) FROM hubroute.notifications$$),
    ('rebuild_counters()',            $$SELECT hubroute.rebuild_counters()$$)
  ) AS t(action, statement);
RESET ROLE;
SELECT id, owner_id, status FROM hubroute.tickets ORDER BY id;
SELECT ticket_id, user_id, method FROM hubroute.assignments WHERE ticket_id IN (1, 2, 3) ORDER BY id;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-------------------------------------------------------------------------------
-- hubroute_admin: edits channels, targets, people, teams and skills, and
-- inspects and rebuilds routing's counts.
-------------------------------------------------------------------------------
SET ROLE hr_priv_admin;
UPDATE hubroute.channels SET distribution = 'least_busy' WHERE id = 10;
INSERT INTO hubroute.users (id, name, seat) VALUES (5, 'Eve', 'service');
INSERT INTO hubroute.teams (id, name) VALUES (2, 'Night shift');
INSERT INTO hubroute.team_members (team_id, user_id) VALUES (2, 5);
INSERT INTO hubroute.channel_targets (channel_id, team_id) VALUES (10, 2);
INSERT INTO hubroute.skills (id, name, kind) VALUES (2, 'Billing', 'category');
INSERT INTO hubroute.user_skills (user_id, skill_id) VALUES (5, 1), (5, 2);
UPDATE hubroute.workspaces SET name = 'Help desk' WHERE id = 1;
-- The customer agent's settings, its handoff targets and phrases, hours.
UPDATE hubroute.customer_agent SET handoff_process = 'async', message_available = 'A colleague takes over.';
INSERT INTO hubroute.handoff_targets (team_id) VALUES (2);
INSERT INTO hubroute.handoff_triggers (phrase) VALUES ('refund');
INSERT INTO hubroute.channel_hours (channel_id, weekday, opens, closes) VALUES (13, 1, '09:00', '17:00');
UPDATE hubroute.channels SET voicemail_message = 'Please leave a message.' WHERE id = 13;
SELECT hubroute.rebuild_counters();
SELECT user_id, open_tickets, open_conversations FROM hubroute.routing_load() ORDER BY user_id;
SELECT * FROM hubroute.routing_load_check();
SELECT count(*) > 0 AS reads_the_log FROM hubroute.assignments;
SELECT count(*) AS reads_the_outbox FROM hubroute.notifications;
-- Refused: the log, items and messages, the outbox.
SELECT action, pg_temp.try(statement) AS outcome
  FROM (VALUES
    ('write the log',                 $$INSERT INTO hubroute.assignments (ticket_id, method) VALUES (1, 'manual')$$),
    ('change the log',                $$UPDATE hubroute.assignments SET user_id = NULL$$),
    ('delete the log',                $$DELETE FROM hubroute.assignments$$),
    ('insert a ticket',               $$INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'admin')$$),
    ('reassign a ticket',             $$UPDATE hubroute.tickets SET owner_id = 1 WHERE id = 1$$),
    ('delete a conversation',         $$DELETE FROM hubroute.conversations$$),
    ('route_ticket()',                $$SELECT hubroute.route_ticket(1)$$),
    ('post a message',                $$INSERT INTO hubroute.messages (ticket_id, direction, body) VALUES (1, 'incoming', 'x')$$),
    ('write the outbox',              $$INSERT INTO hubroute.notifications (user_id, kind) VALUES (1, 'x')$$)
  ) AS t(action, statement);
RESET ROLE;
-- Eve (new target, via her team) is routed to once the admin's edits apply.
SET ROLE hr_priv_app;
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (5, 10, 'after the edits') RETURNING id, owner_id;
RESET ROLE;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-------------------------------------------------------------------------------
-- hubroute_reporting: reads every table and view of the schema, writes
-- nothing, and may not touch routing's counts.
-------------------------------------------------------------------------------
SET ROLE hr_priv_reporting;
SELECT c.relname, c.relkind, pg_temp.try(format('SELECT count(*) FROM hubroute.%I', c.relname)) AS reads
  FROM pg_class c
 WHERE c.relnamespace = 'hubroute'::regnamespace AND c.relkind IN ('r', 'v')
 ORDER BY c.relname;
SELECT action, pg_temp.try(statement) AS outcome
  FROM (VALUES
    ('insert a ticket',               $$INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'report')$$),
    ('close a ticket',                $$UPDATE hubroute.tickets SET status = 'closed' WHERE id = 1$$),
    ('delete a conversation',         $$DELETE FROM hubroute.conversations$$),
    ('post a message',                $$INSERT INTO hubroute.messages (ticket_id, direction, body) VALUES (1, 'incoming', 'x')$$),
    ('add a contact',                 $$INSERT INTO hubroute.contacts (id, name) VALUES (200, 'x')$$),
    ('set availability',              $$UPDATE hubroute.users SET available = false WHERE id = 1$$),
    ('edit a channel''s rule',        $$UPDATE hubroute.channels SET distribution = 'random' WHERE id = 10$$),
    ('write the log',                 $$INSERT INTO hubroute.assignments (ticket_id, method) VALUES (1, 'manual')$$),
    ('empty the outbox',              $$DELETE FROM hubroute.notifications$$),
    ('route_ticket()',                $$SELECT hubroute.route_ticket(1)$$),
    ('read routing''s counts',        $$SELECT count(*) FROM hubroute.routing_load()$$),
    ('rebuild_counters()',            $$SELECT hubroute.rebuild_counters()$$)
  ) AS t(action, statement);
RESET ROLE;

-------------------------------------------------------------------------------
-- hubroute_internal (reads, bypassing row security) and hubroute_logger
-- (log and outbox rows): no login, no superuser, no members, a member of no
-- role, and exactly the grants of the install script, anywhere in the
-- database.
-------------------------------------------------------------------------------
SELECT rolname, rolsuper, rolcanlogin, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls
  FROM pg_roles WHERE rolname IN ('hubroute_internal', 'hubroute_logger') ORDER BY rolname;
SELECT r.rolname,
       (SELECT count(*) FROM pg_auth_members WHERE roleid = r.oid) AS members,
       (SELECT count(*) FROM pg_auth_members WHERE member = r.oid) AS member_of
  FROM pg_roles r WHERE r.rolname IN ('hubroute_internal', 'hubroute_logger') ORDER BY r.rolname;
SELECT g.grantee::regrole AS grantee, object, string_agg(privilege, ', ' ORDER BY privilege) AS privileges
  FROM (SELECT c.oid::regclass::text AS object, a.privilege_type AS privilege, a.grantee
          FROM pg_class c, aclexplode(c.relacl) a
        UNION ALL
        SELECT format('%s.%s', c.oid::regclass, t.attname), a.privilege_type, a.grantee
          FROM pg_attribute t JOIN pg_class c ON c.oid = t.attrelid, aclexplode(t.attacl) a
        UNION ALL
        SELECT p.oid::regprocedure::text, a.privilege_type, a.grantee
          FROM pg_proc p, aclexplode(p.proacl) a
        UNION ALL
        SELECT 'schema ' || n.nspname, a.privilege_type, a.grantee
          FROM pg_namespace n, aclexplode(n.nspacl) a
        UNION ALL
        SELECT 'type ' || t.oid::regtype, a.privilege_type, a.grantee
          FROM pg_type t, aclexplode(t.typacl) a
        UNION ALL
        SELECT 'database ' || d.datname, a.privilege_type, a.grantee
          FROM pg_database d, aclexplode(d.datacl) a
         WHERE d.datname = current_database()
        UNION ALL
        SELECT 'default privileges', a.privilege_type, a.grantee
          FROM pg_default_acl d, aclexplode(d.defaclacl) a) g
 WHERE g.grantee IN ('hubroute_internal'::regrole, 'hubroute_logger'::regrole)
 GROUP BY g.grantee, object
 ORDER BY object, g.grantee;
-- They own nothing.
SELECT count(*) AS owns_relations FROM pg_class
 WHERE relowner IN ('hubroute_internal'::regrole, 'hubroute_logger'::regrole);
SELECT count(*) AS owns_functions FROM pg_proc
 WHERE proowner IN ('hubroute_internal'::regrole, 'hubroute_logger'::regrole);

-- Given more, they are refused: every statement that needs hubroute's own
-- SQL errors (0P000) and says how to undo it. (A configuration change makes
-- routing reload its cached configuration, which is its own SQL; a changed
-- name would not, as routing never reads it, so the time zone flips.)
ALTER ROLE hubroute_internal SUPERUSER;
UPDATE hubroute.channels SET timezone = CASE timezone WHEN 'UTC' THEN 'Etc/UTC' ELSE 'UTC' END WHERE id = 10;
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (6, 10, 'refused');
\echo :LAST_ERROR_SQLSTATE
SELECT hubroute.route_ticket(7);
\echo :LAST_ERROR_SQLSTATE
ALTER ROLE hubroute_internal NOSUPERUSER LOGIN;
UPDATE hubroute.channels SET timezone = CASE timezone WHEN 'UTC' THEN 'Etc/UTC' ELSE 'UTC' END WHERE id = 10;
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (6, 10, 'refused');
ALTER ROLE hubroute_internal NOLOGIN;
GRANT hubroute_internal TO hr_priv_reporting;
UPDATE hubroute.channels SET timezone = CASE timezone WHEN 'UTC' THEN 'Etc/UTC' ELSE 'UTC' END WHERE id = 10;
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (6, 10, 'refused');
REVOKE hubroute_internal FROM hr_priv_reporting;
GRANT pg_read_all_data TO hubroute_internal;
UPDATE hubroute.channels SET timezone = CASE timezone WHEN 'UTC' THEN 'Etc/UTC' ELSE 'UTC' END WHERE id = 10;
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (6, 10, 'refused');
REVOKE pg_read_all_data FROM hubroute_internal;
-- The logger too, when a decision's log row goes through SQL (here: a
-- trigger of the DBA's on the log).
CREATE FUNCTION pg_temp.nothing() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER dba_log_trigger AFTER INSERT ON hubroute.assignments
    FOR EACH ROW EXECUTE FUNCTION pg_temp.nothing();
ALTER ROLE hubroute_logger CREATEROLE;
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (6, 10, 'refused');
\echo :LAST_ERROR_SQLSTATE
ALTER ROLE hubroute_logger NOCREATEROLE;
-- Code run as the logger (this trigger) makes a function it owns, to keep
-- its rights for later: from then on hubroute refuses to run as it.
CREATE FUNCTION pg_temp.keep_rights() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'CREATE FUNCTION public.logger_kept() RETURNS int LANGUAGE sql SECURITY DEFINER AS $f$SELECT 1$f$';
    RETURN NEW;
END $$;
GRANT CREATE ON SCHEMA public TO hubroute_logger;
CREATE TRIGGER dba_keep_rights AFTER INSERT ON hubroute.assignments
    FOR EACH ROW EXECUTE FUNCTION pg_temp.keep_rights();
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (8, 11, 'made a function');
DROP TRIGGER dba_keep_rights ON hubroute.assignments;
SELECT proowner::regrole AS logger_kept_owner FROM pg_proc WHERE proname = 'logger_kept';
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (6, 10, 'refused');
\echo :LAST_ERROR_SQLSTATE
DROP FUNCTION public.logger_kept();
REVOKE CREATE ON SCHEMA public FROM hubroute_logger;
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (6, 10, 'routed again') RETURNING id, owner_id;
DROP TRIGGER dba_log_trigger ON hubroute.assignments;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- The roles of the model stay (they belong to the cluster); the test roles go.
DROP ROLE hr_priv_app, hr_priv_agent, hr_priv_admin, hr_priv_reporting;

DROP EXTENSION hubroute CASCADE;
