-- calls: a conversation on a calling channel is routed by the channel's
-- hours at its created_at, in the channel's time zone (SPEC §4); and
-- hubroute.channel_is_open() answers the same question for applications.
CREATE EXTENSION hubroute;
\set VERBOSITY default
\set SHOW_CONTEXT never
-- The session's time zone never matters.
SET timezone = 'Asia/Tokyo';

INSERT INTO hubroute.users (id, name, seat, available) VALUES
    (1, 'Ann', 'service', true), (2, 'Bob', 'sales', false), (3, 'Cid', 'service', false);
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (1, 'Inbox', 'inbox');
INSERT INTO hubroute.contacts (id, name, owner_id, tracked) VALUES (100, 'Caller', 3, true);
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution, only_available,
                               timezone, voicemail_message, after_hours_message) VALUES
    -- a phone line answered by people, 09:00-17:00 on weekdays
    (10, 1, 'calling', 'phone', 'users_and_teams', 'least_busy', false, 'Europe/Amsterdam',
     'We missed your call and will call you back.', 'We are closed; we call you back tomorrow.'),
    -- the customer agent answers, with the same hours
    (11, 1, 'calling', 'ai phone', 'customer_agent', NULL, true, 'Europe/Amsterdam', 'vm', 'closed'),
    -- a line to the caller's account manager, no hours: always open
    (12, 1, 'calling', 'account line', 'contact_owner', NULL, true, 'America/New_York',
     'Your account manager calls you back.', NULL),
    -- night service: Friday 22:00 to Saturday 06:00 only, New York time
    (13, 1, 'calling', 'night line', 'users_and_teams', 'balanced', true, 'America/New_York', NULL, 'closed'),
    -- every day 09:00-17:00, Amsterdam and New York: the days the clocks change
    (14, 1, 'calling', 'daily ams', 'nobody', NULL, true, 'Europe/Amsterdam', NULL, NULL),
    (15, 1, 'calling', 'daily nyc', 'nobody', NULL, true, 'America/New_York', NULL, NULL),
    -- a chat channel with hours: hours route calls only
    (16, 1, 'chat', 'chat', 'users_and_teams', 'least_busy', true, 'Europe/Amsterdam', NULL, NULL),
    -- a time zone given as an abbreviation (UTC-8 all year)
    (17, 1, 'calling', 'pst line', 'nobody', NULL, true, 'PST', NULL, NULL);
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES
    (10, 1), (10, 2), (13, 1), (13, 2), (16, 1);
INSERT INTO hubroute.channel_hours (channel_id, weekday, opens, closes)
SELECT c, d, '09:00', '17:00' FROM unnest(ARRAY[10, 11, 16]) c, generate_series(1, 5) d;
INSERT INTO hubroute.channel_hours (channel_id, weekday, opens, closes) VALUES (13, 5, '22:00', '06:00');
INSERT INTO hubroute.channel_hours (channel_id, weekday, opens, closes)
SELECT c, d, '09:00', '17:00' FROM unnest(ARRAY[14, 15, 17]) c, generate_series(1, 7) d;

------------------------------------------------------------------------------
-- channel_is_open(): opens inclusive, closes exclusive, weekdays, the night
-- across midnight (it belongs to the day it opens), no rows: always open.
------------------------------------------------------------------------------
SELECT c.channel, c.at, hubroute.channel_is_open(c.channel, c.at::timestamptz) AS open
  FROM (VALUES
    (10, '2026-12-07 08:59:59 Europe/Amsterdam'),  -- Monday, before opening
    (10, '2026-12-07 09:00:00 Europe/Amsterdam'),  -- opens: inclusive
    (10, '2026-12-07 16:59:59 Europe/Amsterdam'),
    (10, '2026-12-07 17:00:00 Europe/Amsterdam'),  -- closes: exclusive
    (10, '2026-12-06 12:00:00 Europe/Amsterdam'),  -- Sunday: no rows, closed
    (10, '2026-12-07 08:30:00 UTC'),               -- 09:30 in Amsterdam
    (13, '2026-12-04 21:59:00 America/New_York'),  -- Friday, before the night
    (13, '2026-12-04 22:00:00 America/New_York'),  -- Friday night
    (13, '2026-12-05 05:59:00 America/New_York'),  -- Saturday early: Friday's row
    (13, '2026-12-05 06:00:00 America/New_York'),  -- closes
    (13, '2026-12-05 23:00:00 America/New_York'),  -- Saturday night: no row opens
    (12, '2026-12-06 03:00:00 America/New_York'),  -- no rows: always open
    -- the days the clocks change: 08:59 closed, 09:00 open, local time
    (14, '2026-03-29 08:59:00 Europe/Amsterdam'),
    (14, '2026-03-29 09:00:00 Europe/Amsterdam'),
    (14, '2026-10-25 08:59:00 Europe/Amsterdam'),
    (14, '2026-10-25 09:00:00 Europe/Amsterdam'),
    (15, '2026-03-08 08:59:00 America/New_York'),
    (15, '2026-03-08 09:00:00 America/New_York'),
    (15, '2026-11-01 08:59:00 America/New_York'),
    (15, '2026-11-01 09:00:00 America/New_York'),
    -- and the instants: 07:00 UTC is 09:00 in Amsterdam on 29 March, 08:00 UTC on the 28th
    (14, '2026-03-29 07:00:00 UTC'),
    (14, '2026-03-28 07:00:00 UTC'),
    -- an abbreviation: 17:00 UTC is 09:00 PST, in summer too
    (17, '2026-12-07 16:59:00 UTC'),
    (17, '2026-12-07 17:00:00 UTC'),
    (17, '2026-07-06 17:00:00 UTC')
  ) c(channel, at);
