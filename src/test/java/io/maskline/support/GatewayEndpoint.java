package io.maskline.support;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;

/**
 * A gateway as tests reach it over HTTP: in this JVM ({@link TestGateway}) or as a process of its own
 * ({@link GatewayProcess}); {@link TestData} and {@link Webhooks} work with either.
 */
public interface GatewayEndpoint {
  int port();

  WebClient http();

  /** A request with the platform admin token. */
  default HttpRequest<Buffer> admin(HttpMethod method, String path) {
    return http().request(method, path).bearerTokenAuthentication(TestGateway.ADMIN_TOKEN);
  }
}
