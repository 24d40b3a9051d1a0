#!/usr/bin/env bash
# Webhook benchmark (issue 4): the bare Vert.x baseline server and the gateway's POST /webhooks/twilio/sms
# loaded in ONE run with the same tool (wrk), connections, threads and duration, with signed requests over
# 10,000 active sessions and the realistic mix (in-session forward, post-task, unknown caller, duplicates).
# Optionally also the fixed-rate comparison (open model, FixedRateLoad: latency from each request's due time).
#
# Three servers: the bare baseline (one GET per webhook), the same-work baseline (SameWorkServer: the gateway's own
# Redis work per webhook, no framework; issue 18) and the gateway. With --gateway-jar the gateway is started here with
# every setting at its default (archiver in the process, access log as shipped; only the tokens, the stores and the
# guards' limits are set), else give the URL of one you started. After each gateway run the archive lag is reported:
# events not yet in Postgres when the load stopped, and how long the archiver took to write them all.
# The baselines are started here (and stopped at the end) unless --baseline URL is given.
#
# usage: loadtest/bench/webhook-bench.sh --gateway-jar target/maskline-gateway.jar [options]
#        loadtest/bench/webhook-bench.sh --gateway http://127.0.0.1:8080 [options]
#        loadtest/bench/webhook-bench.sh --baseline-only [options]      (tooling smoke test, no gateway)
#   --gateway-jar JAR      start this gateway here (default configuration), pinned to --gateway-cpus, on
#                          --gateway-port (8080) with Redis database --redis-db and Postgres --pg-url
#   --gateway-cpus LIST    taskset list for the gateway started here (e.g. 0)
#   --gateway-port N       (8080)    --pg-url URL   (postgresql://postgres@127.0.0.1:5432/maskline)
#   --redis-db N           the gateway's Redis database on 127.0.0.1:6379 (0): the same-work baseline works on it
#                          (the sessions the benchmark opened), and the archive lag is read from it
#   --samework-port N      port of the same-work baseline started here (8091); --no-samework skips it
#   --gateway URL          gateway base URL (admin API + webhooks)
#   --baseline URL         use an already running baseline (must be started with --seed = --bindings)
#   --baseline-only        skip the gateway
#   --baseline-port N      port for the baseline started here (8090)
#   --baseline-redis URL   Redis of the baseline started here (redis://127.0.0.1:6379/1)
#   --duration D           wrk run per server (30s)
#   --warmup D             wrk warm-up per server before its run, separate requests (10s; 0 = none)
#   --connections N        wrk connections (64)
#   --threads N            wrk threads (2)
#   --requests N           signed requests in the file per server (800000, ~0.3 GB on disk, ~0.5 GB in
#                          wrk); a run sending more wraps around and resends them, i.e. duplicates
#                          (reported as resent_after_wrap; size it >= expected req/s x duration)
#   --bindings N           active sessions (10000)
#   --wrk-cpus LIST        pin wrk with taskset -c LIST (e.g. 1)
#   --baseline-cpus LIST   pin the baseline started here with taskset -c LIST (e.g. 0)
#   --gateway-pid PID      sample the gateway's RSS during its run and its heap after it (local gateway)
#   --gateway2 URL         a second gateway process on the same Redis/Postgres (same MASKLINE_PUBLIC_URL and tokens):
#                          after the single-gateway run, both are loaded at once, each by its own wrk with half the
#                          connections, and the summed rate is reported against the single-process rate
#   --fixed-rate R         also load both at a fixed R req/s with FixedRateLoad, pinned like wrk (e.g. 5000);
#                          needs R x (D + W) <= --requests
#   --fixed-duration D     seconds of each fixed-rate run after its warm-up (60)
#   --fixed-warmup W       seconds of the fixed-rate warm-up, a schedule of its own, answered in full before the
#                          measured one starts (30)
#   --out DIR              where files and summary.md go (loadtest/results/bench-<timestamp>)
# environment (for the gateway; see docs/API.md "Configuration"):
#   ADMIN_TOKEN   = MASKLINE_ADMIN_TOKEN        AUTH_TOKEN  = MASKLINE_TWILIO_AUTH_TOKEN
#   PUBLIC_URL    = MASKLINE_PUBLIC_URL (default http://localhost:8080)
#   ACCOUNT_SID   = MASKLINE_TWILIO_ACCOUNT_SID (optional)
#   KEY_SECRET    = MASKLINE_REDIS_KEY_SECRET (a fixed benchmark value by default): the same-work baseline names the
#                   caller's keys under it as the gateway does, so a gateway given with --gateway must use it too
#   JAVA_OPTS_BASELINE (default -Xms512m -Xmx512m -XX:+UseG1GC -Dbaseline.native=true; use the gateway's GC, heap
#                      and transport: the gateway prefers epoll, so does the baseline by default)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LT="$(cd "$HERE/.." && pwd)"

