package io.maskline.anonymizer;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

/** The {@code anonymizer_runs} table. */
public final class AnonymizerRuns {
  // Called with the run lock held: a run still marked running belongs to a pod that stopped mid-run.
  private static final String ABANDON_RUNNING = """
      UPDATE anonymizer_runs SET status = 'failed', finished_at = $1,
        details = details || '{"error": "abandoned: the pod running it stopped before it finished"}'
      WHERE status = 'running'""";
  // A scheduled slot runs once: the pod that comes second finds the slot taken and inserts nothing.
  private static final String INSERT = """
      INSERT INTO anonymizer_runs (run_id, status, trigger, scheduled_for, pod, started_at) VALUES ($1, 'running', $2, $3, $4, $5)
      ON CONFLICT (scheduled_for) WHERE scheduled_for IS NOT NULL DO NOTHING RETURNING run_id""";
  private static final String SLOT = "SELECT run_id FROM anonymizer_runs WHERE scheduled_for = $1";
  private static final String RUNNING = "SELECT run_id FROM anonymizer_runs WHERE status = 'running'";
  private static final String GET = "SELECT * FROM anonymizer_runs WHERE run_id = $1";
  private static final String FINISH = """
      UPDATE anonymizer_runs SET status = $2, finished_at = $3, requests_failed = $4, records = $5, details = $6 WHERE run_id = $1""";

  private AnonymizerRuns() {}

  static Future<Integer> abandonRunning(SqlClient conn, Instant now) {
    return conn.preparedQuery(ABANDON_RUNNING).execute(Tuple.of(utc(now))).map(rows -> rows.rowCount());
  }

  /** Records a new running run; empty when its scheduled slot already has a run (then that run's id). */
  static Future<Optional<UUID>> insert(SqlClient conn, UUID runId, String trigger, Instant scheduledFor, String pod, Instant startedAt) {
    return conn.preparedQuery(INSERT).execute(Tuple.of(runId, trigger, utc(scheduledFor), pod, utc(startedAt)))
        .compose(rows -> rows.size() == 1
            ? Future.succeededFuture(Optional.<UUID>empty())
            : conn.preparedQuery(SLOT).execute(Tuple.of(utc(scheduledFor))).map(slot -> Optional.of(slot.iterator().next().getUUID("run_id"))));
  }

  static Future<Optional<UUID>> running(SqlClient client) {
    return client.query(RUNNING).execute().map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getUUID("run_id")));
  }

  static Future<Optional<AnonymizerRun>> get(SqlClient client, UUID runId) {
    return client.preparedQuery(GET).execute(Tuple.of(runId)).map(rows -> {
      for (Row row : rows) {
        return Optional.of(AnonymizerRun.fromRow(row));
      }
      return Optional.empty();
    });
  }

  static Future<Void> finish(SqlClient client, UUID runId, String status, Instant finishedAt, int requestsFailed, JsonObject records,
                             JsonObject details) {
    return client.preparedQuery(FINISH).execute(Tuple.of(runId, status, utc(finishedAt), requestsFailed, records, details)).mapEmpty();
  }

  private static java.time.OffsetDateTime utc(Instant time) {
    return time == null ? null : time.atOffset(ZoneOffset.UTC);
  }
}
