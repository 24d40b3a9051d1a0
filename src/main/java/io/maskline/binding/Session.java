package io.maskline.binding;

import io.maskline.phone.Masking;
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

  /** As {@link #toJson()}, the parties' own numbers masked (+47******67): what a list shows. */
  public JsonObject toMaskedJson() {
    JsonObject json = toJson();
    JsonObject driver = json.getJsonObject("driver");
    JsonObject recipient = json.getJsonObject("recipient");
    driver.put("phone", Masking.phone(driverPhone)).put("dials", anonymized() ? proxyNumber : Masking.phone(recipientPhone));
    recipient.put("phone", Masking.phone(recipientPhone)).put("dials", anonymized() ? proxyNumber : Masking.phone(driverPhone));
    return json;
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
