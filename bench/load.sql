-- bench/load.sql: :rows old tickets on the channels of set :'set', the same
-- rows in hubroute.tickets and in bench.plain_tickets. Owners go round every
-- pool user in turn; whole rounds are open one time in 100 (so every user
-- owns the same number of open tickets, give or take one), the rest closed.
-- Every row carries assigned_at: an import, which hubroute does not route.
--
-- Loaded with triggers off (session_replication_role = replica), then
-- hubroute.rebuild_counters() recounts the extension's load counters.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET session_replication_role = replica;

CREATE TEMP TABLE old_tickets AS
WITH s AS (
    SELECT array_agg(channel_id ORDER BY channel_id) AS chans,
           array_agg(first_user ORDER BY channel_id) AS firsts,
           min(n_users) AS n_users
      FROM bench.channels WHERE set_name = :'set'
)
SELECT s.chans[1 + g % cardinality(s.chans)] AS channel_id,
       s.firsts[1 + g % cardinality(s.chans)] + 1 + (g / cardinality(s.chans)) % s.n_users AS owner_id,
       CASE WHEN g / (cardinality(s.chans) * s.n_users) % 100 = 0 THEN 'open' ELSE 'closed' END AS status,
       now() - (:rows - g) * interval '1 second' AS created_at
  FROM s, generate_series(0, :rows - 1) g;

INSERT INTO hubroute.tickets (channel_id, subject, status, owner_id, created_at, assigned_at)
SELECT channel_id, 'imported', status, owner_id, created_at, created_at FROM old_tickets ORDER BY created_at;
INSERT INTO bench.plain_tickets (channel_id, subject, status, owner_id, created_at, assigned_at)
SELECT channel_id, 'imported', status, owner_id, created_at, created_at FROM old_tickets ORDER BY created_at;
DROP TABLE old_tickets;

RESET session_replication_role;
SELECT hubroute.rebuild_counters();
