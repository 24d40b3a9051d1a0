package io.maskline.support;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Unique orgs, numbers and tasks per test, so tests share servers (and an external database) without clashing. */
public final class TestData {
  private TestData() {}

  /**
   * {@code prefix-} and eight letters: a hex suffix of digits only (2 % of them) reads as a phone number to the
   * maskers of logs and problem details, and a test comparing the id with what it is shown then fails by chance.
   */
  public static String id(String prefix) {
    StringBuilder id = new StringBuilder(prefix).append('-');
    for (char c : UUID.randomUUID().toString().substring(0, 8).toCharArray()) {
      id.append(Character.isDigit(c) ? (char) ('g' + (c - '0')) : c);
    }
    return id.toString();
  }

  /** A valid Norwegian mobile number in E.164 (+47 9xxxxxxx). */
  public static String phone() {
    return "+479" + String.format("%07d", ThreadLocalRandom.current().nextInt(10_000_000));
  }

  public static JsonObject org(GatewayEndpoint gw, String orgId, JsonObject settings) {
    JsonObject body = new JsonObject().put("name", "Org " + orgId).put("email", orgId + "@example.com").put("country", "NO").mergeIn(settings);
    HttpResponse<Buffer> response = gw.admin(HttpMethod.PUT, "/v1/orgs/" + orgId).sendJsonObject(body).await();
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  public static String number(GatewayEndpoint gw, String orgId) {
    String number = phone();
    JsonObject body = new JsonObject().put("number", number);
    if (orgId != null) {
      body.put("orgId", orgId);
    }
    HttpResponse<Buffer> response = gw.admin(HttpMethod.POST, "/v1/numbers").sendJsonObject(body).await();
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return number;
  }

  public static HttpResponse<Buffer> openSession(GatewayEndpoint gw, String orgId, String taskId, String driver, String recipient) {
    return openSession(gw, orgId, taskId, driver, recipient, new JsonObject());
  }

  public static HttpResponse<Buffer> openSession(GatewayEndpoint gw, String orgId, String taskId, String driver, String recipient,
                                                 JsonObject variables) {
    return gw.admin(HttpMethod.POST, "/v1/sessions").sendJsonObject(new JsonObject().put("orgId", orgId).put("taskId", taskId)
        .put("driverPhone", driver).put("recipientPhone", recipient).put("variables", variables)).await();
  }

  /** Empties the shared platform pool (tests run one after another; this one needs to know what is in it). */
  public static void clearSharedPool(GatewayEndpoint gw) {
    gw.admin(HttpMethod.GET, "/v1/numbers").send().await().bodyAsJsonObject().getJsonArray("items").stream()
        .map(JsonObject.class::cast)
        .filter(n -> n.getString("orgId") == null)
        .forEach(n -> gw.admin(HttpMethod.DELETE, "/v1/numbers/" + n.getString("number")).send().await());
  }
}
