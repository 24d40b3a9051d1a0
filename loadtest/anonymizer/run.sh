#!/usr/bin/env bash
# Anonymizer benchmark (issue 6). Not a test: it needs a local Postgres (trust auth for user postgres) and Redis.
#   1. an archive of ROWS records (one raw event each) in schema BENCH_SCHEMA of database BENCH_DB, generated in SQL,
#      with 2 x REQUESTS people to forget among them, 20 records each (16 as a party, 2 mentioned in a body,
#      2 in a variable value) plus 100,000 post-task history entries in Redis;
#   2. one anonymizer run over REQUESTS requests (scope archive + raw), timed;
#   3. in the same run, the same work for the other REQUESTS people as hand-written SQL UPDATEs through psql
#      (same index conditions, regexp_replace), one transaction per request, timed;
#   4. the archive doubled to 2 x ROWS with 2 x REQUESTS new people, then 2. and 3. again.
# Usage: loadtest/anonymizer/run.sh     (ROWS, REQUESTS, BENCH_DB, BENCH_SCHEMA, BENCH_REDIS_URL, KEEP=1 override)
# Output: loadtest/results/anonymizer/*.txt; figures go to docs/PERFORMANCE.md ("Anonymizer").
set -euo pipefail
cd "$(dirname "$0")/../.."
. loadtest/lib/pg-bulk.sh

ROWS=${ROWS:-5000000}
REQUESTS=${REQUESTS:-1000}
DB=${BENCH_DB:-test}
SCHEMA=${BENCH_SCHEMA:-anonymizer_bench}
REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/14}
PG_URL=postgresql://postgres@127.0.0.1:5432/$DB
OUT=$PWD/loadtest/results/anonymizer
export PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres PGDATABASE=$DB PGOPTIONS="-c search_path=$SCHEMA"
mkdir -p "$OUT"

bench() {
  mvn -B -q -o -Pdev exec:java -Ddev.main.class=io.maskline.anonymizer.AnonymizerBenchmark -Dexec.args="$*" 2>&1 | grep -v '^{"@timestamp"'
}
seconds() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(seconds)" 'BEGIN { printf "%.1f", b - a }'; }

# Background records lo..hi: 1,000 orgs, a million people writing to 100,000 drivers over 12 months; a third are
# calls (no body); one message in 50 mentions another person's number. Then people first..first+n-1 to forget.
# The raw event of each record just inserted (CTE c), with the parameters Twilio would have sent.
RAW_EVENTS="RETURNING archive_month, org_id, provider_sid, task_id, from_addr, proxy_number, body, started_at)
  INSERT INTO raw_events (event_key, archive_month, received_at, org_id, kind, provider_sid, task_id, payload)
  SELECT 'interaction:' || org_id || ':' || provider_sid, archive_month, started_at, org_id, 'interaction', provider_sid, task_id,
         jsonb_build_object('MessageSid', provider_sid, 'AccountSid', 'ACbench', 'From', from_addr, 'To', proxy_number,
                            'Body', coalesce(body, ''), 'FromCity', 'OSLO', 'NumMedia', '0')
  FROM c;"

