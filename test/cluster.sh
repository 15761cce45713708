# shellcheck shell=bash
#
# test/cluster.sh — shared helpers for demo/run.sh and test/run_all.sh.
#
# Source it from bash (it is not meant to be executed):
#
#     . test/cluster.sh
#     hubroute_install_deps      # apt-get install what is missing (Debian 12)
#     hubroute_build             # make + make install against PostgreSQL 15
#     hubroute_start_cluster     # throw-away cluster, stopped at exit
#
# test/run_all.sh also uses
#     hubroute_build HUBROUTE_CHECKS=1   # the check build (see Makefile)
#     hubroute_start_valgrind_cluster    # the same, the server under valgrind
#     hubroute_stop_server               # stop it, keep its directory (logs)
#
# Everything runs as root. Only the PostgreSQL server runs as the `postgres`
# system user; client programs (psql, pg_regress, pg_prove, pgbench) run as
# root and reach the throw-away cluster through PGHOST/PGPORT/PGUSER, which
# point at a unix socket in a fresh temporary directory. No TCP port is
# opened, and no cluster that these helpers did not start is ever touched.

HUBROUTE_PG_MAJOR=15
# HUBROUTE_PGBIN may name another PostgreSQL 15's binaries (say, a private
# copy, so that two checkouts can build and test at once without installing
# over each other).
HUBROUTE_PGBIN=${HUBROUTE_PGBIN:-/usr/lib/postgresql/${HUBROUTE_PG_MAJOR}/bin}
HUBROUTE_PG_CONFIG=${HUBROUTE_PGBIN}/pg_config
HUBROUTE_PGPORT=${HUBROUTE_PGPORT:-55432}
# The cluster this shell started (never inherited from a parent process, so
# a nested script can neither reuse nor stop its parent's cluster).
_hubroute_pgdir=
# How long pg_ctl may take to stop it: a server under valgrind runs its
# shutdown checkpoint and every process's exit 20 to 50 times slower.
_hubroute_stop_timeout=60
# test/ (this file's directory), for test/valgrind.supp.
_hubroute_testdir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HUBROUTE_DEPS=(
    "postgresql-${HUBROUTE_PG_MAJOR}"
    "postgresql-server-dev-${HUBROUTE_PG_MAJOR}"
    "postgresql-${HUBROUTE_PG_MAJOR}-pgtap"
    libtap-parser-sourcehandler-pgtap-perl
    make
    gcc
)

# PostgreSQL 15's binaries first, so initdb, pg_ctl, psql, createdb, pgbench
# and pg_regress's helpers are the version-15 ones (Debian does not put this
# directory on PATH). pg_prove and prove stay /usr/bin.
case ":${PATH}:" in
    *":${HUBROUTE_PGBIN}:"*) ;;
    *) PATH="${HUBROUTE_PGBIN}:${PATH}" ;;
esac
export PATH

_hubroute_say() { printf '==> %s\n' "$*"; }
_hubroute_err() { printf 'ERROR: %s\n' "$*" >&2; }

hubroute_require_root() {
    if [ "$(id -u)" -ne 0 ]; then
        _hubroute_err "run this as root (it installs packages and starts a server as the postgres user)"
        return 1
    fi
}

# True when a Debian package is fully installed.
_hubroute_pkg_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# Install the Debian packages the build, the demo and the tests need (plus any
# package names given as arguments) — only those that are missing. `apt-get update` runs once, and only when something
# has to be installed. Output goes to a log that is shown only on failure.
hubroute_install_deps() {
    hubroute_require_root || return 1
    local missing=() pkg log
    for pkg in "${HUBROUTE_DEPS[@]}" "$@"; do
        _hubroute_pkg_installed "$pkg" || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    _hubroute_say "installing missing packages: ${missing[*]}"
    log=$(mktemp /tmp/hubroute-apt.XXXXXX.log)
    if ! {
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -q update &&
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -q -y \
            --no-install-recommends install "${missing[@]}"
    } </dev/null >"$log" 2>&1; then
        cat "$log" >&2
        _hubroute_err "package installation failed (log above, kept in $log)"
        return 1
    fi
    rm -f "$log"
    for pkg in "${missing[@]}"; do
        if ! _hubroute_pkg_installed "$pkg"; then
            _hubroute_err "package $pkg is still not installed"
            return 1
        fi
    done
}

