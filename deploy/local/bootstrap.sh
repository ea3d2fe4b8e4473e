#!/usr/bin/env bash
# Prepare this machine for `make up` and `make test`; safe to run again and quick
# when everything is already there.
#
#   - Debian packages: the PostgreSQL server (when /usr/lib/postgresql/*/bin/initdb
#     is missing) and Chromium for browser tests (when /usr/bin/chromium is
#     missing; skip with HEARTH_SKIP_CHROMIUM=1)
#   - uv (pip install --user uv when missing) and the workspace environment
#     (uv sync --frozen against uv.lock)
#   - Java 17 and Maven (checked, not installed), then the Kafka broker's jars
set -euo pipefail

HEARTH_COMPONENT=bootstrap
# shellcheck source=deploy/local/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
started=$SECONDS

ensure_debian_packages() {
  local missing=()
  if [ -z "$(find_pg_bin)" ]; then missing+=(postgresql); fi
  if [ "${HEARTH_SKIP_CHROMIUM:-0}" != 1 ] && [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi
  [ ${#missing[@]} -eq 0 ] && return 0
  apt_install "${missing[@]}"
}

ensure_uv() {
  command -v uv >/dev/null 2>&1 && return 0
  local python uv_bin
  python="$(command -v python3.11 || command -v python3 || true)"
  [ -n "$python" ] || die "no python3 found: Hearth needs Python 3.11"
  if ! "$python" -c 'import uv' >/dev/null 2>&1; then
    say "installing uv with pip"
    "$python" -m pip install --quiet --user uv ||
      "$python" -m pip install --quiet uv ||
      "$python" -m pip install --quiet --user --break-system-packages uv ||
      die "could not install uv with pip"
  fi
  # Wherever pip put the binary, make it reachable as ~/.local/bin/uv.
  uv_bin="$("$python" -c 'import uv; print(uv.find_uv_bin())')" || die "uv installed but its binary was not found"
  mkdir -p "$HOME/.local/bin"
  [ "$uv_bin" = "$HOME/.local/bin/uv" ] || ln -sf "$uv_bin" "$HOME/.local/bin/uv"
  hash -r
  command -v uv >/dev/null 2>&1 || die "uv is not on PATH (expected $HOME/.local/bin/uv)"
  say "uv ready: $(uv --version)"
}

sync_environment() {
  cd "$HEARTH_ROOT"
  if [ -f uv.lock ]; then
    uv sync --frozen
  else
    say "no uv.lock yet: resolving the workspace (uv sync)"
    uv sync
  fi
}

check_java_and_maven() {
  local major
  command -v java >/dev/null 2>&1 ||
    die "java not found: the local Kafka broker needs Java 17 (Debian: apt-get install -y openjdk-17-jdk-headless)"
  major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
  [ "${major:-0}" -ge 17 ] ||
    die "found Java ${major:-unknown}; the local Kafka broker wants Java 17 (Debian: apt-get install -y openjdk-17-jdk-headless)"
  if [ ! -f "$RUN_DIR/kafka/libs/.resolved" ]; then
    command -v mvn >/dev/null 2>&1 ||
      die "mvn not found: Maven fetches the Kafka broker's jars (Debian: apt-get install -y maven)"
  fi
}

ensure_debian_packages
ensure_uv
sync_environment
check_java_and_maven
"$HEARTH_LOCAL/kafka.sh" jars
say "ready in $((SECONDS - started))s ($(uv --version), Java $(java -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1), PostgreSQL $(basename "$(dirname "$(find_pg_bin)")"))"
