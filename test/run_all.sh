#!/usr/bin/env bash
#
# Run every hubroute test, as root, from a fresh Debian 12 machine:
#
#     bash test/run_all.sh
#
# Installs what is missing, builds and installs the extension's check build
# (`make HUBROUTE_CHECKS=1`: its own Asserts and HUBROUTE_CHECKS code), starts
# a throw-away PostgreSQL 15 cluster (unix socket in a temp dir, stopped and
# removed at exit) and runs, without stopping at the first failing suite:
#   1. pg_regress tests      test/sql/*.sql  (expected output in expected/)
#   2. isolation specs       test/specs/*.spec
#   3. pgTAP files           test/pgtap/*.sql  (with pg_prove)
#   4. Perl TAP tests        test/t/*.pl       (with prove, as user postgres)
#   5. valgrind: 1 and 2 again, on a second throw-away cluster whose server
#      runs under valgrind memcheck (test/valgrind.supp), then its logs are
#      read: an error whose record shows hubroute's code fails the run.
# Each regress test, isolation spec, pgTAP file and Perl test file counts as
# one, so does each of them under valgrind, and the valgrind log check counts
# as one more; the last line printed is "N passed, N failed". Exit status is
# non-zero when anything failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
# shellcheck source=test/cluster.sh
. test/cluster.sh

shopt -s nullglob
REGRESS_TESTS=(test/sql/*.sql)
ISOLATION_SPECS=(test/specs/*.spec)
PGTAP_FILES=(test/pgtap/*.sql)
PERL_TESTS=(test/t/*.pl)
shopt -u nullglob

passed=0
failed=0
failed_names=()

finish() {
    hubroute_stop_cluster
    echo
    if [ "${#failed_names[@]}" -gt 0 ]; then
        echo "Failed: ${failed_names[*]}"
    fi
    echo "$passed passed, $failed failed"
    if [ "$failed" -gt 0 ]; then
        exit 1
    fi
    exit 0
}

# A set-up step that fails counts as one failure and ends the run.
setup_step() {
    local name=$1
    shift
    if ! "$@"; then
        failed=$((failed + 1))
        failed_names+=("$name")
        finish
    fi
}

section() { printf '\n======== %s ========\n' "$*"; }

count_lines() { # count_lines REGEX FILE
    grep -cE -- "$1" "$2" || true
}

# Parse TAP::Harness's closing report (pg_prove and prove print the same
# one): every file is counted once, passed or failed.
count_harness() { # count_harness LABEL LOG RC NFILES
    local label=$1 log=$2 rc=$3 nfiles=$4 total bad
    total=$(sed -n 's/^Files=\([0-9][0-9]*\),.*/\1/p' "$log" | tail -n 1)
    bad=$(count_lines '^[^ ].* \(Wstat: [0-9]+.* Tests: [0-9]+ Failed: [0-9]+\)$' "$log")
    if [ -z "$total" ]; then
        # No closing report: the harness itself failed.
        if [ "$rc" -eq 0 ]; then
            passed=$((passed + nfiles))
        else
            failed=$((failed + nfiles))
            failed_names+=("$label")
        fi
        return
    fi
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
        bad=1
    fi
    [ "$bad" -le "$total" ] || total=$bad
    passed=$((passed + total - bad))
    failed=$((failed + bad))
    if [ "$bad" -gt 0 ]; then
        failed_names+=("$label")
    fi
}

# `make installcheck` for one of the two pg_regress suites; the other
# suite's variable is emptied on the command line, so a failing regress run
# never keeps the isolation specs from running.
run_pg_regress_suite() { # run_pg_regress_suite LABEL NTESTS DIFFS make-overrides...
    local label=$1 ntests=$2 diffs=$3
    shift 3
    local log rc=0 ok bad
    log=$(mktemp "$HUBROUTE_PGDIR/test.XXXXXX.log")
    rm -f "$diffs"
    make installcheck PG_CONFIG="$HUBROUTE_PG_CONFIG" "$@" </dev/null 2>&1 | tee "$log" || rc=$?
    # PostgreSQL 15 prints "test NAME ... ok  12 ms" (or, inside a parallel
    # group, "     NAME ... FAILED"); later versions print TAP lines.
    ok=$(count_lines '^(test +| +)[^ ]+ +\.\.\. +(ok|failed \(ignored\))( |$)|^ok [0-9]+ ' "$log")
    bad=$(count_lines '^(test +| +)[^ ]+ +\.\.\. +FAILED( |$)|^not ok [0-9]+ ' "$log")
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
        # pg_regress did not get to run (or report) the tests.
        bad=$((ntests - ok))
        [ "$bad" -gt 0 ] || bad=1
    fi
    if [ "$rc" -eq 0 ] && [ $((ok + bad)) -ne "$ntests" ]; then
        echo "warning: $label: expected $ntests results, parsed $ok ok and $bad failed" >&2
    fi
    passed=$((passed + ok))
    failed=$((failed + bad))
    if [ "$bad" -gt 0 ]; then
        failed_names+=("$label")
        if [ -s "$diffs" ]; then
            echo "---- $diffs ----"
            cat "$diffs"
        fi
    fi
    rm -f "$log"
}

