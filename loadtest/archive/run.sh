#!/usr/bin/env bash
# Archive benchmark (issue 5). Not a test: it needs a local Postgres (trust auth for user postgres) and Redis.
#   1. 1,000,000 synthetic interactions into the archive stream, drained by the gateway's archiver into Postgres;
#   2. the same rows again with psql COPY into the same (emptied) tables, in the same run: the ratio is the point;
#   3. the archive topped up to 10,000,000 rows, then GET /v1/archive?orgId=&phone= timed over HTTP (p50/p99),
#      with EXPLAIN (ANALYZE, BUFFERS) of the exact search statement.
# Usage: loadtest/archive/run.sh            (EVENTS, BATCH, SEARCH_ROWS, REQUESTS, BENCH_DB, BENCH_REDIS_URL override)
# Output: loadtest/results/archive/*.txt; figures go to docs/PERFORMANCE.md ("Archive").
set -euo pipefail
cd "$(dirname "$0")/../.."
. loadtest/lib/pg-bulk.sh

EVENTS=${EVENTS:-1000000}
BATCH=${BATCH:-500}
SEARCH_ROWS=${SEARCH_ROWS:-10000000}
REQUESTS=${REQUESTS:-2000}
DB=${BENCH_DB:-maskline_bench}
REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/13}
PG_URL=postgresql://postgres@127.0.0.1:5432/$DB
OUT=$PWD/loadtest/results/archive
export PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres
mkdir -p "$OUT"

bench() {
  mvn -B -q -o -Dstyle.color=never -Pdev exec:java -Ddev.main.class=io.maskline.archive.ArchiveBenchmark -Dexec.args="$*" 2>&1 | grep -v '^{"@timestamp"'
}
seconds() { date +%s.%N; }

echo "== fresh database $DB"
psql -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
mvn -B -q -o -Dstyle.color=never test-compile

echo "== 1. archiver: $EVENTS events through the stream (batch $BATCH)"
bench ingest "$REDIS_URL" "$PG_URL" "$EVENTS" "$BATCH" | tee "$OUT/ingest.txt"
archiver_s=$(grep -o 'ingest_seconds=[0-9.]*' "$OUT/ingest.txt" | cut -d= -f2)

echo "== 2. psql COPY of the same rows into the same tables"
psql -q -d "$DB" -v ON_ERROR_STOP=1 \
  -c "\\copy (SELECT * FROM communications) TO '$OUT/communications.csv' CSV" \
  -c "\\copy (SELECT * FROM raw_events) TO '$OUT/raw_events.csv' CSV" \
  -c "TRUNCATE communications, raw_events" -c "CHECKPOINT"
start=$(seconds)
psql -q -d "$DB" -v ON_ERROR_STOP=1 \
  -c "\\copy communications FROM '$OUT/communications.csv' CSV" \
  -c "\\copy raw_events FROM '$OUT/raw_events.csv' CSV"
copy_s=$(awk -v a="$start" -v b="$(seconds)" 'BEGIN { print b - a }')
rm -f "$OUT/communications.csv" "$OUT/raw_events.csv"
awk -v n="$EVENTS" -v a="$archiver_s" -v c="$copy_s" 'BEGIN {
  printf "COPY: %d rows into communications + raw_events in %.1f s = %.0f rows/s\n", n, c, n / c;
  printf "RESULT archiver_events_per_second=%.0f copy_rows_per_second=%.0f archiver_vs_copy=%.0f%%\n", n / a, n / c, 100 * c / a }' \
  | tee "$OUT/copy.txt"

echo "== 3. archive topped up to $SEARCH_ROWS rows"
start=$(seconds)
PGDATABASE=$DB with_secondary_indexes_rebuilt public "$(cat <<SQL
INSERT INTO orgs (org_id, name, country) SELECT 'bench-org-' || i, 'Bench ' || i, 'NO' FROM generate_series(0, 999) i ON CONFLICT DO NOTHING;
SELECT archive_ensure_partitions((archive_month_of(now()) - interval '12 months')::date, archive_month_of(now()));
-- People +4790000000..+4790999999; a person writes within one org (about 10 records each), spread over 12 months.
DO \$\$
DECLARE
  total bigint := $SEARCH_ROWS - (SELECT count(*) FROM communications);
  chunk bigint := 1000000;
  done bigint := 0;
BEGIN
  WHILE done < total LOOP
    INSERT INTO communications (archive_month, org_id, provider_sid, task_id, channel, direction, from_addr, to_addr,
                                proxy_number, body, started_at, status, status_at, routed_to, variables)
    SELECT archive_month_of(ts), 'bench-org-' || (p1 % 1000), 'GEN' || g, 'task-' || (g % 700001),
           CASE WHEN g % 3 = 0 THEN 'voice' ELSE 'sms' END, 'inbound',
           '+479' || lpad(p1::text, 7, '0'), '+479' || lpad(p2::text, 7, '0'), '+4741' || lpad((g % 1000)::text, 6, '0'),
           'Generated message ' || g, ts, 'delivered', ts, 'counterpart', '{"order":"A-1"}'
    FROM (SELECT g, (g * 7919 + 13) % 1000000 AS p1, (g * 104729 + 7) % 1000000 AS p2,
                 now() - make_interval(secs => (g * 15485863) % (360 * 86400)) AS ts
          FROM generate_series(done + 1, least(done + chunk, total)) g) s;
    done := done + chunk;
    COMMIT;
    RAISE NOTICE 'generated % of % rows', least(done, total), total;
  END LOOP;
END \$\$;
SQL
)"
echo "filled in $(awk -v a="$start" -v b="$(seconds)" 'BEGIN { printf "%.0f", b - a }') s; $(psql -qtA -d "$DB" -c 'SELECT count(*) FROM communications') rows"

echo "== 4. search by phone over HTTP"
bench search "$REDIS_URL" "$PG_URL" "$REQUESTS" | tee "$OUT/search.txt"
psql -qtA -d "$DB" -c "SELECT pg_size_pretty(pg_total_relation_size('communications'::regclass) + coalesce((SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = 'communications'::regclass), 0))" \
  | sed 's/^/communications on disk (heap + indexes): /' | tee -a "$OUT/search.txt"