# Run a command quietly; on failure show everything it printed.
_hubroute_quiet() {
    local log rc=0
    log=$(mktemp /tmp/hubroute-build.XXXXXX.log)
    "$@" </dev/null >"$log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        cat "$log" >&2
        _hubroute_err "command failed (exit $rc): $*"
    fi
    rm -f "$log"
    return "$rc"
}

# Build from scratch (so a changed header, or a changed make variable, is
# never missed) and install into PostgreSQL 15. Must be called from the
# repository root. Arguments are passed to every make, e.g.
# `hubroute_build HUBROUTE_CHECKS=1` for the check build.
hubroute_build() { # hubroute_build [VARIABLE=value...]
    _hubroute_say "building and installing hubroute (PostgreSQL ${HUBROUTE_PG_MAJOR}${*:+, $*})"
    _hubroute_quiet make clean PG_CONFIG="$HUBROUTE_PG_CONFIG" "$@" &&
    _hubroute_quiet make PG_CONFIG="$HUBROUTE_PG_CONFIG" "$@" &&
    _hubroute_quiet make install PG_CONFIG="$HUBROUTE_PG_CONFIG" "$@"
}

# Run a command as the postgres user from a directory it can enter (initdb
# and pg_ctl fail when they cannot read the current directory).
_hubroute_as_postgres() {
    (cd "$HUBROUTE_PGDIR" && runuser -u postgres -- "$@")
}

# Start a throw-away cluster:
#   - data directory, unix socket and server log in a fresh `mktemp -d`
#     directory owned by postgres;
#   - listens on no TCP address at all, only on $dir/.s.PGSQL.$HUBROUTE_PGPORT;
#   - trust authentication; initdb --no-sync;
#   - exports PGHOST, PGPORT and PGUSER=postgres for client programs;
#   - a trap on EXIT, INT and TERM stops it and removes the directory.
# Extra server settings may be passed as arguments, e.g. `fsync=off`.
# One cluster per shell: stop this one (hubroute_stop_cluster) before
# starting another.
hubroute_start_cluster() {
    _hubroute_start_cluster plain "$@"
}

# The same throw-away cluster, but the postmaster, and so every process it
# forks, runs under valgrind memcheck:
#   - suppressions from test/valgrind.supp, copied into the cluster's
#     directory (the repository need not be readable by postgres);
#   - one log per process, $HUBROUTE_PGDIR/valgrind.<pid>.log, each error
#     record between the lines VALGRIND-ERROR-BEGIN and VALGRIND-ERROR-END and
#     followed by the suppression that would hide it; source files with their
#     full path, so the extension's frames can be told from the server's;
#   - 50 frames per stack: an error in server code that hubroute called
#     (SPI, the executor, a trigger inside) still shows the hubroute frame
#     far below it;
#   - --trace-children=no: the server forks its backends and auxiliary
#     processes without exec, and valgrind follows a fork by itself;
#     --trace-children is about exec'd programs (archive_command and the like);
#   - no leak checking: the server frees memory contexts, not chunks, and
#     leaves the rest to process exit;
#   - no --track-origins: an uninitialised value is still reported, where it
#     is used, but not with the allocation it came from. With it the suites
#     took 1.6 times as long (778 s for 33 regress tests and 21 specs on 2
#     cores, the whole run 14 minutes, near its 15); to find an origin, run
#     the failing test alone with HUBROUTE_VALGRIND_ORIGINS=1.
# Debian's postgres is not built with USE_VALGRIND: memcheck sees the
# blocks that memory contexts malloc, not palloc'd chunks, so a read past a
# palloc'd chunk or after its pfree goes unseen unless it leaves the block.
# What is seen: uninitialised bytes (fresh palloc'd memory, the stack) used
# in a branch, an address or a system call; anything outside malloc'd blocks,
# the stack and mappings; malloc and free misuse.
# Takes the same arguments as hubroute_start_cluster. The server takes
# seconds to start and stop; nothing else changes for the caller. Stop the
# server with hubroute_stop_server before reading the logs: processes report
# the last errors as they exit.
hubroute_start_valgrind_cluster() {
    _hubroute_start_cluster valgrind "$@"
}

