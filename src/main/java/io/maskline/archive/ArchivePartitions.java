package io.maskline.archive;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The monthly partitions of {@code communications} and {@code raw_events} (SQL functions in {@code V2__archive.sql}).
 * Partitions are created ahead (at start and by the archiver's maintenance) and on demand for any month a batch is
 * about to write; {@link #dropExpired()} is the retention the nightly job runs.
 */
public final class ArchivePartitions {
  private static final int MONTHS_AHEAD = 3;
  private static final String ENSURE = "SELECT archive_ensure_partitions($1, $2)";
  private static final String DROP_EXPIRED = "SELECT archive_drop_partitions($1) AS dropped";

  private final Pool pg;
  private final int retentionMonths;
  private final Clock clock;
  // Months known to have partitions in this process; a failed write clears it (a partition may have been dropped).
  private final Set<LocalDate> known = ConcurrentHashMap.newKeySet();

  public ArchivePartitions(Pool pg, int retentionMonths, Clock clock) {
    this.pg = pg;
    this.retentionMonths = retentionMonths;
    this.clock = clock;
  }

  /** Last month to {@value #MONTHS_AHEAD} months ahead; returns how many partitions were created. */
  public Future<Integer> ensureAhead() {
    LocalDate month = currentMonth();
    return pg.preparedQuery(ENSURE).execute(Tuple.of(month.minusMonths(1), month.plusMonths(MONTHS_AHEAD)))
        .map(rows -> rows.iterator().next().getInteger(0));
  }

  /** Makes sure every month of these epoch-millis times has its partitions. */
  public Future<Void> ensureFor(Collection<Long> times) {
    List<LocalDate> missing = times.stream().map(ArchivePartitions::monthOf).distinct().filter(m -> !known.contains(m)).toList();
    Future<Void> chain = Future.succeededFuture();
    for (LocalDate month : missing) {
      chain = chain.compose(v -> pg.preparedQuery(ENSURE).execute(Tuple.of(month, month)).onSuccess(rows -> known.add(month)).mapEmpty());
    }
    return chain;
  }

  void forgetKnown() {
    known.clear();
  }

  /**
   * Retention: drops the partitions (both tables) of every month that lies wholly more than
   * {@code archive.retentionMonths} before the current month; returns the partitions dropped. Idempotent, cheap
   * (catalog work, no row scans); meant for the nightly anonymizer job.
   */
  public Future<List<String>> dropExpired() {
    return pg.preparedQuery(DROP_EXPIRED).execute(Tuple.of(retentionMonths)).map(rows -> {
      known.clear();
      List<String> dropped = new ArrayList<>();
      for (Row row : rows) {
        dropped.add(row.getString("dropped"));
      }
      return dropped;
    });
  }

  private LocalDate currentMonth() {
    return LocalDate.now(clock.withZone(ZoneOffset.UTC)).withDayOfMonth(1);
  }

  static LocalDate monthOf(long epochMillis) {
    return java.time.Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1);
  }
}