GATEWAY_JAR="" ; GATEWAY_CPUS="" ; GATEWAY_PORT=8080 ; PG_URL="postgresql://postgres@127.0.0.1:5432/maskline" ; REDIS_DB=0
SAMEWORK=1 ; SAMEWORK_PORT=8091
GATEWAY="" ; GATEWAY2="" ; BASELINE="" ; BASELINE_ONLY=0 ; BASELINE_PORT=8090 ; BASELINE_REDIS="redis://127.0.0.1:6379/1"
DURATION=30s ; WARMUP=10s ; CONNECTIONS=64 ; THREADS=2 ; REQUESTS=800000 ; BINDINGS=10000
WRK_CPUS="" ; BASELINE_CPUS="" ; GATEWAY_PID="" ; FIXED_RATE="" ; FIXED_DURATION=60 ; FIXED_WARMUP=30
OUT="$LT/results/bench-$(date +%Y%m%d-%H%M%S)"

while [ $# -gt 0 ]; do
  case "$1" in
    --gateway) GATEWAY="${2%/}"; shift 2 ;;
    --gateway-jar) GATEWAY_JAR="$2"; shift 2 ;;
    --gateway-cpus) GATEWAY_CPUS="$2"; shift 2 ;;
    --gateway-port) GATEWAY_PORT="$2"; shift 2 ;;
    --pg-url) PG_URL="$2"; shift 2 ;;
    --redis-db) REDIS_DB="$2"; shift 2 ;;
    --samework-port) SAMEWORK_PORT="$2"; shift 2 ;;
    --no-samework) SAMEWORK=0; shift ;;
    --gateway2) GATEWAY2="${2%/}"; shift 2 ;;
    --baseline) BASELINE="${2%/}"; shift 2 ;;
    --baseline-only) BASELINE_ONLY=1; shift ;;
    --baseline-port) BASELINE_PORT="$2"; shift 2 ;;
    --baseline-redis) BASELINE_REDIS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --requests) REQUESTS="$2"; shift 2 ;;
    --bindings) BINDINGS="$2"; shift 2 ;;
    --wrk-cpus) WRK_CPUS="$2"; shift 2 ;;
    --baseline-cpus) BASELINE_CPUS="$2"; shift 2 ;;
    --gateway-pid) GATEWAY_PID="$2"; shift 2 ;;
    --fixed-rate) FIXED_RATE="$2"; shift 2 ;;
    --fixed-duration) FIXED_DURATION="$2"; shift 2 ;;
    --fixed-warmup) FIXED_WARMUP="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,54p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$GATEWAY_JAR" ] && GATEWAY="http://127.0.0.1:$GATEWAY_PORT"
if [ -z "$GATEWAY" ] && [ "$BASELINE_ONLY" -eq 0 ]; then
  echo "--gateway-jar JAR or --gateway URL is required (or --baseline-only)" >&2; exit 2
fi
[ -z "$GATEWAY" ] && SAMEWORK=0

ADMIN_TOKEN="${ADMIN_TOKEN:-dev-admin-token}"
AUTH_TOKEN="${AUTH_TOKEN:-dev-auth-token}"
PUBLIC_URL="${PUBLIC_URL:-http://localhost:${GATEWAY_PORT}}"
ACCOUNT_SID="${ACCOUNT_SID:-AC00000000000000000000000000000001}"
KEY_SECRET="${KEY_SECRET:-maskline-benchmark-redis-key-secret-0123}"
JAVA_OPTS_BASELINE="${JAVA_OPTS_BASELINE:--Xms512m -Xmx512m -XX:+UseG1GC -Dbaseline.native=true}"
mkdir -p "$OUT"
log() { echo "[bench] $*" >&2; }

"$HERE/install-wrk.sh"

