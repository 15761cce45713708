#!/usr/bin/env bash
#
# bench/stress/queue.sh: a stress run of SPEC §6 on a throw-away cluster
# (test/cluster.sh), as root: 4 clients close random users' tickets (each
# close of a user at capacity hands a waiting ticket over), while 2 insert
# into two queue channels (balanced and round robin, priorities 0 to 2) and
# reassign tickets by hand, now and then toggling a user's availability. 10
# users with a capacity of 3. Then checks the invariants (queue_check.sql)
# and exits 1 when one does not hold.
#
#     bash bench/stress/queue.sh        # STRESS_SECONDS (30), STRESS_RUNS (1)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=test/cluster.sh
. test/cluster.sh
dir=bench/stress
failed=0
hubroute_start_cluster fsync=off >/dev/null
for run in $(seq "${STRESS_RUNS:-1}"); do
    db=stress_$run
    createdb "$db"
    psql -X -q -d "$db" -f "$dir/queue_setup.sql"
    pgbench -n -c 4 -j 2 -T "${STRESS_SECONDS:-30}" -f "$dir/queue_close.sql" "$db" >"$HUBROUTE_PGDIR/close.log" 2>&1 &
    closers=$!
    pgbench -n -c 2 -j 1 -T "${STRESS_SECONDS:-30}" -f "$dir/queue_insert.sql@2" -f "$dir/queue_reassign.sql@1" \
        "$db" >"$HUBROUTE_PGDIR/others.log" 2>&1 &
    others=$!
    wait "$closers" "$others"
    echo "run $run: $(grep -h 'actually processed' "$HUBROUTE_PGDIR"/close.log "$HUBROUTE_PGDIR"/others.log |
        awk '{ s += $NF } END { print s }') transactions, $(grep -h 'failed transactions' "$HUBROUTE_PGDIR"/close.log \
        "$HUBROUTE_PGDIR"/others.log | awk '{ s += $4 } END { print s + 0 }') failed"
    psql -X -d "$db" -f "$dir/queue_check.sql"
    if psql -X -At -d "$db" -f "$dir/queue_check.sql" | grep -q '|f$'; then
        failed=1
    fi
done
exit "$failed"
