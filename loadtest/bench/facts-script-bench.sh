#!/usr/bin/env bash
# What the webhook hot path's Redis work costs Redis, command by command, with the gateway and the load tool out of
# the picture: redis-benchmark drives the facts script (src/main/resources/redis/route_inbound.lua) for an in-task SMS
# from the driver and from the recipient, a script that only claims the sid, and a plain SET and GET, each with a
# fresh sid per call. Prints requests/s, Redis CPU per call (from /proc, so a local Redis) and INFO commandstats'
# usec_per_call. Run it on an otherwise idle machine; it writes into one Redis database and empties it afterwards.
#
# usage: loadtest/bench/facts-script-bench.sh [-n CALLS (200000)] [-d DB (9)] [-c CPU for redis-benchmark (1)]
#          [-p PORT of a local Redis (6379)] [-f facts script (this tree's route_inbound.lua), e.g. an older version's]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPT="$HERE/../../src/main/resources/redis/route_inbound.lua"
CALLS=200000 ; DB=9 ; CPU=1 ; PORT=6379
while getopts "n:d:c:p:f:" opt; do
  case "$opt" in
    n) CALLS="$OPTARG" ;; d) DB="$OPTARG" ;; c) CPU="$OPTARG" ;; p) PORT="$OPTARG" ;; f) SCRIPT="$OPTARG" ;;
    *) sed -n '2,9p' "$0"; exit 2 ;;
  esac
done

cli() { redis-cli -p "$PORT" -n "$DB" "$@"; }
REDIS_PID=$(cli info server | tr -d '\r' | awk -F: '$1 == "process_id" { print $2 }')
# shellcheck source=cpu.sh
. "$HERE/cpu.sh"

cli flushdb >/dev/null
P='ml:{ml}:'
cli hset "${P}route:+4741000001:+4740000001" orgId org1 taskId task1 role DRIVER counterpart +4740000002 variables '{"stop":"1"}' >/dev/null
cli hset "${P}route:+4741000001:+4740000002" orgId org1 taskId task1 role RECIPIENT counterpart +4740000001 variables '{"stop":"1"}' >/dev/null
cli hset "${P}org:org1" email ops@org1.example adminPhone +4740000009 adminPhoneAcceptsSms 1 anonymize 1 \
  routeRecipientsToAdmin 0 recordCalls 0 country NO >/dev/null
FACTS=$(cli script load "$(cat "$SCRIPT")")
CLAIM=$(cli script load "if not redis.call('SET', KEYS[1], 'pending', 'NX', 'PX', ARGV[9]) then return {'dup'} end return {'facts'}")
# Guards far above what the run sends: every call takes the full path, none is limited.
args() { echo "$P +4741000001 $1 $(date +%s%3N) 60000 100000000 100000000 100000000 30000 sms"; }

run() { # name, command...
  local name=$1; shift
  cli config resetstat >/dev/null
  local before; before=$(cpu_us "$REDIS_PID")
  local rps
  rps=$(taskset -c "$CPU" redis-benchmark -p "$PORT" -n "$CALLS" -c 8 -P 8 -r 1000000000 --dbnum "$DB" -q "$@" 2>/dev/null \
    | tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1 | cut -d' ' -f1)
  local after; after=$(cpu_us "$REDIS_PID")
  local cmd; cmd=$(echo "$1" | tr 'A-Z' 'a-z')
  local usec; usec=$(cli info commandstats | tr -d '\r' | grep "^cmdstat_$cmd:" | sed -E 's/.*usec_per_call=([0-9.]+).*/\1/')
  printf '| %s | %.0f | %s | %s |\n' "$name" "$rps" "$(awk -v us=$((after - before)) -v n="$CALLS" 'BEGIN { printf "%.2f", us / n }')" "$usec"
}

echo "| call | req/s | Redis CPU µs per call | usec_per_call ($CALLS calls, 8 clients x pipeline 8) |"
echo "|---|---|---|---|"
# shellcheck disable=SC2046
run "facts script, driver's in-task SMS" EVALSHA "$FACTS" 1 "${P}sid:__rand_int__" $(args +4740000001)
# shellcheck disable=SC2046
run "facts script, recipient's in-task SMS" EVALSHA "$FACTS" 1 "${P}sid:__rand_int__" $(args +4740000002)
# shellcheck disable=SC2046
run "script that only claims the sid" EVALSHA "$CLAIM" 1 "${P}sid:__rand_int__" $(args +4740000001)
run "SET sid pending NX PX (no script)" SET "${P}sid:__rand_int__" pending NX PX 30000
run "GET (the baseline's one call)" GET "${P}route:x"
cli flushdb >/dev/null