log "building loadtest (compile + runtime classpath)"
mvn -q -B -f "$LT/pom.xml" compile dependency:build-classpath \
  -Dmdep.outputFile="$LT/target/runtime-classpath.txt" -DincludeScope=runtime
CP="$LT/target/classes:$(cat "$LT/target/runtime-classpath.txt")"

BASELINE_STARTED_PID="" ; SAMEWORK_PID="" ; GATEWAY_STARTED_PID=""
SAMEWORK_STREAM='ml:{ml}:stream:samework'
TASKS_FILE=""
cleanup() {
  if [ -n "$SAMEWORK_PID" ]; then
    kill "$SAMEWORK_PID" 2>/dev/null || true ; wait "$SAMEWORK_PID" 2>/dev/null || true
    redis-cli -n "$REDIS_DB" del "$SAMEWORK_STREAM" >/dev/null || true
  fi
  if [ -n "$TASKS_FILE" ] && [ -s "$TASKS_FILE" ]; then
    log "closing the bench sessions on the gateway"
    java -cp "$CP" -DbaseUrl="$GATEWAY" -DadminToken="$ADMIN_TOKEN" -DtasksFile="$TASKS_FILE" \
      maskline.loadtest.bench.CloseSessions || true
  fi
  if [ -n "$BASELINE_STARTED_PID" ]; then
    log "stopping baseline (pid $BASELINE_STARTED_PID)"
    kill "$BASELINE_STARTED_PID" 2>/dev/null || true
    wait "$BASELINE_STARTED_PID" 2>/dev/null || true
  fi
  if [ -n "$GATEWAY_STARTED_PID" ]; then
    log "stopping the gateway (pid $GATEWAY_STARTED_PID)"
    kill "$GATEWAY_STARTED_PID" 2>/dev/null || true
    wait "$GATEWAY_STARTED_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT

wait_http() { # url seconds
  local i
  for i in $(seq 1 "$2"); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 1
  done
  echo "not answering: $1" >&2; return 1
}

# ---- baseline ---------------------------------------------------------------------------------
if [ -z "$BASELINE" ]; then
  BASELINE="http://127.0.0.1:$BASELINE_PORT"
  PIN=""; [ -n "$BASELINE_CPUS" ] && PIN="taskset -c $BASELINE_CPUS"
  log "starting baseline on $BASELINE (seed $BINDINGS bindings into $BASELINE_REDIS)"
  # shellcheck disable=SC2086
  $PIN java $JAVA_OPTS_BASELINE -cp "$CP" -Dbindings="$BINDINGS" maskline.baseline.BaselineServer \
    --port "$BASELINE_PORT" --redis "$BASELINE_REDIS" --seed "$BINDINGS" > "$OUT/baseline.log" 2>&1 &
  BASELINE_STARTED_PID=$!
fi
wait_http "$BASELINE/health/live" 60

if [ -n "$GATEWAY_JAR" ]; then
  PG_DB="${PG_URL##*/}"
  psql "${PG_URL%/*}/postgres" -tAc "select 1 from pg_database where datname = '$PG_DB'" | grep -q 1 \
    || psql "${PG_URL%/*}/postgres" -qc "create database \"$PG_DB\""
  redis-cli -n "$REDIS_DB" flushdb >/dev/null
  GPIN=""; [ -n "$GATEWAY_CPUS" ] && GPIN="taskset -c $GATEWAY_CPUS"
  log "starting the gateway $GATEWAY_JAR on $GATEWAY, every setting at its default (Redis db $REDIS_DB, $PG_URL)"
  # Only what a deployment must set, and the guards far above the load (still evaluated: the Redis work is the same).
  # shellcheck disable=SC2086
  MASKLINE_HTTP_PORT="$GATEWAY_PORT" MASKLINE_PUBLIC_URL="$PUBLIC_URL" MASKLINE_REDIS_URL="redis://127.0.0.1:6379/$REDIS_DB" \
  MASKLINE_PG_URL="$PG_URL" MASKLINE_ADMIN_TOKEN="$ADMIN_TOKEN" MASKLINE_TWILIO_AUTH_TOKEN="$AUTH_TOKEN" \
  MASKLINE_TWILIO_ACCOUNT_SID="$ACCOUNT_SID" MASKLINE_RATE_PER_PAIR=1000000 MASKLINE_RATE_PER_CALLER=1000000 \
  MASKLINE_LOOP_GUARD=1000000 MASKLINE_REDIS_KEY_SECRET="$KEY_SECRET" $GPIN java ${JAVA_OPTS_GATEWAY:-} -jar "$GATEWAY_JAR" > "$OUT/gateway.log" 2>&1 &
  GATEWAY_STARTED_PID=$! ; GATEWAY_PID=$GATEWAY_STARTED_PID
fi

# Sids must be new on every run: a gateway keeps each answer for 24 h, so a Sid seen in an earlier run is answered
# from the stored answer (the cheap duplicate path) and would inflate its figures. The mix seed is per run.
RUN_SEED=$(( $(date +%s) % 1000000000 ))
COMMON=(-Dbindings="$BINDINGS" -DauthToken="$AUTH_TOKEN" -DpublicUrl="$PUBLIC_URL" -DaccountSid="$ACCOUNT_SID"
        -Drequests="$REQUESTS" -DwarmupRequests=$((REQUESTS / 4)))

log "generating signed requests for the baseline (deterministic fixture)"
java -cp "$CP" "${COMMON[@]}" -Dsetup=false -Dseed="$RUN_SEED" \
  -Dout="$OUT/baseline.req" -DwarmupOut="$OUT/baseline-warmup.req" maskline.loadtest.bench.PrepareWebhookBench

if [ -n "$GATEWAY" ]; then
  wait_http "$GATEWAY/health/ready" 120
  log "opening $BINDINGS sessions on the gateway and generating its signed requests"
  MORE_FILES="$OUT/gateway-fixed.req${GATEWAY2:+,$OUT/scale-warmup.req,$OUT/scale-1.req,$OUT/scale-2.req}"
  TASKS_FILE="$OUT/gateway-tasks.txt"
  java -cp "$CP" "${COMMON[@]}" -Dsetup=true -Dseed="$((RUN_SEED + 1))" -DbaseUrl="$GATEWAY" -DadminToken="$ADMIN_TOKEN" \
    -DtasksOut="$TASKS_FILE" -Dout="$OUT/gateway.req" -DwarmupOut="$OUT/gateway-warmup.req" \
    -DmoreOut="$MORE_FILES$([ "$SAMEWORK" -eq 1 ] && echo ",$OUT/samework.req,$OUT/samework-warmup.req${FIXED_RATE:+,$OUT/samework-fixed.req}")" \
    maskline.loadtest.bench.PrepareWebhookBench
fi

if [ "$SAMEWORK" -eq 1 ]; then
  SPIN=""; [ -n "$BASELINE_CPUS" ] && SPIN="taskset -c $BASELINE_CPUS"
  log "starting the same-work baseline on port $SAMEWORK_PORT (the gateway's Redis database $REDIS_DB, its facts script)"
  # shellcheck disable=SC2086
  $SPIN java $JAVA_OPTS_BASELINE -cp "$CP" maskline.baseline.SameWorkServer --port "$SAMEWORK_PORT" \
    --redis "redis://127.0.0.1:6379/$REDIS_DB" --script "$LT/../src/main/resources/redis/route_inbound.lua" \
    --stream "$SAMEWORK_STREAM" --key-secret "$KEY_SECRET" > "$OUT/samework.log" 2>&1 &
  SAMEWORK_PID=$!
  SAMEWORK_URL="http://127.0.0.1:$SAMEWORK_PORT"
  wait_http "$SAMEWORK_URL/health/live" 60
fi

# One request by curl first: status, content type, TwiML (a 403 here = signature/PUBLIC_URL mismatch).
preflight() { # name url file
  local path sig body code
  IFS=$'\t' read -r path sig body < "$3"
  code=$(curl -sS -o "$OUT/$1-preflight.txt" -w '%{http_code} %{content_type}' -X POST "$2$path" \
    -H 'Content-Type: application/x-www-form-urlencoded' -H "X-Twilio-Signature: $sig" --data-binary "$body")
  log "$1 preflight: $code $(head -c 200 "$OUT/$1-preflight.txt")"
  case "$code" in
    "200 application/xml"*) return 0 ;;
    403*) echo "$1 answered 403: is PUBLIC_URL ($PUBLIC_URL) the gateway's MASKLINE_PUBLIC_URL and AUTH_TOKEN its MASKLINE_TWILIO_AUTH_TOKEN?" >&2; return 1 ;;
    *) echo "$1 did not answer 200 application/xml" >&2; return 1 ;;
  esac
}

