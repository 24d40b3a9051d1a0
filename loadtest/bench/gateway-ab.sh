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
#   A jar may carry settings of its own: /tmp/a.jar@MASKLINE_ACCESS_LOG_LEVEL=WARN@MASKLINE_ARCHIVE_CONSUMERS=0
#   (shown as a@1, a@2 ... by position when the same jar comes twice).
#   --rounds N          rounds; each round runs every jar once, in the order given (3)
#   --warmup D          wrk warm-up per run, separate requests (30s)
#   --duration D        measured wrk run (20s)
#   --fixed-rate R      measure at a fixed R req/s with FixedRateLoad (open model, p99/p99.9) instead of wrk's closed
#                       loop; its warm-up is --fixed-warmup seconds at the same rate, the run --fixed-duration (30, 60)
#   --connections N     wrk connections (64)      --threads N   wrk threads (2)
#   --gateway-cpus L    taskset list for the gateway (0)   --wrk-cpus L   for wrk (1)
#   --port N            gateway port (8080)
#   --redis-db N        Redis database on 127.0.0.1:6379, flushed before every run (0)
#   --pg-url URL        Postgres (postgresql://postgres@127.0.0.1:5432/maskline; the database is created if missing)
#   --requests N        signed requests in the measured file (500000; size it >= req/s x duration)
#   --serving-only      every gateway without archiver and access log (MASKLINE_ARCHIVE_CONSUMERS=0,
#                       MASKLINE_ACCESS_LOG_LEVEL=WARN); default: every setting at its default, archiver in the process
#   --out DIR           where files go (loadtest/results/ab-<timestamp>)
# After each run: archive events not yet in Postgres when the load stopped, and seconds until the archiver had them
# all (archive lag; "-" when serving only).
# environment: JAVA_OPTS_GATEWAY (default -Xms512m -Xmx512m -XX:+UseG1GC)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LT="$(cd "$HERE/.." && pwd)"

ROUNDS=3 ; WARMUP=30s ; DURATION=20s ; CONNECTIONS=64 ; THREADS=2 ; GATEWAY_CPUS=0 ; WRK_CPUS=1 ; PORT=8080
REDIS_DB=0 ; PG_URL="postgresql://postgres@127.0.0.1:5432/maskline" ; REQUESTS=500000
FIXED_RATE="" ; FIXED_WARMUP=30 ; FIXED_DURATION=60 ; SERVING_ONLY=0
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
    --pg-url) PG_URL="$2"; shift 2 ;;
    --requests) REQUESTS="$2"; shift 2 ;;
    --fixed-rate) FIXED_RATE="$2"; shift 2 ;;
    --fixed-warmup) FIXED_WARMUP="$2"; shift 2 ;;
    --fixed-duration) FIXED_DURATION="$2"; shift 2 ;;
    --serving-only) SERVING_ONLY=1; shift ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
    -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    *) jar="${1%%@*}"; extra=""; [ "$jar" != "$1" ] && extra="${1#*@}"
       JARS+=("$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")${extra:+@$extra}"); shift ;;
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
REDIS_PID=$(pgrep -x redis-server | head -1 || true)
GW_PID=""
stop_gateway() {
  if [ -n "$GW_PID" ]; then kill "$GW_PID" 2>/dev/null || true; wait "$GW_PID" 2>/dev/null || true; GW_PID=""; fi
}
trap stop_gateway EXIT

# shellcheck source=cpu.sh
. "$HERE/cpu.sh"

# A jar's name in the tables: its file name, with its position when the same jar is given twice.
label() { # index
  local jar="${JARS[$1]%%@*}" n=0 j
  for j in "${JARS[@]}"; do [ "${j%%@*}" = "$jar" ] && n=$((n + 1)); done
  if [ "$n" -gt 1 ]; then echo "$(basename "$jar" .jar)@$(($1 + 1))"; else basename "$jar" .jar; fi
}

