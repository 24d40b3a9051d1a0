# Sourced by the benchmark scripts: how far the gateway's archiver is behind, read from the archive stream's group.
# Needs ARCHIVE_REDIS_DB (the gateway's Redis database on 127.0.0.1:6379).

# Archive events not yet written to Postgres: entries the group has not read (lag) plus read but unacknowledged.
archive_behind() {
  redis-cli -n "$ARCHIVE_REDIS_DB" xinfo groups 'ml:{ml}:stream:archive' 2>/dev/null \
    | awk '$1 == "pending" { getline; p = $1 } $1 == "lag" { getline; l = $1 } END { print (p + l) + 0 }'
}

# Call right after the load stops: prints "<events behind then> <seconds until none was>" (">300" past 5 minutes).
# ARCHIVE_BEHIND_AT_END / ARCHIVE_END_NS, when set, are a reading taken earlier, the moment the load stopped.
archive_lag() {
  local behind start
  behind=${ARCHIVE_BEHIND_AT_END:-$(archive_behind)} ; start=${ARCHIVE_END_NS:-$(date +%s%N)}
  while [ "$(archive_behind)" -gt 0 ]; do
    [ $(( ($(date +%s%N) - start) / 1000000000 )) -ge 300 ] && { echo "$behind >300"; return; }
    sleep 0.2
  done
  echo "$behind $(awk -v ns=$(( $(date +%s%N) - start )) 'BEGIN { printf "%.1f", ns / 1e9 }')"
}