WRK_PIN=""; [ -n "$WRK_CPUS" ] && WRK_PIN="taskset -c $WRK_CPUS"

run_wrk() { # name url file duration [threads connections] -> prints RESULT line into $OUT/name.wrk
  local threads=${5:-$THREADS} connections=${6:-$CONNECTIONS}
  # shellcheck disable=SC2086
  REQUEST_FILE="$3" WRK_THREADS="$threads" $WRK_PIN wrk -t"$threads" -c"$connections" -d"$4" --timeout 5s \
    --latency -s "$HERE/webhook-signed.lua" "$2" > "$OUT/$1.wrk" 2>&1
}

peak_rss_kb() { # pid while-pid -> peak VmRSS (kB) of pid while while-pid runs
  local pid=$1 watch=$2 peak=0 r
  while kill -0 "$watch" 2>/dev/null; do
    r=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${r:-0}" -gt "$peak" ] && peak=$r
    sleep 1
  done
  echo "$peak"
}

# The gateway's own count of webhooks answered from a stored answer (its /metrics); the mix sends ~7 %.
duplicates_seen() { # url -> counter value, or nothing when the server has no such metric
  curl -fsS "$1/metrics" 2>/dev/null | awk '/^maskline_webhooks_duplicates_total/ {printf "%d", $2}'  || true
}

