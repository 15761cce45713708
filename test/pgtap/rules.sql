-- test/pgtap/rules.sql: the routing rules of SPEC §2 and the after-insert
-- behaviour of SPEC §3 (manual and reply assignment, route_ticket /
-- route_conversation, user_load, unassigned, the assignments log).
--
-- Every scenario has its own users and channels, so that the open counts one
-- scenario builds up never steer another. Items get explicit ids.
--
-- Run by test/run_all.sh as: pg_prove -d hubroute_tap test/pgtap/*.sql
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
CREATE EXTENSION hubroute;

SELECT plan(87);

-- The counts routing compares must always equal counting the item tables
-- (SPEC §1, §3): hubroute.routing_load_check() lists every difference.

-------------------------------------------------------------------------------
-- Shared configuration
--   workspace 1: help desk; 2: inbox; 3: help desk restricted to team 300
--   channel 100: help desk, nobody; channel 200: inbox, nobody
--   (both used to give users manual items before a scenario starts)
-------------------------------------------------------------------------------
INSERT INTO hubroute.workspaces (id, name, kind) VALUES
    (1, 'Help', 'helpdesk'), (2, 'Inbox', 'inbox'), (3, 'Restricted help', 'helpdesk');
INSERT INTO hubroute.teams (id, name) VALUES
    (101, 'Balanced team'), (102, 'Mixed seats'), (103, 'Home of 80'), (104, 'Primary test'),
    (105, 'Home of 90'), (300, 'Restricted team');
INSERT INTO hubroute.workspace_teams (workspace_id, team_id) VALUES (3, 300);
INSERT INTO hubroute.channels (id, workspace_id, kind, name) VALUES
    (100, 1, 'email', 'help: nobody'), (200, 2, 'chat', 'inbox: nobody');
INSERT INTO hubroute.skills (id, name, kind) VALUES (1, 'Dutch', 'language'), (2, 'Billing', 'category');

-------------------------------------------------------------------------------
-- assign_to = nobody
-------------------------------------------------------------------------------
INSERT INTO hubroute.users (id, name, seat) VALUES (1, 'Only', 'service');
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (1001, 100, 'nobody ticket');
INSERT INTO hubroute.conversations (id, channel_id, subject) VALUES (2001, 200, 'nobody conversation');

SELECT results_eq(
    $$SELECT owner_id, handled_by, assigned_at IS NOT NULL FROM hubroute.tickets WHERE id = 1001$$,
    $$VALUES (NULL::bigint, 'human'::text, true)$$,
    'nobody: the ticket stays unassigned, handled by a human, with assigned_at set');
SELECT results_eq(
    $$SELECT user_id, reason IS NOT NULL FROM hubroute.assignments WHERE ticket_id = 1001$$,
    $$VALUES (NULL::bigint, true)$$,
    'nobody: one assignments row, no user, with a reason');
SELECT results_eq(
    $$SELECT owner_id FROM hubroute.conversations WHERE id = 2001$$,
    $$VALUES (NULL::bigint)$$,
    'nobody: the conversation stays unassigned');

-------------------------------------------------------------------------------
-- assign_to = customer_agent
-------------------------------------------------------------------------------
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to) VALUES (201, 2, 'chat', 'AI chat', 'customer_agent');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (201, 1);
INSERT INTO hubroute.conversations (id, channel_id, subject) VALUES (2011, 201, 'for the bot');

SELECT results_eq(
    $$SELECT owner_id, handled_by, assigned_at IS NOT NULL FROM hubroute.conversations WHERE id = 2011$$,
    $$VALUES (NULL::bigint, 'customer_agent'::text, true)$$,
    'customer_agent: handled_by = customer_agent and no owner');
SELECT results_eq(
    $$SELECT count(*)::int, count(user_id)::int FROM hubroute.assignments WHERE conversation_id = 2011$$,
    $$VALUES (1, 0)$$,
    'customer_agent: one assignments row, without a user');

-------------------------------------------------------------------------------
-- users_and_teams, balanced (help desk: open tickets only)
--   11 has two open conversations (assigned first), 12 one open ticket.
--   Expected: 13 (tie at 0 tickets with 11, never assigned), 11, 12 (tie at 1,
--   least recently assigned), 13, 11.
-------------------------------------------------------------------------------
INSERT INTO hubroute.users (id, name, seat) VALUES (11, 'B11', 'service'), (12, 'B12', 'service'), (13, 'B13', 'service');
INSERT INTO hubroute.conversations (id, channel_id, owner_id) VALUES (2100, 200, 11);
INSERT INTO hubroute.conversations (id, channel_id, owner_id) VALUES (2101, 200, 11);
INSERT INTO hubroute.tickets (id, channel_id, owner_id) VALUES (1100, 100, 12);
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution)
    VALUES (110, 1, 'email', 'help: balanced', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (110, 11), (110, 12), (110, 13);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1101, 110);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1102, 110);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1103, 110);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1104, 110);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1105, 110);

SELECT results_eq(
    $$SELECT owner_id FROM hubroute.tickets WHERE channel_id = 110 ORDER BY id$$,
    $$VALUES (13::bigint), (11), (12), (13), (11)$$,
    'balanced: fewest open tickets, ties by least recently assigned, conversations not counted');
SELECT results_eq(
    $$SELECT DISTINCT method FROM hubroute.assignments WHERE ticket_id BETWEEN 1101 AND 1105$$,
    $$VALUES ('balanced'::text)$$,
    'balanced: logged with method balanced');

-- Many rows in one statement: team target, three never-assigned primary members.
INSERT INTO hubroute.users (id, name, seat) VALUES (14, 'B14', 'service'), (15, 'B15', 'service'), (16, 'B16', 'service');
INSERT INTO hubroute.team_members (team_id, user_id) VALUES (101, 14), (101, 15), (101, 16);
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution)
    VALUES (111, 1, 'chat', 'help: balanced team', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, team_id) VALUES (111, 101);
INSERT INTO hubroute.tickets (id, channel_id) SELECT g, 111 FROM generate_series(1111, 1117) g;

SELECT results_eq(
    $$SELECT owner_id FROM hubroute.tickets WHERE channel_id = 111 ORDER BY id$$,
    $$VALUES (14::bigint), (15), (16), (14), (15), (16), (14)$$,
    'balanced: a multi-row INSERT counts the rows routed earlier in the same statement');

-- A multi-row INSERT mixing a manual owner with routed rows: the manual row
-- counts for the rows routed after it (19 gets it at t0, so 20 then 19).
INSERT INTO hubroute.users (id, name, seat) VALUES (19, 'B19', 'service'), (20, 'B20', 'service');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution)
    VALUES (112, 1, 'email', 'help: balanced mixed', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (112, 19), (112, 20);
INSERT INTO hubroute.tickets (id, channel_id, owner_id) VALUES (1121, 112, 19), (1122, 112, NULL), (1123, 112, NULL), (1124, 112, NULL);
SELECT results_eq(
    $$SELECT owner_id FROM hubroute.tickets WHERE channel_id = 112 ORDER BY id$$,
    $$VALUES (19::bigint), (20), (19), (20)$$,
    'balanced: a manually owned row earlier in the same INSERT counts for the routed rows');

-- Inbox: open conversations only. 17 has two open tickets, 18 one conversation.
INSERT INTO hubroute.users (id, name, seat) VALUES (17, 'B17', 'sales'), (18, 'B18', 'service');
INSERT INTO hubroute.tickets (id, channel_id, owner_id) VALUES (1170, 100, 17), (1171, 100, 17);
INSERT INTO hubroute.conversations (id, channel_id, owner_id) VALUES (2180, 200, 18);
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution)
    VALUES (210, 2, 'email', 'inbox: balanced', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (210, 17), (210, 18);
INSERT INTO hubroute.conversations (id, channel_id) VALUES (2201, 210);

SELECT results_eq(
    $$SELECT owner_id FROM hubroute.conversations WHERE id = 2201$$,
    $$VALUES (17::bigint)$$,
    'balanced: in an inbox only open conversations count (tickets ignored)');

-------------------------------------------------------------------------------
-- users_and_teams, least_busy (open items of both kinds)
--   22 assigned a conversation first, then 21 a ticket, then 23 two items.
--   Expected: 22 (tie at 1 with 21, least recently assigned although the
--   higher id), 21, 23 (all at 2, least recently assigned), 22.
-------------------------------------------------------------------------------
INSERT INTO hubroute.users (id, name, seat) VALUES (21, 'L21', 'service'), (22, 'L22', 'service'), (23, 'L23', 'service');
INSERT INTO hubroute.conversations (id, channel_id, owner_id) VALUES (2220, 200, 22);
INSERT INTO hubroute.tickets (id, channel_id, owner_id) VALUES (1210, 100, 21);
INSERT INTO hubroute.conversations (id, channel_id, owner_id) VALUES (2230, 200, 23);
INSERT INTO hubroute.tickets (id, channel_id, owner_id) VALUES (1230, 100, 23);
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution)
    VALUES (220, 2, 'chat', 'inbox: least busy', 'users_and_teams', 'least_busy');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (220, 21), (220, 22), (220, 23);
INSERT INTO hubroute.conversations (id, channel_id) VALUES (2221, 220);
INSERT INTO hubroute.conversations (id, channel_id) VALUES (2222, 220);
INSERT INTO hubroute.conversations (id, channel_id) VALUES (2223, 220);
INSERT INTO hubroute.conversations (id, channel_id) VALUES (2224, 220);

SELECT results_eq(
    $$SELECT owner_id FROM hubroute.conversations WHERE channel_id = 220 ORDER BY id$$,
    $$VALUES (22::bigint), (21), (23), (22)$$,
    'least_busy: fewest open items of any kind, ties to the least recently assigned');
SELECT results_eq(
    $$SELECT DISTINCT method FROM hubroute.assignments WHERE conversation_id BETWEEN 2221 AND 2224$$,
    $$VALUES ('least_busy'::text)$$,
    'least_busy: logged with method least_busy');

-------------------------------------------------------------------------------
-- users_and_teams, random: 31 and 32 eligible, 33 unavailable, 34 inactive
-------------------------------------------------------------------------------
INSERT INTO hubroute.users (id, name, seat, available, active) VALUES
    (31, 'R31', 'service', true, true), (32, 'R32', 'sales', true, true),
    (33, 'R33', 'service', false, true), (34, 'R34', 'service', true, false);
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution)
    VALUES (230, 2, 'email', 'inbox: random', 'users_and_teams', 'random');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (230, 31), (230, 32), (230, 33), (230, 34);
INSERT INTO hubroute.conversations (id, channel_id) SELECT g, 230 FROM generate_series(2301, 2340) g;

SELECT results_eq(
    $$SELECT bool_and(owner_id IN (31, 32)) FROM hubroute.conversations WHERE channel_id = 230$$,
    $$VALUES (true)$$,
    'random: every owner is an eligible pool member');
SELECT results_eq(
    $$SELECT count(DISTINCT owner_id)::int FROM hubroute.conversations WHERE channel_id = 230$$,
    $$VALUES (2)$$,
    'random: 40 items reach both eligible users');
SELECT results_eq(
    $$SELECT method, count(*)::int FROM hubroute.assignments WHERE conversation_id BETWEEN 2301 AND 2340 GROUP BY method$$,
    $$VALUES ('random'::text, 40)$$,
    'random: one assignments row per item, method random');

-------------------------------------------------------------------------------
-- users_and_teams, round_robin: rotation in user id order, load ignored,
-- not reset by a member joining or leaving
-------------------------------------------------------------------------------
INSERT INTO hubroute.users (id, name, seat) VALUES (41, 'RR41', 'service'), (42, 'RR42', 'service'), (43, 'RR43', 'service'), (44, 'RR44', 'service');
INSERT INTO hubroute.tickets (id, channel_id, owner_id) VALUES (1410, 100, 41), (1411, 100, 41), (1412, 100, 41);
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution)
    VALUES (140, 1, 'form', 'help: round robin', 'users_and_teams', 'round_robin');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (140, 41), (140, 42), (140, 43);
INSERT INTO hubroute.tickets (id, channel_id) SELECT g, 140 FROM generate_series(1401, 1404) g;

SELECT results_eq(
    $$SELECT owner_id FROM hubroute.tickets WHERE channel_id = 140 ORDER BY id$$,
    $$VALUES (41::bigint), (42), (43), (41)$$,
    'round_robin: each member gets one before anyone gets a second, whatever their load');

INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (140, 44);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1405, 140);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1406, 140);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1407, 140);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1408, 140);

SELECT results_eq(
    $$SELECT owner_id FROM hubroute.tickets WHERE channel_id = 140 AND id BETWEEN 1405 AND 1408 ORDER BY id$$,
    $$VALUES (42::bigint), (43), (44), (41)$$,
    'round_robin: a member joining continues the rotation, it does not restart it');

DELETE FROM hubroute.channel_targets WHERE channel_id = 140 AND user_id = 43;
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1409, 140);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1420, 140);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1421, 140);

SELECT results_eq(
    $$SELECT owner_id FROM hubroute.tickets WHERE channel_id = 140 AND id IN (1409, 1420, 1421) ORDER BY id$$,
    $$VALUES (42::bigint), (44), (41)$$,
    'round_robin: a member leaving is skipped, the rotation goes on');
UPDATE hubroute.users SET available = false WHERE id = 42;
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1422, 140);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1423, 140);
SELECT results_eq(
    $$SELECT owner_id FROM hubroute.tickets WHERE channel_id = 140 AND id IN (1422, 1423) ORDER BY id$$,
    $$VALUES (44::bigint), (41)$$,
    'round_robin: a member who is not available is skipped');
-- The rotation is per channel: channel 141 starts its own (140 last served 41).
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution)
    VALUES (141, 1, 'form', 'help: round robin 2', 'users_and_teams', 'round_robin');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (141, 41), (141, 44);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1431, 141);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1432, 141);
SELECT results_eq(
    $$SELECT owner_id FROM hubroute.tickets WHERE channel_id = 141 ORDER BY id$$,
    $$VALUES (41::bigint), (44)$$,
    'round_robin: each channel has its own rotation');
SELECT results_eq(
    $$SELECT DISTINCT method FROM hubroute.assignments a JOIN hubroute.tickets t ON t.id = a.ticket_id WHERE t.channel_id = 140$$,
    $$VALUES ('round_robin'::text)$$,
    'round_robin: logged with method round_robin');

-------------------------------------------------------------------------------
-- distribution NULL: the channel's default (SPEC §1), seen in assignments.method
-------------------------------------------------------------------------------
INSERT INTO hubroute.users (id, name, seat) VALUES (51, 'D51', 'service');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (150, 1, 'chat', 'help chat default', 'users_and_teams', NULL),
    (151, 1, 'email', 'help email default', 'users_and_teams', NULL),
    (250, 2, 'email', 'inbox email default', 'users_and_teams', NULL),
    (251, 2, 'form', 'inbox form default', 'users_and_teams', NULL),
    (252, 2, 'chat', 'inbox chat default', 'users_and_teams', NULL),
    (253, 2, 'whatsapp', 'inbox whatsapp default', 'users_and_teams', NULL),
    (254, 2, 'messenger', 'inbox messenger default', 'users_and_teams', NULL),
    (255, 2, 'bot', 'inbox bot default', 'users_and_teams', NULL);
INSERT INTO hubroute.channel_targets (channel_id, user_id)
    SELECT c, 51 FROM unnest(ARRAY[150, 151, 250, 251, 252, 253, 254, 255]) c;
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1500, 150), (1510, 151);
INSERT INTO hubroute.conversations (id, channel_id) VALUES (2500, 250), (2510, 251), (2520, 252), (2530, 253), (2540, 254), (2550, 255);

SELECT results_eq(
    $$SELECT t.channel_id, a.method, a.user_id FROM hubroute.assignments a JOIN hubroute.tickets t ON t.id = a.ticket_id
       WHERE t.channel_id IN (150, 151) ORDER BY t.channel_id$$,
    $$VALUES (150::bigint, 'balanced'::text, 51::bigint), (151, 'balanced', 51)$$,
    'default distribution: balanced in a help desk, whatever the channel kind');
SELECT results_eq(
    $$SELECT c.channel_id, a.method FROM hubroute.assignments a JOIN hubroute.conversations c ON c.id = a.conversation_id
       WHERE c.channel_id BETWEEN 250 AND 255 ORDER BY c.channel_id$$,
    $$VALUES (250::bigint, 'random'::text), (251, 'random'), (252, 'least_busy'), (253, 'least_busy'),
             (254, 'least_busy'), (255, 'least_busy')$$,
    'default distribution: inbox email and form random, other inbox kinds least_busy');

-- A DBA's edit of the rule applies to the next insert.
UPDATE hubroute.channels SET distribution = 'round_robin' WHERE id = 252;
UPDATE hubroute.channels SET distribution = 'random' WHERE id = 150;
INSERT INTO hubroute.conversations (id, channel_id) VALUES (2521, 252);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1501, 150);
SELECT results_eq(
    $$SELECT method FROM hubroute.assignments WHERE conversation_id = 2521 OR ticket_id = 1501 ORDER BY ticket_id NULLS FIRST$$,
    $$VALUES ('round_robin'::text), ('random')$$,
    'rule edits apply to the next insert with no reload');

-------------------------------------------------------------------------------
-- contact_owner
--   61 service available, 62 sales (fallback), 63 unavailable, 64 inactive,
--   65 sales unavailable (fallback of 261/262), 66 seat none
-------------------------------------------------------------------------------
INSERT INTO hubroute.users (id, name, seat, available, active, ticket_access) VALUES
    (61, 'C61', 'service', true, true, true), (62, 'C62', 'sales', true, true, true),
    (63, 'C63', 'service', false, true, true), (64, 'C64', 'service', true, false, true),
    (65, 'C65', 'sales', false, true, true), (66, 'C66', 'none', true, true, true),
    (67, 'C67', 'service', true, true, true), (68, 'C68', 'service', true, true, false);
INSERT INTO hubroute.contacts (id, name, owner_id, tracked) VALUES
    (601, 'owned', 61, true), (602, 'owner away', 63, true), (603, 'untracked', 61, false),
    (604, 'no owner', NULL, true), (605, 'owner inactive', 64, true), (606, 'owner seatless', 66, true),
    (607, 'owner without ticket access', 68, true), (608, 'sales owner', 62, true);
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, fallback_user_id, only_available) VALUES
    (260, 2, 'chat', 'owner, fallback 62', 'contact_owner', 62, true),
    (261, 2, 'chat', 'owner, fallback 65 away', 'contact_owner', 65, true),
    (262, 2, 'chat', 'owner, fallback 65, any availability', 'contact_owner', 65, false),
    (263, 2, 'chat', 'owner, no fallback', 'contact_owner', NULL, true),
    (160, 1, 'email', 'help owner, fallback 67', 'contact_owner', 67, true);
INSERT INTO hubroute.conversations (id, channel_id, contact_id) VALUES
    (2601, 260, 601), (2602, 260, 602), (2603, 260, 603), (2604, 260, 604),
    (2605, 260, 605), (2606, 260, 606), (2607, 260, NULL);

SELECT results_eq(
    $$SELECT c.id, c.owner_id, a.method FROM hubroute.conversations c JOIN hubroute.assignments a ON a.conversation_id = c.id
       WHERE c.channel_id = 260 ORDER BY c.id$$,
    $$VALUES (2601::bigint, 61::bigint, 'contact_owner'::text),
             (2602, 63, 'contact_owner'),
             (2603, 62, 'fallback'),
             (2604, 62, 'fallback'),
             (2605, 62, 'fallback'),
             (2606, 62, 'fallback'),
             (2607, 62, 'fallback')$$,
    'contact_owner: the tracked owner (also when away); else the fallback (untracked, no owner, inactive or seatless owner, no contact)');
SELECT results_eq(
    $$SELECT user_id, kind, ticket_id, conversation_id FROM hubroute.notifications ORDER BY id$$,
    $$VALUES (63::bigint, 'owner_offline'::text, NULL::bigint, 2602::bigint)$$,
    'contact_owner: exactly one owner_offline notification, for the away owner');

INSERT INTO hubroute.conversations (id, channel_id, contact_id) VALUES (2611, 261, 604), (2612, 261, 601);
INSERT INTO hubroute.conversations (id, channel_id, contact_id) VALUES (2621, 262, 604);
INSERT INTO hubroute.conversations (id, channel_id, contact_id) VALUES (2631, 263, 603);
SELECT results_eq(
    $$SELECT c.id, c.owner_id, a.user_id, a.user_id IS NOT NULL OR a.reason IS NOT NULL FROM hubroute.conversations c
        JOIN hubroute.assignments a ON a.conversation_id = c.id
       WHERE c.channel_id IN (261, 262, 263) ORDER BY c.id$$,
    $$VALUES (2611::bigint, NULL::bigint, NULL::bigint, true),
             (2612, 61, 61, true),
             (2621, 65, 65, true),
             (2631, NULL, NULL, true)$$,
    'contact_owner: an away fallback with only_available stays unassigned with a reason; without only_available it gets the item; no fallback: unassigned');
SELECT is((SELECT count(*) FROM hubroute.unassigned WHERE id IN (2611, 2631) AND kind = 'conversation')::int, 2,
    'contact_owner: the unrouted conversations are in hubroute.unassigned');

INSERT INTO hubroute.tickets (id, channel_id, contact_id) VALUES (1601, 160, 607), (1602, 160, 608), (1603, 160, 601);
SELECT results_eq(
    $$SELECT id, owner_id FROM hubroute.tickets WHERE channel_id = 160 ORDER BY id$$,
    $$VALUES (1601::bigint, 67::bigint), (1602, 67), (1603, 61)$$,
    'contact_owner in a help desk: an owner without ticket access or with a sales seat is passed over for the fallback');

-- Eligibility applies to contact owners too (SPEC §2 "for every rule"):
-- in the restricted workspace 3 an owner outside its teams, and on a skills
-- channel an owner without the required skill, are passed over for the fallback.
INSERT INTO hubroute.users (id, name, seat) VALUES (69, 'C69', 'service'), (70, 'C70', 'service');
INSERT INTO hubroute.team_members (team_id, user_id) VALUES (300, 70);
INSERT INTO hubroute.user_skills (user_id, skill_id) VALUES (70, 2);
INSERT INTO hubroute.contacts (id, name, owner_id, tracked) VALUES (609, 'outsider owner', 69, true), (610, 'member owner', 70, true);
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, fallback_user_id, use_skills) VALUES
    (184, 3, 'email', 'restricted owner', 'contact_owner', 70, false),
    (161, 1, 'email', 'owner with skills', 'contact_owner', 70, true);
INSERT INTO hubroute.tickets (id, channel_id, contact_id) VALUES (1841, 184, 609), (1842, 184, 610);
INSERT INTO hubroute.tickets (id, channel_id, contact_id, required_skills) VALUES (1611, 161, 609, '{2}'), (1612, 161, 609, '{}');
SELECT results_eq(
    $$SELECT id, owner_id FROM hubroute.tickets WHERE channel_id IN (161, 184) ORDER BY id$$,
    $$VALUES (1611::bigint, 70::bigint), (1612, 69), (1841, 70), (1842, 70)$$,
    'contact_owner: an owner outside the workspace''s teams or without a required skill is passed over');

-------------------------------------------------------------------------------
-- Eligibility (balanced help desk unless said): the ineligible user has the
-- lower id, so a broken filter would hand it the first item.
-------------------------------------------------------------------------------
-- inactive
INSERT INTO hubroute.users (id, name, seat, active) VALUES (71, 'E71', 'service', false), (72, 'E72', 'service', true);
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (170, 1, 'email', 'inactive filter', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (170, 71), (170, 72);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1701, 170), (1702, 170);
SELECT results_eq(
    $$SELECT owner_id FROM hubroute.tickets WHERE channel_id = 170 ORDER BY id$$,
    $$VALUES (72::bigint), (72)$$,
    'eligibility: an inactive user is never routed to');

-- seat: a team with a sales and a service primary member
INSERT INTO hubroute.users (id, name, seat) VALUES (73, 'E73', 'sales'), (74, 'E74', 'service');
INSERT INTO hubroute.team_members (team_id, user_id) VALUES (102, 73), (102, 74);
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (171, 1, 'email', 'help: mixed seats team', 'users_and_teams', 'balanced'),
    (271, 2, 'email', 'inbox: mixed seats team', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, team_id) VALUES (171, 102), (271, 102);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1711, 171), (1712, 171);
INSERT INTO hubroute.conversations (id, channel_id) VALUES (2711, 271), (2712, 271);
SELECT results_eq(
    $$SELECT owner_id FROM hubroute.tickets WHERE channel_id = 171 ORDER BY id$$,
    $$VALUES (74::bigint), (74)$$,
    'eligibility: a help desk routes only to service seats');
SELECT results_eq(
    $$SELECT owner_id FROM hubroute.conversations WHERE channel_id = 271 ORDER BY id$$,
    $$VALUES (73::bigint), (74)$$,
    'eligibility: an inbox routes to sales and service seats');

-- seat removed after the user became a target
INSERT INTO hubroute.users (id, name, seat) VALUES (75, 'E75', 'service'), (76, 'E76', 'service');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (172, 1, 'email', 'seat removed', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (172, 75), (172, 76);
UPDATE hubroute.users SET seat = 'none' WHERE id = 75;
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1721, 172), (1722, 172);
SELECT results_eq(
    $$SELECT owner_id FROM hubroute.tickets WHERE channel_id = 172 ORDER BY id$$,
    $$VALUES (76::bigint), (76)$$,
    'eligibility: a target whose seat was taken away is no longer routed to');

-- ticket_access
INSERT INTO hubroute.users (id, name, seat, ticket_access) VALUES (77, 'E77', 'service', false), (78, 'E78', 'service', true);
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (173, 1, 'email', 'help: ticket access', 'users_and_teams', 'balanced'),
    (273, 2, 'email', 'inbox: ticket access', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (173, 77), (173, 78), (273, 77), (273, 78);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1731, 173), (1732, 173);
INSERT INTO hubroute.conversations (id, channel_id) VALUES (2731, 273), (2732, 273);
SELECT results_eq(
    $$SELECT owner_id FROM hubroute.tickets WHERE channel_id = 173 ORDER BY id$$,
    $$VALUES (78::bigint), (78)$$,
    'eligibility: a user without ticket_access gets no help-desk tickets');
SELECT results_eq(
    $$SELECT owner_id FROM hubroute.conversations WHERE channel_id = 273 ORDER BY id$$,
    $$VALUES (77::bigint), (78)$$,
    'eligibility: ticket_access does not matter in an inbox');

-- workspace restricted to team 300: 79 no member, 80 additional member
INSERT INTO hubroute.users (id, name, seat) VALUES (79, 'E79', 'service'), (80, 'E80', 'service');
INSERT INTO hubroute.team_members (team_id, user_id, is_primary) VALUES (103, 80, true), (300, 80, false);
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (180, 3, 'email', 'restricted', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (180, 79), (180, 80);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1801, 180), (1802, 180);
SELECT results_eq(
    $$SELECT owner_id FROM hubroute.tickets WHERE channel_id = 180 ORDER BY id$$,
    $$VALUES (80::bigint), (80)$$,
    'eligibility: a restricted workspace routes only to members (here additional) of its teams');

-- availability
INSERT INTO hubroute.users (id, name, seat, available) VALUES
    (82, 'E82', 'service', false), (83, 'E83', 'service', true),
    (84, 'E84', 'service', false), (85, 'E85', 'service', true);
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution, only_available) VALUES
    (174, 1, 'email', 'available only', 'users_and_teams', 'balanced', true),
    (175, 1, 'email', 'any availability', 'users_and_teams', 'balanced', false);
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (174, 82), (174, 83), (175, 84), (175, 85);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1741, 174), (1742, 174), (1751, 175), (1752, 175);
SELECT results_eq(
    $$SELECT owner_id FROM hubroute.tickets WHERE channel_id = 174 ORDER BY id$$,
    $$VALUES (83::bigint), (83)$$,
    'eligibility: only_available (the default) passes over an unavailable user');
SELECT results_eq(
    $$SELECT owner_id FROM hubroute.tickets WHERE channel_id = 175 ORDER BY id$$,
    $$VALUES (84::bigint), (85)$$,
    'eligibility: only_available = false ignores availability');

-- skills: 86 has Dutch, 87 Dutch and Billing, 88 none
INSERT INTO hubroute.users (id, name, seat) VALUES (86, 'E86', 'service'), (87, 'E87', 'service'), (88, 'E88', 'service');
INSERT INTO hubroute.user_skills (user_id, skill_id) VALUES (86, 1), (87, 1), (87, 2);
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution, use_skills) VALUES
    (176, 1, 'email', 'skills', 'users_and_teams', 'balanced', true),
    (177, 1, 'email', 'skills ignored', 'users_and_teams', 'balanced', false);
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (176, 86), (176, 87), (177, 88);
INSERT INTO hubroute.tickets (id, channel_id, required_skills) VALUES (1761, 176, '{1,2}'), (1762, 176, '{2,1}');
INSERT INTO hubroute.tickets (id, channel_id, required_skills) VALUES (1763, 176, '{1}');
INSERT INTO hubroute.tickets (id, channel_id, required_skills) VALUES (1764, 176, '{}');
INSERT INTO hubroute.tickets (id, channel_id, required_skills) VALUES (1771, 177, '{1,2}');
SELECT results_eq(
    $$SELECT id, owner_id FROM hubroute.tickets WHERE channel_id IN (176, 177) ORDER BY id$$,
    $$VALUES (1761::bigint, 87::bigint), (1762, 87), (1763, 86), (1764, 86), (1771, 88)$$,
    'eligibility: use_skills requires every required skill; without use_skills they are ignored');

-- primary team members only: 90 is an additional member of team 104, 91 primary
INSERT INTO hubroute.users (id, name, seat) VALUES (90, 'E90', 'service'), (91, 'E91', 'service');
INSERT INTO hubroute.team_members (team_id, user_id, is_primary) VALUES (105, 90, true), (104, 90, false), (104, 91, true);
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (178, 1, 'email', 'primary only', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, team_id) VALUES (178, 104);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1781, 178), (1782, 178);
SELECT results_eq(
    $$SELECT owner_id FROM hubroute.tickets WHERE channel_id = 178 ORDER BY id$$,
    $$VALUES (91::bigint), (91)$$,
    'eligibility: only primary members of a target team are routed to');

-- nobody eligible: unassigned with a reason, never an error
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (179, 1, 'email', 'nobody eligible', 'users_and_teams', 'balanced'),
    (279, 2, 'chat', 'no targets', 'users_and_teams', 'round_robin');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (179, 71);
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1791, 179);
INSERT INTO hubroute.conversations (id, channel_id) VALUES (2791, 279);
SELECT results_eq(
    $$SELECT a.method, t.owner_id, a.user_id, a.reason IS NOT NULL FROM hubroute.tickets t JOIN hubroute.assignments a ON a.ticket_id = t.id WHERE t.id = 1791$$,
    $$VALUES ('balanced'::text, NULL::bigint, NULL::bigint, true)$$,
    'empty pool: the ticket stays unassigned and the decision is logged with a reason');
SELECT results_eq(
    $$SELECT c.owner_id, a.user_id, a.reason IS NOT NULL FROM hubroute.conversations c JOIN hubroute.assignments a ON a.conversation_id = c.id WHERE c.id = 2791$$,
    $$VALUES (NULL::bigint, NULL::bigint, true)$$,
    'no targets: the conversation stays unassigned with a reason');

-------------------------------------------------------------------------------
-- One assignments row per decision, agreeing with the item
-------------------------------------------------------------------------------
SELECT is_empty(
    $$SELECT t.id FROM hubroute.tickets t
       WHERE (SELECT count(*) FROM hubroute.assignments a WHERE a.ticket_id = t.id) <> 1$$,
    'assignments: every ticket (routed or manual) has exactly one assignments row');
SELECT is_empty(
    $$SELECT c.id FROM hubroute.conversations c
       WHERE (SELECT count(*) FROM hubroute.assignments a WHERE a.conversation_id = c.id) <> 1$$,
    'assignments: every conversation (routed or manual) has exactly one assignments row');
SELECT is_empty(
    $$SELECT t.id FROM hubroute.tickets t JOIN hubroute.assignments a ON a.ticket_id = t.id
       WHERE a.user_id IS DISTINCT FROM t.owner_id OR t.assigned_at IS NULL
      UNION ALL
      SELECT c.id FROM hubroute.conversations c JOIN hubroute.assignments a ON a.conversation_id = c.id
       WHERE a.user_id IS DISTINCT FROM c.owner_id OR c.assigned_at IS NULL$$,
    'assignments: the logged user is the owner, and assigned_at is set on every decision');
SELECT is_empty(
    $$SELECT id FROM hubroute.assignments WHERE user_id IS NULL AND (reason IS NULL OR reason = '')$$,
    'assignments: every unassigned decision says why');

-------------------------------------------------------------------------------
-- Manual insert with an owner (SPEC §2: an INSERT that names an owner keeps it)
-------------------------------------------------------------------------------
INSERT INTO hubroute.users (id, name, seat) VALUES (92, 'M92', 'service'), (93, 'M93', 'none');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (190, 1, 'email', 'manual over a rule', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (190, 92);
INSERT INTO hubroute.tickets (id, channel_id, owner_id) VALUES (1901, 190, 93);
SELECT results_eq(
    $$SELECT owner_id, assigned_at IS NOT NULL FROM hubroute.tickets WHERE id = 1901$$,
    $$VALUES (93::bigint, true)$$,
    'manual insert: the named owner is kept over the channel rule');
SELECT results_eq(
    $$SELECT user_id, method FROM hubroute.assignments WHERE ticket_id = 1901$$,
    $$VALUES (93::bigint, 'manual'::text)$$,
    'manual insert: logged once with method manual');
SELECT results_eq(
    $$SELECT open_tickets::int, last_assigned_at IS NOT NULL FROM hubroute.user_load WHERE user_id = 93$$,
    $$VALUES (1, true)$$,
    'manual insert: counted in user_load');

-- Manual UPDATE of the owner
UPDATE hubroute.tickets SET owner_id = 92 WHERE id = 1901;
SELECT results_eq(
    $$SELECT user_id, method FROM hubroute.assignments WHERE ticket_id = 1901 ORDER BY id$$,
    $$VALUES (93::bigint, 'manual'::text), (92, 'manual')$$,
    'manual update: the change of owner is logged with method manual');
SELECT results_eq(
    $$SELECT user_id, open_tickets::int FROM hubroute.user_load WHERE user_id IN (92, 93) ORDER BY user_id$$,
    $$VALUES (92::bigint, 1), (93, 0)$$,
    'manual update: the ticket moved from one count to the other');

UPDATE hubroute.tickets SET subject = 'renamed' WHERE id = 1901;
SELECT is((SELECT count(*)::int FROM hubroute.assignments WHERE ticket_id = 1901), 2,
    'manual update: an update that changes neither owner nor team logs nothing');
UPDATE hubroute.tickets SET team_id = 101 WHERE id = 1901;
UPDATE hubroute.tickets SET owner_id = NULL WHERE id = 1901;
SELECT results_eq(
    $$SELECT method, user_id FROM hubroute.assignments WHERE ticket_id = 1901 ORDER BY id OFFSET 2$$,
    $$VALUES ('manual'::text, 92::bigint), ('manual', NULL)$$,
    'manual update: a change of team and the removal of the owner are each logged with method manual');
SELECT results_eq(
    $$SELECT (SELECT open_tickets::int FROM hubroute.user_load WHERE user_id = 92),
             (SELECT count(*)::int FROM hubroute.unassigned WHERE kind = 'ticket' AND id = 1901)$$,
    $$VALUES (0, 1)$$,
    'manual update: an item whose owner is removed leaves the count and shows in unassigned');

-------------------------------------------------------------------------------
-- Reply assignment (SPEC §3)
-------------------------------------------------------------------------------
INSERT INTO hubroute.users (id, name, seat) VALUES (94, 'P94', 'service'), (95, 'P95', 'sales');
INSERT INTO hubroute.channels (id, workspace_id, kind, name) VALUES (181, 3, 'email', 'restricted nobody');
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1950, 100), (1951, 181);
INSERT INTO hubroute.conversations (id, channel_id) VALUES (2950, 200);

INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body) VALUES (1950, 'incoming', 94, 'question');
INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body) VALUES (1950, 'outgoing', NULL, 'auto-reply');
SELECT results_eq(
    $$SELECT owner_id FROM hubroute.tickets WHERE id = 1950$$,
    $$VALUES (NULL::bigint)$$,
    'reply: an incoming message, or an outgoing one without author, assigns nobody');

INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body) VALUES (1950, 'outgoing', 94, 'answer');
INSERT INTO hubroute.messages (conversation_id, direction, author_user_id, body) VALUES (2950, 'outgoing', 95, 'hi');
SELECT results_eq(
    $$SELECT owner_id, assigned_at IS NOT NULL FROM hubroute.tickets WHERE id = 1950
      UNION ALL
      SELECT owner_id, assigned_at IS NOT NULL FROM hubroute.conversations WHERE id = 2950$$,
    $$VALUES (94::bigint, true), (95, true)$$,
    'reply: the first outgoing author becomes the owner of an unassigned ticket and conversation');
SELECT results_eq(
    $$SELECT count(*)::int, count(user_id)::int, max(method) FILTER (WHERE user_id = 94), max(method) FILTER (WHERE user_id = 95)
        FROM hubroute.assignments WHERE ticket_id = 1950 OR conversation_id = 2950$$,
    $$VALUES (4, 2, 'reply'::text, 'reply'::text)$$,
    'reply: one more assignments row per item, with method reply');

INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body) VALUES (1950, 'outgoing', 95, 'me too');
SELECT results_eq(
    $$SELECT owner_id FROM hubroute.tickets WHERE id = 1950$$,
    $$VALUES (94::bigint)$$,
    'reply: a later replier does not take an owned ticket');

INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body) VALUES (1951, 'outgoing', 79, 'outsider');
SELECT results_eq(
    $$SELECT (SELECT owner_id FROM hubroute.tickets WHERE id = 1951),
             (SELECT count(*)::int FROM hubroute.messages WHERE ticket_id = 1951)$$,
    $$VALUES (NULL::bigint, 1)$$,
    'reply: a non-member replying in a restricted workspace is not made owner, the message is kept');

-------------------------------------------------------------------------------
-- route_ticket / route_conversation (SPEC §3)
-------------------------------------------------------------------------------
INSERT INTO hubroute.users (id, name, seat) VALUES (96, 'T96', 'service'), (97, 'T97', 'service');
INSERT INTO hubroute.channels (id, workspace_id, kind, name) VALUES (182, 1, 'email', 'later routed'), (282, 2, 'chat', 'later routed');
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1960, 182), (1961, 182);
INSERT INTO hubroute.conversations (id, channel_id) VALUES (2960, 282);
UPDATE hubroute.channels SET assign_to = 'users_and_teams', distribution = 'round_robin' WHERE id = 182;
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (182, 96), (182, 97);
UPDATE hubroute.channels SET assign_to = 'users_and_teams' WHERE id = 282;

SELECT is(hubroute.route_ticket(1960), 96::bigint, 'route_ticket: returns the owner chosen by the current rule');
SELECT is(hubroute.route_ticket(1961), 97::bigint, 'route_ticket: the rotation goes on');
SELECT results_eq(
    $$SELECT id, owner_id, assigned_at IS NOT NULL FROM hubroute.tickets WHERE channel_id = 182 ORDER BY id$$,
    $$VALUES (1960::bigint, 96::bigint, true), (1961, 97, true)$$,
    'route_ticket: the owner is stored');
SELECT results_eq(
    $$SELECT user_id, CASE WHEN user_id IS NULL THEN NULL ELSE method END FROM hubroute.assignments WHERE ticket_id = 1960 ORDER BY id$$,
    $$VALUES (NULL::bigint, NULL::text), (96, 'round_robin')$$,
    'route_ticket: the new decision is logged once');
SELECT results_eq(
    $$SELECT user_id, open_tickets::int FROM hubroute.user_load WHERE user_id IN (96, 97) ORDER BY user_id$$,
    $$VALUES (96::bigint, 1), (97, 1)$$,
    'route_ticket: the owner''s load counts the ticket');

SELECT is(hubroute.route_conversation(2960), NULL::bigint, 'route_conversation: NULL when nobody can take it');
SELECT results_eq(
    $$SELECT c.owner_id, a.user_id, a.reason IS NOT NULL FROM hubroute.conversations c
        JOIN hubroute.assignments a ON a.conversation_id = c.id WHERE c.id = 2960 ORDER BY a.id$$,
    $$VALUES (NULL::bigint, NULL::bigint, true), (NULL, NULL, true)$$,
    'route_conversation: an unassigned outcome is logged with a reason');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (282, 97);
SELECT is(hubroute.route_conversation(2960), 97::bigint, 'route_conversation: routes once the channel has a target');
SELECT results_eq(
    $$SELECT owner_id FROM hubroute.conversations WHERE id = 2960$$,
    $$VALUES (97::bigint)$$,
    'route_conversation: the owner is stored');

-------------------------------------------------------------------------------
-- hubroute.unassigned
-------------------------------------------------------------------------------
INSERT INTO hubroute.channels (id, workspace_id, kind, name) VALUES (183, 1, 'email', 'view test'), (283, 2, 'chat', 'view test');
INSERT INTO hubroute.tickets (id, channel_id) VALUES (1970, 183), (1971, 183);
INSERT INTO hubroute.tickets (id, channel_id, owner_id) VALUES (1972, 183, 94);
INSERT INTO hubroute.conversations (id, channel_id) VALUES (2970, 283), (2971, 283);
INSERT INTO hubroute.conversations (id, channel_id, owner_id) VALUES (2972, 283, 95);
UPDATE hubroute.tickets SET status = 'closed' WHERE id = 1971;
UPDATE hubroute.conversations SET status = 'closed' WHERE id = 2971;

SELECT results_eq(
    $$SELECT kind, id, channel_id FROM hubroute.unassigned WHERE channel_id IN (183, 283, 201) ORDER BY kind, id$$,
    $$VALUES ('conversation'::text, 2011::bigint, 201::bigint), ('conversation', 2970, 283), ('ticket', 1970, 183)$$,
    'unassigned: open items without owner, tickets and conversations; closed and owned ones excluded');
SELECT is_empty(
    $$SELECT u.id FROM hubroute.unassigned u JOIN hubroute.tickets t ON t.id = u.id AND u.kind = 'ticket'
       WHERE u.created_at IS DISTINCT FROM t.created_at OR u.channel_id <> t.channel_id$$,
    'unassigned: created_at and channel_id are the item''s');
SELECT set_eq(
    $$SELECT kind, id FROM hubroute.unassigned$$,
    $$SELECT 'ticket'::text, id FROM hubroute.tickets WHERE owner_id IS NULL AND status = 'open'
      UNION ALL
      SELECT 'conversation', id FROM hubroute.conversations WHERE owner_id IS NULL AND status = 'open'$$,
    'unassigned: exactly the open items without an owner');

-------------------------------------------------------------------------------
-- routing's counts and user_load equal counting the tables, through close,
-- reopen, reassign and delete (SPEC §3)
-------------------------------------------------------------------------------
SELECT is_empty('SELECT * FROM hubroute.routing_load_check()',
    'routing counts equal the tables after routing');

-- 13 owns tickets 1101 and 1104 (channel 110); 11 owns 1102, 1105 and conversations 2100, 2101.
UPDATE hubroute.tickets SET status = 'closed' WHERE id = 1101;
SELECT results_eq(
    $$SELECT open_tickets::int FROM hubroute.user_load WHERE user_id = 13$$,
    $$VALUES (1)$$,
    'user_load: closing a ticket takes it out of its owner''s count');
SELECT is_empty('SELECT * FROM hubroute.routing_load_check()',
    'routing counts equal the tables after a close');

UPDATE hubroute.tickets SET status = 'open' WHERE id = 1101;
SELECT results_eq(
    $$SELECT open_tickets::int FROM hubroute.user_load WHERE user_id = 13$$,
    $$VALUES (2)$$,
    'user_load: reopening a ticket counts it again');
SELECT is_empty('SELECT * FROM hubroute.routing_load_check()',
    'routing counts equal the tables after a reopen');

UPDATE hubroute.conversations SET status = 'closed' WHERE id = 2100;
SELECT results_eq(
    $$SELECT open_conversations::int FROM hubroute.user_load WHERE user_id = 11$$,
    $$VALUES (1)$$,
    'user_load: closing a conversation takes it out of its owner''s count');

UPDATE hubroute.tickets SET owner_id = 12 WHERE id = 1102;
SELECT results_eq(
    $$SELECT user_id, open_tickets::int FROM hubroute.user_load WHERE user_id IN (11, 12) ORDER BY user_id$$,
    $$VALUES (11::bigint, 1), (12, 3)$$,
    'user_load: reassigning moves the ticket between counts');
SELECT is_empty('SELECT * FROM hubroute.routing_load_check()',
    'routing counts equal the tables after a reassign');

UPDATE hubroute.tickets SET owner_id = 13, status = 'closed' WHERE id = 1105;
UPDATE hubroute.tickets SET owner_id = NULL WHERE id = 1103;
UPDATE hubroute.conversations SET owner_id = 12 WHERE id = 2101;
SELECT is_empty('SELECT * FROM hubroute.routing_load_check()',
    'routing counts equal the tables after reassign-and-close, unassign and a conversation move');

DELETE FROM hubroute.tickets WHERE id IN (1104, 1105);
DELETE FROM hubroute.conversations WHERE id = 2101;
SELECT results_eq(
    $$SELECT user_id, open_tickets::int, open_conversations::int FROM hubroute.user_load WHERE user_id IN (11, 12, 13) ORDER BY user_id$$,
    $$VALUES (11::bigint, 0, 0), (12, 2, 0), (13, 1, 0)$$,
    'user_load: deleting open and closed items leaves the exact counts');
SELECT is_empty('SELECT * FROM hubroute.routing_load_check()',
    'routing counts equal the tables after deletes');

UPDATE hubroute.tickets SET status = 'closed' WHERE channel_id IN (111, 140);
UPDATE hubroute.tickets SET status = 'open' WHERE channel_id = 111 AND id % 2 = 1;
SELECT is_empty('SELECT * FROM hubroute.routing_load_check()',
    'routing counts equal the tables after multi-row closes and reopens');

INSERT INTO hubroute.tickets (id, channel_id, owner_id, status) VALUES (1990, 100, 12, 'closed');
INSERT INTO hubroute.conversations (id, channel_id, owner_id, status) VALUES (2990, 200, 12, 'closed');
UPDATE hubroute.tickets SET owner_id = CASE owner_id WHEN 12 THEN 13 ELSE 12 END WHERE id IN (1100, 1101);
SELECT results_eq(
    $$SELECT user_id, open_tickets::int, open_conversations::int FROM hubroute.user_load WHERE user_id IN (12, 13) ORDER BY user_id$$,
    $$VALUES (12::bigint, 2, 0), (13, 1, 0)$$,
    'user_load: items inserted closed are not counted; a swap of owners keeps both counts');
SELECT is_empty('SELECT * FROM hubroute.routing_load_check()',
    'routing counts equal the tables after closed inserts and an owner swap');

SELECT results_eq(
    $$SELECT count(*)::int FROM hubroute.user_load$$,
    $$SELECT count(*)::int FROM hubroute.users$$,
    'user_load: one row per user');

SELECT * FROM finish();
ROLLBACK;
