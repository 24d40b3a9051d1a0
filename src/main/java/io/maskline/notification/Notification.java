package io.maskline.notification;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/** A trigger notification and its state; phones in E.164. {@code from} is the org's dedicated number or the platform sender. */
public record Notification(
    String id,
    String orgId,
    String idempotencyKey,
    String to,
    String from,
    String body,
    String taskId,
    NotificationStatus status,
    Instant statusAt,
    int attempts,
    Instant nextAttemptAt,
    String providerSid,
    String error,
    boolean anonymized,
    Instant createdAt,
    Instant updatedAt) {

  /** Whether a request with the same idempotency key asks for the same notification. */
  boolean sameRequest(String otherTo, String otherBody, String otherTaskId) {
    return to.equals(otherTo) && body.equals(otherBody) && java.util.Objects.equals(taskId, otherTaskId);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("orgId", orgId)
        .put("idempotencyKey", idempotencyKey)
        .put("to", to)
        .put("from", from)
        .put("body", body)
        .put("taskId", taskId)
        .put("status", status.wire())
        .put("statusAt", statusAt.toString())
        .put("attempts", attempts)
        .put("nextAttemptAt", status == NotificationStatus.QUEUED ? nextAttemptAt.toString() : null)
        .put("providerSid", providerSid)
        .put("error", error)
        .put("anonymized", anonymized)
        .put("createdAt", createdAt.toString())
        .put("updatedAt", updatedAt.toString());
  }
}
