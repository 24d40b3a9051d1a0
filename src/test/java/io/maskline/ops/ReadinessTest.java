package io.maskline.ops;

import io.maskline.support.TcpProxy;
import io.maskline.support.TestGateway;
import io.maskline.support.TestServers;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReadinessTest {
  @Test
  void readinessFlipsTo503WhenRedisStopsAndBackTo200WhenItReturns() {
    Vertx proxyVertx = Vertx.vertx();
    TestServers servers = TestServers.get();
    TcpProxy redis = new TcpProxy(proxyVertx, servers.redisHost(), servers.redisPort());
    redis.up().await();
    try (TestGateway gw = TestGateway.start(Map.of("MASKLINE_REDIS_URL", servers.redisUrlVia(redis.port())))) {
      assertThat(ready(gw).statusCode()).isEqualTo(200);

      redis.down().await();
      HttpResponse<Buffer> down = ready(gw);
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(down.bodyAsJsonObject().getJsonArray("checks").stream()
          .map(check -> (io.vertx.core.json.JsonObject) check)
          .filter(check -> check.getString("id").equals("redis"))
          .findFirst().orElseThrow().getString("status")).isEqualTo("DOWN");
      assertThat(down.bodyAsString()).contains("\"postgres\"");

      redis.up().await();
      long deadline = System.currentTimeMillis() + 10_000;
      int status;
      do {
        status = ready(gw).statusCode();
      } while (status != 200 && System.currentTimeMillis() < deadline);
      assertThat(status).isEqualTo(200);
    } finally {
      proxyVertx.close().await();
    }
  }

  private static HttpResponse<Buffer> ready(TestGateway gw) {
    return gw.http.get("/health/ready").send().await();
  }
}
