#!/usr/bin/env bash
#
# bench/run.sh: hubroute's benchmark. Run as root from anywhere:
#
#     make bench            # or: bash bench/run.sh
#
# Installs what is missing (plus gnuplot-nox), builds and installs hubroute,
# starts a throw-away PostgreSQL 15 cluster (test/cluster.sh), loads a help
# desk and times one-INSERT transactions with pgbench in three variants:
#   plain        bench.plain_tickets, no router: the client picks the owner;
#   hubroute     hubroute.tickets, routed by the extension;
#   handwritten  bench.hw_tickets, routed by a PL/pgSQL trigger (bench/setup.sql).
# chat-Nc and call-Nc insert conversations into an inbox channel of the same
# pool, a chat channel and a calling channel (routed by its hours first);
# handoff-Nc a conversation of the customer agent's and the visitor's
# message asking for a human, which hands it over (one transaction).
# The scenarios desk-4c, churn-4c and noop-4c insert into many channels with
# small pools while, in churn-4c, agents go away and come back
# (BENCH_TOGGLES changes of availability a second) and, in noop-4c,
# statements that change nothing routing reads run at the same rate.
# "rebuild" times full builds of the routing cache for a big configuration.
#
# SPEC §6 (capacity, the waiting queue, events). cap-, close- and handover-Nc
# use one channel of BENCH_USERS users (the set "queue"); each variant
# starts from its own state (bench.reset(), then what it needs loaded):
#   cap-Nc       routed inserts; cap: the channel has queue = true (empty)
#                and every user a ticket capacity never reached (CAP_HIGH);
#                nocap: the same channel without queue or capacities.
#                Target (1c and 8c): cap >= 0.95 x nocap.
#   close-Nc     one close (UPDATE ... SET status = 'closed') a transaction
#                of the open tickets loaded before the run, in id order, so
#                that every close closes one (CLOSES_PER_SECOND per second
#                of run, twice that with more clients); close_cap: their
#                owners have a capacity (CAP_HIGH), the channel a queue,
#                empty; close: no capacities, no queue anywhere.
#                Target (1c): close_cap >= 0.95 x close.
#   handover-Nc  handover: every user at its capacity (HANDOVER_CAPACITY
#                open tickets) and HANDOVERS_PER_SECOND waiting tickets per
#                second of run in the queue, so every close hands one over;
#                close_insert: the application's way without a queue, one
#                close and one routed insert in one transaction, no queue,
#                no capacities. Target (1c): handover >= 0.5 x close_insert.
#   notify-Nc    routed inserts on the hot channel; notify: the pgbench
#                sessions run with hubroute.notify_channel = NOTIFY_CHANNEL
#                (PGOPTIONS), so every insert NOTIFYs at commit; hubroute:
#                without. No target: the ratio is reported (INFO). Nobody
#                LISTENs: PostgreSQL still writes every notification into
#                its queue at commit, under one lock for the whole cluster.
#   drain        DRAIN_TICKETS tickets wait in the queue of a channel whose
#                pool is DRAIN_AGENTS agents, all away, ticket capacity
#                DRAIN_CAPACITY each; they come back one at a time
#                (UPDATE hubroute.users SET available = true WHERE id = ...,
#                each its own transaction, bench.drain_bring_back()), which
#                hands every waiting ticket over. Meanwhile one more session
#                inserts routed tickets on the hot channel, DRAIN_PAUSE_MS
#                apart, and times each insert and its commit in the server
#                (bench.insert_beside()). Targets: the whole drain in
#                < DRAIN_LIMIT_S s; an insert beside it waits no longer than
#                an ordinary insert does: the longest of the inserts that
#                ran while the drain ran is below DRAIN_INSERT_FACTOR x the
#                median of all its inserts, or below DRAIN_INSERT_FLOOR_MS ms
#                (a bound that scheduling on a small, busy machine stays
#                under; the drain of a whole agent, DRAIN_CAPACITY items, is
#                not the bound). Reports the time per drained item (total /
#                DRAIN_TICKETS) and the slowest agent, and checks that the
#                queue is empty, every agent holds DRAIN_CAPACITY open
#                tickets and hubroute.routing_load_check() is empty.
#
# Then prints a table and the targets (PASS/FAIL; INFO: a cost reported
# with no target), and writes bench/results/ (latest.csv, tps.png,
# report.txt, pgbench logs), bench/RESULTS.md and bench/tps.png.
#
# Environment (default):
#   BENCH_SECONDS (10)              length of every pgbench run
#   BENCH_CHANNELS (10)             channels of the multi-channel scenarios ("10ch-*")
#   BENCH_USERS (20)                users per channel (multi, hot and rule channels)
#   BENCH_POOLS (5000,20000)        users of each big-pool channel ("pool5000-*", ...)
#   BENCH_DESK_CHANNELS (200)       channels of the "desk" set (desk-, churn-, noop-4c)
#   BENCH_DESK_USERS (10)           users per channel of the "desk" set
#   BENCH_TOGGLES (50)              availability changes a second in churn-4c (and
#                                   statements a second in noop-4c)
#   BENCH_CONFIG_USERS (20000)      users of the configuration "rebuild" times
#   BENCH_CONFIG_CHANNELS (2000)    channels of the configuration "rebuild" times
#   BENCH_ROWS (1000000)            tickets already in the table for "1M-1c"
#   BENCH_CONTACTS (1000)           tracked contacts of the contact-owner channel
#   BENCH_MEMORY_INSERTS (200000)   inserts of the memory test (more than 1000)
#   BENCH_SCENARIOS (all)           comma-separated subset, e.g. "10ch-1c,hot-8c,memory";
#                                   a scenario is SET-Nc (N clients), "memory", "rebuild"
#                                   or "drain"
#   HUBROUTE_BENCH_SKIP_BUILD=1     use the hubroute already installed
#
# Exit status: 0 when the runner worked, whatever the targets say; 1 when a
# run or a step failed; 2 on bad settings.
set -euo pipefail

# The command as typed, for RESULTS.md: the settings given, before defaults.
bench_command() {
    local name words=()
    for name in HUBROUTE_BENCH_SKIP_BUILD ${!BENCH_@}; do
        if [ -n "${!name+set}" ]; then
            if [[ ${!name} =~ ^[A-Za-z0-9_.,:/=+-]*$ ]]; then
                words+=("$name=${!name}")
            else
                words+=("$name=$(printf '%q' "${!name}")")
            fi
        fi
    done
    words+=(bash bench/run.sh)
    echo "${words[*]}"
}
COMMAND=$(bench_command)

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=test/cluster.sh
. test/cluster.sh

