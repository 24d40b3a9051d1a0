#!/usr/bin/env bash
# Session open+close rate of Maskline's Lua scripts vs the raw EVALSHA rate of a trivial script, same Redis, one run.
# Usage: loadtest/bench/session-bench.sh [redis-host] [redis-port] [seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."
HOST=${1:-127.0.0.1}
PORT=${2:-6379}
SECONDS_RUN=${3:-20}
DB=14
mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath > /dev/null
CP=$(cat target/bench.classpath)
SHA=$(redis-cli -h "$HOST" -p "$PORT" SCRIPT LOAD "return 1")
echo "== redis-benchmark: EVALSHA of a trivial script, 64 connections"
RAW=$(redis-benchmark -h "$HOST" -p "$PORT" -c 64 -n 1000000 -q EVALSHA "$SHA" 0 | tr '\r' '\n' | grep -oE '[0-9.]+ requests per second' | tail -1 | cut -d' ' -f1)
echo "raw EVALSHA: $RAW req/s"
echo "== Maskline open_session.lua + close_session.lua, 64 concurrent loops"
OUT=$(java -cp "target/classes:target/test-classes:$CP" io.maskline.bench.SessionBenchmark "redis://$HOST:$PORT/$DB" "$SECONDS_RUN" 64 200 2>/dev/null)
echo "$OUT" | grep session-bench
OPENS=$(echo "$OUT" | grep -oE 'opens_per_second=[0-9]+' | cut -d= -f2)
# Each cycle is two script calls (open + close).
python3 -c "r=$RAW; o=$OPENS; print(f'opens/s {o:.0f}; script calls/s {2*o:.0f}; ratio of script calls to raw EVALSHA {2*o/r:.2f}')"
redis-cli -h "$HOST" -p "$PORT" -n $DB FLUSHDB > /dev/null
