package io.maskline.anonymizer;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The {@code anonymization_requests} table: what the API writes and lists, and what a run takes, does and masks. */
public final class AnonymizationRequests {
  private static final String INSERT = """
      INSERT INTO anonymization_requests (id, org_id, phone, email, scope, delete_recordings_and_bodies, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *""";
  private static final String LIST = "SELECT * FROM anonymization_requests WHERE org_id = $1 ORDER BY created_at DESC, id DESC";
  // Oldest first: requests are done in the order they were made. The org's country reads national mentions.
  private static final String WAITING = """
      SELECT r.*, COALESCE(o.country, $1) AS country
      FROM anonymization_requests r JOIN orgs o ON o.org_id = r.org_id
      WHERE r.status = 'WAITING' ORDER BY r.created_at, r.id""";
  private static final String GET = """
      SELECT r.*, COALESCE(o.country, $2) AS country
      FROM anonymization_requests r JOIN orgs o ON o.org_id = r.org_id WHERE r.id = $1""";
  // The request masked and done, and its run's counts, in the request's own transaction: the counts always equal the
  // committed work, even after a crash. No row when the request was no longer waiting.
  private static final String MARK_DONE = """
      WITH done AS (
        UPDATE anonymization_requests SET status = 'DONE', done_at = $2, run_id = $3, phone = $4, email = $5, report = $6
        WHERE id = $1 AND status = 'WAITING' RETURNING id)
      UPDATE anonymizer_runs SET requests_done = requests_done + 1, records_anonymized = records_anonymized + $7
      WHERE run_id = $3 AND EXISTS (SELECT 1 FROM done)""";
  // WAITING requests are kept whatever their age: dropping one would silently drop the duty to forget someone.
  private static final String DELETE_DONE_BEFORE = "DELETE FROM anonymization_requests WHERE status = 'DONE' AND created_at < $1";

  /** How long request rows are kept (the seed: "each night we delete records older than 12 months"). */
  static final int KEEP_MONTHS = 12;

  private final SqlClient pg;
  private final Clock clock;

  public AnonymizationRequests(SqlClient pg, Clock clock) {
    this.pg = pg;
    this.clock = clock;
  }

  /** A waiting request and the country its org's national numbers are read in. */
  public record Pending(AnonymizationRequest request, String country) {}

  public Future<AnonymizationRequest> create(String orgId, String phone, String email, List<String> scope, boolean deleteRecordingsAndBodies) {
    return pg.preparedQuery(INSERT)
        .execute(Tuple.of(UUID.randomUUID(), orgId, phone, email, scope.toArray(String[]::new), deleteRecordingsAndBodies,
            clock.instant().atOffset(ZoneOffset.UTC)))
        .map(rows -> AnonymizationRequest.fromRow(rows.iterator().next()));
  }

  public Future<List<AnonymizationRequest>> list(String orgId) {
    return pg.preparedQuery(LIST).execute(Tuple.of(orgId)).map(rows -> {
      List<AnonymizationRequest> requests = new ArrayList<>();
      rows.forEach(row -> requests.add(AnonymizationRequest.fromRow(row)));
      return requests;
    });
  }

  /** One request, with its org's country; empty when there is none with this id. */
  public Future<java.util.Optional<Pending>> get(UUID id, String defaultCountry) {
    return pg.preparedQuery(GET).execute(Tuple.of(id, defaultCountry)).map(rows -> {
      if (rows.size() == 0) {
        return java.util.Optional.empty();
      }
      Row row = rows.iterator().next();
      return java.util.Optional.of(new Pending(AnonymizationRequest.fromRow(row), row.getString("country")));
    });
  }

  static Future<List<Pending>> waiting(SqlClient conn, String defaultCountry) {
    return conn.preparedQuery(WAITING).execute(Tuple.of(defaultCountry)).map(rows -> {
      List<Pending> pending = new ArrayList<>();
      for (Row row : rows) {
        pending.add(new Pending(AnonymizationRequest.fromRow(row), row.getString("country")));
      }
      return pending;
    });
  }

  /** Marks the request done (identity masked, report) and counts it in its run; false when it was not waiting. */
  static Future<Boolean> markDone(SqlClient conn, AnonymizationRequest request, Instant doneAt, UUID runId, JsonObject report, long records) {
    AnonymizationRequest masked = request.masked();
    return conn.preparedQuery(MARK_DONE)
        .execute(Tuple.of(request.id(), doneAt.atOffset(ZoneOffset.UTC), runId, masked.phone(), masked.email(), report, records))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Deletes done requests made more than {@value #KEEP_MONTHS} months before {@code now}; returns how many. */
  static Future<Integer> deleteExpired(SqlClient conn, Instant now) {
    Instant cutoff = now.atOffset(ZoneOffset.UTC).minusMonths(KEEP_MONTHS).toInstant();
    return conn.preparedQuery(DELETE_DONE_BEFORE).execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC))).map(rows -> rows.rowCount());
  }
}
