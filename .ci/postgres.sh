#!/usr/bin/env bash
# Start the PostgreSQL server that the storage tests run against (issue 5), idempotently.
#
# Installs Debian's `postgresql` package when the server is missing, starts its `main` cluster,
# waits until it accepts connections on 127.0.0.1, makes sure the role `stepfree` (password
# `stepfree`) and the database `stepfree_test` exist, and prints one line for the tests:
#
#   STEPFREE_TEST_POSTGRES_URL=postgresql://stepfree:stepfree@127.0.0.1:5432/stepfree_test
#
# Quiet on success (only that line on stdout); on failure the output of the failing step goes
# to stderr and the exit status is non-zero. Runs as root (CI, this Debian machine) or as a user
# with sudo. Needs no standard input.
set -euo pipefail

ROLE=stepfree
PASSWORD=stepfree
DATABASE=stepfree_test
WAIT_S=60  # how long to wait for the server to accept connections (seconds)

fail() { echo "postgres.sh: $*" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then
    as_root() { "$@"; }
elif command -v sudo >/dev/null 2>&1; then
    as_root() { sudo -n "$@"; }
else
    fail "run as root (or install sudo): starting a PostgreSQL server needs it"
fi
as_postgres() { as_root su postgres -s /bin/sh -c "cd / && $*"; }

# Run a command silently; show its output only if it fails.
quiet() {
    local log
    log=$(mktemp)
    if ! "$@" >"$log" 2>&1 </dev/null; then
        cat "$log" >&2
        rm -f "$log"
        echo "postgres.sh: failed: $*" >&2
        return 1
    fi
    rm -f "$log"
}

server_installed() {
    command -v pg_ctlcluster >/dev/null 2>&1 \
        && compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null
}

if ! server_installed; then
    export DEBIAN_FRONTEND=noninteractive
    quiet as_root apt-get update || fail "apt-get update failed"
    quiet as_root apt-get install -y --no-install-recommends postgresql \
        || fail "could not install Debian's postgresql package"
    server_installed || fail "apt-get installed postgresql but no server binary was found"
fi

version=$(find /usr/lib/postgresql -maxdepth 3 -path '*/bin/postgres' \
    | sed 's|/usr/lib/postgresql/\([^/]*\)/.*|\1|' | sort -V | tail -n 1)
[ -n "$version" ] || fail "no PostgreSQL server version under /usr/lib/postgresql"

# The package creates the cluster `main`; a machine where it was dropped gets a new one.
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {found = 1} END {exit !found}'
then
    quiet as_root pg_createcluster "$version" main || fail "could not create the cluster"
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')

if ! pg_lsclusters -h | awk -v v="$version" \
    '$1 == v && $2 == "main" && $4 ~ /^online/ {up = 1} END {exit !up}'; then
    # pg_ctlcluster works with or without systemd; `service` is the fallback of old setups.
    quiet as_root pg_ctlcluster "$version" main start \
        || quiet as_root service postgresql start \
        || fail "could not start PostgreSQL $version (see its log under /var/log/postgresql)"
fi

for _ in $(seq "$WAIT_S"); do
    if pg_isready -q -h 127.0.0.1 -p "$port"; then
        break
    fi
    sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$port" \
    || fail "the server did not accept connections on 127.0.0.1:$port within $WAIT_S s"

# Role and database, created only when absent; the password is (re)set so that the URL works.
quiet as_postgres "psql -X -q -v ON_ERROR_STOP=1 -p $port -d postgres -c \"
DO \\\$\\\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
        CREATE ROLE $ROLE LOGIN;
    END IF;
END \\\$\\\$;
ALTER ROLE $ROLE WITH LOGIN PASSWORD '$PASSWORD';\"" || fail "could not create the role $ROLE"
exists=$(as_postgres "psql -X -qtA -p $port -d postgres -c \
    \"SELECT 1 FROM pg_database WHERE datname = '$DATABASE'\"" </dev/null)
if [ "$exists" != "1" ]; then
    quiet as_postgres "createdb -p $port -O $ROLE $DATABASE" \
        || fail "could not create the database $DATABASE"
fi

echo "STEPFREE_TEST_POSTGRES_URL=postgresql://$ROLE:$PASSWORD@127.0.0.1:$port/$DATABASE"
