#!/usr/bin/env bash
# What the webhook hot path's Redis work costs Redis, command by command, with the gateway and the load tool out of
# the picture: redis-benchmark drives the facts script (src/main/resources/redis/route_inbound.lua) for an in-task SMS
# from the driver and from the recipient, a script that only claims the sid, and a plain SET and GET, each with a
# fresh sid per call. Prints requests/s, Redis CPU per call (from /proc, so a local Redis) and INFO commandstats'
# usec_per_call. Run it on an otherwise idle machine; it writes into one Redis database and empties it afterwards.
#
# With -b an earlier version of the script is run too, each row alternating before/after, for a before/after in one run
# (e.g. git show 0471a0f:src/main/resources/redis/route_inbound.lua > /tmp/before.lua).
#
# usage: loadtest/bench/facts-script-bench.sh [-n CALLS (200000)] [-d DB (9)] [-c CPU for redis-benchmark (1)] [-b BEFORE.lua]
#        [-r ROUNDS (1)]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPT="$HERE/../../src/main/resources/redis/route_inbound.lua"
CALLS=200000 ; DB=9 ; CPU=1 ; BEFORE="" ; ROUNDS=1
while getopts "n:d:c:b:r:" opt; do
  case "$opt" in
    n) CALLS="$OPTARG" ;; d) DB="$OPTARG" ;; c) CPU="$OPTARG" ;; b) BEFORE="$OPTARG" ;; r) ROUNDS="$OPTARG" ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
  esac
done

REDIS_PID=$(pgrep -x redis-server | head -1)
cli() { redis-cli -n "$DB" "$@"; }
# shellcheck source=cpu.sh
. "$HERE/cpu.sh"

cli flushdb >/dev/null
P='ml:{ml}:'
# The parties' keys are named by their tokens (storage/PartyKeys); the script never computes one, so any will do.
D=d0000000000000000000000000000001 ; R=d0000000000000000000000000000002
cli hset "${P}route:+4741000001:$D" orgId org1 taskId task1 role DRIVER counterpart +4740000002 counterpartToken $R \
  variables '{"stop":"1"}' >/dev/null
cli hset "${P}route:+4741000001:$R" orgId org1 taskId task1 role RECIPIENT counterpart +4740000001 counterpartToken $D \
  variables '{"stop":"1"}' >/dev/null
cli hset "${P}org:org1" email ops@org1.example adminPhone +4740000009 adminPhoneAcceptsSms 1 anonymize 1 \
  routeRecipientsToAdmin 0 recordCalls 0 country NO >/dev/null
FACTS=$(cli script load "$(cat "$SCRIPT")")
[ -n "$BEFORE" ] && OLD_FACTS=$(cli script load "$(cat "$BEFORE")")
CLAIM=$(cli script load "if not redis.call('SET', KEYS[1], 'pending', 'NX', 'PX', ARGV[9]) then return {'dup'} end return {'facts'}")
# Guards far above what the run sends: every call takes the full path, none is limited.
args() { echo "$P +4741000001 $1 $(date +%s%3N) 60000 100000000 100000000 100000000 30000 sms $2"; }

run() { # name, command...
  local name=$1; shift
  cli config resetstat >/dev/null
  local before; before=$(cpu_us "$REDIS_PID")
  local rps
  rps=$(taskset -c "$CPU" redis-benchmark -n "$CALLS" -c 8 -P 8 -r 1000000000 --dbnum "$DB" -q "$@" 2>/dev/null \
    | tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1 | cut -d' ' -f1)
  local after; after=$(cpu_us "$REDIS_PID")
  local cmd; cmd=$(echo "$1" | tr 'A-Z' 'a-z')
  local usec; usec=$(cli info commandstats | tr -d '\r' | grep "^cmdstat_$cmd:" | sed -E 's/.*usec_per_call=([0-9.]+).*/\1/')
  printf '| %s | %.0f | %s | %s |\n' "$name" "$rps" "$(awk -v us=$((after - before)) -v n="$CALLS" 'BEGIN { printf "%.2f", us / n }')" "$usec"
}

echo "| call | req/s | Redis CPU µs per call | usec_per_call ($CALLS calls, 8 clients x pipeline 8) |"
echo "|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  for who in driver recipient; do
    caller=+4740000001 ; token=$D ; [ "$who" = recipient ] && caller=+4740000002 && token=$R
    if [ -n "$BEFORE" ]; then
      # shellcheck disable=SC2046
      run "facts script before ($BEFORE), $who's in-task SMS" EVALSHA "$OLD_FACTS" 2 "${P}sid:__rand_int__" "${P}answered:__rand_int__" \
        $(args $caller $token)
    fi
    # shellcheck disable=SC2046
    run "facts script, $who's in-task SMS" EVALSHA "$FACTS" 2 "${P}sid:__rand_int__" "${P}answered:__rand_int__" $(args $caller $token)
  done
done
# shellcheck disable=SC2046
run "script that only claims the sid" EVALSHA "$CLAIM" 1 "${P}sid:__rand_int__" $(args +4740000001 $D)
run "SET sid pending NX PX (no script)" SET "${P}sid:__rand_int__" pending NX PX 30000
run "GET (the baseline's one call)" GET "${P}route:x"
cli flushdb >/dev/null