BENCH_SECONDS=${BENCH_SECONDS:-10}
BENCH_CHANNELS=${BENCH_CHANNELS:-10}
BENCH_USERS=${BENCH_USERS:-20}
BENCH_POOLS=${BENCH_POOLS:-5000,20000}
BENCH_DESK_CHANNELS=${BENCH_DESK_CHANNELS:-200}
BENCH_DESK_USERS=${BENCH_DESK_USERS:-10}
BENCH_TOGGLES=${BENCH_TOGGLES:-50}
BENCH_CONFIG_USERS=${BENCH_CONFIG_USERS:-20000}
BENCH_CONFIG_CHANNELS=${BENCH_CONFIG_CHANNELS:-2000}
BENCH_ROWS=${BENCH_ROWS:-1000000}
BENCH_CONTACTS=${BENCH_CONTACTS:-1000}
BENCH_MEMORY_INSERTS=${BENCH_MEMORY_INSERTS:-200000}
BENCH_SCENARIOS=${BENCH_SCENARIOS:-}
HUBROUTE_BENCH_SKIP_BUILD=${HUBROUTE_BENCH_SKIP_BUILD:-0}

# Server settings, the same for every variant. Default durability: fsync
# and synchronous_commit stay on.
PG_SETTINGS=(shared_buffers=1GB max_wal_size=4GB max_connections=50)
DB=hubroute_bench
CONFIG_DB=hubroute_bench_config
REBUILD_LIMIT_MS=100
VARIANT_ROUNDS=3                  # runs of each SPEC §6 variant; the median counts
RULES=(balanced least_busy random round_robin contact_owner)
MEMORY_FIRST=1000
MEMORY_LIMIT=1048576
# SPEC §6 (see the header).
CAP_HIGH=1000000                  # a capacity no run reaches
CLOSES_PER_SECOND=40000           # tickets loaded per second of a close run
HANDOVER_CAPACITY=10              # open tickets of every user in handover
HANDOVERS_PER_SECOND=15000        # waiting tickets per second of a handover run
NOTIFY_CHANNEL=hubroute_events
DRAIN_AGENTS=100
DRAIN_CAPACITY=100
DRAIN_TICKETS=$((DRAIN_AGENTS * DRAIN_CAPACITY))
DRAIN_LIMIT_S=10
DRAIN_PAUSE_MS=1
DRAIN_INSERT_FACTOR=10
DRAIN_INSERT_FLOOR_MS=50

RESULTS_DIR=bench/results
RAW=$RESULTS_DIR/raw.csv          # scenario,clients,variant,tps,spread,status
CHECKS=$RESULTS_DIR/checks.txt    # one line per problem found after a run
MEMORY=$RESULTS_DIR/memory.txt    # variant bytes_after_first bytes_at_end
BACKGROUND=$RESULTS_DIR/background.txt  # scenario variant statements_per_second
REBUILD=$RESULTS_DIR/rebuild.txt  # build times in ms, one per line
DRAIN=$RESULTS_DIR/drain.txt      # the drain scenario's figures: name value, one a line
REPORT=$RESULTS_DIR/report.txt    # what is printed at the end
ERRORS=0

say() { printf '==> %s\n' "$*"; }

# Exits with status 2 unless variable $1 is an integer >= $2.
require_int() {
    local name=$1 min=$2
    if ! [[ ${!name} =~ ^[0-9]+$ ]] || [ "${!name}" -lt "$min" ]; then
        _hubroute_err "$name must be an integer >= $min (got '${!name}')"
        exit 2
    fi
}

# A short name for a row count: 1000000 -> 1M, 50000 -> 50k.
rows_label() {
    local n=$1
    if [ $((n % 1000000)) -eq 0 ]; then echo "$((n / 1000000))M"
    elif [ $((n % 1000)) -eq 0 ]; then echo "$((n / 1000))k"
    else echo "$n"; fi
}

# The default scenarios, one per line, in running order.
default_scenarios() {
    local rule
    local pool
    printf '%s\n' "$MULTI-1c" "$MULTI-8c" hot-1c hot-8c
    for pool in "${POOLS[@]}"; do
        printf '%s\n' "$pool-1c" "$pool-8c"
    done
    printf '%s\n' empty-1c "$ROWS_LABEL-1c"
    for rule in "${RULES[@]}"; do
        printf '%s\n' "rule-$rule-1c" "rule-$rule-8c"
    done
    printf '%s\n' chat-1c call-1c chat-8c call-8c handoff-1c handoff-8c desk-4c churn-4c noop-4c
    printf '%s\n' cap-1c cap-8c close-1c handover-1c notify-1c notify-8c drain memory rebuild
}

# Is $1 a set of inbox channels (conversations: chat, call)?
is_inbox_set() {
    [ "$1" = chat ] || [ "$1" = call ] || [ "$1" = agent ]
}

# Is $1 the name of one of the big pools?
is_pool() {
    local pool
    for pool in "${POOLS[@]}"; do
        [ "$1" = "$pool" ] && return 0
    done
    return 1
}

# Sets SC_CLIENTS, SC_SET (channel set), SC_LOAD (empty, rows, or variant:
# each variant from its own state, prepare_variant), SC_VARIANTS and
# SC_BESIDE (a pgbench script run beside the inserts, or nothing) for
# scenario $1; fails on a name it does not know.
scenario_parse() {
    local name=$1 prefix=${1%-*} clients=${1##*-}
    if [[ $name != *-* || ! $clients =~ ^[1-9][0-9]*c$ ]]; then
        _hubroute_err "unknown scenario '$name' (SET-Nc, memory, rebuild or drain)"
        return 1
    fi
    SC_CLIENTS=${clients%c}
    SC_SET=$prefix
    SC_LOAD=empty
    SC_VARIANTS="plain hubroute handwritten"
    SC_BESIDE=
    if is_pool "$prefix"; then
        return 0
    fi
    case $prefix in
        "$MULTI" | hot) ;;
        desk) SC_VARIANTS="plain hubroute" ;;
        chat | call) SC_VARIANTS="hubroute" ;;
        handoff) SC_SET=agent SC_VARIANTS="hubroute" ;;
        churn) SC_SET=desk SC_VARIANTS="plain hubroute" SC_BESIDE=toggle ;;
        noop) SC_SET=desk SC_VARIANTS="plain hubroute" SC_BESIDE=noop ;;
        empty) SC_SET=$MULTI SC_VARIANTS="plain hubroute" ;;
        "$ROWS_LABEL") SC_SET=$MULTI SC_LOAD=rows SC_VARIANTS="plain hubroute" ;;
        rule-balanced | rule-least_busy | rule-random | rule-round_robin | rule-contact_owner)
            SC_VARIANTS="plain hubroute" ;;
        cap) SC_SET=queue SC_LOAD=variant SC_VARIANTS="nocap cap" ;;
        close) SC_SET=queue SC_LOAD=variant SC_VARIANTS="close close_cap" ;;
        handover) SC_SET=queue SC_LOAD=variant SC_VARIANTS="close_insert handover" ;;
        notify) SC_SET=hot SC_LOAD=variant SC_VARIANTS="hubroute notify" ;;
        *)
            _hubroute_err "unknown scenario '$name': SET is one of $MULTI, hot, ${POOLS[*]}, empty, $ROWS_LABEL, rule-{${RULES[*]}}, chat, call, handoff, desk, churn, noop, cap, close, handover, notify"
            return 1 ;;
    esac
}

