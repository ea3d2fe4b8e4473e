# Shared settings and helpers for the local, Docker-free stack. Sourced, not run.
#
# Everything can be moved with environment variables so that two stacks can live
# side by side on one machine:
#   HEARTH_RUN_DIR                 state directory (default: <repo>/.run)
#   HEARTH_KAFKA_PORT              Kafka client listener (default 19092)
#   HEARTH_KAFKA_CONTROLLER_PORT   KRaft controller listener (default 19093)
#   HEARTH_PG_PORT                 PostgreSQL (default 15432)
#   HEARTH_HTTP_PORT_BASE          services listen on BASE+1 .. BASE+5 (default 8100)
# shellcheck disable=SC2034  # the variables below are used by the scripts that source this

HEARTH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
HEARTH_LOCAL="$HEARTH_ROOT/deploy/local"

RUN_DIR="${HEARTH_RUN_DIR:-$HEARTH_ROOT/.run}"
mkdir -p "$RUN_DIR"
RUN_DIR="$(cd "$RUN_DIR" && pwd -P)"

KAFKA_PORT="${HEARTH_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${HEARTH_KAFKA_CONTROLLER_PORT:-19093}"
PG_PORT="${HEARTH_PG_PORT:-15432}"
HTTP_PORT_BASE="${HEARTH_HTTP_PORT_BASE:-8100}"

KAFKA_BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
DATABASE_URL_LOCAL="postgresql://hearth@127.0.0.1:$PG_PORT/hearth"

# uv may have been installed with `pip install --user`.
case ":$PATH:" in
  *":$HOME/.local/bin:"*) ;;
  *) PATH="$HOME/.local/bin:$PATH" ;;
esac
export PATH

say() { printf '[%s] %s\n' "${HEARTH_COMPONENT:-hearth}" "$*"; }
warn() { printf '[%s] %s\n' "${HEARTH_COMPONENT:-hearth}" "$*" >&2; }
die() {
  warn "error: $*"
  exit 1
}

# Run Python in the workspace environment.
hearth_python() {
  if command -v uv >/dev/null 2>&1 && [ -d "$HEARTH_ROOT/.venv" ]; then
    uv run --no-sync --project "$HEARTH_ROOT" python "$@"
  elif [ -x "$HEARTH_ROOT/.venv/bin/python" ]; then
    "$HEARTH_ROOT/.venv/bin/python" "$@"
  else
    die "no workspace environment: run deploy/local/bootstrap.sh first"
  fi
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True when $1 is a live process whose command line contains $2.
pid_matches() {
  local pid="$1" needle="$2"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$needle"
}

read_pid() {
  [ -f "$1" ] && tr -dc '0-9' <"$1" || true
}

# True while process $1 exists and has not exited (a zombie waiting for its
# parent to reap it has exited).
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [ "${stat:0:1}" != Z ]
}

# Wait up to $2 seconds for process $1 to exit.
wait_exit() {
  local pid="$1" deadline=$((SECONDS + $2))
  while alive "$pid"; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.2
  done
  return 0
}

# Serialise start/stop/reset of one component (fd 9 must not leak to servers).
take_lock() {
  exec 9>"$1"
  flock 9
}

# Install Debian packages, running `apt-get update` only when the package lists
# do not know them yet (or an install fails on stale lists).
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install $* with your package manager"
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "installing $* needs root (or sudo)"
    sudo=(sudo)
  fi
  local pkg need_update=0
  for pkg in "$@"; do
    apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [^(]' || need_update=1
  done
  if [ "$need_update" = 1 ]; then
    say "apt-get update"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  fi
  say "apt-get install $*"
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; then
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
  fi
}

# The newest installed PostgreSQL server binaries (Debian layout), or nothing.
find_pg_bin() {
  if [ -n "${HEARTH_PG_BIN:-}" ]; then
    echo "$HEARTH_PG_BIN"
    return 0
  fi
  local initdb
  initdb="$(find /usr/lib/postgresql -maxdepth 3 -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n1)"
  [ -n "$initdb" ] && dirname "$initdb"
  return 0
}
