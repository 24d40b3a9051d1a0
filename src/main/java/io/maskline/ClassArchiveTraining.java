package io.maskline;

import io.maskline.api.AdminApiContract;
import io.maskline.config.ConfigLoader;
import io.maskline.config.GatewayConfig;
import io.maskline.ops.Health;
import io.maskline.ops.Metrics;
import io.maskline.provider.twilio.TwilioSignature;
import io.maskline.storage.Postgres;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The training run for a class-data-sharing archive, made when a container image is built:
 * {@code java -XX:ArchiveClassesAtExit=maskline.jsa -cp maskline-gateway.jar io.maskline.ClassArchiveTraining}.
 * It walks start-up and the request paths with no Redis, Postgres or SMTP around (their addresses are closed local
 * ports, so every connection fails at once): configuration, contract, clients, routers, Flyway, and one request of
 * each kind through the real router. A gateway started with {@code -XX:SharedArchiveFile=maskline.jsa} then maps
 * those classes instead of loading and verifying them one by one (measured: docs/PERFORMANCE.md, "Start-up").
 */
public final class ClassArchiveTraining {
  private static final String ADMIN_TOKEN = "class-archive-training";
  private static final String AUTH_TOKEN = "class-archive-training";
  private static final String PUBLIC_URL = "http://localhost";
  private static final String NOWHERE = "127.0.0.1:1";
  /** Every step is bounded, so an image build fails with the step's name instead of hanging. */
  private static final long STEP_SECONDS = 60;
  static final String RESULT_PREFIX = "class archive training: ";

  private ClassArchiveTraining() {}

  public static void main(String[] args) {
    int exitCode = 0;
    try {
      System.out.println(RESULT_PREFIX + run());
    } catch (RuntimeException e) {
      // An image build must fail, not hang or ship a half-trained archive.
      e.printStackTrace();
      exitCode = 1;
    }
    System.exit(exitCode);
  }

  /** Runs the training; the status each request got, by request (what a test checks). */
  static Map<String, Integer> run() {
    int port = freePort();
    PrometheusMeterRegistry registry = Metrics.newRegistry();
    Vertx vertx = Main.newVertx(registry);
    try {
      GatewayConfig config = bounded("configuration", ConfigLoader.load(vertx, ConfigLoader.configPath(), Map.of(
              "MASKLINE_HTTP_PORT", Integer.toString(port),
              "MASKLINE_PUBLIC_URL", PUBLIC_URL,
              "MASKLINE_REDIS_URL", "redis://" + NOWHERE,
              "MASKLINE_PG_URL", "postgresql://maskline@" + NOWHERE + "/maskline",
              "MASKLINE_SMTP_HOST", "127.0.0.1",
              "MASKLINE_SMTP_PORT", "1",
              "MASKLINE_ADMIN_TOKEN", ADMIN_TOKEN,
              "MASKLINE_TWILIO_AUTH_TOKEN", AUTH_TOKEN,
              // No Postgres to keep the installation's secret in: a configured one, so webhooks walk the HMAC too.
              "MASKLINE_REDIS_KEY_SECRET", "class-archive-training-key-secret-0123456789")))
          .requireProductionSettings();
      // Flyway fails on the connection, after loading its own machinery and the migrations' resolver.
      bounded("migration", Postgres.migrate(vertx, config.postgres().url()).otherwiseEmpty());
      Services services = Services.create(vertx, config, registry, bounded("contract", AdminApiContract.load(vertx)));
      Health health = new Health(vertx, services.redis(), services.pg());
      // Background work is never deployed here: the same Vert.x and clients stand in for the background ones.
      Features features = Features.create(vertx, services, vertx, services, health);
      bounded("listen", vertx.deployVerticle(() -> new HttpVerticle(services, health, features.authenticator(), features.http(), Future.succeededFuture()),
          new DeploymentOptions()));
      return requests(vertx, port);
    } finally {
      bounded("close", vertx.close());
    }
  }

