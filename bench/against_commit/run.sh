#!/usr/bin/env bash
# The event store's append and relay rates at another commit and at this tree, measured
# with one harness (rates.py) in alternating runs, and the ratio of their medians.
#
#   bench/against_commit/run.sh <commit> [runs]     (default 6 runs of each)
#
# For issue 12's figure "within 15% of before encryption": the commit before encryption
# is 54f578e. Servers: KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL, else the local stack's
# defaults (`make up` or `make bench` starts them). The other commit is checked out in a
# temporary git worktree with its own environment (uv sync), removed at the end.
set -euo pipefail

commit="${1:?usage: bench/against_commit/run.sh <commit> [runs]}"
runs="${2:-6}"
here="$(cd "$(dirname "$0")/../.." && pwd)"
harness="$here/bench/against_commit/rates.py"
other="$(mktemp -d)/tree"
out="$(mktemp)"
cleanup() {
  git -C "$here" worktree remove --force "$other" >/dev/null 2>&1 || true
  rm -f "$out"
}
trap cleanup EXIT

git -C "$here" worktree add --detach "$other" "$commit" >/dev/null
(cd "$other" && uv sync --frozen --quiet)
export KAFKA_BOOTSTRAP_SERVERS="${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:19092}"
export DATABASE_URL="${DATABASE_URL:-postgresql://hearth@127.0.0.1:15432/hearth}"

measure() { # tree label
  (cd "$1" && uv run --no-sync python "$harness" 2>/dev/null | tail -n 1 | sed "s/^/$2 /") >>"$out"
  tail -n 1 "$out"
}
for run in $(seq 1 "$runs"); do
  # The order alternates, so both trees see the machine's noise alike.
  if [ $((run % 2)) = 1 ]; then
    measure "$other" before; measure "$here" now
  else
    measure "$here" now; measure "$other" before
  fi
done

uv run --no-sync python - "$out" "$commit" <<'PY'
import json, statistics, sys
rows = {"before": [], "now": []}
for line in open(sys.argv[1]):
    label, _, data = line.partition(" ")
    rows[label].append(json.loads(data))
print(f"\nmedians of {len(rows['now'])} alternating runs: {sys.argv[2]} (before) and this tree (now)")
for figure in rows["now"][0]:
    before = statistics.median(r[figure] for r in rows["before"])
    now = statistics.median(r[figure] for r in rows["now"])
    print(f"{figure:32} before {before:9,.0f} /s   now {now:9,.0f} /s   now/before {now / before:5.2f}")
PY