# Read the valgrind logs of the cluster in $HUBROUTE_PGDIR (its server
# stopped: processes report their last errors as they exit). An error record
# that names hubroute's code anywhere, a frame in hubroute.so or in
# $ROOT/src/ (the stack of the access, of the block's allocation or free, or
# of the origin of an uninitialised value), fails: each distinct one is
# printed in full. Errors in the server's own code that test/valgrind.supp
# does not suppress are only listed, briefly: they are PostgreSQL's, not
# ours, but each is worth a look (a benign one belongs in test/valgrind.supp,
# with a comment saying why). Every distinct record, with the suppression
# that would hide it, is kept in results/valgrind.txt (like
# regression.diffs, until the next build).
check_valgrind_logs() {
    local logs=("$HUBROUTE_PGDIR"/valgrind.*.log) report=results/valgrind.txt ours
    mkdir -p results
    rm -f "$report"
    if [ ! -e "${logs[0]}" ]; then
        echo "no valgrind logs in $HUBROUTE_PGDIR: the server did not run under valgrind"
        failed=$((failed + 1))
        failed_names+=("valgrind-errors")
        return
    fi
    if ! ours=$(awk -v src="$ROOT/src/" -v report="$report" \
               -v brief_out="$HUBROUTE_PGDIR/valgrind-brief.txt" '
        function is_ours(text) { return index(text, src) || index(text, "hubroute.so") }
        # The same error in many backends, or reached from the server by
        # several paths, is reported once, with the number of times it was
        # seen: records are keyed without pids and addresses, and those in
        # hubroute by their kind and hubroute frames only.
        /VALGRIND-ERROR-BEGIN$/ { inrec = 1; rec = ""; key = ""; ourkey = ""; next }
        /VALGRIND-ERROR-END$/ {
            inrec = 0
            mine = is_ours(rec)
            if (mine) key = ourkey
            first = !(key in seen)
            if (first) { order[++n] = key; text[key] = rec; ours[key] = mine }
            last = (first && !mine) ? key : ""
            if (!mine && !(summary in nbrief)) border[++nb] = summary
            if (!mine) nbrief[summary]++
            seen[key]++
            next
        }
        inrec {
            line = $0
            sub(/^==[0-9]+== ?/, "", line)
            if (line == "") next
            # The listing names an error by its kind and first 4 frames
            # outside the C library.
            if (rec == "") { summary = line; depth = 0 }
            else if (line ~ /^ +(at|by) / && line !~ /libio\/|sysdeps\/|libc\.so|vgpreload/ && depth < 4) {
                b = line; gsub(/0x[0-9A-Fa-f]+: /, "", b)
                summary = summary "\n      " b; depth++
            }
            rec = rec "    " line "\n"
            k = line; gsub(/0x[0-9A-Fa-f]+/, "", k)
            key = key k "\n"
            if (ourkey == "" || is_ours(k) || k !~ /^ +(at|by) /) ourkey = ourkey k "\n"
            next
        }
        # --gen-suppressions=all: the suppression follows its record (kept
        # for errors in the server only: ours are to be fixed, not hidden).
        /^[{}]$/ || /^   / { if (last != "") text[last] = text[last] "    " $0 "\n" }
        END {
            nours = 0
            for (i = 1; i <= n; i++) {
                k = order[i]
                if (ours[k]) {
                    nours++
                    printf "---- hubroute error %d (seen %d time(s)) ----\n%s", nours, seen[k], text[k] > report
                }
            }
            for (i = 1; i <= n; i++) {
                k = order[i]
                if (!ours[k])
                    printf "---- PostgreSQL (seen %d time(s)) ----\n%s", seen[k], text[k] > report
            }
            for (i = 1; i <= nb; i++)
                printf "  - (%d time(s)) %s\n", nbrief[border[i]], border[i] > brief_out
            print nours
        }' "${logs[@]}"); then
        echo "could not read the valgrind logs"
        ours=-1
    fi
    echo "valgrind logs: ${#logs[@]} process(es)"
    if [ -s "$HUBROUTE_PGDIR/valgrind-brief.txt" ]; then
        echo "not suppressed, in PostgreSQL's code (not counted; full records in $report):"
        cat "$HUBROUTE_PGDIR/valgrind-brief.txt"
    else
        echo "no unsuppressed errors in PostgreSQL's code"
    fi
    if [ "$ours" -ne 0 ]; then
        if [ "$ours" -gt 0 ]; then
            echo "valgrind found $ours distinct error(s) in hubroute's code (also in $report):"
            sed -n '/^---- PostgreSQL /q;p' "$report"
        fi
        failed=$((failed + 1))
        failed_names+=("valgrind-errors")
    else
        echo "no valgrind errors in hubroute's code"
        passed=$((passed + 1))
    fi
}

run_pgtap() {
    local log rc=0
    if ! createdb hubroute_tap ||
       ! psql -X -q -v ON_ERROR_STOP=1 -d hubroute_tap -c 'CREATE EXTENSION pgtap'; then
        failed=$((failed + ${#PGTAP_FILES[@]}))
        failed_names+=("pgtap-setup")
        return
    fi
    log=$(mktemp "$HUBROUTE_PGDIR/test.XXXXXX.log")
    pg_prove -d hubroute_tap "${PGTAP_FILES[@]}" </dev/null 2>&1 | tee "$log" || rc=$?
    count_harness pgtap "$log" "$rc" "${#PGTAP_FILES[@]}"
    rm -f "$log"
}

# Perl TAP tests run as the postgres user (initdb refuses root, so tests that
# make their own cluster with PostgreSQL::Test::Cluster need this), from a
# copy of test/t in a postgres-owned directory that is removed with the
# cluster. They also get PGHOST/PGPORT/PGUSER of the shared cluster, and
# HUBROUTE_SRCDIR (the repository root).
run_perl_tap() {
    local log rc=0 tapdir pgxs
    pgxs=$(dirname "$(dirname "$("$HUBROUTE_PG_CONFIG" --pgxs)")")
    tapdir=$HUBROUTE_PGDIR/tap
    mkdir -p "$tapdir"
    cp -R test/t "$tapdir/t"
    chown -R postgres: "$tapdir"
    log=$(mktemp "$HUBROUTE_PGDIR/test.XXXXXX.log")
    (cd "$tapdir" && runuser -u postgres -- env \
        TESTDIR="$tapdir" \
        HUBROUTE_SRCDIR="$ROOT" \
        PG_REGRESS="$pgxs/test/regress/pg_regress" \
        PERL5LIB="$pgxs/test/perl${PERL5LIB:+:$PERL5LIB}" \
        prove t/*.pl) </dev/null 2>&1 | tee "$log" || rc=$?
    count_harness perl-tap "$log" "$rc" "${#PERL_TESTS[@]}"
    rm -f "$log"
}

extra_deps=(valgrind)
if [ "${#PERL_TESTS[@]}" -gt 0 ]; then
    extra_deps+=(libipc-run-perl) # PostgreSQL::Test::Cluster needs IPC::Run
fi

setup_step install-deps hubroute_install_deps "${extra_deps[@]}"
setup_step build hubroute_build HUBROUTE_CHECKS=1
setup_step start-cluster hubroute_start_cluster fsync=off

if [ "${#REGRESS_TESTS[@]}" -gt 0 ]; then
    section "pg_regress: ${#REGRESS_TESTS[@]} test(s)"
    run_pg_regress_suite regress "${#REGRESS_TESTS[@]}" regression.diffs ISOLATION=
fi

if [ "${#ISOLATION_SPECS[@]}" -gt 0 ]; then
    section "isolation: ${#ISOLATION_SPECS[@]} spec(s)"
    run_pg_regress_suite isolation "${#ISOLATION_SPECS[@]}" output_iso/regression.diffs REGRESS=
fi

if [ "${#PGTAP_FILES[@]}" -gt 0 ]; then
    section "pgTAP: ${#PGTAP_FILES[@]} file(s)"
    run_pgtap
fi

if [ "${#PERL_TESTS[@]}" -gt 0 ]; then
    section "Perl TAP: ${#PERL_TESTS[@]} file(s)"
    run_perl_tap
fi

# The regress and isolation suites once more, the server under valgrind: the
# first cluster is stopped (one cluster per shell) and a fresh one started.
# Settings for speed only: no fsync, no autovacuum workers to instrument,
# small shared memory to set up. Isolation steps are 20 to 50 times slower
# under valgrind; isolationtester cancels a step after PGISOLATIONTIMEOUT
# seconds (300 by default), so give it twice that. A suite that fails here
# and passed above points at timing, or at a crash the logs will show.
if [ "$((${#REGRESS_TESTS[@]} + ${#ISOLATION_SPECS[@]}))" -gt 0 ]; then
    section "valgrind: regress + isolation"
    valgrind_start=$SECONDS
    hubroute_stop_cluster
    setup_step start-valgrind-cluster hubroute_start_valgrind_cluster \
        fsync=off autovacuum=off shared_buffers=16MB max_connections=30
    if [ "${#REGRESS_TESTS[@]}" -gt 0 ]; then
        run_pg_regress_suite valgrind-regress "${#REGRESS_TESTS[@]}" regression.diffs ISOLATION=
    fi
    if [ "${#ISOLATION_SPECS[@]}" -gt 0 ]; then
        PGISOLATIONTIMEOUT=600 run_pg_regress_suite valgrind-isolation \
            "${#ISOLATION_SPECS[@]}" output_iso/regression.diffs REGRESS=
    fi
    if ! hubroute_stop_server; then
        echo "the valgrind cluster did not stop cleanly; reading its logs anyway"
    fi
    check_valgrind_logs
    echo "valgrind section: $((SECONDS - valgrind_start)) s"
fi

finish
