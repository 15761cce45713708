-- test/pgtap/security.sql: no code that another role controls runs with more
-- privilege than that role (issue 7, section 2).
--
-- One block per attack that worked on the code before the hardening, each
-- planting code that records who it ran as (current_user, session_user,
-- whether that role is a superuser), whether it could read a table only the
-- superuser may read, and whether it could make its role a superuser. The
-- assertions read that record afterwards. Then the rules that keep a caller
-- to its own rights: route_*() and reply assignment need the caller's own
-- UPDATE right and obey row-level security, and the reporting views are no
-- way around table rights.
--
-- The test runs as a superuser (the DBA); every attack runs under SET ROLE
-- as a role with no more rights than the attack needs. Everything, roles
-- included, is rolled back at the end.
--
-- Run by test/run_all.sh as: pg_prove -d hubroute_tap test/pgtap/*.sql
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
CREATE EXTENSION hubroute;

SELECT plan(62);

-------------------------------------------------------------------------------
-- Fixture
--   users: 1 Ann, 2 Bob (service, available), 3 Cid (service, away)
--   channels (help desk 1): 10 balanced over Ann and Bob; 11 nobody;
--     12 contact owner; 13 nobody until the DBA makes it balanced (its
--     tickets wait until then)
--   channels (inbox 2): 20 balanced over Ann and Bob; 21 nobody
--   contact 500 is owned by Cid, who is away
-------------------------------------------------------------------------------
INSERT INTO hubroute.users (id, name, seat, available) VALUES
    (1, 'Ann', 'service', true), (2, 'Bob', 'service', true), (3, 'Cid', 'service', false);
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (1, 'Help', 'helpdesk'), (2, 'Inbox', 'inbox');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (10, 1, 'email', 'help mail', 'users_and_teams', 'balanced'),
    (11, 1, 'form', 'help form', 'nobody', NULL),
    (12, 1, 'chat', 'help chat', 'contact_owner', NULL),
    (13, 1, 'calling', 'help phone', 'nobody', NULL),
    (20, 2, 'chat', 'inbox chat', 'users_and_teams', 'balanced'),
    (21, 2, 'email', 'inbox mail', 'nobody', NULL);
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 1), (10, 2), (20, 1), (20, 2);
INSERT INTO hubroute.contacts (id, name, owner_id, tracked) VALUES (500, 'Customer', 3, true);

-- The roles. hr_sec_attacker starts with no rights at all; each attack
-- grants it only what the issue says that attack had. hr_sec_app is an
-- application, hr_sec_agent an agent UI, as the role model makes them.
CREATE ROLE hr_sec_attacker;
CREATE ROLE hr_sec_app IN ROLE hubroute_application;
CREATE ROLE hr_sec_agent IN ROLE hubroute_agent;

-- What planted code records, readable and writable by everyone, and a
-- secret only the superuser may read.
CREATE TABLE public.sec_evidence (
    attack           text,
    ran_as           name,
    session_as       name,
    ran_as_superuser boolean,
    read_secret      boolean,
    became_superuser boolean,
    note             text
);
GRANT SELECT, INSERT ON public.sec_evidence TO PUBLIC;
CREATE TABLE public.sec_secret (secret text);
INSERT INTO public.sec_secret VALUES ('the DBA''s secret');
REVOKE ALL ON public.sec_secret FROM PUBLIC;

-- The attacker's schema and its spy: records who runs it, tries to read the
-- secret and to make the attacker a superuser.
CREATE SCHEMA sec_attacker AUTHORIZATION hr_sec_attacker;
SET ROLE hr_sec_attacker;
GRANT USAGE ON SCHEMA sec_attacker TO PUBLIC;
CREATE FUNCTION sec_attacker.spy(attack text, note text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    read_ok boolean := false;
    super_ok boolean := false;
BEGIN
    BEGIN
        PERFORM pg_catalog.count(*) FROM public.sec_secret;
        read_ok := true;
    EXCEPTION WHEN OTHERS THEN
        NULL;
    END;
    BEGIN
        ALTER ROLE hr_sec_attacker SUPERUSER;
        super_ok := true;
    EXCEPTION WHEN OTHERS THEN
        NULL;
    END;
    INSERT INTO public.sec_evidence
    SELECT attack, current_user, session_user, r.rolsuper, read_ok, super_ok, note
      FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user;
END;
$$;
CREATE FUNCTION sec_attacker.spy_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM sec_attacker.spy(TG_ARGV[0]);
    RETURN NULL;
END;
$$;
RESET ROLE;

-- What every attack's evidence must show: the planted code never ran as a
-- superuser, never read the secret, and the attacker is no superuser after.
CREATE FUNCTION pg_temp.never_raised(attack text) RETURNS boolean LANGUAGE sql AS $$
    SELECT NOT EXISTS (SELECT FROM public.sec_evidence e
                        WHERE e.attack = $1 AND (e.ran_as_superuser OR e.read_secret OR e.became_superuser))
       AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = 'hr_sec_attacker')
$$;
CREATE FUNCTION pg_temp.evidence(attack text) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM public.sec_evidence e WHERE e.attack = $1
$$;
-- (On code that lets an attack through, its ALTER ROLE works: each attack
-- ends with ALTER ROLE hr_sec_attacker NOSUPERUSER, so that the next one
-- starts from an attacker without rights again.)

-------------------------------------------------------------------------------
-- Attack 6: the locks hubroute takes cannot be taken from SQL.
-- pg_advisory_lock() and its kin make advisory locks with objsubid 1 (one
-- bigint key) or 2 (two integer keys); a role with no rights could take the
-- old load lock first and stall every routed insert after the next restart
-- or rebuild_counters() (the isolation spec counts_load_lock shows that this
-- no longer stalls anything). Here: the locks a routed insert holds to
-- commit use another objsubid. And the counts load, the first routed insert
-- of this new extension, runs no code of anyone else: hubroute_internal
-- bypasses row security, so a policy written for it is never evaluated (the
-- probe would record this backend's locks when the planner evaluates it).
-------------------------------------------------------------------------------
CREATE TABLE public.sec_locks_seen (objsubid integer, mode text);
GRANT INSERT ON public.sec_locks_seen TO PUBLIC;
CREATE FUNCTION public.sec_record_locks() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.sec_locks_seen
    SELECT l.objsubid, l.mode FROM pg_catalog.pg_locks l
     WHERE l.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid()
       AND l.locktype OPERATOR(pg_catalog.=) 'advisory' AND l.granted;
END;
$$;
CREATE FUNCTION public.sec_lock_probe() RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM public.sec_record_locks();
    RETURN -1;
END;
$$;
ALTER TABLE hubroute.tickets ENABLE ROW LEVEL SECURITY;
CREATE POLICY sec_observe ON hubroute.tickets FOR SELECT TO hubroute_internal
    USING (id > public.sec_lock_probe());
CREATE POLICY sec_application ON hubroute.tickets TO hubroute_application USING (true);

SET ROLE hr_sec_app;
SELECT lives_ok(
    $$INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (1, 10, 'first routed insert')$$,
    'attack 6: the first routed insert loads the counts');
SELECT is((SELECT count(*) FROM pg_catalog.pg_locks l
            WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'advisory' AND l.objsubid IN (1, 2)),
          0::bigint,
          'attack 6: no lock hubroute holds is one pg_advisory_lock() could take');
SELECT ok(EXISTS (SELECT FROM pg_catalog.pg_locks l
                   WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'advisory'
                     AND l.objsubid = 5 AND l.mode = 'ShareLock'),
          'attack 6: the insert holds its channel''s reference lock, objsubid 5, to commit');
RESET ROLE;
DROP POLICY sec_observe ON hubroute.tickets;
DROP POLICY sec_application ON hubroute.tickets;
ALTER TABLE hubroute.tickets DISABLE ROW LEVEL SECURITY;

SELECT is((SELECT count(*) FROM public.sec_locks_seen), 0::bigint,
          'row security: a policy for hubroute_internal is never evaluated (it bypasses row security)');
SELECT isnt((SELECT owner_id FROM hubroute.tickets WHERE id = 1), NULL::bigint,
            'attack 6: the insert was routed');

-- Items the later attacks need, inserted before any attacker code exists:
-- unassigned tickets in the 'nobody' channels, a conversation waiting.
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES
    (901, 13, 'waits for attack 1'), (905, 13, 'waits, visible to agents'),
    (902, 11, 'waits for a reply (attack 3)'), (903, 11, 'waits for a reply (refusals)'),
    (904, 11, 'hidden from agents');
INSERT INTO hubroute.conversations (id, channel_id, subject) VALUES (950, 21, 'waits');
-- Channel 13 becomes balanced: its waiting tickets can now be routed.
UPDATE hubroute.channels SET assign_to = 'users_and_teams', distribution = 'balanced' WHERE id = 13;
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (13, 1), (13, 2);

-------------------------------------------------------------------------------
-- Attack 1: a role granted TRIGGER on hubroute.assignments attaches its own
-- trigger, then gets a decision logged: by calling route_ticket() (which
-- now needs the caller's own UPDATE right), and by a privileged application
-- inserting a ticket. Its trigger runs, but never as a superuser, and the
-- ALTER ROLE ... SUPERUSER inside it is refused.
-------------------------------------------------------------------------------
GRANT TRIGGER ON hubroute.assignments TO hr_sec_attacker;
SET ROLE hr_sec_attacker;
CREATE TRIGGER zz_attack_1 AFTER INSERT ON hubroute.assignments
    FOR EACH ROW EXECUTE FUNCTION sec_attacker.spy_trigger('1');
SELECT throws_ok(
    $$SELECT hubroute.route_ticket(901)$$,
    '42501', 'permission denied for table tickets',
    'attack 1: route_ticket() by a role without UPDATE on tickets is refused');
RESET ROLE;
SELECT is((SELECT owner_id FROM hubroute.tickets WHERE id = 901), NULL::bigint,
          'attack 1: the refused route_ticket() changed nothing');
SET ROLE hr_sec_app;
SELECT lives_ok(
    $$INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (2, 10, 'routed and logged')$$,
    'attack 1: an application inserts a ticket, its decision is logged');
RESET ROLE;
SELECT ok(pg_temp.evidence('1') > 0,
          'attack 1: the attacker''s trigger on the log ran (the attack reached it)');
SELECT ok(pg_temp.never_raised('1'),
          'attack 1: the attacker''s trigger never ran as a superuser, read no secret, made no superuser');
SELECT is((SELECT count(*) FROM public.sec_evidence WHERE attack = '1' AND ran_as_superuser IS NOT false),
          0::bigint, 'attack 1: no run of the attacker''s trigger was by a superuser');
ALTER ROLE hr_sec_attacker NOSUPERUSER;
DROP TRIGGER zz_attack_1 ON hubroute.assignments;
REVOKE TRIGGER ON hubroute.assignments FROM hr_sec_attacker;

-------------------------------------------------------------------------------
-- Attack 4: a column a DBA adds to the log, with a DEFAULT that calls a
-- function a low-privileged role owns. Logging now inserts through SQL (the
-- table is no longer as the extension made it), and the default runs, but
-- not as a superuser.
-------------------------------------------------------------------------------
SET ROLE hr_sec_attacker;
CREATE FUNCTION sec_attacker.note_default() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM sec_attacker.spy('4');
    RETURN 'noted';
END;
$$;
RESET ROLE;
-- (Added without the default first: a volatile default given in ADD COLUMN
-- is computed for the existing rows by the ALTER TABLE itself, as the DBA.)
ALTER TABLE hubroute.assignments ADD COLUMN note text;
ALTER TABLE hubroute.assignments ALTER COLUMN note SET DEFAULT sec_attacker.note_default();
SET ROLE hr_sec_app;
SELECT lives_ok(
    $$INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (3, 10, 'logged with a note')$$,
    'attack 4: an application inserts a ticket into a log with a DBA''s column');
RESET ROLE;
SELECT is((SELECT note FROM hubroute.assignments WHERE ticket_id = 3), 'noted',
          'attack 4: the column''s default took effect (the attack reached it)');
SELECT ok(pg_temp.never_raised('4'),
          'attack 4: the default''s function never ran as a superuser, read no secret, made no superuser');
SELECT is((SELECT count(*) FROM public.sec_evidence WHERE attack = '4' AND ran_as_superuser IS NOT false),
          0::bigint, 'attack 4: no run of the default''s function was by a superuser');
ALTER ROLE hr_sec_attacker NOSUPERUSER;
ALTER TABLE hubroute.assignments DROP COLUMN note;

-------------------------------------------------------------------------------
-- Attack 5: settings changed by code that hubroute's own SQL fires must not
-- stay set in the caller's session. The attacker's trigger on the log sets work_mem, search_path and a
-- custom setting for the session (set_config(..., false)), and tries
-- session_replication_role = replica, which would switch off every
-- ordinary trigger (routing and foreign keys included) for the rest of the
-- application's session.
-------------------------------------------------------------------------------
SET ROLE hr_sec_attacker;
CREATE FUNCTION sec_attacker.settings_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_catalog.set_config('work_mem', '1234kB', false);
    PERFORM pg_catalog.set_config('search_path', 'sec_attacker, public', false);
    PERFORM pg_catalog.set_config('sec.planted', 'planted', false);
    BEGIN
        SET session_replication_role = replica;
        PERFORM sec_attacker.spy('5', 'session_replication_role set');
    EXCEPTION WHEN OTHERS THEN
        PERFORM sec_attacker.spy('5', 'session_replication_role refused: ' || SQLSTATE);
    END;
    RETURN NULL;
END;
$$;
RESET ROLE;
GRANT TRIGGER ON hubroute.assignments TO hr_sec_attacker;
SET ROLE hr_sec_attacker;
CREATE TRIGGER zz_attack_5 AFTER INSERT ON hubroute.assignments
    FOR EACH ROW EXECUTE FUNCTION sec_attacker.settings_trigger();
RESET ROLE;

CREATE TEMP TABLE settings_before AS
SELECT current_setting('work_mem') AS work_mem, current_setting('search_path') AS search_path;
SET ROLE hr_sec_app;
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (4, 10, 'settings attack');
CREATE TEMP TABLE settings_after AS
SELECT current_setting('session_replication_role') AS session_replication_role,
       current_setting('work_mem') AS work_mem, current_setting('search_path') AS search_path,
       current_setting('sec.planted', true) AS planted;
-- The application's next insert, in the same session.
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (5, 10, 'after the settings attack');
RESET ROLE;
-- Undo whatever stayed set, so that the rest of this file runs normally.
RESET session_replication_role;
RESET work_mem;
RESET search_path;

SELECT ok(pg_temp.evidence('5') > 0, 'attack 5: the attacker''s trigger ran (the attack reached it)');
SELECT is((SELECT session_replication_role FROM settings_after), 'origin',
          'attack 5: session_replication_role is not replica in the application''s session afterwards');
SELECT is((SELECT work_mem FROM settings_after), (SELECT work_mem FROM settings_before),
          'attack 5: work_mem set with set_config(..., false) did not stay set');
SELECT is((SELECT search_path FROM settings_after), (SELECT search_path FROM settings_before),
          'attack 5: search_path set with set_config(..., false) did not stay set');
SELECT is(COALESCE((SELECT planted FROM settings_after), ''), '',
          'attack 5: a custom setting set inside did not stay set');
SELECT is((SELECT count(*) FROM public.sec_evidence
            WHERE attack = '5' AND note = 'session_replication_role refused: 42501'),
          pg_temp.evidence('5'),
          'attack 5: setting session_replication_role inside was refused (42501: no superuser)');
SELECT ok(pg_temp.never_raised('5'), 'attack 5: the trigger never ran as a superuser');
DROP TRIGGER zz_attack_5 ON hubroute.assignments;
REVOKE TRIGGER ON hubroute.assignments FROM hr_sec_attacker;
ALTER ROLE hr_sec_attacker NOSUPERUSER;
SELECT isnt((SELECT owner_id FROM hubroute.tickets WHERE id = 5), NULL::bigint,
            'attack 5: the next insert in that session is routed (its triggers fire)');

-------------------------------------------------------------------------------
-- Attack 2: a DBA's trigger on hubroute.notifications calls a function by
-- an unqualified name, and the attacker plants a function of that name in
-- schema public, which is in the application's search_path. A contact-owner
-- decision for an owner who is away writes a notification. hubroute's own
-- SQL runs with search_path pinned to pg_catalog, pg_temp: the planted
-- function is never found, so it never runs, at any privilege; the DBA's
-- trigger fails instead (42883) until it qualifies the name.
-------------------------------------------------------------------------------
CREATE SCHEMA sec_dba;
GRANT USAGE ON SCHEMA sec_dba TO PUBLIC;
CREATE FUNCTION sec_dba.notification_sent(user_id bigint) RETURNS void LANGUAGE sql AS $$
    INSERT INTO public.sec_evidence (attack, ran_as, note) VALUES ('2-dba', current_user, 'the DBA''s own hook');
$$;
CREATE FUNCTION sec_dba.notifications_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notification_sent(NEW.user_id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER audit AFTER INSERT ON hubroute.notifications
    FOR EACH ROW EXECUTE FUNCTION sec_dba.notifications_audit();
GRANT CREATE ON SCHEMA public TO hr_sec_attacker;
SET ROLE hr_sec_attacker;
CREATE FUNCTION public.notification_sent(user_id bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM sec_attacker.spy('2');
END;
$$;
RESET ROLE;

SET ROLE hr_sec_app;
SELECT is(current_setting('search_path'), '"$user", public',
          'attack 2: public is in the application''s search_path');
SELECT throws_ok(
    $$INSERT INTO hubroute.tickets (id, channel_id, contact_id, subject) VALUES (6, 12, 500, 'for Cid')$$,
    '42883', NULL,
    'attack 2: the DBA''s unqualified call finds no function in hubroute''s pinned search_path');
RESET ROLE;
SELECT is(pg_temp.evidence('2'), 0::bigint, 'attack 2: the planted function never ran');
SELECT ok(pg_temp.never_raised('2'), 'attack 2: nothing ran as a superuser');
ALTER ROLE hr_sec_attacker NOSUPERUSER;

-- The DBA qualifies the name: the notification is written, the DBA's own
-- function runs, the planted one still does not.
CREATE OR REPLACE FUNCTION sec_dba.notifications_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM sec_dba.notification_sent(NEW.user_id);
    RETURN NULL;
END;
$$;
SET ROLE hr_sec_app;
SELECT lives_ok(
    $$INSERT INTO hubroute.tickets (id, channel_id, contact_id, subject) VALUES (6, 12, 500, 'for Cid')$$,
    'attack 2: with the name qualified, the contact-owner insert works');
RESET ROLE;
SELECT is((SELECT count(*) FROM hubroute.notifications WHERE ticket_id = 6 AND user_id = 3), 1::bigint,
          'attack 2: an owner_offline notification was written for Cid');
SELECT is(pg_temp.evidence('2-dba'), 1::bigint, 'attack 2: the DBA''s qualified function ran');
SELECT is(pg_temp.evidence('2'), 0::bigint, 'attack 2: the planted function still never ran');
SELECT is((SELECT count(*) FROM public.sec_evidence e JOIN pg_roles r ON r.rolname = e.ran_as
            WHERE e.attack = '2-dba' AND r.rolsuper), 0::bigint,
          'attack 2: the DBA''s function ran as no superuser either');
DROP TRIGGER audit ON hubroute.notifications;
DROP FUNCTION public.notification_sent(bigint);
REVOKE CREATE ON SCHEMA public FROM hr_sec_attacker;

-------------------------------------------------------------------------------
-- Attack 3: a role with only INSERT on hubroute.messages creates a
-- temporary table that shadows the name a DBA's audit trigger on tickets
-- uses unqualified, with its own trigger on it, and posts an outgoing reply
-- on an unassigned ticket. The owner change behind the reply runs as the
-- role that posted it: without UPDATE on the ticket it is refused (42501);
-- with it (the same role made an agent), the DBA's trigger and the
-- attacker's run as the attacker itself.
-------------------------------------------------------------------------------
CREATE TABLE public.ticket_audit (ticket_id bigint, owner_id bigint);
GRANT INSERT ON public.ticket_audit TO PUBLIC;
CREATE FUNCTION public.ticket_audit_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_audit (ticket_id, owner_id) VALUES (NEW.id, NEW.owner_id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER audit AFTER UPDATE ON hubroute.tickets
    FOR EACH ROW EXECUTE FUNCTION public.ticket_audit_trigger();
GRANT INSERT ON hubroute.messages TO hr_sec_attacker;

SET ROLE hr_sec_attacker;
CREATE TEMP TABLE ticket_audit (ticket_id bigint, owner_id bigint);
GRANT ALL ON ticket_audit TO PUBLIC;
CREATE TRIGGER shadow AFTER INSERT ON ticket_audit
    FOR EACH ROW EXECUTE FUNCTION sec_attacker.spy_trigger('3');
SELECT throws_ok(
    $$INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body)
      VALUES (902, 'outgoing', 1, 'hello')$$,
    '42501', 'permission denied for table tickets',
    'attack 3: a reply by a role without UPDATE on tickets cannot assign the ticket');
RESET ROLE;
SELECT is(pg_temp.evidence('3'), 0::bigint, 'attack 3: the shadowing trigger did not run');
SELECT ok(pg_temp.never_raised('3'), 'attack 3: nothing ran as a superuser');
SELECT is((SELECT owner_id FROM hubroute.tickets WHERE id = 902), NULL::bigint,
          'attack 3: the ticket stays unassigned');
ALTER ROLE hr_sec_attacker NOSUPERUSER;

-- The same role, now an agent, replies: the reply assigns it, and every
-- trigger on the way runs as the attacker.
GRANT hubroute_agent TO hr_sec_attacker;
SET ROLE hr_sec_attacker;
SELECT lives_ok(
    $$INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body)
      VALUES (902, 'outgoing', 1, 'hello')$$,
    'attack 3: an agent''s reply assigns the ticket');
RESET ROLE;
SELECT is((SELECT owner_id FROM hubroute.tickets WHERE id = 902), 1::bigint,
          'attack 3: the reply made the author the owner');
SELECT ok(pg_temp.evidence('3') > 0, 'attack 3: the shadowing trigger ran (the attack reached it)');
SELECT is((SELECT count(*) FROM public.sec_evidence WHERE attack = '3' AND ran_as <> 'hr_sec_attacker'),
          0::bigint, 'attack 3: the shadowing trigger ran as the attacker only');
SELECT ok(pg_temp.never_raised('3'), 'attack 3: nothing ran as a superuser');
ALTER ROLE hr_sec_attacker NOSUPERUSER;
REVOKE hubroute_agent FROM hr_sec_attacker;
REVOKE INSERT ON hubroute.messages FROM hr_sec_attacker;
DROP TABLE pg_temp.ticket_audit;
DROP TRIGGER audit ON hubroute.tickets;

-------------------------------------------------------------------------------
-- Acting on the caller's behalf needs the caller's own rights.
-------------------------------------------------------------------------------
-- route_*() by an application, which may insert and read items only.
SET ROLE hr_sec_app;
SELECT throws_ok($$SELECT hubroute.route_ticket(905)$$, '42501', 'permission denied for table tickets',
                 'route_ticket() by a role without UPDATE on tickets is refused');
SELECT throws_ok($$SELECT hubroute.route_conversation(950)$$, '42501',
                 'permission denied for table conversations',
                 'route_conversation() by a role without UPDATE on conversations is refused');
RESET ROLE;
SELECT is((SELECT owner_id FROM hubroute.tickets WHERE id = 905), NULL::bigint,
          'the refused route_ticket() left the ticket unassigned');

-- Reply assignment by roles without UPDATE on owner_id: the application,
-- and a role that may update the status only.
CREATE ROLE hr_sec_status_only;
GRANT SELECT, INSERT ON hubroute.messages TO hr_sec_status_only;
GRANT SELECT, UPDATE (status) ON hubroute.tickets TO hr_sec_status_only;
SET ROLE hr_sec_app;
SELECT throws_ok(
    $$INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body) VALUES (903, 'outgoing', 1, 'hi')$$,
    '42501', 'permission denied for table tickets',
    'a reply posted by an application does not assign its author');
RESET ROLE;
SET ROLE hr_sec_status_only;
SELECT throws_ok(
    $$INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body) VALUES (903, 'outgoing', 1, 'hi')$$,
    '42501', 'permission denied for table tickets',
    'a reply posted by a role with UPDATE of status only does not assign its author');
SELECT lives_ok(
    $$INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body) VALUES (903, 'incoming', NULL, 'hi')$$,
    'that role may still post an incoming message');
RESET ROLE;
SELECT is((SELECT owner_id FROM hubroute.tickets WHERE id = 903), NULL::bigint,
          'the refused replies left the ticket unassigned');

-- Row-level security: the agents' policy hides channel 11's tickets.
-- (hubroute_internal needs no policy: it bypasses row security, and so
-- counts every item and keeps references whole.)
ALTER TABLE hubroute.tickets ENABLE ROW LEVEL SECURITY;
CREATE POLICY sec_agents ON hubroute.tickets TO hubroute_agent USING (channel_id <> 11);
CREATE TEMP TABLE log_before AS SELECT count(*) AS n FROM hubroute.assignments WHERE ticket_id = 904;
SET ROLE hr_sec_agent;
SELECT throws_ok($$SELECT hubroute.route_ticket(904)$$, 'P0002', 'ticket 904 does not exist',
                 'route_ticket() of a ticket row-level security hides says it does not exist');
SELECT lives_ok($$SELECT hubroute.route_ticket(905)$$,
                'route_ticket() of a ticket the agent may see and update works');
RESET ROLE;
SELECT isnt((SELECT owner_id FROM hubroute.tickets WHERE id = 905), NULL::bigint,
            'route_ticket() routed the ticket the agent may see');
SELECT is((SELECT owner_id FROM hubroute.tickets WHERE id = 904), NULL::bigint,
          'the hidden ticket was not routed');
SELECT is((SELECT count(*) FROM hubroute.assignments WHERE ticket_id = 904), (SELECT n FROM log_before),
          'the hidden ticket got no decision row');

-- The reporting views are security_invoker: SELECT on a view alone reads
-- nothing, and a cheap leaky function in the WHERE clause sees only the
-- rows the caller's own rights and policies let it see.
CREATE ROLE hr_sec_viewer;
GRANT SELECT ON hubroute.unassigned, hubroute.user_load TO hr_sec_viewer;
SET ROLE hr_sec_viewer;
SELECT throws_ok($$SELECT * FROM hubroute.unassigned$$, '42501', 'permission denied for table tickets',
                 'SELECT on hubroute.unassigned without rights on the tables reads nothing');
SELECT throws_ok($$SELECT * FROM hubroute.user_load$$, '42501', 'permission denied for table users',
                 'SELECT on hubroute.user_load without rights on the tables reads nothing');
RESET ROLE;

CREATE ROLE hr_sec_peeker;
GRANT SELECT ON hubroute.unassigned, hubroute.tickets, hubroute.conversations TO hr_sec_peeker;
CREATE POLICY sec_peeker ON hubroute.tickets FOR SELECT TO hr_sec_peeker USING (channel_id = 10);
CREATE TABLE public.sec_leaked (kind text, id bigint);
GRANT INSERT ON public.sec_leaked TO PUBLIC;
CREATE FUNCTION public.sec_leak(kind text, id bigint) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS $$
BEGIN
    INSERT INTO public.sec_leaked VALUES (kind, id);
    RETURN true;
END;
$$;
SET ROLE hr_sec_peeker;
SELECT lives_ok($$SELECT count(*) FROM hubroute.unassigned WHERE public.sec_leak(kind, id)$$,
                'a role with a leaky function reads hubroute.unassigned');
RESET ROLE;
SELECT ok(EXISTS (SELECT FROM hubroute.unassigned WHERE kind = 'ticket' AND channel_id <> 10),
          'there are unassigned tickets the policy hides from that role');
SELECT ok(EXISTS (SELECT FROM public.sec_leaked WHERE kind = 'conversation'),
          'the leaky function ran (it saw the unassigned conversation)');
SELECT is((SELECT count(*) FROM public.sec_leaked l JOIN hubroute.tickets t ON t.id = l.id
            WHERE l.kind = 'ticket' AND t.channel_id <> 10), 0::bigint,
          'the leaky function saw no ticket the policy hides');

DROP POLICY sec_agents ON hubroute.tickets;
DROP POLICY sec_peeker ON hubroute.tickets;
ALTER TABLE hubroute.tickets DISABLE ROW LEVEL SECURITY;

-------------------------------------------------------------------------------
-- After all of it: no attacker is a superuser, no planted code ran as one,
-- and routing's counts equal the tables.
-------------------------------------------------------------------------------
SELECT is((SELECT count(*) FROM pg_roles WHERE rolname LIKE 'hr\_sec\_%' AND rolsuper), 0::bigint,
          'no test role became a superuser');
SELECT is((SELECT count(*) FROM public.sec_evidence e JOIN pg_roles r ON r.rolname = e.ran_as
            WHERE r.rolsuper), 0::bigint,
          'no planted code ran as a superuser');

SELECT ok(NOT EXISTS (SELECT FROM hubroute.routing_load_check()),
          'routing''s counts equal the tables (routing_load_check() is empty)');

SELECT * FROM finish();
ROLLBACK;