# Reads and checks the settings; fills SCENARIOS.
parse_settings() {
    local name list
    require_int BENCH_SECONDS 1
    require_int BENCH_CHANNELS 1
    require_int BENCH_USERS 1
    require_int BENCH_DESK_CHANNELS 1
    require_int BENCH_DESK_USERS 1
    require_int BENCH_TOGGLES 2
    require_int BENCH_CONFIG_USERS 100
    require_int BENCH_CONFIG_CHANNELS 1
    if ! [[ $BENCH_POOLS =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]]; then
        _hubroute_err "BENCH_POOLS must be pool sizes separated by commas (got '$BENCH_POOLS')"
        exit 2
    fi
    IFS=, read -r -a POOL_SIZES <<<"$BENCH_POOLS"
    POOLS=("${POOL_SIZES[@]/#/pool}")
    require_int BENCH_ROWS 1
    require_int BENCH_CONTACTS 1
    require_int BENCH_MEMORY_INSERTS $((MEMORY_FIRST + 1))
    # bench/setup.sql numbers users in blocks: see bench.channels there.
    if [ "$BENCH_CHANNELS" -gt 899 ] || [ $((BENCH_CHANNELS * BENCH_USERS)) -gt 100000 ] ||
            [ "$BENCH_USERS" -gt 10000 ] || [ "${#POOLS[@]}" -gt 10 ] ||
            [ "$(( ${BENCH_POOLS//,/+} ))" -gt 100000 ] || [ "$BENCH_DESK_CHANNELS" -gt 8999 ] ||
            [ $((BENCH_DESK_CHANNELS * BENCH_DESK_USERS)) -gt 100000 ]; then
        _hubroute_err "too big: BENCH_CHANNELS <= 899, BENCH_CHANNELS x BENCH_USERS <= 100000, BENCH_USERS <= 10000, at most 10 BENCH_POOLS adding up to <= 100000, BENCH_DESK_CHANNELS <= 8999, BENCH_DESK_CHANNELS x BENCH_DESK_USERS <= 100000"
        exit 2
    fi
    MULTI=${BENCH_CHANNELS}ch
    ROWS_LABEL=$(rows_label "$BENCH_ROWS")
    if [ -n "$BENCH_SCENARIOS" ]; then
        list=$(tr ',' '\n' <<<"$BENCH_SCENARIOS" | tr -d ' ' | sed '/^$/d')
    else
        list=$(default_scenarios)
    fi
    mapfile -t SCENARIOS <<<"$list"
    for name in "${SCENARIOS[@]}"; do
        [ "$name" = memory ] || [ "$name" = rebuild ] || [ "$name" = drain ] || scenario_parse "$name" || exit 2
    done
}

# psql on the benchmark database: quiet, stops at the first error.
psql_bench() {
    psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@" </dev/null
}

# The value of one query, unaligned.
sql_value() {
    psql_bench -At -c "$1"
}

# Creates the database and the help desk of bench/setup.sql.
setup_database() {
    say "loading the help desk: $BENCH_CHANNELS channels x $BENCH_USERS users, hot channel, pools of $BENCH_POOLS users, ${#RULES[@]} rule channels, $BENCH_DESK_CHANNELS channels x $BENCH_DESK_USERS users"
    createdb "$DB"
    psql_bench -v multi="$MULTI" -v channels="$BENCH_CHANNELS" -v users="$BENCH_USERS" \
        -v pools="$BENCH_POOLS" -v contacts="$BENCH_CONTACTS" \
        -v desk_channels="$BENCH_DESK_CHANNELS" -v desk_users="$BENCH_DESK_USERS" \
        -v drain_users="$DRAIN_AGENTS" -f bench/setup.sql >/dev/null
}

# Empties every item table, loads the old tickets when $1 is "rows", and
# vacuums, so that a scenario starts from what it says ("variant": each
# variant starts from its own, prepare_variant).
prepare_state() {
    local started=$SECONDS
    if [ "$1" = variant ]; then
        return 0
    fi
    psql_bench -c 'CALL bench.reset()'
    if [ "$1" = rows ]; then
        say "loading $BENCH_ROWS existing tickets into hubroute.tickets and bench.plain_tickets"
        psql_bench -v rows="$BENCH_ROWS" -v set="$MULTI" -f bench/load.sql >/dev/null
    fi
    psql_bench -c 'VACUUM ANALYZE'
    if [ "$1" = rows ]; then
        say "loaded and vacuumed in $((SECONDS - started)) s"
    fi
}

# The state variant $1 of a SPEC §6 scenario starts from ($2 clients):
# empty tables and no capacity or queue anywhere (bench.reset()), then what
# the header says; vacuumed.
prepare_variant() {
    local variant=$1 clients=$2 setup=()
    local owned=$((BENCH_USERS * HANDOVER_CAPACITY))
    local to_close=$((BENCH_SECONDS * CLOSES_PER_SECOND * (clients < 2 ? 1 : 2)))
    case $variant in
        cap) setup=(-c "CALL bench.queue_config('queue', $CAP_HIGH, true)") ;;
        close | close_insert) setup=(-c "CALL bench.load_open_tickets('queue', $to_close)") ;;
        close_cap)
            setup=(-c "CALL bench.load_open_tickets('queue', $to_close)"
                   -c "CALL bench.queue_config('queue', $CAP_HIGH, true)") ;;
        handover)
            setup=(-c "CALL bench.load_open_tickets('queue', $owned)"
                   -c "CALL bench.queue_config('queue', $HANDOVER_CAPACITY, true)"
                   -c "CALL bench.fill_queue('queue', $((BENCH_SECONDS * HANDOVERS_PER_SECOND)))") ;;
    esac
    psql_bench -c 'CALL bench.reset()' "${setup[@]}" -c 'VACUUM ANALYZE'
}

# The pgbench script of variant $2 on channel set $1.
variant_script() {
    local set=$1 variant=$2
    case $variant in
        nocap | cap | notify) echo bench/pgbench/hubroute.sql ;;
        close | close_cap | handover) echo bench/pgbench/close.sql ;;
        *)
            if [ "$set" = rule-contact_owner ]; then
                echo "bench/pgbench/${variant}_contact.sql"
            elif [ "$set" = agent ]; then
                echo "bench/pgbench/${variant}_handoff.sql"
            elif is_inbox_set "$set"; then
                echo "bench/pgbench/${variant}_conversation.sql"
            else
                echo "bench/pgbench/$variant.sql"
            fi ;;
    esac
}

# PGOPTIONS for the pgbench sessions of variant $1 (nothing for most).
variant_pgoptions() {
    if [ "$1" = notify ]; then
        echo "-c hubroute.notify_channel=$NOTIFY_CHANNEL"
    fi
}