  private static Map<String, Integer> requests(Vertx vertx, int port) {
    // A connection per request: the requests come from the main thread, each on a context of its own, and a pooled
    // connection handed from one context to the next is not what the training is about.
    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    Map<String, Integer> statuses = new LinkedHashMap<>();
    statuses.put("live", send(http, port, HttpMethod.GET, "/health/live", Map.of(), null));
    statuses.put("ready", send(http, port, HttpMethod.GET, "/health/ready", Map.of(), null));
    statuses.put("metrics", send(http, port, HttpMethod.GET, "/metrics", Map.of(), null));
    statuses.put("openapi", send(http, port, HttpMethod.GET, "/openapi.yaml", Map.of(), null));
    statuses.put("sms", webhook(http, port, "/webhooks/twilio/sms", Map.of("MessageSid", "SM0123456789abcdef0123456789abcdef", "From", "+4790000001",
        "To", "+4790000002", "Body", "training")));
    statuses.put("voice", webhook(http, port, "/webhooks/twilio/voice", Map.of("CallSid", "CA0123456789abcdef0123456789abcdef", "From", "+4790000001",
        "To", "+4790000002", "CallStatus", "ringing")));
    statuses.put("status", webhook(http, port, "/webhooks/twilio/status", Map.of("MessageSid", "SM0123456789abcdef0123456789abcdef", "MessageStatus", "delivered")));
    statuses.put("unsigned", send(http, port, HttpMethod.POST, "/webhooks/twilio/sms", Map.of("Content-Type", "application/x-www-form-urlencoded"), "From=x"));
    Map<String, String> admin = Map.of("Authorization", "Bearer " + ADMIN_TOKEN, "Content-Type", "application/json");
    statuses.put("putOrg", send(http, port, HttpMethod.PUT, "/v1/orgs/training", admin, "{\"name\":\"Training\",\"email\":\"ops@example.com\"}"));
    statuses.put("invalidOrg", send(http, port, HttpMethod.PUT, "/v1/orgs/training", admin, "{\"name\":7}"));
    statuses.put("openSession", send(http, port, HttpMethod.POST, "/v1/sessions", admin,
        "{\"orgId\":\"training\",\"taskId\":\"t1\",\"driverPhone\":\"+4790000001\",\"recipientPhone\":\"+4790000003\"}"));
    statuses.put("searchArchive", send(http, port, HttpMethod.GET, "/v1/archive?orgId=training&phone=%2B4790000001", admin, null));
    statuses.put("unauthorized", send(http, port, HttpMethod.GET, "/v1/orgs/training", Map.of(), null));
    statuses.put("notFound", send(http, port, HttpMethod.GET, "/nowhere", Map.of(), null));
    return statuses;
  }

  private static int webhook(HttpClient http, int port, String path, Map<String, String> form) {
    Map<String, List<String>> params = form.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue())));
    String signature = new TwilioSignature(AUTH_TOKEN).sign(TwilioSignature.webhookUrl(PUBLIC_URL, path), params);
    String encoded = form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    return send(http, port, HttpMethod.POST, path, Map.of("Content-Type", "application/x-www-form-urlencoded",
        TwilioSignature.HEADER, signature), encoded);
  }

  private static int send(HttpClient http, int port, HttpMethod method, String uri, Map<String, String> headers, String body) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri);
    headers.forEach(options::putHeader);
    return bounded(method + " " + uri, http.request(options)
        .compose(request -> body == null ? request.send() : request.send(body))
        .compose(response -> response.body().map(ignored -> response))
        .map(HttpClientResponse::statusCode));
  }

  private static <T> T bounded(String step, Future<T> future) {
    try {
      return future.await(STEP_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      // Where it hangs is what whoever reads the failed build needs.
      Thread.getAllStackTraces().forEach((thread, stack) -> {
        System.err.println("thread " + thread.getName() + " " + thread.getState());
        for (StackTraceElement frame : stack) {
          System.err.println("    at " + frame);
        }
      });
      throw new IllegalStateException("class-archive training: " + step + " did not finish within " + STEP_SECONDS + " s", e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