generate() {
  local lo=$1 hi=$2 first=$3 n=$4
  with_secondary_indexes_rebuilt "$SCHEMA" "$(cat <<SQL
SELECT archive_ensure_partitions((archive_month_of(now()) - interval '12 months')::date, archive_month_of(now()));
DO \$\$
DECLARE
  chunk bigint := 500000;
  at bigint := $lo;
BEGIN
  WHILE at <= $hi LOOP
    WITH c AS (
      INSERT INTO communications (archive_month, org_id, provider_sid, task_id, channel, direction, from_addr, to_addr,
                                  proxy_number, body, started_at, status, status_at, routed_to, variables)
      SELECT archive_month_of(ts), 'bench-org-' || (p1 % 1000), 'BG' || g, 'task-' || (g % 700001),
             CASE WHEN g % 3 = 0 THEN 'voice' ELSE 'sms' END, 'inbound',
             '+4790' || lpad(p1::text, 6, '0'), '+4791' || lpad(p2::text, 6, '0'), '+4741' || lpad((p1 % 1000)::text, 6, '0'),
             CASE WHEN g % 3 = 0 THEN NULL
                  WHEN g % 50 = 1 THEN 'call my colleague on 90 ' || substr(lpad(p2::text, 6, '0'), 1, 2) || ' '
                                       || substr(lpad(p2::text, 6, '0'), 3, 2) || ' ' || substr(lpad(p2::text, 6, '0'), 5, 2)
                  ELSE 'Generated message ' || (g % 997) END,
             ts, 'delivered', ts, 'counterpart', '{"order":"A-1"}'
      FROM (SELECT g, (g * 7919 + 13) % 1000000 AS p1, (g * 104729 + 7) % 100000 AS p2,
                   now() - make_interval(secs => (g * 15485863) % (360 * 86400)) AS ts
            FROM generate_series(at, least(at + chunk - 1, $hi::bigint)) g) s
      $RAW_EVENTS
    COMMIT;
    RAISE NOTICE 'records % of %', least(at + chunk - 1, $hi::bigint), $hi;
    at := at + chunk;
  END LOOP;
END \$\$;
WITH c AS (
  INSERT INTO communications (archive_month, org_id, provider_sid, task_id, channel, direction, from_addr, to_addr,
                              proxy_number, body, started_at, status, status_at, routed_to, variables)
  SELECT archive_month_of(ts), org, 'TG' || i || '-' || k, 'task-t' || i, CASE WHEN k IN (14, 15) THEN 'voice' ELSE 'sms' END, 'inbound',
         CASE WHEN k < 8 OR k IN (14, 15) THEN x ELSE d END,
         CASE WHEN k BETWEEN 8 AND 13 THEN x WHEN k < 8 OR k IN (14, 15) THEN d ELSE '+4790' || lpad(((i * 31 + k) % 1000000)::text, 6, '0') END,
         proxy,
         CASE WHEN k IN (14, 15) THEN NULL
              WHEN k IN (16, 17) THEN 'the customer before you was ' || substr(x, 4, 2) || ' ' || substr(x, 6, 2) || ' ' || substr(x, 8, 2) || ' ' || substr(x, 10, 2)
              ELSE 'message ' || k END,
         ts, 'delivered', ts, 'counterpart',
         CASE WHEN k IN (18, 19) THEN jsonb_build_object('customerPhone', x, 'order', 'A-' || i) ELSE '{"order":"A-1"}'::jsonb END
  FROM (SELECT i, k, '+4798' || lpad(i::text, 6, '0') AS x, 'bench-org-' || (i % 1000) AS org, '+4791' || lpad((i % 100000)::text, 6, '0') AS d,
               '+4741' || lpad((i % 1000)::text, 6, '0') AS proxy,
               now() - make_interval(secs => ((i::bigint * 20 + k) * 15485863) % (360 * 86400)) AS ts
        FROM generate_series($first, $first + $n - 1) i, generate_series(0, 19) k) s
  $RAW_EVENTS
SQL
)"
}

# One phase: anonymizer on people first..first+n-1, hand-written SQL on the next n, and the EXPLAIN of one lookup.
phase() {
  local label=$1 first=$2 n=$3
  echo "== $label: archive of $(psql -qtA -c 'SELECT count(*) FROM communications') records, $(psql -qtA -c 'SELECT count(*) FROM raw_events') raw events"
  bench history "$REDIS_URL" "$first" "$n" 0 >/dev/null
  bench anonymize "$PG_URL" "$SCHEMA" "$REDIS_URL" "$first" "$n" | tee "$OUT/$label-anonymizer.txt" | grep -E 'RESULT|"(requestsMs|totalMs|status)"'
  bench handsql "$PG_URL" "$SCHEMA" "$((first + n))" "$n" "$OUT/$label-handsql.sql" >/dev/null
  local start
  start=$(seconds)
  psql -q -f "$OUT/$label-handsql.sql" >/dev/null
  local hand
  hand=$(since "$start")
  local anonymizer
  anonymizer=$(grep -o 'anonymizer_seconds=[0-9.]*' "$OUT/$label-anonymizer.txt" | cut -d= -f2)
  awk -v a="$anonymizer" -v h="$hand" -v n="$n" -v l="$label" 'BEGIN {
    printf "RESULT %s anonymizer_seconds=%.1f handsql_seconds=%.1f ratio=%.2f requests=%d\n", l, a, h, a / h, n }' | tee "$OUT/$label-result.txt"
  local x
  x=$(printf '+4798%06d' "$((first + 2 * n))")
  local org="bench-org-$(( (first + 2 * n) % 1000 ))"
  # The statement as the anonymizer sends it: prepared, with the generic plan a long run settles on.
  psql -q > "$OUT/$label-explain.txt" <<SQL
SET plan_cache_mode = force_generic_plan;
PREPARE find(text, text[], text[]) AS
  SELECT id FROM communications
  WHERE (org_id = \$1 AND from_addr = ANY(\$2)) OR (org_id = \$1 AND to_addr = ANY(\$2)) OR communication_identities(org_id, body, variables) && \$3
  FOR UPDATE;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE find('$org', '{$x}', '{$org:4798${x:5},$org:004798${x:5},$org:98${x:5}}');
SQL
  tail -3 "$OUT/$label-explain.txt"
}

echo "== schema $SCHEMA in database $DB (dropped first)"
psql -q -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE"
redis-cli -u "$REDIS_URL" FLUSHDB >/dev/null
mvn -B -q -o test-compile
bench migrate "$PG_URL" "$SCHEMA"
bench history "$REDIS_URL" 0 0 100000

start=$(seconds)
generate 1 "$ROWS" 0 $((3 * REQUESTS))
echo "generated $ROWS records + $((3 * REQUESTS)) people in $(since "$start") s"
phase "x1" 0 "$REQUESTS"

start=$(seconds)
generate $((ROWS + 1)) $((2 * ROWS)) $((3 * REQUESTS)) $((3 * REQUESTS))
echo "generated $ROWS more records + $((3 * REQUESTS)) people in $(since "$start") s"
phase "x2" $((3 * REQUESTS)) "$REQUESTS"

psql -qtA -c "SELECT 'archive on disk (heap + indexes): ' || pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent IN ('communications'::regclass, 'raw_events'::regclass)" | tee "$OUT/size.txt"
if [ "${KEEP:-0}" != 1 ]; then
  psql -q -c "DROP SCHEMA $SCHEMA CASCADE"
fi
