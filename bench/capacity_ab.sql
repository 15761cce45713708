-- bench/capacity_ab.sql: what capacities and an empty queue cost a routed
-- insert in the server, without the client's noise: 20,000 inserts in one
-- backend, timed by the server, four times each way in turn (cap: queue =
-- true and a capacity on every user; nocap: neither). In a database without
-- hubroute, e.g. on a throw-away cluster:
--     bash -c '. test/cluster.sh; hubroute_start_cluster >/dev/null; psql -X -d postgres -f bench/capacity_ab.sql'
\set QUIET 1
CREATE EXTENSION hubroute;
INSERT INTO hubroute.users (id, name, seat) SELECT g, 'u' || g, 'service' FROM generate_series(1, 20) g;
INSERT INTO hubroute.workspaces VALUES (1, 'desk', 'helpdesk');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES (10, 1, 'email', 'c', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, user_id) SELECT 10, g FROM generate_series(1, 20) g;
CREATE TABLE timing (variant text, ms float8);
CREATE PROCEDURE run(variant text) LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; i int;
BEGIN
  IF variant = 'cap' THEN
    UPDATE hubroute.users SET ticket_capacity = 1000000; UPDATE hubroute.channels SET queue = true;
  ELSE
    UPDATE hubroute.users SET ticket_capacity = NULL; UPDATE hubroute.channels SET queue = false;
  END IF;
  COMMIT;
  INSERT INTO hubroute.tickets (channel_id) VALUES (10); COMMIT;
  t0 := clock_timestamp();
  FOR i IN 1..20000 LOOP
    INSERT INTO hubroute.tickets (channel_id) VALUES (10);
  END LOOP;
  INSERT INTO timing VALUES (variant, extract(epoch FROM clock_timestamp() - t0) * 1000);
  COMMIT;
  TRUNCATE hubroute.tickets, hubroute.messages, hubroute.assignments; COMMIT;
END $$;
CALL run('nocap'); CALL run('cap'); CALL run('nocap'); CALL run('cap'); CALL run('nocap'); CALL run('cap'); CALL run('nocap'); CALL run('cap');
SELECT variant, round(avg(ms)) AS avg_ms, round(min(ms)) AS min_ms, count(*) FROM timing GROUP BY 1;
