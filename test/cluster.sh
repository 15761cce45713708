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
# Everything runs as root. Only the PostgreSQL server runs as the `postgres`
# system user; client programs (psql, pg_regress, pg_prove, pgbench) run as
# root and reach the throw-away cluster through PGHOST/PGPORT/PGUSER, which
# point at a unix socket in a fresh temporary directory. No TCP port is
# opened, and no cluster that these helpers did not start is ever touched.

HUBROUTE_PG_MAJOR=15
HUBROUTE_PGBIN=/usr/lib/postgresql/${HUBROUTE_PG_MAJOR}/bin
HUBROUTE_PG_CONFIG=${HUBROUTE_PGBIN}/pg_config
HUBROUTE_PGPORT=${HUBROUTE_PGPORT:-55432}
# The cluster this shell started (never inherited from a parent process, so
# a nested script can neither reuse nor stop its parent's cluster).
_hubroute_pgdir=
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

# Build from scratch (so a changed header is never missed) and install into
# PostgreSQL 15. Must be called from the repository root.
hubroute_build() {
    _hubroute_say "building and installing hubroute (PostgreSQL ${HUBROUTE_PG_MAJOR})"
    _hubroute_quiet make clean PG_CONFIG="$HUBROUTE_PG_CONFIG" &&
    _hubroute_quiet make PG_CONFIG="$HUBROUTE_PG_CONFIG" &&
    _hubroute_quiet make install PG_CONFIG="$HUBROUTE_PG_CONFIG"
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
hubroute_start_cluster() {
    hubroute_require_root || return 1
    if [ -n "$_hubroute_pgdir" ]; then
        _hubroute_err "a hubroute cluster is already running in $_hubroute_pgdir"
        return 1
    fi
    if ! id postgres >/dev/null 2>&1; then
        _hubroute_err "no 'postgres' system user (is postgresql-${HUBROUTE_PG_MAJOR} installed?)"
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

    _hubroute_say "starting a throw-away PostgreSQL ${HUBROUTE_PG_MAJOR} cluster in $HUBROUTE_PGDIR (unix socket only, port $HUBROUTE_PGPORT)"
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

    if ! _hubroute_as_postgres "$HUBROUTE_PGBIN/pg_ctl" -D "$HUBROUTE_PGDATA" \
            -l "$HUBROUTE_PGLOG" -w -t 120 start </dev/null >/dev/null 2>&1; then
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

# Stop the cluster started by hubroute_start_cluster and remove its
# directory. Safe to call more than once; touches nothing else.
hubroute_stop_cluster() {
    local dir=$_hubroute_pgdir pid
    [ -n "$dir" ] || return 0
    _hubroute_pgdir=
    if [ -f "$dir/data/postmaster.pid" ]; then
        if ! (cd "$dir" && runuser -u postgres -- "$HUBROUTE_PGBIN/pg_ctl" \
                -D "$dir/data" stop -m fast -w -t 60) </dev/null >/dev/null 2>&1; then
            # Last resort: our own postmaster only, by the pid in our data dir.
            pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
            if [ -n "$pid" ] && [ "$pid" -gt 1 ] 2>/dev/null &&
                    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$dir/data"; then
                kill -QUIT "$pid" 2>/dev/null || true
                sleep 2
            fi
        fi
    fi
    rm -rf -- "$dir"
    unset PGHOST PGPORT PGUSER HUBROUTE_PGDIR HUBROUTE_PGDATA HUBROUTE_PGLOG
}

_hubroute_cleanup() {
    hubroute_stop_cluster || true
}
