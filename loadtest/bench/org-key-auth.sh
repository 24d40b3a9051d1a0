#!/usr/bin/env bash
# What an org key costs an admin call compared with the platform token: the same read (GET /v1/orgs/{orgId}) with
# each credential, alternated round after round against one running gateway, so a drifting machine shows as spread
# across rounds rather than as a difference between credentials. The org key adds one Postgres read by primary key
# and a SHA-256 per call (access/Authenticator, access/OrgKeys); OrgScope's check is done for both.
#
# usage: loadtest/bench/org-key-auth.sh --gateway http://127.0.0.1:8080 --token <MASKLINE_ADMIN_TOKEN>
#   --rounds N (3)  --duration D (15s)  --warmup D (5s)  --connections N (16)  --threads N (1)  --wrk-cpus L (1)
# Prints one line per run (req/s, p50, p99) and per credential the mean req/s and its ratio to the platform token's.
set -euo pipefail

GATEWAY="" ; TOKEN="" ; ROUNDS=3 ; DURATION=15s ; WARMUP=5s ; CONNECTIONS=16 ; THREADS=1 ; WRK_CPUS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --gateway) GATEWAY="$2"; shift 2 ;;
    --token) TOKEN="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --wrk-cpus) WRK_CPUS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$GATEWAY" ] && [ -n "$TOKEN" ] || { echo "--gateway and --token are required" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is missing (loadtest/bench/install-wrk.sh)" >&2; exit 2; }

ORG="bench-auth-$(date +%s)"
curl -fsS -X PUT "$GATEWAY/v1/orgs/$ORG" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"Auth bench","country":"NO"}' >/dev/null
KEY=$(curl -fsS -X POST "$GATEWAY/v1/orgs/$ORG/keys" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"role":"viewer"}' | sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')
[ -n "$KEY" ] || { echo "could not create an org key" >&2; exit 1; }

run() { # credential label -> "req/s p50 p99"
  local out
  taskset -c "$WRK_CPUS" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "Authorization: Bearer $1" "$GATEWAY/v1/orgs/$ORG" >/dev/null
  out=$(taskset -c "$WRK_CPUS" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $1" "$GATEWAY/v1/orgs/$ORG")
  if echo "$out" | grep -q "Non-2xx"; then echo "$2: non-2xx answers" >&2; echo "$out" >&2; exit 1; fi
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1=="50%" {print $2}') $(echo "$out" | awk '$1=="99%" {print $2}')"
}

declare -A SUM=([platform]=0 [orgKey]=0)
for round in $(seq 1 "$ROUNDS"); do
  for label in platform orgKey; do
    cred=$TOKEN; [ "$label" = orgKey ] && cred=$KEY
    read -r rps p50 p99 <<<"$(run "$cred" "$label")"
    printf 'round %d  %-8s  %10s req/s  p50 %8s  p99 %8s\n' "$round" "$label" "$rps" "$p50" "$p99"
    SUM[$label]=$(echo "${SUM[$label]} + $rps" | bc -l)
  done
done
platform=$(echo "${SUM[platform]} / $ROUNDS" | bc -l)
orgkey=$(echo "${SUM[orgKey]} / $ROUNDS" | bc -l)
printf 'mean platform %.0f req/s, org key %.0f req/s: org key / platform = %.2f\n' "$platform" "$orgkey" "$(echo "$orgkey / $platform" | bc -l)"