# Sets PGBENCH_VARS: the -D options that tell the scripts the channel set $1
# (first channel, channel count, user numbering, contacts).
set_pgbench_vars() {
    local ch0 nch ubase upc
    IFS='|' read -r ch0 nch ubase upc < <(sql_value "SELECT min(channel_id), count(*), min(first_user), min(n_users)
                                                       FROM bench.channels WHERE set_name = '$1'")
    PGBENCH_VARS=(-D "ch0=$ch0" -D "nch=$nch" -D "ubase=$ubase" -D "upc=$upc" -D "ncontacts=$BENCH_CONTACTS")
}

# Statements a transaction of the script run beside the inserts, $1.
beside_statements() {
    case $1 in
        toggle) echo 2 ;;
        noop) echo 4 ;;
    esac
}

# Starts script $1 in the background for BENCH_SECONDS at BENCH_TOGGLES
# statements a second, one client, logging to $2; sets BESIDE_PID.
start_beside() {
    local rate
    rate=$(awk -v t="$BENCH_TOGGLES" -v n="$(beside_statements "$1")" 'BEGIN { printf "%.2f", t / n }')
    pgbench -n -T "$BENCH_SECONDS" -R "$rate" -c 1 -f "bench/pgbench/$1.sql" \
        "${PGBENCH_VARS[@]}" "$DB" </dev/null >"$2" 2>&1 &
    BESIDE_PID=$!
}