SELECT hubroute.channel_is_open(10, NULL) AS null_moment;
SELECT hubroute.channel_is_open(999);

------------------------------------------------------------------------------
-- Routing calls. Each call comes in at the created_at the telephony system
-- gives it.
------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.call(channel bigint, at text, contact bigint DEFAULT NULL)
RETURNS TABLE (owner bigint, handled_by text) LANGUAGE sql AS $$
    INSERT INTO hubroute.conversations (channel_id, contact_id, subject, created_at)
    VALUES (channel, contact, 'call', at::timestamptz) RETURNING owner_id, handled_by
$$;
-- Each call with its decision and what hubroute posted on it.
CREATE VIEW calls AS
SELECT c.id, c.channel_id, c.owner_id, c.handled_by, c.status, a.method, a.reason,
       (SELECT string_agg(m.body, ' | ' ORDER BY m.id) FROM hubroute.messages m
         WHERE m.conversation_id = c.id AND m.direction = 'outgoing' AND m.author_user_id IS NULL) AS posted
  FROM hubroute.conversations c
  LEFT JOIN hubroute.assignments a ON a.conversation_id = c.id;

-- During hours: the phone line routes among available people only (Bob is
-- away, though the channel does not ask for availability): Ann.
SELECT owner, handled_by FROM pg_temp.call(10, '2026-12-07 10:00 Europe/Amsterdam');
-- Ann goes away: nobody can take the call; it gets the voicemail message.
UPDATE hubroute.users SET available = false WHERE id = 1;
SELECT owner, handled_by FROM pg_temp.call(10, '2026-12-07 10:05 Europe/Amsterdam');
UPDATE hubroute.users SET available = true WHERE id = 1;
-- After hours: voicemail, with the after-hours message.
SELECT owner, handled_by FROM pg_temp.call(10, '2026-12-07 17:00 Europe/Amsterdam');
-- The customer agent's line: the customer agent, during hours and after.
SELECT owner, handled_by FROM pg_temp.call(11, '2026-12-07 10:00 Europe/Amsterdam');
SELECT owner, handled_by FROM pg_temp.call(11, '2026-12-07 20:00 Europe/Amsterdam');
-- The account line: the caller's owner Cid is away, and a call cannot wait
-- for him: it stays unassigned with the voicemail message (no fallback).
SELECT owner, handled_by FROM pg_temp.call(12, '2026-12-07 10:00 America/New_York', 100);
UPDATE hubroute.users SET available = true WHERE id = 3;
SELECT owner, handled_by FROM pg_temp.call(12, '2026-12-07 10:01 America/New_York', 100);
-- The night line: Friday 23:00 New York time is within its night (Bob is
-- away: Ann); Saturday 07:00 is after hours.
SELECT owner, handled_by FROM pg_temp.call(13, '2026-12-04 23:00 America/New_York');
SELECT owner, handled_by FROM pg_temp.call(13, '2026-12-05 07:00 America/New_York');
-- A chat channel's hours do not route its conversations.
SELECT owner, handled_by FROM pg_temp.call(16, '2026-12-06 03:00 Europe/Amsterdam');

SELECT * FROM calls ORDER BY id;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- A call that waited is routed later by route_conversation(), judged by the
-- hours at its created_at: voicemail again, the same decision as before, so
-- nothing is logged or posted again.
SELECT hubroute.route_conversation(3) AS owner;
SELECT id, method, reason FROM hubroute.assignments WHERE conversation_id = 3 ORDER BY id;
SELECT count(*) AS posted_on_3 FROM hubroute.messages WHERE conversation_id = 3;

DROP VIEW calls;
DROP EXTENSION hubroute CASCADE;
