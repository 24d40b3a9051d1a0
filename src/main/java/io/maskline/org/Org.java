package io.maskline.org;

import io.vertx.core.json.JsonObject;

/** An organization and its routing settings, numbers in E.164, email lower-cased. */
public record Org(
    String orgId,
    String name,
    String email,
    String adminPhone,
    boolean adminPhoneAcceptsSms,
    boolean anonymize,
    boolean routeRecipientsToAdmin,
    boolean recordCalls,
    String country,
    NumberSelection numberSelection) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("orgId", orgId)
        .put("name", name)
        .put("email", email)
        .put("adminPhone", adminPhone)
        .put("adminPhoneAcceptsSms", adminPhoneAcceptsSms)
        .put("anonymize", anonymize)
        .put("routeRecipientsToAdmin", routeRecipientsToAdmin)
        .put("recordCalls", recordCalls)
        .put("country", country)
        .put("numberSelection", numberSelection.value());
  }
}
