package io.maskline.support;

import io.maskline.Gateway;
import io.maskline.config.ConfigLoader;
import io.maskline.dev.DevServices;
import io.maskline.ops.Metrics;
import io.maskline.storage.PartyKeys;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A real gateway on a free port against the shared test servers; close it to stop it gracefully. */
public final class TestGateway implements GatewayEndpoint, AutoCloseable {
  public static final String ADMIN_TOKEN = "test-admin-token-0123456789";
  public static final String TWILIO_TOKEN = "test-twilio-auth-token";

  public final Vertx vertx;
  public final Gateway gateway;
  public final int port;
  public final WebClient http;

  private TestGateway(Vertx vertx, Gateway gateway, int port) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.port = port;
    this.http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  public static TestGateway start() {
    return start(Map.of());
  }

  public static TestGateway start(Map<String, String> overrides) {
    Map<String, String> settings = settings(DevServices.freePort());
    settings.putAll(overrides);
    PrometheusMeterRegistry registry = Metrics.newRegistry();
    Vertx vertx = Vertx.builder().with(Metrics.vertxOptions(new VertxOptions())).withMetrics(new MicrometerMetricsFactory(registry)).build();
    Gateway gateway = ConfigLoader.load(vertx, Path.of("conf/application.yaml"), settings)
        .compose(config -> Gateway.start(vertx, registry, config))
        .await();
    return new TestGateway(vertx, gateway, Integer.parseInt(settings.get("MASKLINE_HTTP_PORT")));
  }

  /** A test gateway's settings on {@code port}, against the shared test servers: what a {@link GatewayProcess} gets too. */
  public static Map<String, String> settings(int port) {
    TestServers servers = TestServers.get();
    Map<String, String> settings = new HashMap<>();
    settings.put("MASKLINE_HTTP_PORT", Integer.toString(port));
    settings.put("MASKLINE_HTTP_INSTANCES", "2");
    settings.put("MASKLINE_HTTP_SHUTDOWN_DRAIN", "2s");
    settings.put("MASKLINE_PUBLIC_URL", "http://localhost:" + port);
    settings.put("MASKLINE_REDIS_URL", servers.redisUrl);
    settings.put("MASKLINE_PG_URL", servers.pgUrl);
    settings.put("MASKLINE_SMTP_HOST", "127.0.0.1");
    settings.put("MASKLINE_SMTP_PORT", Integer.toString(servers.smtp.getSmtp().getPort()));
    settings.put("MASKLINE_ADMIN_TOKEN", ADMIN_TOKEN);
    settings.put("MASKLINE_TWILIO_AUTH_TOKEN", TWILIO_TOKEN);
    settings.put("MASKLINE_TWILIO_ACCOUNT_SID", "ACtest");
    // Tests start anonymizer runs themselves; the gateway's own schedule must never fire during a test run.
    settings.put("MASKLINE_ANONYMIZER_SCHEDULE", "0 0 0 1 1 ? 2099");
    return settings;
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public WebClient http() {
    return http;
  }

  /** What names a person in this gateway's Redis key names. */
  public PartyKeys.Token token(String phone) {
    return gateway.services().partyKeys().token(phone);
  }

  @Override
  public void close() {
    gateway.stop().compose(v -> vertx.close()).await();
  }
}
