package io.maskline.support;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Org API keys made through the API, and requests signed with them. */
public final class OrgKeysForTests {
  private OrgKeysForTests() {}

  /** A new key of the org ({@code admin} or {@code viewer}): the answer with {@code secret} and {@code prefix}. */
  public static JsonObject create(TestGateway gw, String orgId, String role) {
    HttpResponse<Buffer> response = gw.admin(HttpMethod.POST, "/v1/orgs/" + orgId + "/keys").sendJsonObject(new JsonObject().put("role", role)).await();
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject();
  }

  public static HttpRequest<Buffer> as(TestGateway gw, JsonObject key, HttpMethod method, String path) {
    return gw.http.request(method, path).bearerTokenAuthentication(key.getString("secret"));
  }
}
