package io.maskline.chaos;

import io.maskline.dev.DevServices;
import io.maskline.support.GatewayEndpoint;
import io.maskline.support.GatewayProcess;
import io.maskline.support.TcpProxy;
import io.maskline.support.TestGateway;
import io.maskline.support.Webhooks;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.maskline.support.Eventually.eventually;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.number;
import static io.maskline.support.TestData.openSession;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM as a hostile operator sends it: to the production entry point running as its own process, in the middle
 * of signed webhook load (SMS and calls, in a session, after the task, from strangers), with Redis up, then with
 * Redis cut away from that process and frozen for it. The process must exit 0 within its drain time; every webhook
 * gets an answer or a refused connection, but for those in transit as the port closes, which the gateway never read;
 * and once a second gateway has archived what the first left in the Redis stream, every answered webhook is in the
 * Postgres archive exactly once with its org, and nothing unanswered is there at all. docs/RELIABILITY.md has the
 * figures.
 */
class SigtermUnderLoadTest {
  private static final int SENDERS = 6;
  private static final int HTTP_INSTANCES = 2;
  private static final Duration DRAIN = Duration.ofSeconds(5);

  // A Redis of its own, as the chaos suite's: what the stopped processes leave in its streams (a mail outbox of
  // hundreds of emails) must not hold up other tests' gateways on the shared one.
  static DevServices.EmbeddedRedis redis;
  static Vertx proxies;

  @BeforeAll
  static void start() {
    redis = DevServices.startRedis();
    proxies = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    proxies.close().await();
    redis.stop();
  }

  @Test
  void sigtermUnderLoadArchivesEveryAnsweredWebhookOnceWithItsOrg() throws Exception {
    Load load = sigtermUnderLoad(null);
    assertArchivedOnceWithTheirOrgs(load);
    load.assertEveryWebhookAnsweredOrRefusedOrNeverRead();
  }

  @Test
  void sigtermUnderLoadWithRedisCutWritesTheDegradedBufferToPostgresWithOrgs() throws Exception {
    Load load = sigtermUnderLoad(hop -> hop.down().await());
    assertArchivedOnceWithTheirOrgs(load);
    load.assertEveryWebhookAnsweredOrRefusedOrNeverRead();
  }

  /** A frozen Redis never answers: no flush, read or close may wait for it (this lost a buffered batch before). */
  @Test
  void sigtermUnderLoadWithRedisFrozenWritesTheDegradedBufferToPostgresWithOrgs() throws Exception {
    Load load = sigtermUnderLoad(TcpProxy::freeze);
    assertArchivedOnceWithTheirOrgs(load);
    load.assertEveryWebhookAnsweredOrRefusedOrNeverRead();
  }

  /**
   * A gateway process reaching Redis through a hop of its own takes load; with {@code outage} set, the hop is cut
   * (the test and the second gateway still reach Redis) and the load goes on, answered degraded; then SIGTERM, and
   * the senders go on until the process refuses them. The process must exit 0 within its drain time.
   */
  private static Load sigtermUnderLoad(Consumer<TcpProxy> outage) throws InterruptedException {
    TcpProxy redisHop = new TcpProxy(proxies, "127.0.0.1", redis.port());
    redisHop.up().await();
    Load load = null;
    try (GatewayProcess gateway = GatewayProcess.start(settings(redisHop))) {
      load = new Load(new Webhooks(gateway), Traffic.of(gateway));
      load.awaitAnswered(150);
      if (outage != null) {
        outage.accept(redisHop);
        load.redisCut();
        load.awaitAnswered(load.answered.size() + 60);
      }
      gateway.sigterm();
      load.untilRefused();
      assertThat(gateway.exitCode(DRAIN)).as(gateway.output()).isEqualTo(0);
      if (outage != null) {
        assertThat(load.degraded()).as("webhooks answered degraded").isPositive();
        // Redis never came back for that process: the buffer can only have reached Postgres directly.
        assertThat(gateway.output()).contains("buffered archive events written to Postgres at shutdown")
            .doesNotContain("buffered archive events lost at shutdown");
      }
      return load;
    } finally {
      if (load != null) {
        load.stopSending();  // on a failure too: the senders end at their next refused connection
      }
      redisHop.down().await();
    }
  }

  private static Map<String, String> settings(TcpProxy redisHop) {
    Map<String, String> settings = new HashMap<>();
    settings.put("MASKLINE_REDIS_URL", "redis://127.0.0.1:" + redisHop.port() + "/0");
    settings.put("MASKLINE_REDIS_TIMEOUT", "300ms");
    settings.put("MASKLINE_HTTP_SHUTDOWN_DRAIN", DRAIN.toSeconds() + "s");
    settings.put("MASKLINE_HTTP_INSTANCES", Integer.toString(HTTP_INSTANCES));
    // The load is a few callers texting and calling fast: the flood guards would turn most of it into rejections.
    settings.put("MASKLINE_RATE_PER_PAIR", "1000000");
    settings.put("MASKLINE_RATE_PER_CALLER", "1000000");
    settings.put("MASKLINE_LOOP_GUARD", "1000000");
    return settings;
  }