field() { tr ' ' '\n' < "$1" | awk -F= -v k="$2" '$1 == k {print $2}'; }

# shellcheck source=cpu.sh
. "$HERE/cpu.sh"
REDIS_PID=$(pgrep -x redis-server | head -1 || true)

# The archive's state the moment a load stops (the summaries and heap dump that follow take seconds).
mark_end() { ARCHIVE_BEHIND_AT_END=$(archive_behind 2>/dev/null || echo 0) ; ARCHIVE_END_NS=$(date +%s%N); }

bench_one() { # name url reqfile warmupfile pid
  local name=$1 url=$2 file=$3 warm=$4 pid=$5 wpid rss="" dup_before dup_after cpu_before redis_before
  preflight "$name" "$url" "$warm"
  if [ "$WARMUP" != "0" ] && [ "$WARMUP" != "0s" ]; then
    log "$name: warm-up $WARMUP"
    run_wrk "$name-warmup" "$url" "$warm" "$WARMUP"
  fi
  log "$name: wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
  dup_before=$(duplicates_seen "$url")
  cpu_before=$(cpu_us "$pid"); redis_before=$(cpu_us "$REDIS_PID")
  run_wrk "$name" "$url" "$file" "$DURATION" &
  wpid=$!
  if [ -n "$pid" ]; then rss=$(peak_rss_kb "$pid" "$wpid"); fi
  wait "$wpid" || { cat "$OUT/$name.wrk" >&2; return 1; }
  mark_end
  grep '^RESULT' "$OUT/$name.wrk" | sed "s/^RESULT/RESULT server=$name/" > "$OUT/$name.result"
  # CPU per request of the server and of Redis over the measured run (a local server/Redis only).
  local requests; requests=$(field "$OUT/$name.result" requests)
  if [ -n "$pid" ] && [ "${requests:-0}" -gt 0 ]; then
    echo " cpu_us_per_req=$(( ($(cpu_us "$pid") - cpu_before) / requests ))" >> "$OUT/$name.result"
  fi
  if [ -n "$REDIS_PID" ] && [ "${requests:-0}" -gt 0 ]; then
    echo " redis_cpu_us_per_req=$(( ($(cpu_us "$REDIS_PID") - redis_before) / requests ))" >> "$OUT/$name.result"
  fi
  [ -n "$rss" ] && echo " peak_rss_mb=$((rss / 1024))" >> "$OUT/$name.result"
  dup_after=$(duplicates_seen "$url")
  if [ -n "$dup_before" ] && [ -n "$dup_after" ]; then
    echo " duplicates_answered=$((dup_after - dup_before))" >> "$OUT/$name.result"
  fi
  if [ -n "$pid" ] && command -v jcmd >/dev/null 2>&1; then
    jcmd "$pid" GC.heap_info > "$OUT/$name-heap.txt" 2>&1 || true
  fi
  cat "$OUT/$name.result" | tr -d '\n' >&2; echo >&2
}

