#!/usr/bin/env bash
# A/B of gateway builds on one machine: alternates fresh gateway processes of two or more jars, round after round,
# each loaded by wrk (closed loop) with a request file generated afresh for that run, so a drifting machine shows as
# spread across rounds instead of as a difference between builds. Prints one line per run (req/s, p50/p99, gateway
# and Redis CPU µs per webhook from /proc) and the mean per jar. The bare baseline is not involved: for the ratio
# the issue asks for, use webhook-bench.sh.
#
# WARNING: empties Redis database --redis-db before every run (the gateway's keys of the previous run must not be
# read by the next one). Give a database nothing else uses.
#
# usage: loadtest/bench/gateway-ab.sh [options] A.jar B.jar [C.jar ...]
#   --rounds N          rounds; each round runs every jar once, in the order given (3)
#   --warmup D          wrk warm-up per run, separate requests (30s)
#   --duration D        measured wrk run (20s)
#   --connections N     wrk connections (64)      --threads N   wrk threads (2)
#   --gateway-cpus L    taskset list for the gateway (0)   --wrk-cpus L   for wrk (1)
#   --port N            gateway port (8080)
#   --redis-db N        Redis database on 127.0.0.1:<redis-port>, flushed before every run (0)
#   --redis-port N      port of that local Redis (6379); one of the benchmark's own keeps others' work out of its
#                       Redis CPU figure
#   --pg-url URL        Postgres (postgresql://postgres@127.0.0.1:5432/maskline; the database is created if missing)
#   --fresh-db          drop and create that database before every run (builds whose migrations differ: Flyway
#                       refuses a database migrated by a build with a migration the other lacks)
#   --requests N        signed requests in the measured file (500000; size it >= req/s x duration)
#   --out DIR           where files go (loadtest/results/ab-<timestamp>)
# environment: JAVA_OPTS_GATEWAY (default -Xms512m -Xmx512m -XX:+UseG1GC)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LT="$(cd "$HERE/.." && pwd)"

ROUNDS=3 ; WARMUP=30s ; DURATION=20s ; CONNECTIONS=64 ; THREADS=2 ; GATEWAY_CPUS=0 ; WRK_CPUS=1 ; PORT=8080
REDIS_DB=0 ; REDIS_PORT=6379 ; FRESH_DB=0 ; PG_URL="postgresql://postgres@127.0.0.1:5432/maskline" ; REQUESTS=500000
OUT="$LT/results/ab-$(date +%Y%m%d-%H%M%S)"
JARS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --gateway-cpus) GATEWAY_CPUS="$2"; shift 2 ;;
    --wrk-cpus) WRK_CPUS="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --redis-db) REDIS_DB="$2"; shift 2 ;;
    --redis-port) REDIS_PORT="$2"; shift 2 ;;
    --pg-url) PG_URL="$2"; shift 2 ;;
    --fresh-db) FRESH_DB=1; shift ;;
    --requests) REQUESTS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    *) JARS+=("$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"); shift ;;
  esac
done
[ "${#JARS[@]}" -ge 2 ] || { echo "give at least two jars (see --help)" >&2; exit 2; }

log() { echo "[ab] $*" >&2; }
mkdir -p "$OUT"
command -v wrk >/dev/null || "$HERE/install-wrk.sh"
log "building loadtest (compile + runtime classpath)"
mvn -q -f "$LT/pom.xml" compile dependency:build-classpath -Dmdep.outputFile=target/runtime-classpath.txt -DincludeScope=runtime
CP="$LT/target/classes:$(cat "$LT/target/runtime-classpath.txt")"

PG_DB="${PG_URL##*/}"
psql "${PG_URL%/*}/postgres" -tAc "select 1 from pg_database where datname = '$PG_DB'" | grep -q 1 \
  || psql "${PG_URL%/*}/postgres" -qc "create database \"$PG_DB\""

BASE="http://127.0.0.1:$PORT" ; PUBLIC_URL="http://localhost:$PORT"
ADMIN_TOKEN=ab-admin-token-00000000 ; AUTH_TOKEN=ab-auth
REDIS_PID=$(redis-cli -p "$REDIS_PORT" info server | tr -d '\r' | awk -F: '$1 == "process_id" { print $2 }')
GW_PID=""
stop_gateway() {
  if [ -n "$GW_PID" ]; then kill "$GW_PID" 2>/dev/null || true; wait "$GW_PID" 2>/dev/null || true; GW_PID=""; fi
}
trap stop_gateway EXIT

# shellcheck source=cpu.sh
. "$HERE/cpu.sh"

