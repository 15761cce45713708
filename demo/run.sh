#!/usr/bin/env bash
#
# Run the hubroute demo, as root, from a fresh Debian 12 machine:
#
#     bash demo/run.sh            # run demo/helpdesk.sql and print its output
#     bash demo/run.sh --shell    # ... then open psql on the demo database
#
# Installs what is missing, builds and installs the extension, starts a
# throw-away PostgreSQL 15 cluster (unix socket in a temp dir; it is stopped
# and removed when this script ends), creates database hubroute_demo and runs
# demo/helpdesk.sql in it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=test/cluster.sh
. test/cluster.sh

shell=0
case "${1:-}" in
    "") ;;
    --shell) shell=1 ;;
    *) echo "usage: bash demo/run.sh [--shell]" >&2; exit 2 ;;
esac

if [ ! -f demo/helpdesk.sql ]; then
    echo "ERROR: demo/helpdesk.sql is missing" >&2
    exit 1
fi

# shellcheck disable=SC2119
hubroute_install_deps
# shellcheck disable=SC2119
hubroute_build
# shellcheck disable=SC2119
hubroute_start_cluster

createdb hubroute_demo
echo "==> running demo/helpdesk.sql in database hubroute_demo"
echo
psql -X -v ON_ERROR_STOP=1 -d hubroute_demo -f demo/helpdesk.sql </dev/null

if [ "$shell" -eq 1 ]; then
    echo
    echo "==> psql on hubroute_demo; the cluster is removed when you quit (\\q)"
    psql -X -d hubroute_demo || true
fi
