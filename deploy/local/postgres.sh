#!/usr/bin/env bash
# A real PostgreSQL server for local work and tests, without Docker: Debian's
# packaged binaries, one cluster on 127.0.0.1, trust authentication, user `hearth`,
# database `hearth`.
#
#   deploy/local/postgres.sh start    install the server if missing, initdb once, start, create the database
#   deploy/local/postgres.sh stop     fast shutdown (pg_ctl stop -m fast)
#   deploy/local/postgres.sh restart  stop then start; data is kept
#   deploy/local/postgres.sh status   exit 0 when running and accepting connections, 3 when stopped, 1 otherwise
#   deploy/local/postgres.sh kill     immediate shutdown, as in a crash (fault tests); start recovers
#   deploy/local/postgres.sh reset    stop and delete the cluster
#
# The cluster lives in $HEARTH_RUN_DIR/pg/data (default <repo>/.run/pg/data); the
# port comes from HEARTH_PG_PORT (15432). initdb refuses to run as root, so as root
# the server runs as the `postgres` user.
#
# The server's own log never holds personal data: a refused statement is logged by its
# error message alone (log_error_verbosity=terse drops DETAIL and CONTEXT, which quote
# the values, e.g. "JSON data, line 1: ... "name": ..."), never with the statement or
# its parameters (log_min_error_statement=panic, log_parameter_max_length*=0). The same
# settings are required in production: deploy/k8s/README.md.
set -euo pipefail

HEARTH_COMPONENT=postgres
# shellcheck source=deploy/local/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

AS_ROOT=0
[ "$(id -u)" = 0 ] && AS_ROOT=1
LOCK_FILE="$RUN_DIR/.postgres.lock"
LOCATION_NOTE="$RUN_DIR/pg.location"

# Run a command as the cluster's owner.
as_owner() {
  if [ "$AS_ROOT" = 1 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# The cluster directory: under the run directory when the postgres user can reach
# it, otherwise (e.g. a repository under a private home directory) under /var/tmp.
choose_pg_home() {
  PG_HOME="$RUN_DIR/pg"
  if [ "$AS_ROOT" = 1 ]; then
    id postgres >/dev/null 2>&1 || die "no 'postgres' user: is Debian's postgresql package installed?"
    mkdir -p "$PG_HOME"
    chown postgres "$PG_HOME"
    if ! runuser -u postgres -- test -x "$PG_HOME" -a -w "$PG_HOME" 2>/dev/null; then
      local hash
      hash="$(printf '%s' "$RUN_DIR" | sha256sum | cut -c1-12)"
      PG_HOME="/var/tmp/hearth-pg-$hash"
      mkdir -p "$PG_HOME"
      chown postgres "$PG_HOME"
      chmod 700 "$PG_HOME"
      echo "$PG_HOME" >"$LOCATION_NOTE"
      if [ "${1:-}" = explain ]; then
        say "the postgres user cannot reach $RUN_DIR (a parent directory is closed to it);"
        say "the cluster lives in $PG_HOME instead"
      fi
    else
      rm -f "$LOCATION_NOTE"
    fi
  else
    mkdir -p "$PG_HOME"
  fi
  DATA="$PG_HOME/data"
  SERVER_LOG="$DATA/server.log"
}

ensure_binaries() {
  PG_BIN="$(find_pg_bin)"
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    say "PostgreSQL server binaries not found; installing Debian's postgresql package"
    apt_install postgresql
    PG_BIN="$(find_pg_bin)"
    [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || die "postgresql installed but no initdb under /usr/lib/postgresql"
  fi
}

is_running() {
  [ -f "$DATA/PG_VERSION" ] && as_owner "$PG_BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1
}

# The port a running cluster listens on (line 4 of postmaster.pid).
running_port() {
  sed -n 4p "$DATA/postmaster.pid" 2>/dev/null || true
}

accepting() {
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U hearth -d postgres -t "${1:-5}"
}

ensure_database() {
  local exists
  exists="$("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U hearth -d postgres -Atqc \
    "select 1 from pg_database where datname = 'hearth'")"
  if [ "$exists" != 1 ]; then
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U hearth hearth
    say "created database hearth"
  fi
}

print_where() {
  local version
  version="$("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U hearth -d postgres -Atqc 'show server_version' 2>/dev/null || echo '?')"
  say "PostgreSQL $version on 127.0.0.1:$PG_PORT (socket in /tmp), data $DATA, log $SERVER_LOG"
  echo "DATABASE_URL=$DATABASE_URL_LOCAL"
}

# Server options: where it listens, and a log without personal data (see the top).
SERVER_OPTIONS=(
  -c listen_addresses=127.0.0.1
  -c max_connections=200
  -c log_error_verbosity=terse
  -c log_min_error_statement=panic
  -c log_parameter_max_length=0
  -c log_parameter_max_length_on_error=0
  -c log_statement=none
)

# A server started before these options existed keeps its old log settings until restarted.
warn_unless_log_is_terse() {
  local settings
  settings="$("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U hearth -d postgres -Atqc \
    "select current_setting('log_error_verbosity') || ' ' || current_setting('log_min_error_statement')" \
    2>/dev/null || true)"
  if [ "$settings" != "terse panic" ]; then
    warn "the running server may write statements and their details into its log" \
      "(log_error_verbosity log_min_error_statement: ${settings:-unknown});" \
      "restart it (deploy/local/postgres.sh restart) so that its log holds no personal data"
  fi
}