start_gateway() { # jar log
  redis-cli -p "$REDIS_PORT" -n "$REDIS_DB" flushdb >/dev/null
  if [ "$FRESH_DB" = 1 ]; then
    psql "${PG_URL%/*}/postgres" -qc "drop database if exists \"$PG_DB\"" -c "create database \"$PG_DB\""
  fi
  # Guards far above the load: every webhook takes the full path, none is limited. Serving only: the archiver's
  # consumers would share the gateway's core.
  MASKLINE_ARCHIVE_CONSUMERS=0 MASKLINE_HTTP_PORT="$PORT" MASKLINE_PUBLIC_URL="$PUBLIC_URL" \
  MASKLINE_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/$REDIS_DB" MASKLINE_PG_URL="$PG_URL" MASKLINE_ADMIN_TOKEN="$ADMIN_TOKEN" \
  MASKLINE_TWILIO_AUTH_TOKEN="$AUTH_TOKEN" MASKLINE_TWILIO_ACCOUNT_SID=AC00000000000000000000000000000001 \
  MASKLINE_RATE_PER_PAIR=1000000 MASKLINE_RATE_PER_CALLER=1000000 MASKLINE_LOOP_GUARD=1000000 \
  MASKLINE_ACCESS_LOG_LEVEL=WARN \
    taskset -c "$GATEWAY_CPUS" java ${JAVA_OPTS_GATEWAY:--Xms512m -Xmx512m -XX:+UseG1GC} -jar "$1" > "$2" 2>&1 &
  GW_PID=$!
  local i
  for i in $(seq 1 90); do
    curl -fsS -o /dev/null "$BASE/health/ready" 2>/dev/null && return 0
    kill -0 "$GW_PID" 2>/dev/null || break
    sleep 1
  done
  echo "gateway $1 did not get ready (log: $2)" >&2; return 1
}

run_wrk() { # file duration out
  REQUEST_FILE="$1" WRK_THREADS="$THREADS" taskset -c "$WRK_CPUS" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2" \
    --timeout 5s --latency -s "$HERE/webhook-signed.lua" "$BASE" > "$3" 2>&1
}

echo -e "round\tjar\trps\tp50_ms\tp99_ms\tgateway_us\tredis_us\tnon2xx" > "$OUT/runs.tsv"
for round in $(seq 1 "$ROUNDS"); do
  for jar in "${JARS[@]}"; do
    name=$(basename "$jar" .jar) ; run="$OUT/r$round-$name"
    start_gateway "$jar" "$run.log"
    # A request file of its own per run: its sessions are opened on this gateway; the seed must fit an int.
    java -cp "$CP" -Dbindings=10000 -DauthToken="$AUTH_TOKEN" -DpublicUrl="$PUBLIC_URL" \
      -DaccountSid=AC00000000000000000000000000000001 -Drequests="$REQUESTS" -DwarmupRequests=$((REQUESTS / 2)) \
      -Dsetup=true -Dseed=$(( (RANDOM << 15 | RANDOM) % 1000000000 )) -DbaseUrl="$BASE" -DadminToken="$ADMIN_TOKEN" \
      -Dout="$run.req" -DwarmupOut="$run-warmup.req" maskline.loadtest.bench.PrepareWebhookBench > "$run.prepare" 2>&1 \
      || { tail -5 "$run.prepare" >&2; exit 1; }
    run_wrk "$run-warmup.req" "$WARMUP" "$run-warmup.wrk"
    gw_before=$(cpu_us "$GW_PID") ; redis_before=$(cpu_us "$REDIS_PID")
    run_wrk "$run.req" "$DURATION" "$run.wrk"
    gw_after=$(cpu_us "$GW_PID") ; redis_after=$(cpu_us "$REDIS_PID")
    stop_gateway
    rm -f "$run.req" "$run-warmup.req"
    requests=$(awk '/requests in/ {print $1}' "$run.wrk")
    rps=$(awk '/^Requests\/sec/ {print $2}' "$run.wrk")
    p50=$(awk '$1 == "50%" {print $2}' "$run.wrk") ; p99=$(awk '$1 == "99%" {print $2}' "$run.wrk")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$run.wrk")
    line="$round\t$name\t$rps\t$p50\t$p99\t$(( (gw_after - gw_before) / requests ))\t$(( (redis_after - redis_before) / requests ))\t${non2xx:-0}"
    echo -e "$line" >> "$OUT/runs.tsv"
    echo -e "$line" >&2
  done
done

{
  echo "# Gateway A/B $(date -u +%FT%TZ)"
  echo
  echo "$ROUNDS rounds; wrk -t$THREADS -c$CONNECTIONS, warm-up $WARMUP, measured $DURATION; gateway on CPUs $GATEWAY_CPUS, wrk on $WRK_CPUS; a fresh gateway and request file per run."
  echo
  echo "| jar | req/s per run | mean req/s | gateway + Redis µs per webhook |"
  echo "|---|---|---|---|"
  for jar in "${JARS[@]}"; do
    awk -F'\t' -v n="$(basename "$jar" .jar)" 'NR > 1 && $2 == n {
        runs = runs (runs ? ", " : "") $3; sum += $3; k++
        gmin = (gmin == "" || $6 < gmin) ? $6 : gmin; gmax = ($6 > gmax) ? $6 : gmax
        rmin = (rmin == "" || $7 < rmin) ? $7 : rmin; rmax = ($7 > rmax) ? $7 : rmax }
      END { printf "| %s | %s | %.0f | %s–%s + %s–%s |\n", n, runs, sum / k, gmin, gmax, rmin, rmax }' "$OUT/runs.tsv"
  done
} > "$OUT/summary.md"
cat "$OUT/summary.md"
