package io.maskline.anonymizer;

import io.maskline.anonymizer.Recordings.Deletion;
import io.maskline.ops.Backoff;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Recordings queued for deletion at the provider that no record holds ({@code recording_deletions}): a recording
 * callback that came after a run deleted its record's bodies and recordings (docs/ANONYMIZER.md, "Late arrivals";
 * the archiver queues it in the statement that applies the callback). Each sweep takes the due ones, deletes them
 * through {@link Recordings} (with its own retries, as the run does) and forgets those the provider no longer has;
 * one it would not delete is tried again later, the wait doubling up to an hour, never given up. A taken row is
 * leased, so pods sweeping at once never delete the same recording twice, and a pod dying mid-sweep only delays it.
 */
public final class RecordingDeletions {
  private static final Logger LOG = LoggerFactory.getLogger(RecordingDeletions.class);
  private static final int BATCH = 50;
  // Longer than the provider adapter's attempts can take (TwilioRecordings: 4 attempts of at most 10 s).
  private static final Duration LEASE = Duration.ofMinutes(5);
  private static final Backoff RETRY = new Backoff(Duration.ofSeconds(5), Duration.ofHours(1), true);

  private static final String TAKE_DUE = """
      UPDATE recording_deletions d SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
      WHERE d.recording_sid IN (SELECT recording_sid FROM recording_deletions WHERE next_attempt_at <= now()
                                ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING d.recording_sid, d.attempts""";
  private static final String FORGET = "DELETE FROM recording_deletions WHERE recording_sid = ANY($1)";
  private static final String LATER = """
      UPDATE recording_deletions d SET next_attempt_at = now() + make_interval(secs => u.wait_s), last_error = u.error
      FROM unnest($1::text[], $2::float8[], $3::text[]) AS u(recording_sid, wait_s, error)
      WHERE d.recording_sid = u.recording_sid""";

  private final Pool pg;
  private final Recordings recordings;
  private final Counter deleted;
  private final Counter failed;

  public RecordingDeletions(Pool pg, Recordings recordings, MeterRegistry metrics) {
    this.pg = pg;
    this.recordings = recordings;
    this.deleted = Counter.builder("maskline.recordings.late.deletions").tag("outcome", "deleted")
        .description("Late recordings of records whose recordings were deleted, deleted at the provider").register(metrics);
    this.failed = Counter.builder("maskline.recordings.late.deletions").tag("outcome", "failed")
        .description("Late recordings the provider would not delete (tried again later)").register(metrics);
  }

  /** One sweep: the due recordings deleted at the provider; answers how many are gone. */
  public Future<Integer> deleteDue() {
    return pg.preparedQuery(TAKE_DUE).execute(Tuple.of(BATCH, (double) LEASE.toSeconds())).compose(taken -> {
      List<Future<Deletion>> deletions = new ArrayList<>();
      List<Integer> attempts = new ArrayList<>();
      for (Row row : taken) {
        String sid = row.getString("recording_sid");
        deletions.add(recordings.delete(sid).otherwise(e -> new Deletion(sid, false, 0, String.valueOf(e.getMessage()))));
        attempts.add(row.getInteger("attempts"));
      }
      if (deletions.isEmpty()) {
        return Future.succeededFuture(0);
      }
      return Future.join(deletions).transform(done -> record(deletions.stream().map(Future::result).toList(), attempts));
    });
  }

  private Future<Integer> record(List<Deletion> outcomes, List<Integer> attempts) {
    List<String> gone = new ArrayList<>();
    List<String> again = new ArrayList<>();
    List<Double> waits = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (int i = 0; i < outcomes.size(); i++) {
      Deletion outcome = outcomes.get(i);
      if (outcome.deleted()) {
        gone.add(outcome.recordingSid());
        continue;
      }
      again.add(outcome.recordingSid());
      waits.add(RETRY.delay(attempts.get(i)).toMillis() / 1000.0);
      errors.add(outcome.error());
      LOG.warn("a late recording could not be deleted at the provider, tried again later {} {} {}", kv("recordingSid", outcome.recordingSid()),
          kv("attempts", attempts.get(i)), kv("error", outcome.error()));
    }
    deleted.increment(gone.size());
    failed.increment(again.size());
    Future<?> forget = gone.isEmpty() ? Future.succeededFuture()
        : pg.preparedQuery(FORGET).execute(Tuple.of((Object) gone.toArray(String[]::new)));
    Future<?> later = again.isEmpty() ? Future.succeededFuture()
        : pg.preparedQuery(LATER).execute(Tuple.of(again.toArray(String[]::new), waits.toArray(Double[]::new), errors.toArray(String[]::new)));
    return Future.all(forget, later).map(gone.size());
  }
}
