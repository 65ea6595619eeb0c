#!/usr/bin/env bash
# scripts/prod-local.sh -- run the application the production way on this machine:
# PostgreSQL + gunicorn (several workers) + Redis-backed `inventory worker`, for load tests and
# rehearsals. Configuration only from the environment, as in production.
#
#   PROD_PORT (8000)  PROD_WORKERS (one per core)  PROD_DB (inventory_prod)
#   PROD_REDIS_PORT (6379)  CKAN_URL / CKAN_API_TOKEN (optional: publishing)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT="${PROD_PORT:-8000}"
WORKERS="${PROD_WORKERS:-$(nproc)}"
REDIS_PORT="${PROD_REDIS_PORT:-6379}"
log() { printf '[prod] %s\n' "$*" >&2; }

export DATABASE_URL="${DATABASE_URL:-$(scripts/postgres.sh start "${PROD_DB:-inventory_prod}")}"
export QUEUE_URL="${QUEUE_URL:-redis://127.0.0.1:$REDIS_PORT/2}"
export SECRET_KEY="${SECRET_KEY:-$(python3 -c 'import secrets; print(secrets.token_hex(32))')}"
export LOG_FORMAT="${LOG_FORMAT:-json}"
export INSTANCE_PATH="${INSTANCE_PATH:-$PWD/instance/prod}"
mkdir -p "$INSTANCE_PATH"

if [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null || true)" != PONG ]; then
  log "starting redis on 127.0.0.1:$REDIS_PORT"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" \
    --appendonly no --logfile "$INSTANCE_PATH/redis.log"
fi

log "migrating ${DATABASE_URL%%\?*}"
$BIN/inventory db upgrade
$BIN/inventory demo load --only-if-empty >/dev/null

log "starting one job worker (QUEUE_URL=$QUEUE_URL)"
$BIN/inventory worker &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM

log "gunicorn: $WORKERS workers on http://127.0.0.1:$PORT (Ctrl-C to stop)"
$BIN/gunicorn --workers "$WORKERS" --bind "127.0.0.1:$PORT" --timeout 120 \
  --access-logfile - --forwarded-allow-ips 127.0.0.1 wsgi:app
