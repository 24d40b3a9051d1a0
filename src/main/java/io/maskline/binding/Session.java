package io.maskline.binding;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Map;

/**
 * One task's session. {@code proxyNumber} is null when the org does not anonymize: each party then dials the
 * other's real number.
 */
public record Session(
    String taskId,
    String orgId,
    String proxyNumber,
    String driverPhone,
    String recipientPhone,
    Map<String, String> variables,
    boolean open,
    Instant openedAt,
    Instant closedAt) {

  public boolean anonymized() {
    return proxyNumber != null;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("taskId", taskId)
        .put("orgId", orgId)
        .put("anonymized", anonymized())
        .put("proxyNumber", proxyNumber)
        .put("driver", new JsonObject().put("phone", driverPhone).put("dials", anonymized() ? proxyNumber : recipientPhone))
        .put("recipient", new JsonObject().put("phone", recipientPhone).put("dials", anonymized() ? proxyNumber : driverPhone))
        .put("variables", new JsonObject(Map.copyOf(variables)))
        .put("status", open ? "open" : "closed")
        .put("openedAt", openedAt.toString())
        .put("closedAt", closedAt == null ? null : closedAt.toString());
  }
}
