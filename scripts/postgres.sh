#!/usr/bin/env bash
# scripts/postgres.sh -- a PostgreSQL database for the tests and the production-like run.
#
#   scripts/postgres.sh start DBNAME   start the Debian cluster if needed (installing PostgreSQL
#                                      if absent), create role `inventory` and DBNAME (idempotent);
#                                      prints the DATABASE_URL
#   scripts/postgres.sh drop DBNAME    drop DBNAME
#
# Uses the same cluster as ../shared/ckan/ckan-local.sh (127.0.0.1:5432); never stops it.
set -euo pipefail
PGUSER_NAME="${INVENTORY_PG_USER:-inventory}"
PGPASS="${INVENTORY_PG_PASSWORD:-inventory-test-pass}"
log() { printf '[postgres] %s\n' "$*" >&2; }
as_postgres() { (cd / && runuser -u postgres -- "$@"); }
psql_q() { as_postgres psql -XAtq "$@"; }

ensure_installed() {
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    log "installing PostgreSQL (apt)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql postgresql-contrib >/dev/null
  fi
}

ensure_running() {
  local line ver cluster status
  line="$(pg_lsclusters -h 2>/dev/null | head -1 || true)"
  if [ -z "$line" ]; then
    ver="$(ls /usr/lib/postgresql | sort -V | tail -1)"
    log "creating cluster $ver/main"
    pg_createcluster "$ver" main >/dev/null
    line="$(pg_lsclusters -h | head -1)"
  fi
  read -r ver cluster _ status _ <<<"$line"
  if [ "$status" != "online" ]; then
    log "starting PostgreSQL $ver/$cluster"
    pg_ctlcluster "$ver" "$cluster" start
  fi
  for _ in $(seq 1 60); do as_postgres pg_isready -q -h 127.0.0.1 && return 0; sleep 0.5; done
  log "PostgreSQL did not become ready"; exit 1
}

cmd_start() {
  local db="$1"
  # Only the URL goes to stdout (the Makefile captures it): everything the tools print while
  # installing, creating or starting the cluster goes to stderr.
  exec 3>&1 1>&2
  ensure_installed
  ensure_running
  if [ "$(psql_q -c "SELECT 1 FROM pg_roles WHERE rolname='$PGUSER_NAME'")" != 1 ]; then
    psql_q -c "CREATE ROLE $PGUSER_NAME LOGIN CREATEDB PASSWORD '$PGPASS'"
  fi
  if [ "$(psql_q -c "SELECT 1 FROM pg_database WHERE datname='$db'")" != 1 ]; then
    as_postgres createdb -O "$PGUSER_NAME" -E utf-8 -T template0 "$db"
  fi
  # pg_trgm serves the Arabic-aware search on PostgreSQL; created by a superuser once.
  psql_q -d "$db" -c "CREATE EXTENSION IF NOT EXISTS pg_trgm" >/dev/null
  echo "postgresql://$PGUSER_NAME:$PGPASS@127.0.0.1:5432/$db" >&3
}

cmd_drop() {
  ensure_running
  as_postgres dropdb --if-exists "$1"
}

case "${1:-}" in
  start) cmd_start "${2:?database name}" ;;
  drop) cmd_drop "${2:?database name}" ;;
  *) echo "usage: $0 {start|drop} DBNAME" >&2; exit 2 ;;
esac
