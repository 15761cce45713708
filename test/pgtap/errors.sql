-- test/pgtap/errors.sql: every documented error of hubroute (SPEC §1, §3, §4, §5, §6),
-- with its exact SQLSTATE and message, the valid counterpart of several, and
-- proof that a refused statement leaves the stored rows as they were.
--
-- Run by test/run_all.sh as: pg_prove -d hubroute_tap test/pgtap/*.sql
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
CREATE EXTENSION hubroute;

SELECT plan(147);

-------------------------------------------------------------------------------
-- Fixture
--   users: 1 Ann service, 2 Bob sales, 3 Cid none, 4 Dee service (no team)
--   teams: 10 Support (Ann primary), 11 Sales (Bob primary)
--   workspaces: 1 help desk, 2 inbox, 3 help desk restricted to team 10
--   channels: 10 help desk email, 20 inbox chat, 30 restricted help desk form
-------------------------------------------------------------------------------
INSERT INTO hubroute.users (id, name, seat) VALUES
    (1, 'Ann', 'service'), (2, 'Bob', 'sales'), (3, 'Cid', 'none'), (4, 'Dee', 'service');
INSERT INTO hubroute.teams (id, name) VALUES (10, 'Support'), (11, 'Sales');
INSERT INTO hubroute.team_members (team_id, user_id, is_primary) VALUES (10, 1, true), (11, 2, true);
INSERT INTO hubroute.workspaces (id, name, kind) VALUES
    (1, 'Help', 'helpdesk'), (2, 'Inbox', 'inbox'), (3, 'Restricted help', 'helpdesk');
INSERT INTO hubroute.workspace_teams (workspace_id, team_id) VALUES (3, 10);
INSERT INTO hubroute.channels (id, workspace_id, kind, name) VALUES
    (10, 1, 'email', 'help email'), (20, 2, 'chat', 'inbox chat'), (30, 3, 'form', 'restricted form');
INSERT INTO hubroute.skills (id, name, kind) VALUES (1, 'Dutch', 'language');

-------------------------------------------------------------------------------
-- Unknown enum values (SPEC §5): 23514 check_violation, the column is named
-------------------------------------------------------------------------------
SELECT throws_ok(
    $$INSERT INTO hubroute.users (id, name, seat) VALUES (50, 'Eve', 'boss')$$,
    '23514', 'invalid value for hubroute.users.seat: "boss"',
    'users.seat: unknown value refused on INSERT');
SELECT throws_ok(
    $$UPDATE hubroute.users SET seat = 'Service' WHERE id = 1$$,
    '23514', 'invalid value for hubroute.users.seat: "Service"',
    'users.seat: unknown value refused on UPDATE (case-sensitive)');
SELECT lives_ok(
    $$INSERT INTO hubroute.users (id, name, seat) VALUES (50, 'Eve', 'sales'), (51, 'Fay', 'none'), (52, 'Gus', 'service')$$,
    'users.seat: none, sales and service are accepted');
SELECT lives_ok(
    $$INSERT INTO hubroute.users (id, name) VALUES (53, 'Hal')$$,
    'users.seat: may be omitted (default none)');

SELECT throws_ok(
    $$INSERT INTO hubroute.workspaces (id, name, kind) VALUES (50, 'Forum', 'forum')$$,
    '23514', 'invalid value for hubroute.workspaces.kind: "forum"',
    'workspaces.kind: unknown value refused on INSERT');
SELECT throws_ok(
    $$UPDATE hubroute.workspaces SET kind = 'shop' WHERE id = 2$$,
    '23514', 'invalid value for hubroute.workspaces.kind: "shop"',
    'workspaces.kind: unknown value refused on UPDATE');
SELECT lives_ok(
    $$INSERT INTO hubroute.workspaces (id, name, kind) VALUES (50, 'Inbox 2', 'inbox'), (51, 'Help 2', 'helpdesk')$$,
    'workspaces.kind: inbox and helpdesk are accepted');

SELECT throws_ok(
    $$INSERT INTO hubroute.channels (id, workspace_id, kind, name) VALUES (50, 2, 'fax', 'fax')$$,
    '23514', 'invalid value for hubroute.channels.kind: "fax"',
    'channels.kind: unknown value refused');
SELECT throws_ok(
    $$INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to) VALUES (50, 2, 'chat', 'c', 'everyone')$$,
    '23514', 'invalid value for hubroute.channels.assign_to: "everyone"',
    'channels.assign_to: unknown value refused');
SELECT throws_ok(
    $$INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES (50, 2, 'chat', 'c', 'users_and_teams', 'fastest')$$,
    '23514', 'invalid value for hubroute.channels.distribution: "fastest"',
    'channels.distribution: unknown value refused on INSERT');
SELECT throws_ok(
    $$UPDATE hubroute.channels SET distribution = 'round-robin' WHERE id = 20$$,
    '23514', 'invalid value for hubroute.channels.distribution: "round-robin"',
    'channels.distribution: unknown value refused on UPDATE');
SELECT throws_ok(
    $$UPDATE hubroute.channels SET assign_to = 'team' WHERE id = 20$$,
    '23514', 'invalid value for hubroute.channels.assign_to: "team"',
    'channels.assign_to: unknown value refused on UPDATE');
SELECT lives_ok(
    $$INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
        (50, 50, 'chat', 'c1', 'nobody', NULL),
        (51, 50, 'bot', 'c2', 'users_and_teams', 'balanced'),
        (52, 50, 'messenger', 'c3', 'contact_owner', 'random'),
        (53, 50, 'email', 'c4', 'customer_agent', 'least_busy'),
        (54, 50, 'form', 'c5', 'users_and_teams', 'round_robin'),
        (55, 50, 'calling', 'c6', 'nobody', NULL),
        (56, 50, 'whatsapp', 'c7', 'nobody', NULL)$$,
    'channels: every documented kind, assign_to and distribution (and NULL) is accepted');

SELECT throws_ok(
    $$INSERT INTO hubroute.skills (id, name, kind) VALUES (50, 'Chess', 'hobby')$$,
    '23514', 'invalid value for hubroute.skills.kind: "hobby"',
    'skills.kind: unknown value refused');
SELECT lives_ok(
    $$INSERT INTO hubroute.skills (id, name, kind) VALUES (50, 'Billing', 'category'), (51, 'German', 'language')$$,
    'skills.kind: language and category are accepted');
SELECT is((SELECT kind FROM hubroute.skills WHERE id = 1), 'language', 'skills.kind: the stored skill kept its value');

-------------------------------------------------------------------------------
-- channel_targets: exactly one of user_id, team_id; the seat the workspace needs
-------------------------------------------------------------------------------
SELECT throws_ok(
    $$INSERT INTO hubroute.channel_targets (channel_id, user_id, team_id) VALUES (10, 1, 10)$$,
    '23514', 'a hubroute.channel_targets row must set exactly one of user_id and team_id',
    'channel_targets: a row with both user_id and team_id is refused');
SELECT throws_ok(
    $$INSERT INTO hubroute.channel_targets (channel_id, user_id, team_id) VALUES (10, NULL, NULL)$$,
    '23514', 'a hubroute.channel_targets row must set exactly one of user_id and team_id',
    'channel_targets: a row with neither user_id nor team_id is refused');
SELECT lives_ok(
    $$INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 1)$$,
    'channel_targets: a service user in a help desk is accepted');
SELECT lives_ok(
    $$INSERT INTO hubroute.channel_targets (channel_id, team_id) VALUES (10, 10)$$,
    'channel_targets: a team alone is accepted');
SELECT throws_ok(
    $$UPDATE hubroute.channel_targets SET team_id = 11 WHERE channel_id = 10 AND user_id = 1$$,
    '23514', 'a hubroute.channel_targets row must set exactly one of user_id and team_id',
    'channel_targets: an UPDATE making a row both user and team is refused');

SELECT throws_ok(
    $$INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (20, 3)$$,
    '23514', 'user 3 cannot be used in hubroute.channel_targets.user_id: it has seat "none"',
    'channel_targets: inbox target without a seat is refused');
SELECT throws_ok(
    $$INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 2)$$,
    '23514', 'user 2 cannot be used in hubroute.channel_targets.user_id: it has seat "sales"',
    'channel_targets: help-desk target with a sales seat is refused');
SELECT throws_ok(
    $$INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 3)$$,
    '23514', 'user 3 cannot be used in hubroute.channel_targets.user_id: it has seat "none"',
    'channel_targets: help-desk target without a seat is refused');
SELECT lives_ok(
    $$INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (20, 2), (20, 1)$$,
    'channel_targets: sales and service users are accepted in an inbox');

SELECT results_eq(
    $$SELECT channel_id, user_id, team_id FROM hubroute.channel_targets ORDER BY channel_id, user_id, team_id$$,
    $$VALUES (10::bigint, 1::bigint, NULL::bigint), (10, NULL, 10), (20, 1, NULL), (20, 2, NULL)$$,
    'channel_targets: the refused statements stored and changed nothing');

-------------------------------------------------------------------------------
-- channels: fallback user seat, time zone
-------------------------------------------------------------------------------
SELECT throws_ok(
    $$INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, fallback_user_id) VALUES (60, 2, 'chat', 'c', 'contact_owner', 3)$$,
    '23514', 'user 3 cannot be used in hubroute.channels.fallback_user_id: it has seat "none"',
    'channels.fallback_user_id: inbox fallback without a seat is refused');
SELECT throws_ok(
    $$INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, fallback_user_id) VALUES (60, 1, 'email', 'c', 'contact_owner', 2)$$,
    '23514', 'user 2 cannot be used in hubroute.channels.fallback_user_id: it has seat "sales"',
    'channels.fallback_user_id: help-desk fallback with a sales seat is refused');
SELECT throws_ok(
    $$UPDATE hubroute.channels SET fallback_user_id = 3 WHERE id = 10$$,
    '23514', 'user 3 cannot be used in hubroute.channels.fallback_user_id: it has seat "none"',
    'channels.fallback_user_id: seatless fallback refused on UPDATE');
SELECT lives_ok(
    $$INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, fallback_user_id) VALUES (60, 2, 'chat', 'c', 'contact_owner', 2)$$,
    'channels.fallback_user_id: a sales fallback in an inbox is accepted');
SELECT lives_ok(
    $$UPDATE hubroute.channels SET fallback_user_id = 1 WHERE id = 10$$,
    'channels.fallback_user_id: a service fallback in a help desk is accepted');

SELECT throws_ok(
    $$INSERT INTO hubroute.channels (id, workspace_id, kind, name, timezone) VALUES (61, 2, 'chat', 'c', 'Mars/Olympus_Mons')$$,
    '22023', 'invalid value for hubroute.channels.timezone: "Mars/Olympus_Mons"',
    'channels.timezone: an unknown time zone is refused');
SELECT throws_ok(
    $$UPDATE hubroute.channels SET timezone = 'Europe/Atlantis' WHERE id = 20$$,
    '22023', 'invalid value for hubroute.channels.timezone: "Europe/Atlantis"',
    'channels.timezone: an unknown time zone is refused on UPDATE');
SELECT lives_ok(
    $$INSERT INTO hubroute.channels (id, workspace_id, kind, name, timezone) VALUES (61, 2, 'chat', 'c', 'Europe/Amsterdam')$$,
    'channels.timezone: Europe/Amsterdam is accepted');

SELECT results_eq(
    $$SELECT id, kind, assign_to, distribution, fallback_user_id, timezone FROM hubroute.channels WHERE id IN (10, 20, 30) ORDER BY id$$,
    $$VALUES (10::bigint, 'email'::text, 'nobody'::text, NULL::text, 1::bigint, 'UTC'::text),
             (20, 'chat', 'nobody', NULL, NULL, 'UTC'),
             (30, 'form', 'nobody', NULL, NULL, 'UTC')$$,
    'channels: refused statements left the stored channels unchanged');
SELECT is((SELECT count(*) FROM hubroute.channels WHERE id = 50 OR id BETWEEN 51 AND 61)::int, 9,
    'channels: only the accepted inserts were stored');

-------------------------------------------------------------------------------
-- team_members: at most one primary team
-------------------------------------------------------------------------------
SELECT throws_ok(
    $$INSERT INTO hubroute.team_members (team_id, user_id, is_primary) VALUES (11, 1, true)$$,
    '23505', 'user 1 already has primary team 10',
    'team_members: a second primary team is refused');
SELECT throws_ok(
    $$INSERT INTO hubroute.team_members (team_id, user_id) VALUES (11, 1)$$,
    '23505', 'user 1 already has primary team 10',
    'team_members: is_primary defaults to true, so a plain second membership is refused too');
SELECT lives_ok(
    $$INSERT INTO hubroute.team_members (team_id, user_id, is_primary) VALUES (11, 1, false)$$,
    'team_members: an additional membership is accepted');
SELECT throws_ok(
    $$UPDATE hubroute.team_members SET is_primary = true WHERE team_id = 11 AND user_id = 1$$,
    '23505', 'user 1 already has primary team 10',
    'team_members: turning an additional membership into a second primary is refused');
SELECT results_eq(
    $$SELECT team_id, user_id, is_primary FROM hubroute.team_members ORDER BY user_id, team_id$$,
    $$VALUES (10::bigint, 1::bigint, true), (11, 1, false), (11, 2, true)$$,
    'team_members: refused statements left the memberships unchanged');

-------------------------------------------------------------------------------
-- workspaces: kind cannot change under channels
-------------------------------------------------------------------------------
SELECT throws_ok(
    $$UPDATE hubroute.workspaces SET kind = 'inbox' WHERE id = 1$$,
    '23514', 'cannot change hubroute.workspaces.kind of workspace 1 from "helpdesk" to "inbox"',
    'workspaces.kind: a help desk with channels cannot become an inbox');
SELECT throws_ok(
    $$UPDATE hubroute.workspaces SET kind = 'helpdesk' WHERE id = 2$$,
    '23514', 'cannot change hubroute.workspaces.kind of workspace 2 from "inbox" to "helpdesk"',
    'workspaces.kind: an inbox with channels cannot become a help desk');
SELECT lives_ok(
    $$UPDATE hubroute.workspaces SET kind = 'inbox' WHERE id = 51$$,
    'workspaces.kind: a workspace without channels may change kind');
SELECT lives_ok(
    $$UPDATE hubroute.workspaces SET name = 'Help desk' WHERE id = 1$$,
    'workspaces: renaming a workspace with channels is fine');
SELECT results_eq(
    $$SELECT id, kind FROM hubroute.workspaces WHERE id IN (1, 2, 3, 51) ORDER BY id$$,
    $$VALUES (1::bigint, 'helpdesk'::text), (2, 'inbox'), (3, 'helpdesk'), (51, 'inbox')$$,
    'workspaces: refused kind changes left the kinds as they were');

-------------------------------------------------------------------------------
-- Items on the wrong channel
-------------------------------------------------------------------------------
SELECT throws_ok(
    $$INSERT INTO hubroute.tickets (channel_id, subject) VALUES (20, 'wrong')$$,
    '23514', 'a ticket must come in on a help-desk channel',
    'tickets: a ticket on an inbox channel is refused');
SELECT throws_ok(
    $$INSERT INTO hubroute.conversations (channel_id, subject) VALUES (10, 'wrong')$$,
    '23514', 'a conversation must come in on an inbox channel',
    'conversations: a conversation on a help-desk channel is refused');
SELECT throws_ok(
    $$INSERT INTO hubroute.tickets (channel_id, subject) VALUES (999, 'nowhere')$$,
    '23503', 'channel 999 does not exist',
    'tickets: a ticket on a nonexistent channel is refused');
SELECT throws_ok(
    $$INSERT INTO hubroute.conversations (channel_id, subject) VALUES (999, 'nowhere')$$,
    '23503', 'channel 999 does not exist',
    'conversations: a conversation on a nonexistent channel is refused');
SELECT throws_ok(
    $$INSERT INTO hubroute.tickets (channel_id, owner_id, subject) VALUES (20, 1, 'wrong, with owner')$$,
    '23514', 'a ticket must come in on a help-desk channel',
    'tickets: a manually owned ticket on an inbox channel is refused too');

-- Valid items used below (explicit ids, far from the identity sequence).
SELECT lives_ok(
    $$INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES
        (1000, 30, 'restricted, unassigned'),
        (1001, 10, 'to close'),
        (1003, 10, 'unassigned help')$$,
    'tickets: tickets on help-desk channels are accepted');
SELECT lives_ok(
    $$INSERT INTO hubroute.tickets (id, channel_id, owner_id, subject) VALUES (1002, 10, 1, 'owned')$$,
    'tickets: a ticket with an owner is accepted');
SELECT lives_ok(
    $$INSERT INTO hubroute.conversations (id, channel_id, subject) VALUES (2000, 20, 'chat 1'), (2001, 20, 'chat 2')$$,
    'conversations: conversations on an inbox channel are accepted');
SELECT lives_ok(
    $$INSERT INTO hubroute.conversations (id, channel_id, owner_id, subject) VALUES (2002, 20, 2, 'owned chat')$$,
    'conversations: a conversation with an owner is accepted');
UPDATE hubroute.tickets SET status = 'closed' WHERE id = 1001;
UPDATE hubroute.conversations SET status = 'closed' WHERE id = 2001;

SELECT throws_ok(
    $$UPDATE hubroute.tickets SET channel_id = 20 WHERE id = 1003$$,
    '23514', 'a ticket must come in on a help-desk channel',
    'tickets: moving a ticket to an inbox channel is refused');
SELECT throws_ok(
    $$UPDATE hubroute.conversations SET channel_id = 10 WHERE id = 2000$$,
    '23514', 'a conversation must come in on an inbox channel',
    'conversations: moving a conversation to a help-desk channel is refused');

-------------------------------------------------------------------------------
-- Moving a channel to a workspace of the other kind: its items would sit on a
-- channel of the wrong kind (SPEC §1) and its sales target would route help-
-- desk tickets (SPEC §5). The sibling rule, a workspace's kind change under
-- channels, is refused with check_violation; so must this be. No message is
-- prescribed, so only the SQLSTATE is matched.
-------------------------------------------------------------------------------
INSERT INTO hubroute.channels (id, workspace_id, kind, name) VALUES
    (62, 2, 'chat', 'inbox, sales target, no items'), (63, 2, 'chat', 'inbox, service target, no items'),
    (64, 2, 'chat', 'inbox, service target, one conversation');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (62, 2), (63, 1), (64, 1);
INSERT INTO hubroute.conversations (id, channel_id) VALUES (2064, 64);
SELECT throws_ok(
    $$UPDATE hubroute.channels SET workspace_id = 1 WHERE id = 64$$,
    '23514', NULL,
    'channels.workspace_id: a channel with conversations cannot move to a help desk');
SELECT throws_ok(
    $$UPDATE hubroute.channels SET workspace_id = 1 WHERE id = 62$$,
    '23514', NULL,
    'channels.workspace_id: a channel whose target has a sales seat cannot move to a help desk');
SELECT lives_ok(
    $$UPDATE hubroute.channels SET workspace_id = 1 WHERE id = 63$$,
    'channels.workspace_id: a channel without items and with a service target may move to a help desk');
SELECT results_eq(
    $$SELECT id, workspace_id FROM hubroute.channels WHERE id IN (62, 63, 64) ORDER BY id$$,
    $$VALUES (62::bigint, 2::bigint), (63, 1), (64, 2)$$,
    'channels.workspace_id: refused moves left the channels in their workspaces');

-------------------------------------------------------------------------------
-- Manual assignment in a workspace restricted to teams (SPEC §3)
-------------------------------------------------------------------------------
CREATE TEMP TABLE before_refusal AS
SELECT (SELECT count(*) FROM hubroute.assignments) AS assignments,
       (SELECT open_tickets FROM hubroute.user_load WHERE user_id = 4) AS dee_open;

SELECT throws_ok(
    $$UPDATE hubroute.tickets SET owner_id = 4 WHERE id = 1000$$,
    '23514', 'user 4 cannot own ticket 1000',
    'manual assignment: a non-member of the workspace''s teams cannot be made owner');
SELECT throws_ok(
    $$UPDATE hubroute.tickets SET owner_id = 2 WHERE id = 1000$$,
    '23514', 'user 2 cannot own ticket 1000',
    'manual assignment: a member of another team cannot be made owner');
SELECT throws_ok(
    $$INSERT INTO hubroute.tickets (id, channel_id, owner_id) VALUES (1010, 30, 4)$$,
    '23514', 'user 4 cannot own ticket 1010',
    'manual assignment: an INSERT naming a non-member owner is refused');
SELECT throws_ok(
    $$UPDATE hubroute.tickets SET team_id = 11 WHERE id = 1000$$,
    '23514', 'team 11 cannot own ticket 1000',
    'manual assignment: a team that is not among the workspace''s teams is refused');
SELECT results_eq(
    $$SELECT owner_id, team_id, status FROM hubroute.tickets WHERE id = 1000$$,
    $$VALUES (NULL::bigint, NULL::bigint, 'open'::text)$$,
    'manual assignment: the refused ticket keeps no owner and no team');
SELECT results_eq(
    $$SELECT (SELECT count(*) FROM hubroute.assignments), (SELECT open_tickets FROM hubroute.user_load WHERE user_id = 4)$$,
    $$SELECT assignments, dee_open FROM before_refusal$$,
    'manual assignment: refusals logged nothing and counted nothing');
SELECT is((SELECT count(*) FROM hubroute.tickets WHERE id = 1010)::int, 0,
    'manual assignment: the refused INSERT stored no ticket');

SELECT lives_ok(
    $$UPDATE hubroute.tickets SET owner_id = 1, team_id = 10 WHERE id = 1000$$,
    'manual assignment: a primary member of the workspace''s team and the team itself are accepted');
SELECT lives_ok(
    $$UPDATE hubroute.tickets SET owner_id = 4 WHERE id = 1003$$,
    'manual assignment: anyone may own a ticket of an unrestricted workspace');
INSERT INTO hubroute.team_members (team_id, user_id, is_primary) VALUES (10, 2, false);
SELECT lives_ok(
    $$INSERT INTO hubroute.tickets (id, channel_id, owner_id) VALUES (1011, 30, 2)$$,
    'manual assignment: an additional member of the workspace''s team is accepted');

-------------------------------------------------------------------------------
-- route_ticket / route_conversation on items that cannot be routed
-------------------------------------------------------------------------------
SELECT throws_ok(
    $$SELECT hubroute.route_ticket(999999)$$,
    'P0002', 'ticket 999999 does not exist',
    'route_ticket: a missing ticket is an error');
SELECT throws_ok(
    $$SELECT hubroute.route_conversation(999999)$$,
    'P0002', 'conversation 999999 does not exist',
    'route_conversation: a missing conversation is an error');
SELECT throws_ok(
    $$SELECT hubroute.route_ticket(1001)$$,
    '55000', 'ticket 1001 is closed',
    'route_ticket: a closed ticket is an error');
SELECT throws_ok(
    $$SELECT hubroute.route_conversation(2001)$$,
    '55000', 'conversation 2001 is closed',
    'route_conversation: a closed conversation is an error');
SELECT throws_ok(
    $$SELECT hubroute.route_ticket(1002)$$,
    '55000', 'ticket 1002 already has owner 1',
    'route_ticket: an owned ticket is an error');
SELECT throws_ok(
    $$SELECT hubroute.route_conversation(2002)$$,
    '55000', 'conversation 2002 already has owner 2',
    'route_conversation: an owned conversation is an error');
SELECT throws_ok(
    $$SELECT hubroute.route_ticket(2000)$$,
    'P0002', 'ticket 2000 does not exist',
    'route_ticket: a conversation id is not a ticket');
SELECT lives_ok(
    $$SELECT hubroute.route_conversation(2000)$$,
    'route_conversation: an open unassigned conversation can be routed');
SELECT results_eq(
    $$SELECT id, owner_id, status FROM hubroute.tickets WHERE id IN (1001, 1002) ORDER BY id$$,
    $$VALUES (1001::bigint, NULL::bigint, 'closed'::text), (1002, 1, 'open')$$,
    'route_ticket: refused calls left the tickets unchanged');

-------------------------------------------------------------------------------
-- messages: exactly one item, a known direction
-------------------------------------------------------------------------------
SELECT throws_ok(
    $$INSERT INTO hubroute.messages (ticket_id, conversation_id, direction, body) VALUES (1003, 2000, 'incoming', 'both')$$,
    '23514', 'new row for relation "messages" violates check constraint "messages_one_item_check"',
    'messages: a message on both a ticket and a conversation is refused');
SELECT throws_ok(
    $$INSERT INTO hubroute.messages (direction, body) VALUES ('incoming', 'neither')$$,
    '23514', 'new row for relation "messages" violates check constraint "messages_one_item_check"',
    'messages: a message on neither a ticket nor a conversation is refused');
SELECT throws_ok(
    $$INSERT INTO hubroute.messages (ticket_id, direction, body) VALUES (1003, 'sideways', 'x')$$,
    '23514', 'new row for relation "messages" violates check constraint "messages_direction_check"',
    'messages: an unknown direction is refused');
SELECT lives_ok(
    $$INSERT INTO hubroute.messages (ticket_id, direction, body) VALUES (1003, 'incoming', 'hello')$$,
    'messages: an incoming message on a ticket is accepted');
SELECT lives_ok(
    $$INSERT INTO hubroute.messages (conversation_id, direction, body) VALUES (2000, 'incoming', 'hi')$$,
    'messages: an incoming message on a conversation is accepted');
SELECT is((SELECT count(*) FROM hubroute.messages)::int, 2, 'messages: only the accepted messages were stored');

-------------------------------------------------------------------------------
-- tickets / conversations: status and handled_by
-------------------------------------------------------------------------------
SELECT throws_ok(
    $$INSERT INTO hubroute.tickets (channel_id, status) VALUES (10, 'pending')$$,
    '23514', 'new row for relation "tickets" violates check constraint "tickets_status_check"',
    'tickets.status: an unknown status is refused on INSERT');
SELECT throws_ok(
    $$UPDATE hubroute.tickets SET status = 'solved' WHERE id = 1003$$,
    '23514', 'new row for relation "tickets" violates check constraint "tickets_status_check"',
    'tickets.status: an unknown status is refused on UPDATE');
-- A routed INSERT (no owner) must not quietly replace a bad handled_by.
SELECT throws_ok(
    $$INSERT INTO hubroute.tickets (channel_id, handled_by) VALUES (10, 'robot')$$,
    '23514', 'new row for relation "tickets" violates check constraint "tickets_handled_by_check"',
    'tickets.handled_by: an unknown value is refused');
SELECT throws_ok(
    $$INSERT INTO hubroute.conversations (channel_id, status) VALUES (20, 'snoozed')$$,
    '23514', 'new row for relation "conversations" violates check constraint "conversations_status_check"',
    'conversations.status: an unknown status is refused');
SELECT throws_ok(
    $$UPDATE hubroute.conversations SET handled_by = 'bot' WHERE id = 2000$$,
    '23514', 'new row for relation "conversations" violates check constraint "conversations_handled_by_check"',
    'conversations.handled_by: an unknown value is refused');
SELECT results_eq(
    $$SELECT id, status, handled_by FROM hubroute.tickets ORDER BY id$$,
    $$VALUES (1000::bigint, 'open'::text, 'human'::text), (1001, 'closed', 'human'), (1002, 'open', 'human'),
             (1003, 'open', 'human'), (1011, 'open', 'human')$$,
    'tickets: refused statements stored no ticket and changed none');

-------------------------------------------------------------------------------
-- SPEC §5: the error names the column (COLUMN_NAME field) and the allowed
-- values or the reason (somewhere in message, detail or hint).
-- pg_temp.refusal runs a statement, always rolls it back, and reports the
-- error's SQLSTATE, column and text ('XX000', NULL, 'no error' if none).
-------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.refusal(stmt text, OUT state text, OUT col text, OUT said text)
LANGUAGE plpgsql AS $f$
DECLARE
    msg text; det text; hnt text;
BEGIN
    BEGIN
        EXECUTE stmt;
        RAISE EXCEPTION 'no error' USING ERRCODE = 'XX000';
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, col = COLUMN_NAME,
                                msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
        said := concat_ws(' ', msg, det, hnt);
    END;
    IF col = '' THEN col := NULL; END IF;
END;
$f$;
CREATE FUNCTION pg_temp.names_all(said text, words text[]) RETURNS boolean
LANGUAGE sql AS $f$ SELECT bool_and(strpos(said, w) > 0) FROM unnest(words) w $f$;

SELECT results_eq(
    $$SELECT state, col, pg_temp.names_all(said, ARRAY['"boss"', 'none', 'sales', 'service'])
        FROM pg_temp.refusal($s$INSERT INTO hubroute.users (id, name, seat) VALUES (70, 'X', 'boss')$s$)$$,
    $$VALUES ('23514'::text, 'seat'::text, true)$$,
    'users.seat: the error names the column, the bad value and none, sales, service');
SELECT results_eq(
    $$SELECT state, col, pg_temp.names_all(said, ARRAY['inbox', 'helpdesk'])
        FROM pg_temp.refusal($s$INSERT INTO hubroute.workspaces (id, name, kind) VALUES (70, 'X', 'forum')$s$)$$,
    $$VALUES ('23514'::text, 'kind'::text, true)$$,
    'workspaces.kind: the error names the column and inbox, helpdesk');
SELECT results_eq(
    $$SELECT state, col, pg_temp.names_all(said, ARRAY['chat', 'bot', 'messenger', 'email', 'form', 'calling', 'whatsapp'])
        FROM pg_temp.refusal($s$INSERT INTO hubroute.channels (id, workspace_id, kind, name) VALUES (70, 2, 'fax', 'x')$s$)$$,
    $$VALUES ('23514'::text, 'kind'::text, true)$$,
    'channels.kind: the error names the column and every channel kind');
SELECT results_eq(
    $$SELECT state, col, pg_temp.names_all(said, ARRAY['nobody', 'users_and_teams', 'contact_owner', 'customer_agent'])
        FROM pg_temp.refusal($s$INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to) VALUES (70, 2, 'chat', 'x', 'all')$s$)$$,
    $$VALUES ('23514'::text, 'assign_to'::text, true)$$,
    'channels.assign_to: the error names the column and every rule');
SELECT results_eq(
    $$SELECT state, col, pg_temp.names_all(said, ARRAY['balanced', 'random', 'least_busy', 'round_robin'])
        FROM pg_temp.refusal($s$UPDATE hubroute.channels SET distribution = 'fifo' WHERE id = 20$s$)$$,
    $$VALUES ('23514'::text, 'distribution'::text, true)$$,
    'channels.distribution: the error names the column and every distribution');
SELECT results_eq(
    $$SELECT state, col, pg_temp.names_all(said, ARRAY['language', 'category'])
        FROM pg_temp.refusal($s$INSERT INTO hubroute.skills (id, name, kind) VALUES (70, 'X', 'hobby')$s$)$$,
    $$VALUES ('23514'::text, 'kind'::text, true)$$,
    'skills.kind: the error names the column and language, category');
SELECT results_eq(
    $$SELECT state, col, pg_temp.names_all(said, ARRAY['sales', 'service'])
        FROM pg_temp.refusal($s$INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (20, 3)$s$)$$,
    $$VALUES ('23514'::text, 'user_id'::text, true)$$,
    'channel_targets.user_id: the error names the column and the seats an inbox needs');
SELECT results_eq(
    $$SELECT state, col, strpos(said, 'service') > 0 AND strpos(said, '"sales"') > 0
        FROM pg_temp.refusal($s$UPDATE hubroute.channels SET fallback_user_id = 2 WHERE id = 10$s$)$$,
    $$VALUES ('23514'::text, 'fallback_user_id'::text, true)$$,
    'channels.fallback_user_id: the error names the column, the user''s seat and the seat a help desk needs');
SELECT results_eq(
    $$SELECT state, col, strpos(said, 'Nowhere/Town') > 0
        FROM pg_temp.refusal($s$UPDATE hubroute.channels SET timezone = 'Nowhere/Town' WHERE id = 20$s$)$$,
    $$VALUES ('22023'::text, 'timezone'::text, true)$$,
    'channels.timezone: the error names the column and the bad value');
SELECT results_eq(
    $$SELECT state, col FROM pg_temp.refusal($s$INSERT INTO hubroute.channel_targets (channel_id) VALUES (20)$s$)$$,
    $$VALUES ('23514'::text, 'user_id'::text)$$,
    'channel_targets: the neither-user-nor-team error names a column');

-------------------------------------------------------------------------------
-- References an item makes, checked without foreign keys (src/integrity.c):
-- 23503 foreign_key_violation, both ways
-------------------------------------------------------------------------------
INSERT INTO hubroute.contacts (id, name, owner_id, tracked) VALUES (500, 'Acme', 1, true), (501, 'Nobody', NULL, false);
INSERT INTO hubroute.tickets (id, channel_id, contact_id, team_id, subject) VALUES (1500, 10, 500, 10, 'with contact and team');
SELECT throws_ok(
    $$INSERT INTO hubroute.tickets (channel_id, owner_id) VALUES (10, 999)$$,
    '23503', 'owner_id of a ticket refers to a missing row: owner_id 999',
    'tickets: an owner that does not exist is refused');
SELECT throws_ok(
    $$INSERT INTO hubroute.conversations (channel_id, team_id) VALUES (20, 999)$$,
    '23503', 'team_id of a conversation refers to a missing row: team_id 999',
    'conversations: a team that does not exist is refused');
SELECT throws_ok(
    $$INSERT INTO hubroute.tickets (channel_id, contact_id) VALUES (10, 999)$$,
    '23503', 'contact_id of a ticket refers to a missing row: contact_id 999',
    'tickets: a contact that does not exist is refused');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to) VALUES (40, 1, 'whatsapp', 'by contact owner', 'contact_owner');
SELECT throws_ok(
    $$INSERT INTO hubroute.tickets (channel_id, contact_id) VALUES (40, 999)$$,
    '23503', 'contact_id of a ticket refers to a missing row: contact_id 999',
    'tickets: a contact that does not exist is refused on a contact-owner channel too');
SELECT throws_ok(
    $$UPDATE hubroute.tickets SET owner_id = 999 WHERE id = 1003$$,
    '23503', 'owner_id of a ticket refers to a missing row: owner_id 999',
    'tickets: reassigning to an owner that does not exist is refused');
SELECT throws_ok(
    $$DELETE FROM hubroute.users WHERE id = 1$$,
    '23503', 'delete on table "users" would leave ticket 1000 without its owner_id',
    'users: deleting a user who owns items is refused');
SELECT throws_ok(
    $$UPDATE hubroute.users SET id = 100 WHERE id = 1$$,
    '23503', 'update on table "users" would leave ticket 1000 without its owner_id',
    'users: changing the id of a user who owns items is refused');
SELECT throws_ok(
    $$DELETE FROM hubroute.channels WHERE id = 10$$,
    '23503', 'delete on table "channels" would leave ticket 1001 without its channel_id',
    'channels: deleting a channel with items is refused');
SELECT throws_ok(
    $$DELETE FROM hubroute.teams WHERE id = 10$$,
    '23503', 'delete on table "teams" would leave ticket 1000 without its team_id',
    'teams: deleting a team that owns items is refused');
SELECT throws_ok(
    $$TRUNCATE hubroute.contacts$$,
    '23503', 'truncate on table "contacts" would leave ticket 1500 without its contact_id',
    'contacts: truncating contacts that items refer to is refused');
SELECT lives_ok(
    $$DELETE FROM hubroute.contacts WHERE id = 501$$,
    'contacts: a contact no item refers to can be deleted');
SELECT results_eq(
    $$SELECT (SELECT count(*) FROM hubroute.users WHERE id = 1), (SELECT count(*) FROM hubroute.channels WHERE id = 10),
             (SELECT count(*) FROM hubroute.contacts WHERE id = 500)$$,
    $$VALUES (1::bigint, 1::bigint, 1::bigint)$$,
    'references: nothing of the refused statements was removed');

-------------------------------------------------------------------------------
-- The customer agent's settings and calling channels (SPEC §4)
-------------------------------------------------------------------------------
SELECT throws_ok(
    $$INSERT INTO hubroute.customer_agent (paused) VALUES (true)$$,
    '23505', 'hubroute.customer_agent holds exactly one row',
    'customer_agent: a second row is refused');
SELECT throws_ok(
    $$DELETE FROM hubroute.customer_agent$$,
    '23001', 'the row of hubroute.customer_agent cannot be removed',
    'customer_agent: deleting its row is refused');
SELECT throws_ok(
    $$TRUNCATE hubroute.customer_agent$$,
    '23001', 'the row of hubroute.customer_agent cannot be removed',
    'customer_agent: TRUNCATE is refused');
SELECT throws_ok(
    $$UPDATE hubroute.customer_agent SET handoff_process = 'later'$$,
    '23514', 'invalid value for hubroute.customer_agent.handoff_process: "later"',
    'customer_agent: unknown handoff_process');
SELECT throws_ok(
    $$UPDATE hubroute.customer_agent SET handoff_mode = 'email'$$,
    '23514', 'invalid value for hubroute.customer_agent.handoff_mode: "email"',
    'customer_agent: unknown handoff_mode');
SELECT throws_ok(
    $$UPDATE hubroute.customer_agent SET handoff_mode = 'workflow'$$,
    '23514', 'handoff_mode ''workflow'' needs hubroute.customer_agent.workflow_channel_id',
    'customer_agent: workflow mode without a workflow channel');
SELECT throws_ok(
    $$UPDATE hubroute.customer_agent SET handoff_mode = 'workflow', workflow_channel_id = 20$$,
    '23514', 'hubroute.customer_agent.workflow_channel_id must be a help-desk channel',
    'customer_agent: an inbox channel as the workflow channel');
SELECT throws_ok(
    $$UPDATE hubroute.customer_agent SET workflow_channel_id = 999$$,
    '23503', NULL,
    'customer_agent: a workflow channel that does not exist');
SELECT lives_ok(
    $$UPDATE hubroute.customer_agent SET handoff_mode = 'workflow', workflow_channel_id = 10$$,
    'customer_agent: workflow mode with a help-desk channel');
SELECT throws_ok(
    $$INSERT INTO hubroute.handoff_targets (user_id, team_id) VALUES (1, 10)$$,
    '23514', 'a hubroute.handoff_targets row must set exactly one of user_id and team_id',
    'handoff_targets: both user and team');
SELECT throws_ok(
    $$INSERT INTO hubroute.handoff_targets (user_id) VALUES (NULL)$$,
    '23514', 'a hubroute.handoff_targets row must set exactly one of user_id and team_id',
    'handoff_targets: neither user nor team');
SELECT throws_ok(
    $$INSERT INTO hubroute.handoff_targets (user_id) VALUES (3)$$,
    '23514', 'user 3 cannot be used in hubroute.handoff_targets.user_id: it has seat "none"',
    'handoff_targets: a user without a seat');
SELECT throws_ok(
    $$INSERT INTO hubroute.handoff_targets (user_id) VALUES (999)$$,
    '23503', NULL,
    'handoff_targets: a user that does not exist');
SELECT throws_ok(
    $$INSERT INTO hubroute.handoff_triggers (phrase) VALUES ('?!')$$,
    '23514', 'invalid value for hubroute.handoff_triggers.phrase: "?!"',
    'handoff_triggers: a phrase without a word');
SELECT lives_ok(
    $$INSERT INTO hubroute.handoff_triggers (phrase) VALUES ('refund')$$,
    'handoff_triggers: a phrase');
SELECT throws_ok(
    $$INSERT INTO hubroute.handoff_triggers (phrase) VALUES ('Refund')$$,
    '23505', NULL,
    'handoff_triggers: the same phrase in another case');
SELECT throws_ok(
    $$INSERT INTO hubroute.channel_hours (channel_id, weekday, opens, closes) VALUES (20, 8, '09:00', '17:00')$$,
    '23514', 'invalid value for hubroute.channel_hours.weekday: 8',
    'channel_hours: a weekday after 7');
SELECT throws_ok(
    $$INSERT INTO hubroute.channel_hours (channel_id, weekday, opens, closes) VALUES (20, 0, '09:00', '17:00')$$,
    '23514', 'invalid value for hubroute.channel_hours.weekday: 0',
    'channel_hours: a weekday before 1');
SELECT throws_ok(
    $$INSERT INTO hubroute.channel_hours (channel_id, weekday, opens, closes) VALUES (20, 1, '09:00', '09:00')$$,
    '23514', 'hubroute.channel_hours.closes must differ from opens (both 09:00:00)',
    'channel_hours: closes equal to opens');
SELECT throws_ok(
    $$INSERT INTO hubroute.channel_hours (channel_id, weekday, opens, closes) VALUES (999, 1, '09:00', '17:00')$$,
    '23503', NULL,
    'channel_hours: a channel that does not exist');
SELECT lives_ok(
    $$INSERT INTO hubroute.channel_hours (channel_id, weekday, opens, closes) VALUES (20, 1, '22:00', '06:00')$$,
    'channel_hours: hours across midnight');
SELECT throws_ok(
    $$INSERT INTO hubroute.tickets (channel_id, subject, conversation_id) VALUES (10, 'x', 999)$$,
    '23503', 'conversation_id of a ticket refers to a missing row: conversation_id 999',
    'tickets: a conversation_id that names no conversation');
SELECT throws_ok(
    $$SELECT hubroute.handoff(999, 'test')$$,
    'P0002', 'conversation 999 does not exist',
    'handoff(): a conversation that does not exist');
INSERT INTO hubroute.conversations (id, channel_id, subject, status) VALUES (900, 20, 'closed', 'closed');
SELECT throws_ok(
    $$SELECT hubroute.handoff(900, 'test')$$,
    '55000', 'conversation 900 is closed',
    'handoff(): a closed conversation');
SELECT throws_ok(
    $$SELECT hubroute.channel_is_open(999)$$,
    'P0002', 'channel 999 does not exist',
    'channel_is_open(): a channel that does not exist');

-------------------------------------------------------------------------------
-- Capacity, the queue and events (SPEC §6)
-------------------------------------------------------------------------------
SELECT throws_ok(
    $$UPDATE hubroute.users SET ticket_capacity = -1 WHERE id = 1$$,
    '23514', 'invalid value for hubroute.users.ticket_capacity: -1',
    'users: a negative ticket_capacity is refused');
SELECT throws_ok(
    $$INSERT INTO hubroute.users (id, name, seat, conversation_capacity) VALUES (70, 'Neg', 'sales', -2)$$,
    '23514', 'invalid value for hubroute.users.conversation_capacity: -2',
    'users: a negative conversation_capacity is refused');
SELECT lives_ok(
    $$UPDATE hubroute.users SET ticket_capacity = 0, conversation_capacity = NULL WHERE id = 1$$,
    'users: a capacity of 0, or none, is accepted');
SELECT throws_ok(
    $$SELECT hubroute.drain(999)$$,
    'P0002', 'channel 999 does not exist',
    'drain: a channel that does not exist');
SELECT throws_ok(
    $$SET LOCAL hubroute.notify_channel = '$$ || repeat('x', 64) || $$'$$,
    '22023', 'invalid value for parameter "hubroute.notify_channel": "' || repeat('x', 64) || '"',
    'notify_channel: a name longer than a channel name may be');
SELECT throws_ok(
    $$INSERT INTO hubroute.tickets (channel_id, subject, priority) VALUES (10, 'too high', 40000)$$,
    '22003', 'smallint out of range',
    'tickets: a priority must be a smallint');

-------------------------------------------------------------------------------
-- A refused row in a multi-row statement keeps none of the rows
-------------------------------------------------------------------------------
SELECT throws_ok(
    $$INSERT INTO hubroute.users (id, name, seat) VALUES (60, 'Ok', 'service'), (61, 'Bad', 'admin')$$,
    '23514', 'invalid value for hubroute.users.seat: "admin"',
    'users: a multi-row INSERT with one bad seat is refused');
SELECT results_eq(
    $$SELECT id, seat FROM hubroute.users WHERE id IN (1, 2, 3, 4, 60, 61) ORDER BY id$$,
    $$VALUES (1::bigint, 'service'::text), (2, 'sales'), (3, 'none'), (4, 'service')$$,
    'users: nothing of the refused statements was stored or changed');

SELECT * FROM finish();
ROLLBACK;