start_gateway() { # jar[@VAR=value...] log
  redis-cli -n "$REDIS_DB" flushdb >/dev/null
  local jar="${1%%@*}" extra=() defaults=()
  [ "$jar" != "$1" ] && IFS=@ read -r -a extra <<< "${1#*@}"
  [ "$SERVING_ONLY" -eq 1 ] && defaults=(MASKLINE_ARCHIVE_CONSUMERS=0 MASKLINE_ACCESS_LOG_LEVEL=WARN)
  # Guards far above the load: every webhook takes the full path, none is limited (the Redis work is the same).
  env MASKLINE_HTTP_PORT="$PORT" MASKLINE_PUBLIC_URL="$PUBLIC_URL" \
  MASKLINE_REDIS_URL="redis://127.0.0.1:6379/$REDIS_DB" MASKLINE_PG_URL="$PG_URL" MASKLINE_ADMIN_TOKEN="$ADMIN_TOKEN" \
  MASKLINE_TWILIO_AUTH_TOKEN="$AUTH_TOKEN" MASKLINE_TWILIO_ACCOUNT_SID=AC00000000000000000000000000000001 \
  MASKLINE_RATE_PER_PAIR=1000000 MASKLINE_RATE_PER_CALLER=1000000 MASKLINE_LOOP_GUARD=1000000 \
  "${defaults[@]}" "${extra[@]}" \
    taskset -c "$GATEWAY_CPUS" java ${JAVA_OPTS_GATEWAY:--Xms512m -Xmx512m -XX:+UseG1GC} -jar "$jar" > "$2" 2>&1 &
  GW_PID=$!
  local i
  for i in $(seq 1 90); do
    curl -fsS -o /dev/null "$BASE/health/ready" 2>/dev/null && return 0
    kill -0 "$GW_PID" 2>/dev/null || break
    sleep 1
  done
  echo "gateway $1 did not get ready (log: $2)" >&2; return 1
}

# shellcheck source=archive-lag.sh
ARCHIVE_REDIS_DB="$REDIS_DB"
. "$HERE/archive-lag.sh"

run_wrk() { # file duration out
  REQUEST_FILE="$1" WRK_THREADS="$THREADS" taskset -c "$WRK_CPUS" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2" \
    --timeout 5s --latency -s "$HERE/webhook-signed.lua" "$BASE" > "$3" 2>&1
}

