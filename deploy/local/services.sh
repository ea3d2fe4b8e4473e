#!/usr/bin/env bash
# Run Hearth's five services and the staff web app locally against the local Kafka
# and PostgreSQL.
#
#   deploy/local/services.sh start [name...]   start in the background, wait for /readyz
#   deploy/local/services.sh stop [name...]    SIGTERM, SIGKILL after 20 s
#   deploy/local/services.sh status [name...]  exit 0 when every service answers /readyz
#
# Each runs as `uv run --no-sync python -m hearth.<name>` with HEARTH_HTTP_PORT,
# HEARTH_KAFKA_BOOTSTRAP_SERVERS and HEARTH_DATABASE_URL set; pid files and logs
# are in $HEARTH_RUN_DIR/logs. Ports: intake 8101, cases 8102, risk 8103,
# referrals 8104, reporting 8105, web 8106 (move them all with HEARTH_HTTP_PORT_BASE);
# each service serves /metrics on its port + 1000 (9101, ...), and /docs with
# /openapi.json (HEARTH_API_DOCS=true, for local work only: off by default and in
# production). The web app (hearth.web) calls the others on their ports; when it is
# started, a development account for each staff role is made (once; random passwords
# kept in $HEARTH_RUN_DIR/web-accounts, mode 600) and printed.
set -euo pipefail

HEARTH_COMPONENT=services
# shellcheck source=deploy/local/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ALL_SERVICES=(intake cases risk referrals reporting web)
API_SERVICES=(intake cases risk referrals reporting)
WEB_ACCOUNTS="$RUN_DIR/web-accounts"
LOG_DIR="$RUN_DIR/logs"
READY_TIMEOUT="${HEARTH_READY_TIMEOUT:-60}"
STOP_TIMEOUT="${HEARTH_SERVICE_STOP_TIMEOUT:-20}"
export HEARTH_KAFKA_BOOTSTRAP_SERVERS="${HEARTH_KAFKA_BOOTSTRAP_SERVERS:-$KAFKA_BOOTSTRAP}"
export HEARTH_DATABASE_URL="${HEARTH_DATABASE_URL:-$DATABASE_URL_LOCAL}"
mkdir -p "$LOG_DIR"

port_of() {
  local i
  for i in "${!ALL_SERVICES[@]}"; do
    if [ "${ALL_SERVICES[$i]}" = "$1" ]; then
      echo $((HTTP_PORT_BASE + i + 1))
      return 0
    fi
  done
  die "unknown service '$1' (one of: ${ALL_SERVICES[*]})"
}

pid_file() { echo "$LOG_DIR/$1.pid"; }
log_file() { echo "$LOG_DIR/$1.log"; }

# The process group leader we started for a service, if it is still alive.
service_pid() {
  local pid
  pid="$(read_pid "$(pid_file "$1")")"
  if pid_matches "$pid" "hearth.$1"; then echo "$pid"; fi
}

readyz() { echo "http://127.0.0.1:$(port_of "$1")/readyz"; }

launch() {
  local name="$1" port pid
  port="$(port_of "$name")"
  pid="$(service_pid "$name")"
  if [ -n "$pid" ]; then
    say "$name already running (pid $pid)"
    return 0
  fi
  [ -f "$HEARTH_ROOT/services/$name/src/hearth/$name/__main__.py" ] ||
    die "hearth.$name has no entry point yet (services/$name/src/hearth/$name/__main__.py)"
  port_in_use "$port" && die "127.0.0.1:$port is taken by another process; cannot start $name"
  port_in_use "$((port + 1000))" &&
    die "127.0.0.1:$((port + 1000)) (metrics) is taken by another process; cannot start $name"
  echo "--- $(date -Is) start on port $port" >>"$(log_file "$name")"
  local api web_env=()
  if [ "$name" = web ]; then
    # The staff web app calls each service's API on its local port.
    for api in "${API_SERVICES[@]}"; do
      web_env+=("HEARTH_WEB_${api^^}_URL=http://127.0.0.1:$(port_of "$api")")
    done
  fi
  # A session of its own: `stop` signals the whole group (uv and the Python it runs).
  (
    cd "$HEARTH_ROOT"
    # shellcheck disable=SC2016  # $$ and $1 belong to the inner shell
    env HEARTH_HTTP_PORT="$port" HEARTH_METRICS_PORT="$((port + 1000))" \
      HEARTH_API_DOCS="${HEARTH_API_DOCS:-true}" HEARTH_SERVICE="$name" "${web_env[@]}" \
      setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$(pid_file "$name")" \
      uv run --no-sync python -m "hearth.$name" \
      </dev/null >>"$(log_file "$name")" 2>&1 9>&- &
  )
  for _ in $(seq 50); do
    [ -n "$(read_pid "$(pid_file "$name")")" ] && break
    sleep 0.1
  done
  say "$name starting on 127.0.0.1:$port (pid $(read_pid "$(pid_file "$name")"))"
}

