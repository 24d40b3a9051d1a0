package io.maskline.ops;

import io.maskline.support.SharedGateway;
import io.maskline.support.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import static io.maskline.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

class GatewayOperationsTest {
  @SharedGateway static TestGateway gw;

  @Test
  void livenessAndReadinessAnswerWhileRedisAndPostgresAreUp() {
    assertThat(gw.http.get("/health/live").send().await().statusCode()).isEqualTo(200);
    HttpResponse<Buffer> ready = gw.http.get("/health/ready").send().await();
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getString("status")).isEqualTo("UP");
    assertThat(ready.bodyAsString()).contains("redis", "postgres");
  }

  @Test
  void metricsServePrometheusTextWithHttpHistogramsAndJvm() {
    gw.http.get("/health/live").send().await();
    HttpResponse<Buffer> metrics = gw.http.get("/metrics").send().await();
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.getHeader("Content-Type")).startsWith("text/plain");
    assertThat(metrics.bodyAsString())
        .contains("# TYPE vertx_http_server_response_time_seconds histogram")
        .contains("vertx_http_server_response_time_seconds_bucket")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void unknownPathIsProblemJsonNotFound() {
    HttpResponse<Buffer> response = gw.http.get("/no/such/path").send().await();
    assertProblem(response, 404, "NOT_FOUND");
  }

  @Test
  void bodyOverSixtyFourKibIsPayloadTooLarge() {
    String big = "x".repeat(70 * 1024);
    HttpResponse<Buffer> response = gw.admin(HttpMethod.PUT, "/v1/orgs/big")
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(new JsonObject().put("name", big).encode())).await();
    assertProblem(response, 413, "PAYLOAD_TOO_LARGE");
  }

  @Test
  void adminApiWithoutOrWithWrongTokenIsUnauthorized() {
    assertProblem(gw.http.get("/v1/orgs/acme").send().await(), 401, "UNAUTHORIZED");
    assertProblem(gw.http.get("/v1/orgs/acme").bearerTokenAuthentication("wrong").send().await(), 401, "UNAUTHORIZED");
  }

  @Test
  void openApiDocumentIsServed() {
    HttpResponse<Buffer> response = gw.http.get("/openapi.yaml").send().await();
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsString()).startsWith("openapi: 3.1.0").contains("/v1/sessions");
  }

  @Test
  void everyAnswerCarriesARequestId() {
    HttpResponse<Buffer> response = gw.http.get("/health/live").putHeader("X-Request-Id", "trace-12345678").send().await();
    assertThat(response.getHeader("X-Request-Id")).isEqualTo("trace-12345678");
    assertThat(gw.http.get("/health/live").send().await().getHeader("X-Request-Id")).isNotBlank();
  }

}
