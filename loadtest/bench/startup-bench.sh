#!/usr/bin/env bash
# Start-up benchmark (issues 2 and 7): wall time from launching the production jar to the first 200 from
# /health/ready, against running Redis and Postgres (no pending migration after the first start), without and with
# the class-data-sharing archive the image builds (io.maskline.ClassArchiveTraining), alternating, N starts each.
#
# usage: loadtest/bench/startup-bench.sh [N]        (default 5)
# environment: the gateway's MASKLINE_* (REDIS_URL, PG_URL, ADMIN_TOKEN, TWILIO_AUTH_TOKEN, HTTP_PORT, ...) and
#   JAVA (java), JAVA_OPTS (-Xms512m -Xmx512m -XX:+UseG1GC)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-5}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseG1GC}
PORT=${MASKLINE_HTTP_PORT:-8080}
JAR=target/maskline-gateway.jar
ARCHIVE=$(mktemp -d)/maskline.jsa
[ -f "$JAR" ] || mvn -B -q package -DskipTests

echo "training the class archive (as the Dockerfile does)"
"$JAVA" -XX:ArchiveClassesAtExit="$ARCHIVE" -cp "$JAR" io.maskline.ClassArchiveTraining 2>/dev/null | grep 'training:' || true

start_once() { # extra-java-opts -> ms to ready
  local t0 t1 pid
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  "$JAVA" $JAVA_OPTS "$@" -jar "$JAR" > /dev/null 2>&1 &
  pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$PORT/health/ready"; do
    kill -0 "$pid" 2>/dev/null || { echo "gateway exited; run it by hand to see why" >&2; exit 1; }
    sleep 0.01
  done
  t1=$(date +%s%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo $(( (t1 - t0) / 1000000 ))
}

start_once > /dev/null   # applies any pending migration, warms the page cache
plain=() ; cds=()
for _ in $(seq 1 "$N"); do
  plain+=("$(start_once)")
  cds+=("$(start_once -XX:SharedArchiveFile="$ARCHIVE")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2] + a[NR/2+1]) / 2)}'; }
echo "starts (ms) without archive: ${plain[*]}"
echo "starts (ms) with archive:    ${cds[*]}"
awk -v p="$(median "${plain[@]}")" -v c="$(median "${cds[@]}")" \
  'BEGIN { printf "RESULT median_ms_without=%d median_ms_with_archive=%d ratio=%.2f\n", p, c, c / p }'