wait_ready() {
  local name="$1" pid
  pid="$(read_pid "$(pid_file "$name")")"
  if ! hearth_python "$HEARTH_LOCAL/wait_http.py" "$(readyz "$name")" \
    --timeout "$READY_TIMEOUT" ${pid:+--pid "$pid"}; then
    warn "$name is not ready; last lines of $(log_file "$name"):"
    tail -n 40 "$(log_file "$name")" >&2 || true
    warn "(stop what was started with: deploy/local/services.sh stop)"
    return 1
  fi
  say "$name ready: http://127.0.0.1:$(port_of "$name")  (log $(log_file "$name"))"
}

start() {
  command -v uv >/dev/null 2>&1 || die "uv not found: run deploy/local/bootstrap.sh first"
  say "Kafka $HEARTH_KAFKA_BOOTSTRAP_SERVERS, database $HEARTH_DATABASE_URL"
  local name failed=0
  for name in "$@"; do launch "$name"; done
  for name in "$@"; do wait_ready "$name" || failed=1; done
  for name in "$@"; do
    if [ "$name" = web ] && [ "$failed" = 0 ]; then dev_accounts || failed=1; fi
  done
  return "$failed"
}

# One staff account per role for local work: made on the first start with random
# passwords, kept in $WEB_ACCOUNTS (mode 600, never in the repository), then reused.
dev_accounts() {
  say "development accounts for the staff web app (kept in $WEB_ACCOUNTS):"
  (
    cd "$HEARTH_ROOT"
    umask 077
    uv run --no-sync python -m hearth.web dev-accounts "$WEB_ACCOUNTS"
  )
}

stop_one() {
  local name="$1" pid
  pid="$(service_pid "$name")"
  if [ -z "$pid" ]; then
    rm -f "$(pid_file "$name")"
    say "$name not running"
    return 0
  fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  if ! wait_exit "$pid" "$STOP_TIMEOUT"; then
    warn "$name did not stop within ${STOP_TIMEOUT}s; killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    wait_exit "$pid" 5 || true
  fi
  rm -f "$(pid_file "$name")"
  say "$name stopped"
}

stop() {
  local name
  for name in "$@"; do stop_one "$name"; done
}

status() {
  local name pid code=0
  for name in "$@"; do
    pid="$(service_pid "$name")"
    if [ -z "$pid" ]; then
      say "$name stopped"
      code=3
    elif hearth_python "$HEARTH_LOCAL/wait_http.py" "$(readyz "$name")" --timeout 3 >/dev/null 2>&1; then
      say "$name ready on http://127.0.0.1:$(port_of "$name") (pid $pid)"
    else
      say "$name running (pid $pid) but /readyz does not answer 200"
      [ "$code" = 0 ] && code=1
    fi
  done
  return "$code"
}

command="${1:-}"
[ $# -gt 0 ] && shift
names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${ALL_SERVICES[@]}")
for name in "${names[@]}"; do port_of "$name" >/dev/null; done

case "$command" in
  start) start "${names[@]}" ;;
  stop) stop "${names[@]}" ;;
  restart)
    stop "${names[@]}"
    start "${names[@]}"
    ;;
  status) status "${names[@]}" ;;
  *)
    echo "usage: $0 {start|stop|restart|status} [${ALL_SERVICES[*]}]" >&2
    exit 2
    ;;
esac
