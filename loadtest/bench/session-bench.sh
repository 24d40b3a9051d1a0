#!/usr/bin/env bash
# Session open+close rate of Maskline's Lua scripts vs the raw EVALSHA rate of a trivial script, same Redis, one run.
# Each open and close also writes the session's durable row to Postgres (a database of its own, created if missing).
# Usage: loadtest/bench/session-bench.sh [redis-host] [redis-port] [seconds] [postgres-url]
# MASKLINE_BENCH_DB picks the Redis database (default 14); it is flushed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
HOST=${1:-127.0.0.1}
PORT=${2:-6379}
SECONDS_RUN=${3:-20}
PG_URL=${4:-postgresql://postgres@127.0.0.1:5432/maskline_bench}
DB=${MASKLINE_BENCH_DB:-14}
PG_DB=${PG_URL##*/}
PG_HOSTPORT=${PG_URL#*@}; PG_HOSTPORT=${PG_HOSTPORT%%/*}
createdb -h "${PG_HOSTPORT%%:*}" -p "${PG_HOSTPORT##*:}" -U postgres "$PG_DB" 2>/dev/null || true
mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath > /dev/null
CP=$(cat target/bench.classpath)
SHA=$(redis-cli -h "$HOST" -p "$PORT" SCRIPT LOAD "return 1")
echo "== redis-benchmark: EVALSHA of a trivial script, 64 connections"
RAW=$(redis-benchmark -h "$HOST" -p "$PORT" -c 64 -n 1000000 -q EVALSHA "$SHA" 0 | tr '\r' '\n' | grep -oE '[0-9.]+ requests per second' | tail -1 | cut -d' ' -f1)
echo "raw EVALSHA: $RAW req/s"
echo "== Maskline open_session.lua + close_session.lua, 64 concurrent loops"
OUT=$(java -cp "target/classes:target/test-classes:$CP" io.maskline.bench.SessionBenchmark "redis://$HOST:$PORT/$DB" "$SECONDS_RUN" 64 200 sticky-local "$PG_URL" 2>/dev/null)
echo "$OUT" | grep session-bench
OPENS=$(echo "$OUT" | grep -oE 'opens_per_second=[0-9]+' | cut -d= -f2)
# Each cycle is two script calls (open + close).
python3 -c "r=$RAW; o=$OPENS; print(f'opens/s {o:.0f}; script calls/s {2*o:.0f}; ratio of script calls to raw EVALSHA {2*o/r:.2f}')"
redis-cli -h "$HOST" -p "$PORT" -n $DB FLUSHDB > /dev/null
