package io.maskline.anonymizer;

import io.maskline.phone.Masking;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * A person to forget in one org: phone (E.164) and/or email (lower-cased), where ({@code archive}, optionally
 * {@code raw}), and whether their recordings and message bodies go too. {@code WAITING} until a run has done it,
 * then {@code DONE} with the identity masked and a report of what changed in each store.
 */
public record AnonymizationRequest(UUID id, String orgId, String phone, String email, List<String> scope,
                                   boolean deleteRecordingsAndBodies, Status status, Instant createdAt, Instant doneAt,
                                   UUID runId, JsonObject report) {
  public enum Status { WAITING, DONE }

  public static final String SCOPE_ARCHIVE = "archive";
  public static final String SCOPE_RAW = "raw";

  public boolean includesRaw() {
    return scope.contains(SCOPE_RAW);
  }

  /** The identity as kept once done: most digits/characters replaced by '*'. */
  public AnonymizationRequest masked() {
    return new AnonymizationRequest(id, orgId, Masking.phone(phone), Masking.email(email), scope, deleteRecordingsAndBodies,
        status, createdAt, doneAt, runId, report);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("orgId", orgId)
        .put("phone", phone)
        .put("email", email)
        .put("scope", new JsonArray(scope))
        .put("deleteRecordingsAndBodies", deleteRecordingsAndBodies)
        .put("status", status.name())
        .put("createdAt", millis(createdAt))
        .put("doneAt", millis(doneAt))
        .put("runId", runId == null ? null : runId.toString())
        .put("report", report);
  }

  static AnonymizationRequest fromRow(Row row) {
    Object report = row.getValue("report");
    return new AnonymizationRequest(row.getUUID("id"), row.getString("org_id"), row.getString("phone"), row.getString("email"),
        Arrays.asList(row.getArrayOfStrings("scope")), row.getBoolean("delete_recordings_and_bodies"),
        Status.valueOf(row.getString("status")), instant(row.getOffsetDateTime("created_at")),
        instant(row.getOffsetDateTime("done_at")), row.getUUID("run_id"), report instanceof JsonObject json ? json : null);
  }

  private static String millis(Instant time) {
    return time == null ? null : time.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  private static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }
}