# Waits for the background script $1 (pid $2, log $3) of scenario $4,
# variant $5; appends the statements it ran a second to $BACKGROUND.
finish_beside() {
    local script=$1 pid=$2 log=$3 rc=0 done
    wait "$pid" || rc=$?
    done=$(awk '/^number of transactions actually processed:/ { print $NF; exit }' "$log")
    if [ "$rc" -ne 0 ] || [ -z "$done" ]; then
        ERRORS=$((ERRORS + 1))
        _hubroute_err "the $script script beside $4/$5 failed (exit $rc); the end of $log:"
        tail -n 15 "$log" >&2
        return
    fi
    done=${done%%/*}
    echo "$4 $5 $script $(awk -v d="$done" -v n="$(beside_statements "$script")" -v s="$BENCH_SECONDS" \
        'BEGIN { printf "%.1f", d * n / s }')" >>"$BACKGROUND"
}

# One pgbench run of variant $4 in scenario $1 ($2 clients, channel set $3),
# with script $5 (or nothing) running beside it; then the spread and the
# checks; appends a line to $RAW. Every script gets -D closed=0 and
# clients=N besides PGBENCH_VARS (close.sql numbers its closes with them).
run_variant() {
    local scenario=$1 clients=$2 set=$3 variant=$4 beside=$5
    local script log=$RESULTS_DIR/pgbench/$scenario-$variant.log
    local beside_log=$RESULTS_DIR/pgbench/$scenario-$variant-$beside.log
    local rc=0 tps spread=- status=ok problems transactions
    script=$(variant_script "$set" "$variant")
    psql_bench -c CHECKPOINT
    if [ -n "$beside" ]; then
        start_beside "$beside" "$beside_log"
    fi
    PGOPTIONS=$(variant_pgoptions "$variant") \
    pgbench -n -M prepared -T "$BENCH_SECONDS" -c "$clients" -j $((clients < 2 ? clients : 2)) \
        -f "$script" "${PGBENCH_VARS[@]}" -D closed=0 -D "clients=$clients" "$DB" </dev/null >"$log" 2>&1 || rc=$?
    if [ -n "$beside" ]; then
        finish_beside "$beside" "$BESIDE_PID" "$beside_log" "$scenario" "$variant"
    fi
    tps=$(awk '$1 == "tps" && $2 == "=" { printf "%.0f", $3; exit }' "$log")
    if [ "$rc" -ne 0 ] || [ -z "$tps" ]; then
        status=error
        tps=${tps:-0}
        ERRORS=$((ERRORS + 1))
        _hubroute_err "pgbench failed (exit $rc) in $scenario/$variant; the end of $log:"
        tail -n 15 "$log" >&2
    fi
    if is_inbox_set "$set"; then
        problems=$(sql_value "SELECT string_agg(user_id || ' ' || what || ': ' || routing || ' vs ' || tables, '; ')
                                FROM hubroute.routing_load_check()")
        if [ -n "$problems" ]; then
            echo "$scenario $variant: routing's counts differ from the tables: $problems" >>"$CHECKS"
        fi
    elif [ "$set" = queue ]; then
        transactions=$(awk '/^number of transactions actually processed:/ { print $NF; exit }' "$log")
        transactions=${transactions%%/*}
        if [ "$variant" != close ] && [ "$variant" != close_cap ]; then
            spread=$(sql_value "SELECT bench.spread('$variant', '$set')")  # closes alone route nothing
        fi
        problems=$(sql_value "SELECT bench.check_queue_run('$variant', ${transactions:-0})")
        if [ -n "$problems" ]; then
            echo "$scenario $variant: $problems" >>"$CHECKS"
        fi
    elif [ "$variant" != plain ]; then
        spread=$(sql_value "SELECT bench.spread('$variant', '$set')")
        problems=$(sql_value "SELECT bench.check_run('$variant')")
        if [ -n "$problems" ]; then
            echo "$scenario $variant: $problems" >>"$CHECKS"
        fi
    fi
    echo "$scenario,$clients,$variant,$tps,$spread,$status" >>"$RAW"
    say "$(printf '%-22s %-12s %8s tps   spread %s%s' "$scenario" "$variant" "$tps" "$spread" \
        "$([ "$status" = ok ] || echo '   ERROR')")"
}

# Keeps, of scenario $1's rows in $RAW, the median run of each variant
# (by tps; of an even number, the lower middle one).
keep_median_runs() {
    awk -F, -v s="$1" '$1 == s' "$RAW" | sort -t, -k3,3 -k4,4n |
        awk -F, '{ rows[$3, ++n[$3]] = $0 } END { for (v in n) print rows[v, int((n[v] + 1) / 2)] }' \
        >"$RAW.median"
    awk -F, -v s="$1" '$1 != s' "$RAW" >"$RAW.tmp"
    cat "$RAW.median" >>"$RAW.tmp"
    mv "$RAW.tmp" "$RAW"
    rm -f "$RAW.median"
}

# Runs every variant of scenario $1 from the state it names. The SPEC §6
# variants, each from a state of its own, run VARIANT_ROUNDS times in turn
# (A B A B A B) and keep their median run: one run on 2 cores varies by 10 %
# and more, beyond the 5 % their targets allow (the best of each let one
# lucky run decide).
run_scenario() {
    local variant round rounds=1
    scenario_parse "$1"
    say "scenario $1: $SC_CLIENTS client(s), channels '$SC_SET', starting ${SC_LOAD/rows/with $BENCH_ROWS tickets}"
    prepare_state "$SC_LOAD"
    set_pgbench_vars "$SC_SET"
    if [ "$SC_LOAD" = variant ]; then
        rounds=$VARIANT_ROUNDS
    fi
    for round in $(seq "$rounds"); do
        for variant in $SC_VARIANTS; do
            if [ "$SC_LOAD" = variant ]; then
                prepare_variant "$variant" "$SC_CLIENTS"
            fi
            run_variant "$1" "$SC_CLIENTS" "$SC_SET" "$variant" "$SC_BESIDE"
        done
    done
    if [ "$rounds" -gt 1 ]; then
        keep_median_runs "$1"
    fi
}

# The memory test: one backend inserts through hubroute (then, as a control,
# into plain_tickets); appends "variant bytes_first bytes_end" to $MEMORY.
run_memory() {
    local variant routed out pid_first pid_end bytes_first bytes_end problems
    for variant in hubroute plain; do
        routed=$([ "$variant" = hubroute ] && echo true || echo false)
        say "memory: $variant, $BENCH_MEMORY_INSERTS inserts one per transaction in one backend"
        prepare_state empty
        if ! out=$(psql_bench -At -F ' ' -v routed="$routed" -v set="$MULTI" \
                -v rest=$((BENCH_MEMORY_INSERTS - MEMORY_FIRST)) -f bench/memory.sql); then
            ERRORS=$((ERRORS + 1))
            _hubroute_err "the memory test failed for $variant"
            continue
        fi
        read -r pid_first pid_end bytes_first bytes_end <<<"$out"
        if [ "$pid_first" != "$pid_end" ]; then
            ERRORS=$((ERRORS + 1))
            _hubroute_err "the memory test changed backends ($pid_first, then $pid_end)"
            continue
        fi
        echo "$variant $bytes_first $bytes_end" >>"$MEMORY"
        say "memory: $variant: $bytes_first bytes after $MEMORY_FIRST, $bytes_end after $BENCH_MEMORY_INSERTS ($((bytes_end - bytes_first)) bytes more)"
        if [ "$variant" = hubroute ]; then
            problems=$(sql_value "SELECT bench.check_run('hubroute')")
            if [ -n "$problems" ]; then
                echo "memory hubroute: $problems" >>"$CHECKS"
            fi
        fi
    done
}

# The rebuild times: full builds of the routing cache for BENCH_CONFIG_USERS
# users and BENCH_CONFIG_CHANNELS channels (bench/config_rebuild.sql) in a
# database of their own; writes one time in ms a line to $REBUILD.
run_rebuild() {
    say "rebuild: routing cache of $BENCH_CONFIG_USERS users and $BENCH_CONFIG_CHANNELS channels, 5 full builds"
    createdb "$CONFIG_DB"
    if ! psql -X -q -At -v ON_ERROR_STOP=1 -d "$CONFIG_DB" -v users="$BENCH_CONFIG_USERS" \
            -v channels="$BENCH_CONFIG_CHANNELS" -f bench/config_rebuild.sql </dev/null >"$REBUILD"; then
        ERRORS=$((ERRORS + 1))
        : >"$REBUILD"
        _hubroute_err "the rebuild test failed"
    fi
    dropdb "$CONFIG_DB"
    say "rebuild: $(paste -sd ' ' "$REBUILD") ms"
}

# The drain scenario (see the header): the agents come back one at a time
# while one more session inserts beside them; writes the figures to $DRAIN
# (bench.drain_figures()) and what is wrong to $CHECKS.
run_drain() {
    local hot waiting side_pid rc=0 side_rc=0 problems
    local log=$RESULTS_DIR/pgbench/drain.log side_log=$RESULTS_DIR/pgbench/drain-insert_beside.log
    say "drain: $DRAIN_TICKETS tickets waiting, $DRAIN_AGENTS agents (capacity $DRAIN_CAPACITY) back one at a time, inserts beside"
    psql_bench -c 'CALL bench.reset()' -c "CALL bench.drain_setup('drain', $DRAIN_CAPACITY, $DRAIN_TICKETS)" \
        -c 'VACUUM ANALYZE' -c CHECKPOINT
    waiting=$(sql_value "SELECT count(*) FROM hubroute.queue")
    if [ "$waiting" != "$DRAIN_TICKETS" ]; then
        echo "drain: $waiting tickets waiting at the start, not $DRAIN_TICKETS" >>"$CHECKS"
    fi
    hot=$(sql_value "SELECT channel_id FROM bench.channels WHERE set_name = 'hot'")
    psql_bench -c "CALL bench.insert_beside($hot, $DRAIN_PAUSE_MS)" >"$side_log" 2>&1 &
    side_pid=$!
    sleep 1     # ordinary inserts first: their median is the yardstick
    psql_bench -c "CALL bench.drain_bring_back('drain')" >"$log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        psql_bench -c 'UPDATE bench.drain_run SET done = true' || true
    fi
    wait "$side_pid" || side_rc=$?
    if [ "$rc" -ne 0 ] || [ "$side_rc" -ne 0 ]; then
        ERRORS=$((ERRORS + 1))
        _hubroute_err "the drain failed (exit $rc, the inserts beside it $side_rc); see $log and $side_log:"
        cat "$log" "$side_log" >&2
        return
    fi
    psql_bench -At -F ' ' -c "SELECT * FROM bench.drain_figures($DRAIN_TICKETS)" >"$DRAIN"
    problems=$(sql_value "SELECT bench.check_drain('drain', $DRAIN_CAPACITY)")
    if [ -n "$problems" ]; then
        echo "drain: $problems" >>"$CHECKS"
    fi
    say "drain: $(drain_value seconds) s in all, $(drain_value item_ms) ms per item; inserts beside: median $(drain_value insert_median_ms) ms, longest during the drain $(drain_value insert_max_during_ms) ms"
}

# The drain figure named $1 (nothing if none).
drain_value() {
    awk -v n="$1" '$1 == n { print $2 }' "$DRAIN" 2>/dev/null
}

# The median of the rebuild times (nothing if none).
rebuild_median() {
    sort -n "$REBUILD" 2>/dev/null | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

# The table (stdout) and latest.csv, with the ratios to plain and to
# handwritten of the same scenario.
print_table() {
    awk -F, -v csv="$RESULTS_DIR/latest.csv" '
        NR == FNR { if ($6 == "ok") tps[$1, $3] = $4; next }
        FNR == 1 {
            printf "%-22s %7s  %-12s %9s %9s %15s %7s\n", "scenario", "clients", "variant", "tps",
                   "vs_plain", "vs_handwritten", "spread"
            print "scenario,clients,variant,tps,vs_plain,vs_handwritten,spread,status" > csv
        }
        {
            ok = ($6 == "ok")
            vs_plain = (ok && ($1, "plain") in tps && tps[$1, "plain"] > 0) ? sprintf("%.2f", $4 / tps[$1, "plain"]) : "-"
            vs_hw = (ok && ($1, "handwritten") in tps && tps[$1, "handwritten"] > 0) ? sprintf("%.2f", $4 / tps[$1, "handwritten"]) : "-"
            printf "%-22s %7s  %-12s %9s %9s %15s %7s\n", $1, $2, $3, ok ? $4 : "ERROR", vs_plain, vs_hw, $5
            print $1 "," $2 "," $3 "," $4 "," vs_plain "," vs_hw "," $5 "," $6 > csv
        }' "$RAW" "$RAW"
}

# tps of the successful run of scenario $1, variant $2 (nothing if none).
tps_of() {
    awk -F, -v s="$1" -v v="$2" '$1 == s && $3 == v && $6 == "ok" { print $4 }' "$RAW"
}

# PASS/FAIL/SKIP: is tps($2, $3) >= $4 x tps($5, $6)? $1 is the label.
target_ratio() {
    local a b
    a=$(tps_of "$2" "$3")
    b=$(tps_of "$5" "$6")
    if [ -z "$a" ] || [ -z "$b" ]; then
        printf 'SKIP  %s (not run)\n' "$1"
        return
    fi
    awk -v a="$a" -v b="$b" -v f="$4" -v label="$1" 'BEGIN {
        r = b > 0 ? a / b : 0
        printf "%s  %s: %.2f (%d vs %d tps)\n", (r >= f ? "PASS" : "FAIL"), label, r, a, b }'
}

# PASS/FAIL/SKIP: is the spread of scenario $2, variant $3 at most $4?
target_spread() {
    local spread
    spread=$(awk -F, -v s="$2" -v v="$3" '$1 == s && $3 == v && $6 == "ok" { print $5 }' "$RAW")
    if [ -z "$spread" ]; then
        printf 'SKIP  %s (not run)\n' "$1"
    elif [ "$spread" -le "$4" ]; then
        printf 'PASS  %s: %s\n' "$1" "$spread"
    else
        printf 'FAIL  %s: %s\n' "$1" "$spread"
    fi
}

# INFO/SKIP: tps($2, $3) / tps($4, $5), a cost reported with no target; $1
# is the label.
report_ratio() {
    local a b
    a=$(tps_of "$2" "$3")
    b=$(tps_of "$4" "$5")
    if [ -z "$a" ] || [ -z "$b" ]; then
        printf 'SKIP  %s (not run)\n' "$1"
        return
    fi
    awk -v a="$a" -v b="$b" -v label="$1" 'BEGIN {
        printf "INFO  %s: %.2f (%d vs %d tps; no target)\n", label, (b > 0 ? a / b : 0), a, b }'
}

# PASS/FAIL/SKIP: the drain's two targets (see the header).
target_drain() {
    local label="drain: $DRAIN_TICKETS waiting tickets to $DRAIN_AGENTS agents back one at a time in < $DRAIN_LIMIT_S s"
    local label2="drain: an insert beside it waits < $DRAIN_INSERT_FACTOR x the median insert or < $DRAIN_INSERT_FLOOR_MS ms"
    local seconds max median during
    seconds=$(drain_value seconds)
    if [ -z "$seconds" ]; then
        printf 'SKIP  %s (not run)\nSKIP  %s (not run)\n' "$label" "$label2"
        return
    fi
    awk -v s="$seconds" -v l="$DRAIN_LIMIT_S" -v per="$(drain_value item_ms)" -v label="$label" 'BEGIN {
        printf "%s  %s: %s s (%s ms per item)\n", (s < l ? "PASS" : "FAIL"), label, s, per }'
    max=$(drain_value insert_max_during_ms)
    median=$(drain_value insert_median_ms)
    during=$(drain_value inserts_during)
    if [ -z "$max" ] || [ -z "$median" ]; then
        printf 'SKIP  %s (no insert ran while the drain ran)\n' "$label2"
        return
    fi
    awk -v m="$max" -v med="$median" -v f="$DRAIN_INSERT_FACTOR" -v floor="$DRAIN_INSERT_FLOOR_MS" \
        -v n="$during" -v label="$label2" 'BEGIN {
        printf "%s  %s: longest %s ms of %d inserts during the drain (median %s ms)\n",
            (m < f * med || m < floor ? "PASS" : "FAIL"), label, m, n, med }'
}

# PASS/FAIL/SKIP: did the hubroute backend grow by at most MEMORY_LIMIT?
target_memory() {
    local label="memory: hubroute backend grows <= $MEMORY_LIMIT bytes from $MEMORY_FIRST to $BENCH_MEMORY_INSERTS inserts"
    local first end growth
    if ! read -r _ first end < <(grep '^hubroute ' "$MEMORY" 2>/dev/null); then
        printf 'SKIP  %s (not run)\n' "$label"
        return
    fi
    growth=$((end - first))
    printf '%s  %s: %d bytes\n' "$([ "$growth" -le "$MEMORY_LIMIT" ] && echo PASS || echo FAIL)" "$label" "$growth"
}

# PASS/FAIL/SKIP: is the median full build of the routing cache under
# REBUILD_LIMIT_MS?
target_rebuild() {
    local label="rebuild: routing cache of $BENCH_CONFIG_USERS users, $BENCH_CONFIG_CHANNELS channels builds in < $REBUILD_LIMIT_MS ms (median of 5)"
    local median
    median=$(rebuild_median)
    if [ -z "$median" ]; then
        printf 'SKIP  %s (not run)\n' "$label"
        return
    fi
    printf '%s  %s: %s ms\n' "$(awk -v m="$median" -v l="$REBUILD_LIMIT_MS" 'BEGIN { print (m < l ? "PASS" : "FAIL") }')" \
        "$label" "$median"
}

# Every target, one line each.
print_targets() {
    local c pool size floor
    target_ratio "$MULTI-1c: hubroute >= 0.80 x plain" "$MULTI-1c" hubroute 0.80 "$MULTI-1c" plain
    target_ratio "hot-8c: hubroute >= 0.50 x plain" hot-8c hubroute 0.50 hot-8c plain
    target_ratio "hot-8c: hubroute >= 2.5 x handwritten" hot-8c hubroute 2.5 hot-8c handwritten
    target_spread "hot-8c: hubroute spread <= 1" hot-8c hubroute 1
    target_ratio "$ROWS_LABEL-1c: hubroute >= 0.90 x hubroute on empty-1c" \
        "$ROWS_LABEL-1c" hubroute 0.90 empty-1c hubroute
    for pool in "${POOLS[@]}"; do
        size=${pool#pool}
        floor=$([ "$size" -le 5000 ] && echo 0.80 || echo 0.60)
        for c in 1 8; do
            target_ratio "$pool-${c}c: hubroute >= $floor x hubroute on hot-${c}c ($BENCH_USERS-user pool)" \
                "$pool-${c}c" hubroute "$floor" "hot-${c}c" hubroute
        done
    done
    target_spread "desk-4c: hubroute spread <= 1" desk-4c hubroute 1
    for c in 1 8; do
        target_ratio "call-${c}c: hubroute >= 0.90 x hubroute on chat-${c}c (a call reads the channel's hours)" \
            "call-${c}c" hubroute 0.90 "chat-${c}c" hubroute
    done
    target_ratio "churn-4c: hubroute >= 0.80 x hubroute on desk-4c ($BENCH_TOGGLES availability changes/s beside)" \
        churn-4c hubroute 0.80 desk-4c hubroute
    target_ratio "noop-4c: hubroute >= 0.90 x hubroute on desk-4c ($BENCH_TOGGLES no-op statements/s beside)" \
        noop-4c hubroute 0.90 desk-4c hubroute
    target_ratio "cap-1c: insert, queue channel (empty) and capacities >= 0.95 x without" cap-1c cap 0.95 cap-1c nocap
    target_ratio "cap-8c: insert, queue channel (empty) and capacities >= 0.95 x without" cap-8c cap 0.95 cap-8c nocap
    target_ratio "close-1c: close, capacities and a queue (empty) >= 0.95 x without" \
        close-1c close_cap 0.95 close-1c close
    target_ratio "handover-1c: a close that hands over a waiting ticket >= 0.5 x a close plus a routed insert" \
        handover-1c handover 0.50 handover-1c close_insert
    for c in 1 8; do
        report_ratio "notify-${c}c: inserts with hubroute.notify_channel set / without" \
            "notify-${c}c" notify "notify-${c}c" hubroute
    done
    target_drain
    target_rebuild
    target_memory
}

# The memory lines, the background rates, the rebuild times and the checks
# after the routed runs.
print_memory_and_checks() {
    local variant first end scenario script rate
    if [ -s "$MEMORY" ]; then
        echo "memory: sum(total_bytes) of pg_backend_memory_contexts in one backend, one ticket per transaction"
        while read -r variant first end; do
            printf '  %-9s after %d: %d bytes, after %d: %d bytes, difference %d bytes\n' \
                "$variant" "$MEMORY_FIRST" "$first" "$BENCH_MEMORY_INSERTS" "$end" $((end - first))
        done <"$MEMORY"
        echo
    fi
    if [ -s "$BACKGROUND" ]; then
        echo "beside the inserts (one pgbench client at a fixed rate): statements a second actually run"
        while read -r scenario variant script rate; do
            printf '  %-10s %-12s %-7s %s/s\n' "$scenario" "$variant" "$script" "$rate"
        done <"$BACKGROUND"
        echo
    fi
    if [ -s "$REBUILD" ]; then
        echo "rebuild: full builds of the routing cache ($BENCH_CONFIG_USERS users, $BENCH_CONFIG_CHANNELS channels): $(paste -sd ' ' "$REBUILD") ms"
        echo
    fi
    if [ -s "$DRAIN" ]; then
        echo "drain: $DRAIN_TICKETS waiting tickets, $DRAIN_AGENTS agents (ticket capacity $DRAIN_CAPACITY) back one at a time:"
        echo "  $(drain_value seconds) s in all, $(drain_value item_ms) ms per item; one agent's return (statement and commit):"
        echo "  median $(drain_value median_agent_ms) ms, slowest $(drain_value slowest_agent_ms) ms"
        echo "  beside it, one session inserting on the hot channel ${DRAIN_PAUSE_MS} ms apart (insert and commit, timed in"
        echo "  the server): $(drain_value inserts) inserts, median $(drain_value insert_median_ms) ms, longest $(drain_value insert_max_ms) ms;"
        echo "  $(drain_value inserts_during) of them while the drain ran, the longest $(drain_value insert_max_during_ms) ms"
        echo
    fi
    echo "checks after every hubroute and handwritten run (every ticket assigned, contact owners honoured,"
    echo "one decision logged per ticket, load counters = counting the table) and, for SPEC §6, one close"
    echo "or insert per transaction, one handover per close, no user over its capacity, routing's counts"
    echo "= the tables (hubroute.routing_load_check()), the drain's queue empty and its agents full:"
    if [ -s "$CHECKS" ]; then
        sed 's/^/  PROBLEM  /' "$CHECKS"
    else
        echo "  all fine"
    fi
}

# The whole report: table, targets, memory, checks.
print_report() {
    if [ "$ERRORS" -gt 0 ]; then
        echo "$ERRORS run(s) FAILED: see the pgbench logs in $RESULTS_DIR/pgbench/"
        echo
    fi
    print_table
    echo
    echo "spread: per channel, max - min open tickets among the pool's users; the largest over the scenario's channels"
    echo "        (at most 1 is the promise of balanced, least_busy and round_robin; random and contact_owner do not balance)"
    echo
    echo "targets:"
    print_targets | sed 's/^/  /'
    echo
    print_memory_and_checks
}

# tps.png: grouped bars per scenario (plain, hubroute, handwritten; the
# scenarios with none of them, the SPEC §6 ones but notify, are left out).
write_chart() {
    local data=$RESULTS_DIR/chart.dat
    awk -F, '
        $3 != "plain" && $3 != "hubroute" && $3 != "handwritten" { next }
        !($1 in seen) { seen[$1] = 1; order[++n] = $1 }
        { tps[$1, $3] = ($6 == "ok") ? $4 : "?" }
        END {
            print "# scenario plain hubroute handwritten"
            for (i = 1; i <= n; i++) {
                s = order[i]
                printf "%s %s %s %s\n", s, ((s, "plain") in tps) ? tps[s, "plain"] : "?",
                    ((s, "hubroute") in tps) ? tps[s, "hubroute"] : "?",
                    ((s, "handwritten") in tps) ? tps[s, "handwritten"] : "?"
            }
        }' "$RAW" >"$data"
    if ! awk 'NR > 1 && ($2 != "?" || $3 != "?" || $4 != "?") { found = 1 } END { exit !found }' "$data"; then
        say "no plain, hubroute or handwritten run to chart: no tps.png"
        return 0
    fi
    gnuplot -e "datafile='$data'; outfile='$RESULTS_DIR/tps.png'; subtitle='$RUN_DATE, $(nproc) cores, $BENCH_SECONDS s per run'" \
        bench/tps.gp
}

# MACHINE: the machine, PostgreSQL and the settings, as Markdown list items.
describe_machine() {
    local cpu mem os pg settings hubroute
    cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
    os=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}")
    pg=$(sql_value 'SELECT version()')
    settings=$(sql_value "SELECT string_agg(name || ' = ' || current_setting(name), ', ' ORDER BY name)
                            FROM pg_settings WHERE name IN ('shared_buffers', 'max_wal_size', 'max_connections',
                                 'fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes',
                                 'checkpoint_timeout', 'autovacuum', 'work_mem')")
    hubroute="commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    if [ -n "$(git status --porcelain -- src sql hubroute.control 2>/dev/null)" ]; then
        hubroute+=" with uncommitted changes in src/ or sql/"
    fi
    if [ "$HUBROUTE_BENCH_SKIP_BUILD" = 1 ]; then
        hubroute+="; not built by this run (HUBROUTE_BENCH_SKIP_BUILD=1): the library installed at the time"
    else
        hubroute+=", built and installed by this run"
    fi
    MACHINE=$(cat <<EOF
- CPU: ${cpu:-unknown}, $(nproc) cores (nproc)
- memory: $mem (MemTotal)
- system: $os, kernel $(uname -sr)
- PostgreSQL: $pg
- hubroute: $hubroute
- server settings given to the throw-away cluster: ${PG_SETTINGS[*]}
- in force: $settings
- pgbench: -n -M prepared -T $BENCH_SECONDS -c C -j min(C,2), one INSERT per transaction (autocommit);
  SPEC §6: one close (\`close-*\`, \`handover\`), or a close and an INSERT in one transaction (\`close_insert\`)
EOF
)
}

# bench/RESULTS.md from this run, and bench/tps.png beside it (when the run
# charted anything).
write_results_md() {
    local chart=
    if [ -f "$RESULTS_DIR/tps.png" ]; then
        cp "$RESULTS_DIR/tps.png" bench/tps.png
        chart='![tps per scenario and variant](tps.png)'
    fi
    {
        cat <<EOF
# hubroute benchmark results

Written by \`bench/run.sh\` on $RUN_DATE; the run took $((SECONDS / 60)) min $((SECONDS % 60)) s.
Run it again with \`make bench\` (as root); README.md, section Benchmarks,
says what it does.

## Command

    $COMMAND

## Machine

$MACHINE

## Variants

- **plain**: \`INSERT\` into \`bench.plain_tickets\` (\`LIKE hubroute.tickets INCLUDING ALL\`:
  same columns, defaults, identity, checks and indexes; no triggers, no foreign keys); the
  client picks the owner, a random user of the channel's pool, and sets \`assigned_at = now()\`.
- **hubroute**: \`INSERT INTO hubroute.tickets (channel_id, subject)\`, routed by the extension.
- **handwritten**: \`INSERT\` into \`bench.hw_tickets\`, routed by a PL/pgSQL \`BEFORE INSERT\`
  trigger doing the balanced rule exactly (pool counters locked \`FOR UPDATE\` in user id
  order, fewest open tickets, then least recently assigned, then lowest id; one log row
  per decision); see \`bench/setup.sql\`.
- SPEC §6, all on \`hubroute.tickets\`: **cap** and **nocap** (a routed \`INSERT\` on a channel with
  \`queue = true\`, its queue empty, and capacities on every user of its pool that no run reaches;
  the same channel with neither); **close_cap** and **close** (\`UPDATE ... SET status = 'closed'\` of
  one ticket loaded before the run, its owner with a capacity and in the pool of a queue channel,
  the queue empty; no capacities, no queues); **handover** (the same close with every user at
  its capacity and tickets waiting, so the close hands one over) and **close_insert** (a close and
  a routed \`INSERT\` in one transaction, no queue, no capacities); **notify** and **hubroute**
  (a routed \`INSERT\` with \`hubroute.notify_channel = '$NOTIFY_CHANNEL'\`, nobody listening; without).

Scenarios: \`$MULTI-*\`: a random one of $BENCH_CHANNELS channels of $BENCH_USERS users per
transaction; \`hot-*\`: one channel of $BENCH_USERS users; \`pool<N>-*\`: one channel of
N users (N in $BENCH_POOLS); \`desk-4c\`: a random one of $BENCH_DESK_CHANNELS channels of
$BENCH_DESK_USERS users; \`churn-4c\`: the same while one more client takes a random agent of
those channels away and back, $BENCH_TOGGLES changes of \`users.available\` a second;
\`chat-*\` and \`call-*\`: conversations into an inbox chat channel and a calling
channel (open around the clock by its hours, which every call reads) of $BENCH_USERS
users each; \`handoff-*\`: per transaction, a conversation of the customer agent's and the
visitor's message asking for a human, which hands it to the least busy of $BENCH_USERS targets;
\`noop-4c\`: the same as \`churn-4c\` with $BENCH_TOGGLES statements a second on the configuration tables
that change nothing routing reads; \`rebuild\`: five full builds of the routing cache for
$BENCH_CONFIG_USERS users and $BENCH_CONFIG_CHANNELS channels; \`empty-1c\` and \`$ROWS_LABEL-1c\`: the \`$MULTI\` insert with the table
empty and holding $BENCH_ROWS tickets; \`rule-<distribution>-*\`: one channel of
$BENCH_USERS users per rule (\`contact_owner\`: a random one of $BENCH_CONTACTS tracked contacts
owned by its users). \`-Nc\`: N pgbench clients. Every scenario starts from empty tables
(\`$ROWS_LABEL-1c\` from the loaded ones).

SPEC §6 (capacity, the waiting queue, events): \`cap-*\`, \`close-*\` and \`handover-*\` run on one
channel of $BENCH_USERS users, each variant from its own state: \`close\` and \`close_cap\` with
$CLOSES_PER_SECOND open tickets per second of run loaded, closed in id order; \`handover\` with
every user at a capacity of $HANDOVER_CAPACITY and $HANDOVERS_PER_SECOND waiting tickets per second of run;
\`close_insert\` with the tickets of \`close\`. \`notify-*\`: the hot channel. \`drain\`: $DRAIN_TICKETS
tickets wait in the queue of a channel of $DRAIN_AGENTS agents, all away, ticket capacity
$DRAIN_CAPACITY each; the agents come back one at a time (one \`UPDATE hubroute.users SET available =
true\` per agent, each its own transaction), which hands every ticket over, while one more session
inserts on the hot channel $DRAIN_PAUSE_MS ms apart and times each insert; the target for those inserts
is a longest time, while the drain runs, under $DRAIN_INSERT_FACTOR x their median or under $DRAIN_INSERT_FLOOR_MS ms.

## Results

\`\`\`text
$(cat "$REPORT")
\`\`\`

$chart
EOF
    } >bench/RESULTS.md
}

main() {
    local scenario
    parse_settings
    RUN_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')

    # shellcheck disable=SC2119
    hubroute_install_deps gnuplot-nox
    if [ "$HUBROUTE_BENCH_SKIP_BUILD" = 1 ]; then
        say "HUBROUTE_BENCH_SKIP_BUILD=1: using the hubroute installed in PostgreSQL ${HUBROUTE_PG_MAJOR}"
    else
        # shellcheck disable=SC2119
        hubroute_build
    fi
    hubroute_start_cluster "${PG_SETTINGS[@]}"

    rm -rf "$RESULTS_DIR"
    mkdir -p "$RESULTS_DIR/pgbench"
    : >"$RAW"
    : >"$CHECKS"
    : >"$MEMORY"
    : >"$BACKGROUND"
    : >"$REBUILD"
    : >"$DRAIN"
    setup_database
    describe_machine

    for scenario in "${SCENARIOS[@]}"; do
        if [ "$scenario" = memory ]; then
            run_memory
        elif [ "$scenario" = rebuild ]; then
            run_rebuild
        elif [ "$scenario" = drain ]; then
            run_drain
        else
            run_scenario "$scenario"
        fi
    done

    echo
    print_report | tee "$REPORT"
    write_chart
    write_results_md
    echo
    say "wrote $RESULTS_DIR/latest.csv, $RESULTS_DIR/tps.png, bench/RESULTS.md and bench/tps.png ($((SECONDS / 60)) min $((SECONDS % 60)) s)"
    if [ "$ERRORS" -gt 0 ]; then
        _hubroute_err "$ERRORS run(s) failed: see above and $RESULTS_DIR/pgbench/"
        exit 1
    fi
}

main "$@"
