#!/usr/bin/env bash
#
# A mixed load, as a help desk makes it, to show that routing transactions
# never deadlock (issue 8 §2), as root:
#
#     bash bench/mixed.sh              # 300 s, 8 clients
#     MIXED_SECONDS=60 MIXED_CLIENTS=4 bash bench/mixed.sh
#
# Installs what is missing, builds and installs hubroute, starts a
# throw-away cluster (test/cluster.sh) with deadlock_timeout = 100ms, loads
# a help desk (one balanced pool of 10, one of 3, a 'nobody' channel) and
# runs pgbench with six kinds of transaction at once, several statements
# each: routed inserts; a close then an insert; a reassignment, an update of
# a ticket every client updates, then an insert; an update of that same
# ticket, then an insert; an agent's reply on a waiting ticket; and a
# waiting ticket moved to a routed channel and routed with route_ticket()
# after a close. (The third and fourth are issue 8's second deadlock.) It then reports pgbench's failed transactions, the
# "deadlock detected" lines in the server log, and the invariants (counts
# equal the tables, one log row naming the owner of every routed ticket).
# Exit status 1 when a deadlock or a broken invariant was seen.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=test/cluster.sh
. test/cluster.sh

seconds=${MIXED_SECONDS:-300}
clients=${MIXED_CLIENTS:-8}

hubroute_install_deps
# shellcheck disable=SC2119
hubroute_build
hubroute_start_cluster "deadlock_timeout = '100ms'" "log_lock_waits = off"

createdb mixed
psql -X -q -v ON_ERROR_STOP=1 -d mixed <<'SQL'
CREATE EXTENSION hubroute;
INSERT INTO hubroute.users (id, name, seat) SELECT g, 'agent ' || g, 'service' FROM generate_series(1, 13) g;
INSERT INTO hubroute.workspaces VALUES (1, 'Help desk', 'helpdesk');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (10, 1, 'email', 'support', 'users_and_teams', 'balanced'),
    (11, 1, 'form', 'waiting room', 'nobody', NULL),
    (12, 1, 'chat', 'vip', 'users_and_teams', 'least_busy');
INSERT INTO hubroute.channel_targets (channel_id, user_id)
SELECT 10, g FROM generate_series(1, 10) g UNION ALL SELECT 12, g FROM generate_series(11, 13) g;
-- Something to close, reassign and reply to from the start.
INSERT INTO hubroute.tickets (channel_id, subject) SELECT 10, 'seed' FROM generate_series(1, 500);
INSERT INTO hubroute.tickets (channel_id, subject) SELECT 11, 'waiting' FROM generate_series(1, 500);
SQL

dir=$(mktemp -d "$HUBROUTE_PGDIR/mixed.XXXXXX")
cat >"$dir/insert.sql" <<'SQL'
\set ch random(0, 3)
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (CASE WHEN :ch = 0 THEN 12 ELSE 10 END, 'insert');
SQL
cat >"$dir/close_insert.sql" <<'SQL'
\set from random(1, 100000)
BEGIN;
UPDATE hubroute.tickets SET status = 'closed'
 WHERE id = (SELECT t.id FROM hubroute.tickets t
              WHERE t.status = 'open' AND t.owner_id IS NOT NULL AND t.id >= :from ORDER BY t.id LIMIT 1);
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'after a close');
COMMIT;
SQL
cat >"$dir/reassign.sql" <<'SQL'
\set from random(1, 100000)
\set to random(1, 10)
BEGIN;
UPDATE hubroute.tickets SET owner_id = :to
 WHERE id = (SELECT t.id FROM hubroute.tickets t
              WHERE t.status = 'open' AND t.channel_id = 10 AND t.owner_id IS NOT NULL AND t.id >= :from
              ORDER BY t.id LIMIT 1);
UPDATE hubroute.tickets SET subject = 'touched' WHERE id = (SELECT min(t.id) FROM hubroute.tickets t WHERE t.status = 'open');
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'after a reassignment');
COMMIT;
SQL
cat >"$dir/touch_insert.sql" <<'SQL'
BEGIN;
UPDATE hubroute.tickets SET subject = 'touched' WHERE id = (SELECT min(t.id) FROM hubroute.tickets t WHERE t.status = 'open');
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'after a touch');
COMMIT;
SQL
cat >"$dir/reply.sql" <<'SQL'
\set from random(1, 100000)
\set author random(1, 10)
INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body)
SELECT t.id, 'outgoing', :author, 'on it' FROM hubroute.tickets t
 WHERE t.channel_id = 11 AND t.owner_id IS NULL AND t.status = 'open' AND t.id >= :from
 ORDER BY t.id LIMIT 1;
SQL
cat >"$dir/route.sql" <<'SQL'
\set from random(1, 100000)
BEGIN;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (11, 'to route') RETURNING id AS waiting \gset
UPDATE hubroute.tickets SET status = 'closed'
 WHERE id = (SELECT t.id FROM hubroute.tickets t
              WHERE t.status = 'open' AND t.owner_id IS NOT NULL AND t.id >= :from ORDER BY t.id LIMIT 1);
UPDATE hubroute.tickets SET channel_id = 10 WHERE id = :waiting;
SELECT hubroute.route_ticket(:waiting);
COMMIT;
SQL

echo "==> ${seconds} s of mixed load, ${clients} clients"
pgbench -n -c "$clients" -j 2 -T "$seconds" -M prepared --failures-detailed \
    -f "$dir/insert.sql@5" -f "$dir/close_insert.sql@2" -f "$dir/reassign.sql@1" \
    -f "$dir/touch_insert.sql@1" -f "$dir/reply.sql@1" -f "$dir/route.sql@1" mixed | tee "$dir/pgbench.log"

deadlocks=$(grep -c 'deadlock detected' "$HUBROUTE_PGLOG" || true)
checks=$(psql -X -qAt -d mixed -c "
    SELECT (NOT EXISTS (SELECT FROM hubroute.routing_load_check()))::text || ' '
        || (NOT EXISTS (SELECT 1 FROM hubroute.tickets t
                         WHERE t.owner_id IS NOT NULL
                           AND t.owner_id IS DISTINCT FROM
                               (SELECT a.user_id FROM hubroute.assignments a
                                 WHERE a.ticket_id = t.id ORDER BY a.id DESC LIMIT 1)))::text || ' '
        || (SELECT count(*) FROM hubroute.tickets)::text || ' '
        || (SELECT count(*) FROM hubroute.assignments)::text")
read -r counts_match log_matches tickets decisions <<<"$checks"
echo "==> tickets: $tickets; decisions logged: $decisions"
echo "==> deadlocks in the server log: $deadlocks"
echo "==> counts equal the tables: $counts_match; every owner is its last logged decision: $log_matches"
if [ "$deadlocks" -ne 0 ] || [ "$counts_match" != true ] || [ "$log_matches" != true ]; then
    exit 1
fi
