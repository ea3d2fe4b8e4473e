#!/usr/bin/env bash
# A real Apache Kafka broker for local work and tests, without Docker: KRaft, one
# node (broker + controller), 127.0.0.1 only, jars from Maven Central.
#
#   deploy/local/kafka.sh start     resolve jars if needed, format once, start, wait until it answers
#   deploy/local/kafka.sh stop      controlled shutdown (SIGTERM, SIGKILL after 30 s)
#   deploy/local/kafka.sh restart   stop then start; data is kept
#   deploy/local/kafka.sh status    exit 0 when running and answering, 3 when stopped, 1 otherwise
#   deploy/local/kafka.sh kill      SIGKILL, as in a crash (fault tests); start recovers
#   deploy/local/kafka.sh reset     stop and delete all topics and data (jars are kept)
#   deploy/local/kafka.sh jars      only resolve the jars
#
# State lives in $HEARTH_RUN_DIR/kafka (default <repo>/.run/kafka); ports come from
# HEARTH_KAFKA_PORT (19092) and HEARTH_KAFKA_CONTROLLER_PORT (19093).
set -euo pipefail

HEARTH_COMPONENT=kafka
# shellcheck source=deploy/local/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

KAFKA_HOME="$RUN_DIR/kafka"
LIBS="$KAFKA_HOME/libs"
DATA="$KAFKA_HOME/data"
PID_FILE="$KAFKA_HOME/kafka.pid"
CONFIG="$KAFKA_HOME/server.properties"
LOG4J="$KAFKA_HOME/log4j.properties"
SERVER_LOG="$KAFKA_HOME/server.log"
CONSOLE_LOG="$KAFKA_HOME/console.log"
POM="$HEARTH_LOCAL/kafka/pom.xml"
STOP_TIMEOUT="${HEARTH_KAFKA_STOP_TIMEOUT:-30}"
START_TIMEOUT="${HEARTH_KAFKA_START_TIMEOUT:-60}"
mkdir -p "$KAFKA_HOME"

# The command line identifies our broker, so a recycled pid is never mistaken for it.
broker_pid() {
  local pid
  pid="$(read_pid "$PID_FILE")"
  if pid_matches "$pid" "kafka.Kafka $CONFIG"; then echo "$pid"; fi
}

kafka_version() {
  local jar
  jar="$(find "$LIBS" -maxdepth 1 -name 'kafka_2.13-*.jar' 2>/dev/null | head -n1)"
  jar="${jar##*/kafka_2.13-}"
  echo "${jar%.jar}"
}

require_java() {
  command -v java >/dev/null 2>&1 ||
    die "java not found: install a JDK 17 (Debian: apt-get install -y openjdk-17-jdk-headless)"
  local major
  major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
  [ "${major:-0}" -ge 11 ] || die "Kafka needs Java 11 or later (17 recommended); found '${major:-unknown}'"
}

# Resolve the broker's jars into $LIBS with Maven, once per version of the pom.
ensure_jars() {
  local want have
  want="$(sha256sum "$POM" | cut -c1-16)"
  have="$(cat "$LIBS/.resolved" 2>/dev/null || true)"
  [ "$want" = "$have" ] && return 0
  command -v mvn >/dev/null 2>&1 ||
    die "mvn not found: install Maven (Debian: apt-get install -y maven) to fetch the Kafka jars"
  say "resolving Kafka jars with Maven into $LIBS"
  local started=$SECONDS out="$LIBS"
  # Another version was resolved here before: build the new set aside, then swap.
  [ -n "$have" ] && out="$LIBS.partial" && rm -rf "$out"
  # An absolute output directory: Maven resolves relative ones against the pom's folder.
  # (Debian's Maven 3.8 prints colour codes even in batch mode; drop them.)
  if ! mvn -q -B -f "$POM" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$out" 2>&1 | sed 's/\x1b\[[0-9;]*m//g'; then
    [ "$out" = "$LIBS" ] || rm -rf "$out"
    die "Maven could not resolve the Kafka jars (see output above)"
  fi
  if [ "$out" != "$LIBS" ]; then
    rm -rf "$LIBS"
    mv "$out" "$LIBS"
  fi
  echo "$want" >"$LIBS/.resolved"
  say "$(find "$LIBS" -name '*.jar' | wc -l) jars ready in $((SECONDS - started))s"
}

render() { # template output
  local text
  text="$(<"$1")"
  text="${text//@KAFKA_PORT@/$KAFKA_PORT}"
  text="${text//@CONTROLLER_PORT@/$KAFKA_CONTROLLER_PORT}"
  text="${text//@DATA_DIR@/$DATA}"
  text="${text//@LOG_FILE@/$SERVER_LOG}"
  printf '%s\n' "$text" >"$2.tmp"
  mv "$2.tmp" "$2"
}

