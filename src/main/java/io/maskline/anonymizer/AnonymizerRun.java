package io.maskline.anonymizer;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * One run of the anonymizer as recorded in {@code anonymizer_runs}: what started it, how far it got, how long each
 * step took. {@code records} counts changed records per store; {@code details} holds timings, clean-up and errors.
 */
public record AnonymizerRun(UUID runId, String status, String trigger, Instant scheduledFor, String pod, Instant startedAt,
                            Instant finishedAt, int requestsDone, int requestsFailed, long recordsAnonymized, JsonObject records,
                            JsonObject details) {
  public static final String RUNNING = "running";
  public static final String DONE = "done";
  public static final String FAILED = "failed";

  public JsonObject toJson() {
    return new JsonObject()
        .put("runId", runId.toString())
        .put("status", status)
        .put("trigger", trigger)
        .put("scheduledFor", millis(scheduledFor))
        .put("pod", pod)
        .put("requestsDone", requestsDone)
        .put("requestsFailed", requestsFailed)
        .put("recordsAnonymized", recordsAnonymized)
        .put("records", records)
        .put("startedAt", millis(startedAt))
        .put("finishedAt", millis(finishedAt))
        .mergeIn(details);
  }

  static AnonymizerRun fromRow(Row row) {
    return new AnonymizerRun(row.getUUID("run_id"), row.getString("status"), row.getString("trigger"),
        instant(row.getOffsetDateTime("scheduled_for")), row.getString("pod"), instant(row.getOffsetDateTime("started_at")),
        instant(row.getOffsetDateTime("finished_at")), row.getInteger("requests_done"), row.getInteger("requests_failed"),
        row.getLong("records_anonymized"), json(row.getValue("records")), json(row.getValue("details")));
  }

  private static JsonObject json(Object value) {
    return value instanceof JsonObject json ? json : new JsonObject();
  }

  private static String millis(Instant time) {
    return time == null ? null : time.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  private static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }
}
