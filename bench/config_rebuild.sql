-- bench/config_rebuild.sql: how long a full build of the routing cache takes
-- for a big help desk. Run by bench/run.sh in a fresh database.
--
-- psql variables: users, channels. The help desk: :users service agents in
-- teams of 100 (each a primary member of one team and a secondary member of
-- the next), two skills each; :channels channels in workspaces of 20
-- channels restricted to two teams, each channel targeting one team and
-- three users. Prints the time of each of 5 builds after a first one, in ms.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION hubroute;

INSERT INTO hubroute.users (id, name, seat)
SELECT u, 'agent ' || u, 'service' FROM generate_series(1, :users) u;
INSERT INTO hubroute.teams (id, name)
SELECT t, 'team ' || t FROM generate_series(1, (:users + 99) / 100) t;
INSERT INTO hubroute.team_members (team_id, user_id, is_primary)
SELECT (u - 1) / 100 + 1, u, true FROM generate_series(1, :users) u;
INSERT INTO hubroute.team_members (team_id, user_id, is_primary)
SELECT (u - 1) / 100 + 2, u, false FROM generate_series(1, :users - 100) u;
INSERT INTO hubroute.skills (id, name) SELECT s, 'skill ' || s FROM generate_series(1, 50) s;
INSERT INTO hubroute.user_skills (user_id, skill_id)
SELECT u, s FROM generate_series(1, :users) u, LATERAL (VALUES (u % 50 + 1), ((u + 7) % 50 + 1)) k(s);
INSERT INTO hubroute.workspaces (id, name, kind)
SELECT w, 'desk ' || w, 'helpdesk' FROM generate_series(1, (:channels + 19) / 20) w;
INSERT INTO hubroute.workspace_teams (workspace_id, team_id)
SELECT w, t FROM generate_series(1, (:channels + 19) / 20) w,
       LATERAL (VALUES ((w - 1) % ((:users + 99) / 100) + 1), (w % ((:users + 99) / 100) + 1)) k(t)
ON CONFLICT DO NOTHING;
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution)
SELECT c, (c - 1) / 20 + 1, 'email', 'channel ' || c, 'users_and_teams', 'balanced'
  FROM generate_series(1, :channels) c;
INSERT INTO hubroute.channel_targets (channel_id, team_id)
SELECT c, (c - 1) % ((:users + 99) / 100) + 1 FROM generate_series(1, :channels) c;
INSERT INTO hubroute.channel_targets (channel_id, user_id)
SELECT c, (c * 37 + k * 1009) % :users + 1 FROM generate_series(1, :channels) c, generate_series(1, 3) k
ON CONFLICT DO NOTHING;
VACUUM ANALYZE;

-- A change to a rule (here: the time zone of channel 1 flips) makes the next
-- insert build the cache again, even in the same transaction; routing_cache()
-- says how long the build took.
CREATE FUNCTION pg_temp.timed_build() RETURNS numeric LANGUAGE sql AS $$
    UPDATE hubroute.channels SET timezone = CASE timezone WHEN 'UTC' THEN 'Etc/UTC' ELSE 'UTC' END
     WHERE id = 1;
    INSERT INTO hubroute.tickets (channel_id, subject) VALUES (1, 'after a rule change');
    SELECT round(last_build_ms::numeric, 1) FROM hubroute.routing_cache();
$$;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (1, 'first build');
SELECT pg_temp.timed_build() FROM generate_series(1, 5);