_hubroute_start_cluster() { # _hubroute_start_cluster plain|valgrind [setting...]
    local mode=$1
    shift
    hubroute_require_root || return 1
    if [ -n "$_hubroute_pgdir" ]; then
        _hubroute_err "a hubroute cluster is already running in $_hubroute_pgdir"
        return 1
    fi
    if ! id postgres >/dev/null 2>&1; then
        _hubroute_err "no 'postgres' system user (is postgresql-${HUBROUTE_PG_MAJOR} installed?)"
        return 1
    fi
    if [ "$mode" = valgrind ] && ! command -v valgrind >/dev/null 2>&1; then
        _hubroute_err "valgrind is not installed (hubroute_install_deps valgrind)"
        return 1
    fi
    if [ "$mode" = valgrind ] && [ ! -r "$_hubroute_testdir/valgrind.supp" ]; then
        _hubroute_err "$_hubroute_testdir/valgrind.supp is missing"
        return 1
    fi

    # /tmp (not $TMPDIR): postgres must be able to reach it, and the socket
    # path must stay short.
    HUBROUTE_PGDIR=$(mktemp -d /tmp/hubroute-pg.XXXXXX) || return 1
    _hubroute_pgdir=$HUBROUTE_PGDIR
    HUBROUTE_PGDATA=$HUBROUTE_PGDIR/data
    HUBROUTE_PGLOG=$HUBROUTE_PGDIR/server.log
    trap '_hubroute_cleanup' EXIT
    trap '_hubroute_cleanup; trap - INT; exit 130' INT
    trap '_hubroute_cleanup; trap - TERM; exit 143' TERM
    chown postgres: "$HUBROUTE_PGDIR" && chmod 700 "$HUBROUTE_PGDIR" || return 1

    local under=
    [ "$mode" = plain ] || under=", under $mode"
    _hubroute_say "starting a throw-away PostgreSQL ${HUBROUTE_PG_MAJOR} cluster in $HUBROUTE_PGDIR (unix socket only, port $HUBROUTE_PGPORT$under)"
    if ! _hubroute_quiet _hubroute_as_postgres "$HUBROUTE_PGBIN/initdb" \
            -D "$HUBROUTE_PGDATA" --auth=trust -U postgres --no-sync \
            --locale=C.UTF-8 --encoding=UTF8; then
        _hubroute_err "initdb failed"
        return 1
    fi

    local setting
    {
        echo
        echo "# added by test/cluster.sh"
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$HUBROUTE_PGDIR'"
        echo "port = $HUBROUTE_PGPORT"
        echo "max_prepared_transactions = 0"
        echo "log_min_messages = warning"
        for setting in "$@"; do
            echo "$setting"
        done
    } >>"$HUBROUTE_PGDATA/postgresql.conf"

    local start_opts=(-t 120)
    _hubroute_stop_timeout=60
    if [ "$mode" = valgrind ]; then
        _hubroute_write_valgrind_wrapper || return 1
        start_opts=(-t 600 -p "$HUBROUTE_PGDIR/postgres-valgrind")
        _hubroute_stop_timeout=600
    fi
    if ! _hubroute_as_postgres "$HUBROUTE_PGBIN/pg_ctl" -D "$HUBROUTE_PGDATA" \
            -l "$HUBROUTE_PGLOG" -w "${start_opts[@]}" start </dev/null >/dev/null 2>&1; then
        _hubroute_err "the server did not start; its log:"
        cat "$HUBROUTE_PGLOG" >&2 2>/dev/null || true
        return 1
    fi

    # Clients connect to this cluster only; drop settings that could point
    # them anywhere else.
    unset PGHOSTADDR PGSERVICE PGSERVICEFILE PGDATABASE PGOPTIONS PGCLUSTER \
          PGPASSWORD PGPASSFILE PGSSLMODE PGREQUIRESSL PGTARGETSESSIONATTRS
    export PGHOST=$HUBROUTE_PGDIR
    export PGPORT=$HUBROUTE_PGPORT
    export PGUSER=postgres
    export HUBROUTE_PGDIR HUBROUTE_PGDATA HUBROUTE_PGLOG

    if ! psql -X -q -d postgres -c 'SELECT 1' >/dev/null; then
        _hubroute_err "cannot connect to the new cluster; server log:"
        cat "$HUBROUTE_PGLOG" >&2 || true
        return 1
    fi
}