# shellcheck source=archive-lag.sh
ARCHIVE_REDIS_DB="$REDIS_DB"
. "$HERE/archive-lag.sh"
lag_after() { # name: archive lag of the gateway's run that just ended (read at its end by mark_end)
  local behind drain
  read -r behind drain <<< "$(archive_lag)"
  ARCHIVE_BEHIND_AT_END="" ; ARCHIVE_END_NS=""
  echo " archive_behind=$behind archive_drain_s=$drain" >> "$OUT/$1.result"
  log "$1: archive $behind events behind when the load stopped, all written after ${drain}s"
}

bench_one baseline "$BASELINE" "$OUT/baseline.req" "$OUT/baseline-warmup.req" "$BASELINE_STARTED_PID"
if [ "$SAMEWORK" -eq 1 ]; then
  bench_one samework "$SAMEWORK_URL" "$OUT/samework.req" "$OUT/samework-warmup.req" "$SAMEWORK_PID"
fi
if [ -n "$GATEWAY" ]; then
  bench_one gateway "$GATEWAY" "$OUT/gateway.req" "$OUT/gateway-warmup.req" "$GATEWAY_PID"
  lag_after gateway
fi


# ---- two gateway processes (horizontal scaling on one machine) --------------------------------
if [ -n "$GATEWAY2" ]; then
  wait_http "$GATEWAY2/health/ready" 30
  preflight gateway2 "$GATEWAY2" "$OUT/scale-warmup.req"
  if [ "$WARMUP" != "0" ] && [ "$WARMUP" != "0s" ]; then
    log "gateway2: warm-up $WARMUP"
    run_wrk gateway2-warmup "$GATEWAY2" "$OUT/scale-warmup.req" "$WARMUP"
  fi
  HALF_THREADS=$(( (THREADS + 1) / 2 ))
  log "two gateways at once: 2 x wrk -t$HALF_THREADS -c$((CONNECTIONS / 2)) -d$DURATION"
  run_wrk scale-1 "$GATEWAY" "$OUT/scale-1.req" "$DURATION" "$HALF_THREADS" $((CONNECTIONS / 2)) &
  w1=$!
  run_wrk scale-2 "$GATEWAY2" "$OUT/scale-2.req" "$DURATION" "$HALF_THREADS" $((CONNECTIONS / 2)) &
  w2=$!
  wait "$w1" && wait "$w2"
  for i in 1 2; do grep '^RESULT' "$OUT/scale-$i.wrk" | sed "s/^RESULT/RESULT server=gateway-$i-of-2/" > "$OUT/scale-$i.result"; done
fi


{
  echo "# Webhook benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP), signed POST /webhooks/twilio/sms, $BINDINGS active sessions, $REQUESTS requests per file; wrk pinned: ${WRK_CPUS:-no}, baseline pinned: ${BASELINE_CPUS:-no}; $(nproc) cores."
  echo
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| server | req/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | socket errors | resent after wrap | peak RSS MB | duplicates answered | server CPU µs/req | Redis CPU µs/req | archive behind / drained after s |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for n in baseline samework gateway scale-1 scale-2; do
    f="$OUT/$n.result"; [ -f "$f" ] || continue
    echo "| $n | $(field "$f" rps) | $(field "$f" p50_ms) | $(field "$f" p90_ms) | $(field "$f" p99_ms) | $(field "$f" max_ms) | $(field "$f" non2xx3xx) | $(field "$f" socket_errors) | $(field "$f" resent_after_wrap) | $(field "$f" peak_rss_mb) | $(field "$f" duplicates_answered) | $(field "$f" cpu_us_per_req) | $(field "$f" redis_cpu_us_per_req) | $(field "$f" archive_behind) / $(field "$f" archive_drain_s) |"
  done
  if [ -f "$OUT/gateway.result" ]; then
    echo
    awk -v gr="$(field "$OUT/gateway.result" rps)" -v br="$(field "$OUT/baseline.result" rps)" \
        -v gp="$(field "$OUT/gateway.result" p99_ms)" -v bp="$(field "$OUT/baseline.result" p99_ms)" \
      'BEGIN { printf "gateway/baseline (one GET): throughput %.1f %%, p99 %.2fx\n", 100*gr/br, gp/bp }'
    if [ -f "$OUT/samework.result" ]; then
      awk -v gr="$(field "$OUT/gateway.result" rps)" -v sr="$(field "$OUT/samework.result" rps)" \
        'BEGIN { printf "gateway/same-work baseline: throughput %.1f %% (target >= 85 %%)\n", 100*gr/sr }'
    fi
  fi
  if [ -f "$OUT/scale-1.result" ]; then
    awk -v a="$(field "$OUT/scale-1.result" rps)" -v b="$(field "$OUT/scale-2.result" rps)" -v one="$(field "$OUT/gateway.result" rps)" \
      'BEGIN { printf "two gateway processes: %.0f req/s together = %.2fx one process\n", a + b, (a + b) / one }'
  fi
} > "$OUT/summary.md"