init_cluster_once() {
  [ -f "$DATA/PG_VERSION" ] && return 0
  say "initdb $DATA (user hearth, trust authentication on 127.0.0.1)"
  rm -rf "$DATA"
  as_owner mkdir -p "$DATA"
  as_owner "$PG_BIN/initdb" -D "$DATA" -A trust -U hearth -E UTF8 --no-locale >"$PG_HOME/initdb.log" 2>&1 ||
    {
      cat "$PG_HOME/initdb.log" >&2
      die "initdb failed"
    }
}

start() {
  take_lock "$LOCK_FILE"
  ensure_binaries
  choose_pg_home explain
  if is_running; then
    local port
    port="$(running_port)"
    [ "$port" = "$PG_PORT" ] ||
      die "the cluster in $DATA is running on port $port, not $PG_PORT; stop it first"
    say "already running"
    accepting 30 || die "running but not accepting connections on 127.0.0.1:$PG_PORT"
    ensure_database
    warn_unless_log_is_terse
    print_where
    return 0
  fi
  if port_in_use "$PG_PORT"; then
    # A server someone started by other means: use it, but never stop or reset it.
    if accepting 5 && ensure_database 2>/dev/null; then
      say "already running (unmanaged): a server this script did not start answers on 127.0.0.1:$PG_PORT"
      warn_unless_log_is_terse
      echo "DATABASE_URL=$DATABASE_URL_LOCAL"
      return 0
    fi
    die "127.0.0.1:$PG_PORT is already taken by another process; choose another port with HEARTH_PG_PORT"
  fi
  init_cluster_once
  local started=$SECONDS
  as_owner "$PG_BIN/pg_ctl" -D "$DATA" -w -t 60 -l "$SERVER_LOG" \
    -o "-p $PG_PORT -k /tmp ${SERVER_OPTIONS[*]}" \
    start >/dev/null 9>&- || {
    warn "PostgreSQL did not start; last log lines:"
    tail -n 30 "$SERVER_LOG" >&2 || true
    exit 1
  }
  accepting 30 || die "started but not accepting connections on 127.0.0.1:$PG_PORT"
  ensure_database
  say "started in $((SECONDS - started))s"
  print_where
}

# For stop/kill/reset: without server binaries nothing can be running.
installed_or_return() {
  PG_BIN="$(find_pg_bin)"
  [ -n "$PG_BIN" ] && [ -x "$PG_BIN/pg_ctl" ]
}

stop() {
  take_lock "$LOCK_FILE"
  if ! installed_or_return; then
    say "not installed, not running"
    return 0
  fi
  choose_pg_home
  if ! is_running; then
    say "not running"
    return 0
  fi
  as_owner "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null
  say "stopped"
}

crash() {
  take_lock "$LOCK_FILE"
  if ! installed_or_return; then
    say "not installed, not running"
    return 0
  fi
  choose_pg_home
  if ! is_running; then
    say "not running"
    return 0
  fi
  as_owner "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w -t 60 stop >/dev/null
  say "killed (immediate shutdown; the next start recovers from the WAL)"
}

status() {
  PG_BIN="$(find_pg_bin)"
  [ -n "$PG_BIN" ] || {
    say "not installed"
    return 3
  }
  choose_pg_home
  if ! is_running; then
    say "stopped"
    return 3
  fi
  if accepting 5; then
    say "running (port $(running_port)) and accepting connections; $DATABASE_URL_LOCAL"
    return 0
  fi
  say "running (port $(running_port)) but not accepting connections on 127.0.0.1:$PG_PORT"
  return 1
}

reset() {
  stop
  installed_or_return || return 0
  [ -n "${PG_HOME:-}" ] || choose_pg_home
  say "deleting the cluster in $DATA"
  if [ "$PG_HOME" = "$RUN_DIR/pg" ]; then
    rm -rf "$DATA" "$PG_HOME/initdb.log"
  else
    rm -rf "$PG_HOME" "$LOCATION_NOTE"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart)
    "$0" stop
    "$0" start
    ;;
  status) status ;;
  kill) crash ;;
  reset) reset ;;
  *)
    echo "usage: $0 {start|stop|restart|status|kill|reset}" >&2
    exit 2
    ;;
esac