format_storage_once() {
  [ -f "$DATA/meta.properties" ] && return 0
  local cluster_id
  mkdir -p "$DATA"
  cluster_id="$(java -Dlog4j.configuration="file:$LOG4J" -cp "$LIBS/*" kafka.tools.StorageTool random-uuid 2>>"$CONSOLE_LOG")"
  say "formatting new storage in $DATA (cluster id $cluster_id)"
  java -Dlog4j.configuration="file:$LOG4J" -cp "$LIBS/*" kafka.tools.StorageTool format \
    -t "$cluster_id" -c "$CONFIG" >>"$CONSOLE_LOG" 2>&1 ||
    die "formatting storage failed; see $CONSOLE_LOG"
}

answers() { # timeout-seconds [pid]
  local extra=()
  [ -n "${2:-}" ] && extra=(--pid "$2")
  hearth_python "$HEARTH_LOCAL/wait_kafka.py" "$KAFKA_BOOTSTRAP" --timeout "$1" "${extra[@]}"
}

print_where() {
  say "Kafka $(kafka_version) (KRaft) on $KAFKA_BOOTSTRAP, controller 127.0.0.1:$KAFKA_CONTROLLER_PORT, pid $1"
  say "data $DATA; logs $SERVER_LOG, $CONSOLE_LOG"
  echo "KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP"
}

start() {
  take_lock "$KAFKA_HOME/.lock"
  local pid
  pid="$(broker_pid)"
  if [ -n "$pid" ]; then
    say "already running (pid $pid)"
    answers "$START_TIMEOUT" "$pid" >/dev/null || die "pid $pid is running but $KAFKA_BOOTSTRAP does not answer"
    print_where "$pid"
    return 0
  fi
  rm -f "$PID_FILE"
  # A broker someone started by other means: use it, but never stop or reset it.
  if port_in_use "$KAFKA_PORT" && answers 5 >/dev/null 2>&1; then
    say "already running (unmanaged): a broker this script did not start answers on $KAFKA_BOOTSTRAP"
    echo "KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP"
    return 0
  fi
  require_java
  ensure_jars
  local port
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if port_in_use "$port"; then
      die "127.0.0.1:$port is already taken by another process (not this run directory's broker); choose other ports with HEARTH_KAFKA_PORT / HEARTH_KAFKA_CONTROLLER_PORT"
    fi
  done
  render "$HEARTH_LOCAL/kafka/server.properties.in" "$CONFIG"
  render "$HEARTH_LOCAL/kafka/log4j.properties.in" "$LOG4J"
  format_storage_once

  local started=$SECONDS
  echo "--- $(date -Is) start" >>"$CONSOLE_LOG"
  # setsid: the broker outlives the shell (and a Ctrl-C in it); the inner shell
  # records its own pid and then becomes java, so the pid file names the broker.
  # shellcheck disable=SC2016  # $$ and $1 belong to the inner shell
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PID_FILE" \
    java -Xms256m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true -Dlog4j.configuration="file:$LOG4J" \
    -cp "$LIBS/*" kafka.Kafka "$CONFIG" \
    </dev/null >>"$CONSOLE_LOG" 2>&1 9>&- &
  for _ in $(seq 50); do
    pid="$(broker_pid)"
    [ -n "$pid" ] && break
    sleep 0.1
  done
  [ -n "$pid" ] || die "the broker did not start; see $CONSOLE_LOG"

  if ! answers "$START_TIMEOUT" "$pid" >/dev/null; then
    warn "the broker did not answer on $KAFKA_BOOTSTRAP within ${START_TIMEOUT}s; last log lines:"
    tail -n 30 "$SERVER_LOG" "$CONSOLE_LOG" >&2 2>/dev/null || true
    if alive "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      wait_exit "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$PID_FILE"
    exit 1
  fi
  say "started in $((SECONDS - started))s"
  print_where "$pid"
}

stop() {
  take_lock "$KAFKA_HOME/.lock"
  local pid
  pid="$(broker_pid)"
  if [ -z "$pid" ]; then
    rm -f "$PID_FILE"
    say "not running"
    return 0
  fi
  say "stopping (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_exit "$pid" "$STOP_TIMEOUT"; then
    warn "no controlled shutdown within ${STOP_TIMEOUT}s; killing pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
    wait_exit "$pid" 10 || die "pid $pid survived SIGKILL"
  fi
  rm -f "$PID_FILE"
  say "stopped"
}

crash() {
  take_lock "$KAFKA_HOME/.lock"
  local pid
  pid="$(broker_pid)"
  if [ -z "$pid" ]; then
    say "not running"
    return 0
  fi
  kill -KILL "$pid" 2>/dev/null || true
  wait_exit "$pid" 10 || die "pid $pid survived SIGKILL"
  rm -f "$PID_FILE"
  say "killed (pid $pid)"
}

status() {
  local pid
  pid="$(broker_pid)"
  if [ -z "$pid" ]; then
    if port_in_use "$KAFKA_PORT"; then
      say "not running from $KAFKA_HOME, but another process listens on $KAFKA_BOOTSTRAP"
    else
      say "stopped"
    fi
    return 3
  fi
  if answers 10 "$pid" >/dev/null; then
    say "running (pid $pid) and answering on $KAFKA_BOOTSTRAP"
    return 0
  fi
  say "running (pid $pid) but not answering on $KAFKA_BOOTSTRAP"
  return 1
}

reset() {
  stop
  say "deleting topics and data under $KAFKA_HOME (jars kept)"
  rm -rf "$DATA" "$CONFIG" "$LOG4J" "$SERVER_LOG"* "$CONSOLE_LOG"
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
  jars)
    require_java
    ensure_jars
    ;;
  *)
    echo "usage: $0 {start|stop|restart|status|kill|reset|jars}" >&2
    exit 2
    ;;
esac