echo -e "round\tjar\trps\tp50_ms\tp99_ms\tgateway_us\tredis_us\terrors\tp999_ms\tmax_ms\tarchive_behind\tarchive_drain_s\tpeak_rss_mb" > "$OUT/runs.tsv"
peak_rss_kb() { # pid while-pid
  local peak=0 r
  while kill -0 "$2" 2>/dev/null; do
    r=$(awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0)
    [ "${r:-0}" -gt "$peak" ] && peak=$r
    sleep 1
  done
  echo "$peak"
}
for round in $(seq 1 "$ROUNDS"); do
  for idx in "${!JARS[@]}"; do
    jar="${JARS[$idx]}" ; name=$(label "$idx") ; run="$OUT/r$round-${name//@/-}"
    start_gateway "$jar" "$run.log"
    # A request file of its own per run: its sessions are opened on this gateway; the seed must fit an int.
    java -cp "$CP" -Dbindings=10000 -DauthToken="$AUTH_TOKEN" -DpublicUrl="$PUBLIC_URL" \
      -DaccountSid=AC00000000000000000000000000000001 -Drequests="$REQUESTS" -DwarmupRequests=$([ -n "$FIXED_RATE" ] && echo 1000 || echo $((REQUESTS / 2))) \
      -Dsetup=true -Dseed=$(( (RANDOM << 15 | RANDOM) % 1000000000 )) -DbaseUrl="$BASE" -DadminToken="$ADMIN_TOKEN" \
      -Dout="$run.req" -DwarmupOut="$run-warmup.req" maskline.loadtest.bench.PrepareWebhookBench > "$run.prepare" 2>&1 \
      || { tail -5 "$run.prepare" >&2; exit 1; }
    if [ -z "$FIXED_RATE" ]; then
      run_wrk "$run-warmup.req" "$WARMUP" "$run-warmup.wrk"
      gw_before=$(cpu_us "$GW_PID") ; redis_before=$(cpu_us "$REDIS_PID")
      run_wrk "$run.req" "$DURATION" "$run.wrk" & load=$!
    else
      # FixedRateLoad's warm-up (the file's first rate x warm-up requests) is a schedule of its own; CPU is counted
      # over the whole run, warm-up included.
      gw_before=$(cpu_us "$GW_PID") ; redis_before=$(cpu_us "$REDIS_PID")
      taskset -c "$WRK_CPUS" java -cp "$CP" maskline.loadtest.bench.FixedRateLoad "$BASE" "$run.req" "$FIXED_RATE" \
        "$FIXED_DURATION" "$CONNECTIONS" "$FIXED_WARMUP" > "$run.fixed" 2>&1 & load=$!
    fi
    rss=$(peak_rss_kb "$GW_PID" "$load") ; wait "$load" || true
    gw_after=$(cpu_us "$GW_PID") ; redis_after=$(cpu_us "$REDIS_PID")
    behind="-" ; drain="-"
    if [ "$SERVING_ONLY" -eq 0 ] && [[ "$jar" != *MASKLINE_ARCHIVE_CONSUMERS=0* ]]; then read -r behind drain <<< "$(archive_lag)"; fi
    stop_gateway
    rm -f "$run.req" "$run-warmup.req"
    if [ -z "$FIXED_RATE" ]; then
      requests=$(awk '/requests in/ {print $1}' "$run.wrk")
      rps=$(awk '/^Requests\/sec/ {print $2}' "$run.wrk")
      p50=$(awk '$1 == "50%" {print $2}' "$run.wrk") ; p99=$(awk '$1 == "99%" {print $2}' "$run.wrk")
      errors=$(awk '/Non-2xx/ {print $NF}' "$run.wrk") ; p999="-" ; max="-"
    else
      f() { grep '^RESULT' "$run.fixed" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
      requests=$(( $(f requests) + FIXED_RATE * FIXED_WARMUP )) ; rps=$(f rps) ; p50=$(f p50_ms) ; p99=$(f p99_ms)
      p999=$(f p999_ms) ; max=$(f max_ms) ; errors=$(f errors)
    fi
    line="$round\t$name\t$rps\t$p50\t$p99\t$(( (gw_after - gw_before) / requests ))\t$(( (redis_after - redis_before) / requests ))\t${errors:-0}\t$p999\t$max\t$behind\t$drain\t$((rss / 1024))"
    echo -e "$line" >> "$OUT/runs.tsv"
    echo -e "$line" >&2
  done
done

{
  echo "# Gateway A/B $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  if [ -z "$FIXED_RATE" ]; then
    echo "$ROUNDS rounds; wrk -t$THREADS -c$CONNECTIONS, warm-up $WARMUP, measured $DURATION; gateway on CPUs $GATEWAY_CPUS, wrk on $WRK_CPUS; a fresh gateway and request file per run."
  else
    echo "$ROUNDS rounds; FixedRateLoad at $FIXED_RATE req/s, warm-up ${FIXED_WARMUP}s, measured ${FIXED_DURATION}s, $CONNECTIONS connections; gateway on CPUs $GATEWAY_CPUS, load on $WRK_CPUS; a fresh gateway and request file per run."
  fi
  echo
  echo "| jar | req/s per run | mean req/s | p99 ms per run | p99.9 ms per run | errors | gateway + Redis µs per webhook | archive behind at the end / drained after s | peak RSS MB |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for idx in "${!JARS[@]}"; do
    awk -F'\t' -v n="$(label "$idx")" 'NR > 1 && $2 == n {
        runs = runs (runs ? ", " : "") $3; sum += $3; k++
        p99 = p99 (p99 ? ", " : "") $5; p999 = p999 (p999 ? ", " : "") $9; err += $8
        lag = lag (lag ? ", " : "") $11 " / " $12; rss = rss (rss ? ", " : "") $13
        gmin = (gmin == "" || $6 < gmin) ? $6 : gmin; gmax = ($6 > gmax) ? $6 : gmax
        rmin = (rmin == "" || $7 < rmin) ? $7 : rmin; rmax = ($7 > rmax) ? $7 : rmax }
      END { printf "| %s | %s | %.0f | %s | %s | %d | %s–%s + %s–%s | %s | %s |\n", n, runs, sum / k, p99, p999, err, gmin, gmax, rmin, rmax, lag, rss }' "$OUT/runs.tsv"
  done
  echo
  for idx in "${!JARS[@]}"; do echo "- $(label "$idx"): ${JARS[$idx]}"; done
} > "$OUT/summary.md"
cat "$OUT/summary.md"
