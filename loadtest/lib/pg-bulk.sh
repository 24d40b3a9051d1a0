# Shared by the archive and anonymizer benchmarks (source it; psql connection settings come from PG* variables).
# Bulk-fills archive tables the fast way: drop their secondary indexes, run the given SQL, build the indexes again
# (much faster than maintaining them row by row). The definitions are read back from the catalog first, so the
# rebuilt indexes are exactly the migrations' ones.
#   with_secondary_indexes_rebuilt SCHEMA SQL     (SQL read by psql; tables: communications, raw_events)
with_secondary_indexes_rebuilt() {
  local schema=$1 sql=$2 keep="'communications_pk', 'communications_provider_sid', 'raw_events_pk'" indexes
  indexes=$(psql -qtA -c "SELECT string_agg(replace(indexdef, ' ON ONLY ', ' ON ') || ';', E'\n') FROM pg_indexes
    WHERE schemaname = '$schema' AND tablename IN ('communications', 'raw_events') AND indexname NOT IN ($keep)")
  psql -q -v ON_ERROR_STOP=1 -c "DO \$\$ DECLARE i record; BEGIN FOR i IN SELECT indexname FROM pg_indexes
    WHERE schemaname = '$schema' AND tablename IN ('communications', 'raw_events') AND indexname NOT IN ($keep)
    LOOP EXECUTE format('DROP INDEX %I.%I', '$schema', i.indexname); END LOOP; END \$\$"
  psql -q -v ON_ERROR_STOP=1 <<SQL
$sql
SET maintenance_work_mem = '512MB';
$indexes
VACUUM ANALYZE communications, raw_events;
SQL
}