# ---- fixed rate (open model: latency from each request's due time) ------------------------------------------
if [ -n "$FIXED_RATE" ]; then
  fixed() { # name url file
    log "$1: FixedRateLoad at $FIXED_RATE req/s for ${FIXED_DURATION}s (+${FIXED_WARMUP}s warm-up), $CONNECTIONS connections"
    # shellcheck disable=SC2086
    $WRK_PIN java -cp "$CP" maskline.loadtest.bench.FixedRateLoad "$2" "$3" "$FIXED_RATE" "$FIXED_DURATION" "$CONNECTIONS" "$FIXED_WARMUP" \
      > "$OUT/$1-fixed.log" 2>&1 || { cat "$OUT/$1-fixed.log" >&2; return 1; }
    grep '^RESULT' "$OUT/$1-fixed.log" | sed "s/^RESULT/RESULT server=$1-fixed/" > "$OUT/$1-fixed.result"
    cat "$OUT/$1-fixed.result" >&2
  }
  fixed baseline "$BASELINE" "$OUT/baseline.req"
  [ "$SAMEWORK" -eq 1 ] && fixed samework "$SAMEWORK_URL" "$OUT/samework-fixed.req"
  if [ -n "$GATEWAY" ]; then
    if [ -n "$GATEWAY_PID" ]; then
      fixed gateway "$GATEWAY" "$OUT/gateway-fixed.req" & fpid=$!
      rss=$(peak_rss_kb "$GATEWAY_PID" "$fpid") ; wait "$fpid" ; mark_end
      echo " peak_rss_mb=$((rss / 1024))" >> "$OUT/gateway-fixed.result"
    else
      fixed gateway "$GATEWAY" "$OUT/gateway-fixed.req"
    fi
    lag_after gateway-fixed
  fi
  {
    echo
    echo "## Fixed rate: $FIXED_RATE req/s for ${FIXED_DURATION}s, open model (FixedRateLoad), $CONNECTIONS connections"
    echo
    echo "| server | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | late starts | peak RSS MB | archive behind / drained after s |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    for n in baseline samework gateway; do
      f="$OUT/$n-fixed.result"; [ -f "$f" ] || continue
      echo "| $n | $(field "$f" rps) | $(field "$f" p50_ms) | $(field "$f" p90_ms) | $(field "$f" p99_ms) | $(field "$f" p999_ms) | $(field "$f" max_ms) | $(field "$f" errors) | $(field "$f" late_starts) | $(field "$f" peak_rss_mb) | $(field "$f" archive_behind) / $(field "$f" archive_drain_s) |"
    done
    if [ -f "$OUT/gateway-fixed.result" ]; then
      echo
      awk -v gp="$(field "$OUT/gateway-fixed.result" p99_ms)" -v bp="$(field "$OUT/baseline-fixed.result" p99_ms)" \
          -v g9="$(field "$OUT/gateway-fixed.result" p999_ms)" \
        'BEGIN { printf "gateway/baseline (one GET) at a fixed rate: p99 %.2fx (target <= 3x), gateway p99.9 %.1f ms (target <= 50 ms, no errors)\n", gp/bp, g9 }'
      if [ -f "$OUT/samework-fixed.result" ]; then
        awk -v gp="$(field "$OUT/gateway-fixed.result" p99_ms)" -v sp="$(field "$OUT/samework-fixed.result" p99_ms)" \
          'BEGIN { printf "gateway/same-work baseline at a fixed rate: p99 %.2fx (target <= 1.5x)\n", gp/sp }'
      fi
    fi
  } >> "$OUT/summary.md"
fi

cat "$OUT/summary.md"
log "files in $OUT"
