#!/usr/bin/env bash
# ckan-services.sh -- the project's test CKAN: ../shared/ckan/ckan-local.sh made multilingual
# the way national portals are (ckanext-scheming + fluent fields + ckanext-dcat's DCAT-AP schema).
#
#   ckan-services.sh start         install (idempotent) + extensions + config, then start; restarts
#                                  a running server only when its plugins or settings changed
#   ckan-services.sh reset         the same on an empty portal (drops CKAN's database)
#   ckan-services.sh stop|env|token|status   passed to ckan-local.sh with the same settings
#   ckan-services.sh instance-env  prints `export CKAN_LOCAL_HOME=... CKAN_PORT=...` of this
#                                  instance (make services puts it into .ckan-env so the tests
#                                  stop and start the very instance they test)
#
# Every ckan-local.sh setting is honoured (CKAN_LOCAL_HOME, CKAN_PORT, CKAN_DB_NAME, CKAN_DB_USER,
# CKAN_DB_PASS, CKAN_REDIS_PORT...): a second instance never touches the default one.
# Extras: CKAN_LANGUAGES ("ar fr en"), SCHEMING_VERSION (3.1.0).
#
# Fluent: the ckanext-fluent on PyPI (1.0.0, 2015) is Python 2 code that cannot load in CKAN
# 2.12, and the maintained one installs only from git; scripts/ckan/ckan_fluent_local is a
# small stand-in with the same plugin, validator and preset names (see its docstring).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOCAL="${CKAN_LOCAL_SH:-$HERE/../../shared/ckan/ckan-local.sh}"
HOME_DIR="${CKAN_LOCAL_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/ckan-local}"
PORT="${CKAN_PORT:-5050}"
VENV="$HOME_DIR/venv"
INI="$HOME_DIR/ckan.ini"
RUN="$HOME_DIR/run"
SCHEMA="$HOME_DIR/dcat_ap_multilingual_portal.yaml"
STATE="$RUN/ckan-services.state"        # "<server pid> <settings hash>" of the server we started
STAMP="$VENV/.ckan-services-installed"
SCHEMING_VERSION="${SCHEMING_VERSION:-3.1.0}"
LANGUAGES="${CKAN_LANGUAGES:-ar fr en}"
FLUENT_SRC="$HERE/ckan/ckan_fluent_local"
SCHEMA_SRC="$HERE/ckan/portal_schema.py"

EXTRA="${CKAN_EXTRA_PLUGINS:-}"
for plugin in scheming_datasets fluent; do
  case " $EXTRA " in *" $plugin "*) ;; *) EXTRA="${EXTRA:+$EXTRA }$plugin" ;; esac
done
export CKAN_EXTRA_PLUGINS="$EXTRA"

# euro_dcat_ap_3 (ckanext-dcat's default) reads scheming fields itself: adding
# euro_dcat_ap_scheming would emit contact points and periods twice.
SETTINGS=(
  "ckanext.dcat.rdf.profiles=euro_dcat_ap_3"
  "scheming.dataset_schemas=file://$SCHEMA"
  "scheming.presets=ckanext.scheming:presets.json ckanext.dcat.schemas:presets.yaml ckan_fluent_local:presets.json"
  "ckan.locales_offered=$LANGUAGES"
)

log() { printf '[ckan-services] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
[ -x "$LOCAL" ] || die "ckan-local.sh not found at $LOCAL (set CKAN_LOCAL_SH)"

sources_hash() {
  cat "$FLUENT_SRC"/* "$SCHEMA_SRC" | sha256sum | cut -c1-16
}

install_extensions() {
  "$LOCAL" install
  local want; want="ckanext-scheming==$SCHEMING_VERSION fluent-local $(sources_hash)"
  if [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ]; then return 0; fi
  local t0=$SECONDS build; build="$(mktemp -d)"
  log "pip install ckanext-scheming==$SCHEMING_VERSION + the local fluent plugin into $VENV"
  cp -r "$FLUENT_SRC" "$build/"
  cat >"$build/pyproject.toml" <<'EOF'
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"
[project]
name = "ckan-fluent-local"
version = "0.1.0"
description = "ckanext-fluent's validators and presets for the local test CKAN (Python 3)"
[tool.setuptools]
packages = ["ckan_fluent_local"]
[tool.setuptools.package-data]
ckan_fluent_local = ["presets.json"]
[project.entry-points."ckan.plugins"]
fluent = "ckan_fluent_local:FluentPlugin"
EOF
  "$VENV/bin/pip" install -q "ckanext-scheming==$SCHEMING_VERSION"
  "$VENV/bin/pip" install -q --no-build-isolation --no-deps --force-reinstall "$build"
  rm -rf "$build"
  echo "$want" >"$STAMP"
  log "extensions installed in $((SECONDS - t0)) s"
}

settings_hash() {
  printf '%s\n' "$CKAN_EXTRA_PLUGINS" "${SETTINGS[@]}" "$(cat "$STAMP")" | sha256sum | cut -c1-16
}

server_pid() {  # the pid of this instance's running CKAN server, if any
  local pid; pid="$(cat "$RUN/ckan.pid" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null \
      && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$INI"; then
    echo "$pid"
  fi
}

stop_server() {  # only the CKAN server process (its database and Redis keep running)
  local pid=$1
  log "restarting CKAN (pid $pid): its plugins or settings changed"
  kill -TERM "$pid"
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  for _ in $(seq 1 40); do
    curl -s -m 1 -o /dev/null "http://127.0.0.1:$PORT/" || return 0
    sleep 0.25
  done
  die "port $PORT still answers after stopping CKAN"
}

configure() {
  mkdir -p "$RUN"
  [ -f "$INI" ] || "$VENV/bin/ckan" generate config "$INI" >/dev/null
  # shellcheck disable=SC2086
  (cd "$HOME_DIR" && "$VENV/bin/python" "$SCHEMA_SRC" "$SCHEMA" $LANGUAGES)
  "$VENV/bin/ckan" config-tool "$INI" "${SETTINGS[@]}" >/dev/null
}

record_state() {
  local pid; pid="$(server_pid)"
  [ -n "$pid" ] || die "CKAN is not running after start (see $RUN/ckan.log)"
  echo "$pid $(settings_hash)" >"$STATE"
}

cmd_start() {
  install_extensions
  local pid; pid="$(server_pid)"
  if [ -n "$pid" ] && [ "$(cat "$STATE" 2>/dev/null)" = "$pid $(settings_hash)" ]; then
    "$LOCAL" start
    return 0
  fi
  [ -n "$pid" ] && stop_server "$pid"
  configure
  "$LOCAL" start
  record_state
}

cmd_reset() {
  install_extensions
  configure
  "$LOCAL" reset
  record_state
}

cmd_instance_env() {
  local line="export CKAN_LOCAL_HOME=$HOME_DIR CKAN_PORT=$PORT"
  local var
  for var in CKAN_DB_NAME CKAN_DB_USER CKAN_DB_PASS CKAN_REDIS_PORT CKAN_LANGUAGES; do
    if [ -n "${!var:-}" ]; then line+=" $var=${!var}"; fi
  done
  echo "$line"
}

case "${1:-}" in
  start) cmd_start ;;
  reset) cmd_reset ;;
  stop|env|token|status) "$LOCAL" "$1" ;;
  instance-env) cmd_instance_env ;;
  *) echo "usage: $0 {start|reset|stop|env|token|status|instance-env}" >&2; exit 2 ;;
esac
