package io.maskline.archive;

import io.maskline.Gateway;
import io.maskline.config.ConfigLoader;
import io.maskline.dev.DevServices;
import io.maskline.ops.Metrics;
import io.maskline.storage.Keys;
import io.maskline.storage.Postgres;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Archive benchmark (not a test); driven by {@code loadtest/archive/run.sh}, which also does the psql COPY half.
 * <ul>
 *   <li>{@code ingest REDIS_URL PG_URL COUNT BATCH}: fills the archive stream with COUNT synthetic interactions, then
 *   starts a gateway and times its archiver draining them into Postgres.</li>
 *   <li>{@code search REDIS_URL PG_URL REQUESTS}: times {@code GET /v1/archive?orgId=&phone=} over HTTP against an
 *   archive filled by the script, prints p50/p99, and the EXPLAIN ANALYZE of the exact search statement.</li>
 * </ul>
 */
public final class ArchiveBenchmark {
  private static final String TOKEN = "bench-admin-token-0123456789";

  private ArchiveBenchmark() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "ingest" -> ingest(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
      case "search" -> search(args[1], args[2], Integer.parseInt(args[3]));
      default -> throw new IllegalArgumentException("ingest | search");
    }
    System.exit(0);
  }

  private static void ingest(String redisUrl, String pgUrl, int count, int batchSize) {
    Vertx vertx = Vertx.vertx();
    Redis redis = Redis.createClient(vertx, redisUrl);
    redis.send(Request.cmd(Command.DEL).arg(Keys.ARCHIVE_STREAM)).await();
    Postgres.migrate(vertx, pgUrl).await();

    Random random = new Random(42);
    long t0 = System.nanoTime();
    long now = System.currentTimeMillis();
    List<Request> pipeline = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      pipeline.add(xadd(event(i, random, now)));
      if (pipeline.size() == 1_000) {
        redis.batch(pipeline).await();
        pipeline = new ArrayList<>();
      }
    }
    if (!pipeline.isEmpty()) {
      redis.batch(pipeline).await();
    }
    double xaddSeconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("stream filled: %d events in %.1f s (%.0f events/s)%n", count, xaddSeconds, count / xaddSeconds);

    long started = System.nanoTime();
    Gateway gateway = startGateway(redisUrl, pgUrl, Map.of("MASKLINE_ARCHIVE_BATCH_SIZE", Integer.toString(batchSize)));
    while (redis.send(Request.cmd(Command.XLEN).arg(Keys.ARCHIVE_STREAM)).await().toLong() > 0) {
      sleep(100);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    Pool pg = pool(vertx, pgUrl);
    long rows = pg.query("SELECT count(*) FROM communications").execute().await().iterator().next().getLong(0);
    long raw = pg.query("SELECT count(*) FROM raw_events").execute().await().iterator().next().getLong(0);
    System.out.printf("archiver: %d events -> %d communications + %d raw_events in %.1f s = %.0f events/s (batch %d)%n",
        count, rows, raw, seconds, count / seconds, batchSize);
    var batchTimer = gateway.services().metrics().get("maskline.archive.batch").timer();
    System.out.printf("batches: %d, mean write+ack %.1f ms, max %.1f ms%n", batchTimer.count(),
        batchTimer.mean(java.util.concurrent.TimeUnit.MILLISECONDS), batchTimer.max(java.util.concurrent.TimeUnit.MILLISECONDS));
    System.out.printf("RESULT ingest_seconds=%.2f events_per_second=%.0f%n", seconds, count / seconds);
    gateway.stop().await();
  }

  /** Interactions as the webhook emits them: 1,000 orgs, 200,000 people, SMS and calls. */
  private static Map<String, String> event(int i, Random random, long now) {
    boolean sms = random.nextInt(3) > 0;
    String sid = (sms ? "SM" : "CA") + String.format("%032x", (long) i * 2654435761L + 17);
    String from = person(random.nextInt(200_000));
    String to = person(random.nextInt(200_000));
    String proxy = "+4741" + String.format("%06d", random.nextInt(1_000));
    String body = sms ? "Message " + i + ": I am outside, the door code is " + random.nextInt(10_000) : "";
    return new ArchiveEvent.Interaction(sid, "bench-org-" + random.nextInt(1_000), "task-" + random.nextInt(500_000), sms ? "sms" : "voice",
        from, proxy, to, body, now - random.nextInt(86_400_000), sms ? "received" : "ringing", "counterpart",
        "{\"order\":\"A-" + random.nextInt(100_000) + "\",\"customer\":\"Kari\"}",
        ArchiveEvents.form(sms ? "MessageSid" : "CallSid", sid, "AccountSid", "ACbench", "From", from, "To", proxy, "Body", body,
            "FromCountry", "NO", "ApiVersion", "2010-04-01")).fields();
  }

  private static String person(int n) {
    return "+479" + String.format("%07d", n);
  }

  private static Request xadd(Map<String, String> fields) {
    Request xadd = Request.cmd(Command.XADD).arg(Keys.ARCHIVE_STREAM).arg("*");
    fields.forEach((name, value) -> xadd.arg(name).arg(value));
    return xadd;
  }

  private static void search(String redisUrl, String pgUrl, int requests) {
    Vertx vertx = Vertx.vertx();
    Pool pg = pool(vertx, pgUrl);
    Gateway gateway = startGateway(redisUrl, pgUrl, Map.of());
    int port = gateway.services().config().http().port();
    WebClient http = WebClient.create(vertx);
    long total = pg.query("SELECT count(*) FROM communications").execute().await().iterator().next().getLong(0);

    // Existing (org, person) pairs, sampled across the archive.
    List<String[]> pairs = new ArrayList<>();
    for (Row row : pg.query("SELECT org_id, from_addr FROM communications TABLESAMPLE SYSTEM (0.2) WHERE from_addr LIKE '+%' LIMIT "
        + (requests + 200)).execute().await()) {
      pairs.add(new String[] {row.getString(0), row.getString(1)});
    }
    int measured = Math.min(requests, pairs.size() - 200);
    // The floor of the stack on this machine: an admin GET answered by one primary-key read.
    long[] floor = time(http, port, pairs, measured, pair -> "/v1/orgs/" + pair[0], new int[1]);
    int[] items = new int[1];
    long[] nanos = time(http, port, pairs, measured,
        pair -> "/v1/archive?orgId=" + pair[0] + "&phone=" + URLEncoder.encode(pair[1], StandardCharsets.UTF_8), items);
    ArchiveSearch direct = new ArchiveSearch(gateway.services().pg());
    long[] sql = new long[measured];
    for (int i = 0; i < 200 + measured; i++) {
      String[] pair = pairs.get(i);
      long t0 = System.nanoTime();
      direct.search(new ArchiveSearch.Query(pair[0], List.of(pair[1]), null, null, null, null, 50, null)).await();
      if (i >= 200) {
        sql[i - 200] = System.nanoTime() - t0;
      }
    }
    Arrays.sort(sql);
    System.out.printf("RESULT search_statement_only_p50_ms=%.2f search_statement_only_p99_ms=%.2f%n", percentile(sql, 0.5), percentile(sql, 0.99));
    System.out.printf("search by phone over HTTP on %d rows: %d requests (after 200 warm-up), %.1f items/answer%n", total, nanos.length,
        items[0] / (double) nanos.length);
    System.out.printf("RESULT floor_get_org_p50_ms=%.2f floor_get_org_p99_ms=%.2f%n", percentile(floor, 0.5), percentile(floor, 0.99));
    System.out.printf("RESULT search_p50_ms=%.2f search_p99_ms=%.2f search_max_ms=%.2f%n",
        percentile(nanos, 0.5), percentile(nanos, 0.99), nanos[nanos.length - 1] / 1e6);

    String[] pair = pairs.get(0);
    ArchiveSearch.Statement statement = ArchiveSearch.statement(new ArchiveSearch.Query(pair[0], List.of(pair[1]), null, null, null, null, 50, null));
    System.out.println("EXPLAIN (ANALYZE, BUFFERS) of the search statement for one (org, phone):");
    for (Row row : pg.preparedQuery("EXPLAIN (ANALYZE, BUFFERS) " + statement.sql()).execute(Tuple.from(statement.params())).await()) {
      System.out.println("  " + row.getString(0));
    }
    gateway.stop().await();
  }

  /** Sequential requests, the first 200 not measured; returns sorted latencies in ns. */
  private static long[] time(WebClient http, int port, List<String[]> pairs, int measured, java.util.function.Function<String[], String> path,
                             int[] items) {
    long[] nanos = new long[measured];
    for (int i = 0; i < 200 + measured; i++) {
      long t0 = System.nanoTime();
      HttpResponse<Buffer> response = http.get(port, "127.0.0.1", path.apply(pairs.get(i))).bearerTokenAuthentication(TOKEN).send().await();
      long took = System.nanoTime() - t0;
      if (response.statusCode() != 200) {
        throw new IllegalStateException(response.bodyAsString());
      }
      if (i >= 200) {
        nanos[i - 200] = took;
        JsonObject body = response.bodyAsJsonObject();
        items[0] += body.containsKey("items") ? body.getJsonArray("items").size() : 0;
      }
    }
    Arrays.sort(nanos);
    return nanos;
  }

  private static double percentile(long[] sorted, double p) {
    return sorted[Math.max(0, (int) Math.ceil(sorted.length * p) - 1)] / 1e6;
  }

  private static Gateway startGateway(String redisUrl, String pgUrl, Map<String, String> extra) {
    Map<String, String> settings = new HashMap<>(extra);
    settings.put("MASKLINE_HTTP_PORT", Integer.toString(DevServices.freePort()));
    settings.put("MASKLINE_HTTP_INSTANCES", "1");
    settings.put("MASKLINE_REDIS_URL", redisUrl);
    settings.put("MASKLINE_PG_URL", pgUrl);
    settings.put("MASKLINE_ADMIN_TOKEN", TOKEN);
    settings.put("MASKLINE_TWILIO_AUTH_TOKEN", "bench");
    PrometheusMeterRegistry registry = Metrics.newRegistry();
    Vertx vertx = Vertx.builder().with(Metrics.vertxOptions(new VertxOptions())).withMetrics(new MicrometerMetricsFactory(registry)).build();
    return ConfigLoader.load(vertx, Path.of("conf/application.yaml"), settings)
        .compose(config -> Gateway.start(vertx, registry, config))
        .await();
  }

  private static Pool pool(Vertx vertx, String pgUrl) {
    return PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(pgUrl)).using(vertx).build();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