  /**
   * A second gateway on the same stores archives what the stopped one left in the Redis stream (entries it left
   * pending are taken over after 1 s); then every answered sid must have one interaction row and one raw event, both
   * with the org of the number it reached, and no unanswered sid (refused, or reset unread) any row at all.
   */
  private static void assertArchivedOnceWithTheirOrgs(Load load) {
    try (TestGateway archiver = TestGateway.start(Map.of("MASKLINE_REDIS_URL", redis.url(), "MASKLINE_ARCHIVE_CLAIM_IDLE", "1s",
        "MASKLINE_ARCHIVE_BATCH_INTERVAL", "50ms"))) {
      String[] answered = load.answered.keySet().toArray(String[]::new);
      String archivedSids = "SELECT DISTINCT provider_sid FROM communications WHERE provider_sid = ANY($1) AND channel <> 'email'";
      try {
        eventually("every answered webhook archived", Duration.ofSeconds(60), () -> rows(archiver, archivedSids, answered).size() == answered.length);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + ": " + (answered.length - rows(archiver, archivedSids, answered).size()) + " of "
            + answered.length + " answered webhooks lost (degraded: " + load.degraded() + ")", e);
      }
      int duplicates = 0;
      int orgLess = 0;
      List<String> misfiled = new ArrayList<>();
      for (String table : List.of("communications WHERE channel <> 'email'", "raw_events WHERE kind = 'interaction'")) {
        List<Row> rows = rows(archiver, "SELECT provider_sid, org_id FROM " + table + " AND provider_sid = ANY($1)", answered);
        duplicates += rows.size() - (int) rows.stream().map(row -> row.getString("provider_sid")).distinct().count();
        for (Row row : rows) {
          Shot shot = load.answered.get(row.getString("provider_sid"));
          if (row.getString("org_id") == null || row.getString("org_id").isEmpty()) {
            orgLess++;
          } else if (!row.getString("org_id").equals(shot.orgId())) {
            misfiled.add(table + ": " + shot + " as " + row.getString("org_id"));
          }
        }
      }
      String[] unanswered = Stream.concat(load.refused.keySet().stream(), load.failed.keySet().stream()).toArray(String[]::new);
      int archivedUnanswered = rows(archiver, "SELECT provider_sid FROM communications WHERE provider_sid = ANY($1)", unanswered).size()
          + rows(archiver, "SELECT provider_sid FROM raw_events WHERE provider_sid = ANY($1)", unanswered).size();
      String figures = "answered " + answered.length + " (degraded " + load.degraded() + "), refused " + load.refused.size()
          + ", reset unread " + load.failed.size() + "; archived " + answered.length + ", duplicates " + duplicates + ", org-less " + orgLess
          + ", misfiled " + misfiled.size() + ", unanswered archived " + archivedUnanswered;
      System.out.println("SigtermUnderLoadTest: " + figures);
      assertThat(duplicates).as(figures).isZero();
      assertThat(orgLess).as(figures).isZero();
      assertThat(misfiled).as(figures).isEmpty();
      assertThat(archivedUnanswered).as(figures).isZero();
    }
  }

  private static List<Row> rows(TestGateway gw, String sql, String[] sids) {
    List<Row> rows = new ArrayList<>();
    gw.gateway.services().pg().preparedQuery(sql).execute(Tuple.of((Object) sids)).await().forEach(rows::add);
    return rows;
  }

  /** One webhook: its sid, what it is, and the org whose archive it belongs in. */
  record Shot(String sid, boolean call, String from, String to, String orgId) {}

  /**
   * Two orgs (one with an admin phone, one reached by email only), each with a number of its own, three open
   * sessions and three closed ones on it; shots are texts and calls from their parties and from strangers.
   */
  record Traffic(List<OrgNumber> numbers) {
    record OrgNumber(String orgId, String proxy, List<String> inSession, List<String> afterTask) {}

    static Traffic of(GatewayEndpoint gw) {
      List<OrgNumber> numbers = new ArrayList<>();
      for (JsonObject settings : List.of(new JsonObject().put("adminPhone", phone()), new JsonObject())) {
        String orgId = id("org");
        org(gw, orgId, settings);
        String proxy = number(gw, orgId);
        List<String> inSession = new ArrayList<>();
        List<String> afterTask = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          String taskId = id("task");
          String driver = phone();
          String recipient = phone();
          HttpResponse<Buffer> opened = openSession(gw, orgId, taskId, driver, recipient);
          assertThat(opened.statusCode()).as(opened.bodyAsString()).isEqualTo(201);
          assertThat(opened.bodyAsJsonObject().getString("proxyNumber")).isEqualTo(proxy);
          if (i % 2 == 0) {
            inSession.addAll(List.of(driver, recipient));
          } else {
            assertThat(gw.admin(HttpMethod.DELETE, "/v1/sessions/" + taskId).send().await().statusCode()).isEqualTo(204);
            afterTask.addAll(List.of(driver, recipient));
          }
        }
        numbers.add(new OrgNumber(orgId, proxy, inSession, afterTask));
      }
      return new Traffic(numbers);
    }

    Shot next() {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      OrgNumber number = numbers.get(random.nextInt(numbers.size()));
      boolean call = random.nextInt(3) == 0;
      String from = switch (random.nextInt(5)) {
        case 0, 1 -> number.inSession().get(random.nextInt(number.inSession().size()));
        case 2, 3 -> number.afterTask().get(random.nextInt(number.afterTask().size()));
        default -> phone();  // a stranger: the number's owner is the org
      };
      return new Shot(call ? Webhooks.callSid() : Webhooks.messageSid(), call, from, number.proxy(), number.orgId());
    }
  }

  /**
   * Senders posting webhooks back to back, each waiting for its answer. Every shot ends up answered (any HTTP status),
   * refused (no connection) or failed otherwise (a reset, a connection closed before the answer, a timeout).
   */
  static final class Load {
    final Map<String, Shot> answered = new ConcurrentHashMap<>();
    final Map<String, Shot> refused = new ConcurrentHashMap<>();
    final Map<String, String> notOk = new ConcurrentHashMap<>();
    final Map<String, String> failed = new ConcurrentHashMap<>();
    private final Map<String, Shot> degraded = new ConcurrentHashMap<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean cut = new AtomicBoolean();
    private final ExecutorService senders = Executors.newFixedThreadPool(SENDERS);

    Load(Webhooks hooks, Traffic traffic) {
      for (int i = 0; i < SENDERS; i++) {
        senders.submit(() -> send(hooks, traffic));
      }
      senders.shutdown();
    }

    private void send(Webhooks hooks, Traffic traffic) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        Shot shot = traffic.next();
        boolean withoutRedis = cut.get();
        try {
          HttpResponse<Buffer> answer = shot.call() ? hooks.call(shot.sid(), shot.from(), shot.to())
              : hooks.sms(shot.sid(), shot.from(), shot.to(), "where is my parcel?");
          if (answer.statusCode() == 200) {
            answered.put(shot.sid(), shot);
            if (withoutRedis) {
              degraded.put(shot.sid(), shot);
            }
          } else {
            notOk.put(shot.sid(), answer.statusCode() + " " + answer.bodyAsString());
          }
        } catch (Exception e) {  // await() throws the failure as it is, checked or not
          if (refusedConnection(e)) {
            refused.put(shot.sid(), shot);
            if (stopping.get()) {
              return;
            }
          } else {
            failed.put(shot.sid(), shot + ": " + e);
          }
        }
      }
    }

    private static boolean refusedConnection(Throwable e) {
      for (Throwable cause = e; cause != null; cause = cause.getCause()) {
        if (cause instanceof ConnectException) {
          return true;
        }
      }
      return false;
    }

    void awaitAnswered(int count) {
      eventually(count + " webhooks answered", Duration.ofSeconds(60), () -> answered.size() >= count);
    }

    /** Senders go on through the stop until the process refuses them. */
    void untilRefused() throws InterruptedException {
      stopSending();
      assertThat(senders.awaitTermination(60, TimeUnit.SECONDS)).as("senders stopped").isTrue();
    }

    void stopSending() {
      stopping.set(true);
    }

    /** Webhooks sent from now on can only be answered degraded. */
    void redisCut() {
      cut.set(true);
    }

    int degraded() {
      return degraded.size();
    }

    /**
     * A request in transit at the instant the port closes cannot be answered nor refused: the kernel has accepted
     * its connection (or the client sends on a kept-alive one the server is closing), and the server never reads it.
     * HTTP/1.1 has no way to tell a client that; it sees a reset. So at most one per sender per HTTP server instance
     * closing, and never one the gateway read: none of them is archived ({@link #assertArchivedOnceWithTheirOrgs}).
     */
    void assertEveryWebhookAnsweredOrRefusedOrNeverRead() {
      assertThat(notOk).as("webhooks answered other than 200").isEmpty();
      assertThat(refused).as("the stopped process refused connections").isNotEmpty();
      assertThat(failed).as("webhooks neither answered nor refused: only those in transit as the port closed")
          .hasSizeLessThanOrEqualTo(SENDERS * HTTP_INSTANCES);
    }
  }
}