# The wrapper that pg_ctl -p starts instead of postgres (see
# hubroute_start_valgrind_cluster). It execs valgrind, which runs postgres in
# the same process: pg_ctl finds its own child's pid in postmaster.pid, and
# stops the server as usual.
_hubroute_write_valgrind_wrapper() {
    local dir=$HUBROUTE_PGDIR opts
    cp "$_hubroute_testdir/valgrind.supp" "$dir/valgrind.supp" || return 1
    opts=(
        --tool=memcheck
        --trace-children=no
        --leak-check=no
        --error-limit=no
        --num-callers=50
        "--track-origins=$([ "${HUBROUTE_VALGRIND_ORIGINS:-0}" = 1 ] && echo yes || echo no)"
        --read-inline-info=yes
        --fullpath-after=
        "--error-markers=VALGRIND-ERROR-BEGIN,VALGRIND-ERROR-END"
        --gen-suppressions=all
        "--suppressions=$dir/valgrind.supp"
        "--log-file=$dir/valgrind.%p.log"
    )
    {
        echo '#!/bin/sh'
        echo '# Written by test/cluster.sh: the postmaster under valgrind memcheck.'
        printf 'exec valgrind'
        printf ' %q' "${opts[@]}" "$HUBROUTE_PGBIN/postgres"
        printf ' "$@"\n'
    } >"$dir/postgres-valgrind" || return 1
    chown postgres: "$dir/postgres-valgrind" "$dir/valgrind.supp" &&
    chmod 755 "$dir/postgres-valgrind"
}

# Stop the postmaster of the cluster in DIR: pg_ctl stop, or as a last resort
# SIGQUIT to our own postmaster only, by the pid in our data directory.
_hubroute_stop_postmaster() { # _hubroute_stop_postmaster DIR
    local dir=$1 pid
    [ -f "$dir/data/postmaster.pid" ] || return 0
    if (cd "$dir" && runuser -u postgres -- "$HUBROUTE_PGBIN/pg_ctl" \
            -D "$dir/data" stop -m fast -w -t "$_hubroute_stop_timeout") </dev/null >/dev/null 2>&1; then
        return 0
    fi
    pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && [ "$pid" -gt 1 ] 2>/dev/null &&
            tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$dir/data"; then
        kill -QUIT "$pid" 2>/dev/null || true
        sleep 2
    fi
    return 1
}

# Stop the server of the cluster this shell started but keep the cluster's
# directory (valgrind's logs, the server log) until hubroute_stop_cluster.
hubroute_stop_server() {
    [ -n "$_hubroute_pgdir" ] || return 0
    _hubroute_stop_postmaster "$_hubroute_pgdir"
}

# Stop the cluster started by hubroute_start_cluster (or
# hubroute_start_valgrind_cluster) and remove its directory. Safe to call
# more than once; touches nothing else.
hubroute_stop_cluster() {
    local dir=$_hubroute_pgdir
    [ -n "$dir" ] || return 0
    _hubroute_pgdir=
    _hubroute_stop_postmaster "$dir" || true
    rm -rf -- "$dir"
    unset PGHOST PGPORT PGUSER HUBROUTE_PGDIR HUBROUTE_PGDATA HUBROUTE_PGLOG
}

_hubroute_cleanup() {
    hubroute_stop_cluster || true
}
