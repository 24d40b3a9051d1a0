#!/usr/bin/env bash
# A/B of the session scripts (open_session.lua + close_session.lua through Sessions) of two builds, alternated round
# after round on one Redis, so a drifting machine shows as spread across rounds rather than as a difference between
# builds. BASE_REF is built from git (its own SessionBenchmark), the working tree is the other build; with
# --selection the working tree runs once per numberSelection given. Each run reports opens/s and the CPU Redis spent per
# script call (/proc of a local Redis over the run, divided by INFO commandstats' EVALSHA calls: open and close
# alike), which a loaded machine disturbs far less than the rate. Give the benchmark a local Redis of its own
# (e.g. redis-server --port 16385 --save ''), so that no other client's work is counted.
#
# WARNING: empties the Redis database of --redis before every run. Give a database nothing else uses.
#
# usage: loadtest/bench/session-ab.sh [options] BASE_REF
#   --rounds N        rounds (3)                 --seconds S      measured seconds per run (15; plus 3 s warm-up)
#   --redis URL       redis://127.0.0.1:6379/14  --concurrency N  concurrent open+close loops (64)
#   --pool N          proxy numbers (200)        --selection LIST numberSelection values for the working tree
#                                                                 (sticky-local,least-used)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=3 ; SECONDS_RUN=15 ; REDIS=redis://127.0.0.1:6379/14 ; CONCURRENCY=64 ; POOL=200 ; SELECTION=sticky-local,least-used
while [ $# -gt 1 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --seconds) SECONDS_RUN="$2"; shift 2 ;;
    --redis) REDIS="$2"; shift 2 ;;
    --concurrency) CONCURRENCY="$2"; shift 2 ;;
    --pool) POOL="$2"; shift 2 ;;
    --selection) SELECTION="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BASE_REF=${1:?usage: session-ab.sh [options] BASE_REF}
HOSTPORT=${REDIS#redis://}; HOSTPORT=${HOSTPORT%%/*}; DB=${REDIS##*/}
BASE_DIR=$(mktemp -d /tmp/session-ab-base.XXXXXX)
trap 'rm -rf "$BASE_DIR"' EXIT

classpath() { # dir -> classpath of its test classes
  (cd "$1" && mvn -B -q test-compile > /dev/null && mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath > /dev/null)
  echo "$1/target/classes:$1/target/test-classes:$(cat "$1/target/bench.classpath")"
}
git archive "$BASE_REF" | tar -x -C "$BASE_DIR"
CP_BASE=$(classpath "$BASE_DIR")
CP_HEAD=$(classpath "$PWD")

cli() { redis-cli -h "${HOSTPORT%%:*}" -p "${HOSTPORT##*:}" -n "$DB" "$@"; }
# shellcheck source=cpu.sh
. "$(dirname "$0")/cpu.sh"
REDIS_PID=$(cli INFO server | tr -d '\r' | awk -F: '$1 == "process_id" { print $2 }')
run() { # label classpath [selection]
  cli FLUSHDB > /dev/null
  cli CONFIG RESETSTAT > /dev/null
  local out usec calls before after
  before=$(cpu_us "$REDIS_PID")
  out=$(timeout $((SECONDS_RUN + 60)) java -cp "$2" io.maskline.bench.SessionBenchmark "$REDIS" "$SECONDS_RUN" "$CONCURRENCY" "$POOL" ${3:-} 2>/dev/null \
    | grep -oE 'opens_per_second=[0-9]+' | cut -d= -f2 || true)
  after=$(cpu_us "$REDIS_PID")
  calls=$(cli INFO commandstats | tr -d '\r' | sed -nE 's/^cmdstat_evalsha:calls=([0-9]+),.*/\1/p')
  usec=$(python3 -c "print(f'{($after - $before) / max(1, ${calls:-0}):.1f}')")
  echo "$1 ${out:-0} ${usec:-0}" | tee -a "$BASE_DIR/results"
}
for round in $(seq 1 "$ROUNDS"); do
  run "base($BASE_REF)" "$CP_BASE"
  for selection in ${SELECTION//,/ }; do
    run "head:$selection" "$CP_HEAD" "$selection"
  done
done
cli FLUSHDB > /dev/null
python3 - "$BASE_DIR/results" <<'PY'
import sys, statistics, collections
runs = collections.OrderedDict()
for line in open(sys.argv[1]):
    label, rate, usec = line.split()
    runs.setdefault(label, []).append((float(rate), float(usec)))
first = next(iter(runs.values()))
base_rate = statistics.mean(r for r, _ in first)
base_usec = statistics.mean(u for _, u in first)
for label, results in runs.items():
    rate = statistics.mean(r for r, _ in results)
    usec = statistics.mean(u for _, u in results)
    print(f"{label}: {rate:.0f} opens/s ({', '.join(f'{r:.0f}' for r, _ in results)}) = {rate / base_rate:.3f} x base; "
          f"Redis CPU {usec:.1f} us per script call ({', '.join(f'{u:.1f}' for _, u in results)}) = {usec / base_usec:.3f} x base")
PY
