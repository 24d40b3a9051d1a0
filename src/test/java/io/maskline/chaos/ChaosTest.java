package io.maskline.chaos;

import io.maskline.dev.DevServices;
import io.maskline.support.Mailbox;
import io.maskline.support.TcpProxy;
import io.maskline.support.TestGateway;
import io.maskline.support.TestServers;
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

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.maskline.support.Eventually.eventually;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.number;
import static io.maskline.support.TestData.openSession;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chaos suite: a gateway on a Redis of its own (killed, frozen, restarted empty), with Postgres and SMTP behind
 * cuttable hops (stopped, silent), and a graceful stop during a Redis outage. Each asserts that every answered event
 * is archived exactly once with its org, and every email delivered once. docs/RELIABILITY.md has what each shows.
 */
class ChaosTest {
  static DevServices.EmbeddedRedis redis;
  static Vertx proxies;
  static TcpProxy redisHop;
  static TcpProxy pgHop;
  static TcpProxy smtpHop;
  static TestGateway gw;
  static Webhooks hooks;

  @BeforeAll
  static void start() {
    TestServers servers = TestServers.get();
    redis = DevServices.startRedis();
    proxies = Vertx.vertx();
    redisHop = new TcpProxy(proxies, "127.0.0.1", redis.port());
    pgHop = new TcpProxy(proxies, servers.pgHost(), servers.pgPort());
    smtpHop = new TcpProxy(proxies, "127.0.0.1", servers.smtp.getSmtp().getPort());
    redisHop.up().await();
    pgHop.up().await();
    smtpHop.up().await();
    gw = TestGateway.start(settings(redisHop));
    hooks = new Webhooks(gw);
  }

  static Map<String, String> settings(TcpProxy redisVia) {
    Map<String, String> settings = new HashMap<>();
    settings.put("MASKLINE_REDIS_URL", "redis://127.0.0.1:" + redisVia.port() + "/0");
    settings.put("MASKLINE_REDIS_TIMEOUT", "300ms");
    settings.put("MASKLINE_PG_URL", TestServers.get().pgUrlVia(pgHop.port()));
    settings.put("MASKLINE_SMTP_PORT", Integer.toString(smtpHop.port()));
    settings.put("MASKLINE_MAIL_FIRST_RETRY_DELAY", "200ms");
    // Long enough for a loaded CI machine: a send that times out after the server took the message is sent again.
    settings.put("MASKLINE_MAIL_SEND_TIMEOUT", "4s");
    return settings;
  }

  @AfterAll
  static void stop() {
    gw.close();
    proxies.close().await();
    redis.stop();
  }

  /** An org (email, no admin phone) with its own number and an open session on it. */
  record Task(String orgId, String taskId, String proxy, String driver, String recipient) {}

  static Task task() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String proxy = number(gw, orgId);
    Task task = new Task(orgId, id("task"), proxy, phone(), phone());
    HttpResponse<Buffer> opened = openSession(gw, orgId, task.taskId(), task.driver(), task.recipient());
    assertThat(opened.statusCode()).as(opened.bodyAsString()).isEqualTo(201);
    return task;
  }

  /** Texts from the driver to the proxy number; returns the sids of those answered 200. */
  static List<String> driverTexts(Webhooks via, Task task, int count) {
    List<String> sids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String sid = Webhooks.messageSid();
      HttpResponse<Buffer> answer = via.sms(sid, task.driver(), task.proxy(), "text " + i);
      assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
      sids.add(sid);
    }
    return sids;
  }

  @Test
  void redisKilledAndRestartedEmptyIsNoticedRestoredAndLosesNothingAnswered() {
    Task task = task();
    List<String> sids = new ArrayList<>(driverTexts(hooks, task, 2));
    // What is still in the stream when Redis loses its data is lost with it (no persistence): let it be archived.
    assertArchivedOnce(sids, task);
    double lostBefore = gw.gateway.services().metrics().get("maskline.redis.data.lost").counter().count();

    redis.stop();
    sids.addAll(driverTexts(hooks, task, 5));
    assertThat(status("/health/ready")).isEqualTo(503);
    redis.start();

    eventually("Redis restored and ready again", Duration.ofSeconds(20), () -> status("/health/ready") == 200);
    assertThat(gw.gateway.services().metrics().get("maskline.redis.data.lost").counter().count()).isGreaterThan(lostBefore);
    // The open session's bindings are back: the driver's text reaches the recipient again.
    String sid = Webhooks.messageSid();
    assertThat(hooks.sms(sid, task.driver(), task.proxy(), "after restore").bodyAsString()).contains("<Message to=\"" + task.recipient() + "\"");
    sids.add(sid);
    assertThat(gw.admin(HttpMethod.GET, "/v1/sessions/" + task.taskId()).send().await().bodyAsJsonObject().getString("status")).isEqualTo("open");
    assertArchivedOnce(sids, task);
  }

  @Test
  void redisFrozenAnswersDegradedAndEveryEventIsArchivedOnceWithItsOrg() {
    Task task = task();
    redisHop.freeze();
    List<String> sids;
    try {
      sids = new ArrayList<>(driverTexts(hooks, task, 5));
    } finally {
      redisHop.thaw();
    }
    sids.addAll(driverTexts(hooks, task, 1));
    assertArchivedOnce(sids, task);
  }

  @Test
  void postgresStoppedDelaysTheArchiveButLosesNothing() {
    Task task = task();
    pgHop.down().await();
    List<String> sids;
    try {
      sids = driverTexts(hooks, task, 5);
      assertThat(status("/health/ready")).isEqualTo(503);
    } finally {
      pgHop.up().await();
    }
    assertArchivedOnce(sids, task);
  }

  @Test
  void smtpDownDeliversEveryEmailOnceAndSilentSmtpDeliversEveryEmail() throws Exception {
    Task task = task();
    assertThat(gw.admin(HttpMethod.DELETE, "/v1/sessions/" + task.taskId()).send().await().statusCode()).isEqualTo(204);
    String orgEmail = task.orgId() + "@example.com";
    List<String> sids = new ArrayList<>();

    smtpHop.down().await();
    sids.addAll(recipientTexts(task, 2));
    // Each email is tried (and refused) at least once while SMTP is down.
    eventually("mail attempts fail", Duration.ofSeconds(10), () -> mailFailures() >= 2);
    smtpHop.up().await();
    Mailbox.awaitMail(orgEmail, 2);
    eventually("outbox empty", Duration.ofSeconds(10), () -> mailOutboxPending() == 0);
    assertThat(Mailbox.mailsTo(orgEmail)).hasSize(2);

    // Silent: a send is failed by the connection's idle timeout and retried once the server answers again. SMTP
    // cannot make this exactly once (a server may take a message and fall silent before answering), so this part
    // asserts that every email arrives (docs/RELIABILITY.md).
    smtpHop.freeze();
    sids.addAll(recipientTexts(task, 2));
    double failures = mailFailures();
    eventually("silent SMTP times the attempts out", Duration.ofSeconds(15), () -> mailFailures() >= failures + 1);
    smtpHop.down().await();
    smtpHop.up().await();
    // A send the client library leaves hanging on a dropped connection is failed by the mailer's own bound
    // (twice mail.sendTimeout) and retried.
    eventually("every email delivered", Duration.ofSeconds(30), () -> Mailbox.mailsTo(orgEmail).size() >= 4);
    assertArchivedOnce(sids, task);
  }

  @Test
  void aGracefulStopDuringARedisOutageWritesItsBufferToPostgres() {
    Task task = task();
    TcpProxy ownHop = new TcpProxy(proxies, "127.0.0.1", redis.port());
    ownHop.up().await();
    TestGateway stopping = TestGateway.start(settings(ownHop));
    List<String> sids;
    try {
      ownHop.down().await();
      sids = driverTexts(new Webhooks(stopping), task, 20);
      assertThat(stopping.gateway.services().metrics().get("maskline.degraded.events.pending").gauge().value()).isGreaterThan(0);
    } finally {
      stopping.close();  // what the SIGTERM hook runs
    }
    // Redis is still away for that pod: the events reached Postgres directly.
    assertArchivedOnce(sids, task);
  }

  @Test
  void aSessionLeftByTheOlderKeyLayoutIsAdoptedAndCanBeClosed() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String taskId = id("task");
    String driver = phone();
    long now = System.currentTimeMillis();
    var redisClient = gw.gateway.services().redis();
    // What the version before (org, task) keys wrote: the record under the task id alone, its expiry member likewise.
    redisClient.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.HSET)
        .arg(io.maskline.storage.Keys.PREFIX + "session:" + taskId).arg("taskId").arg(taskId).arg("orgId").arg(orgId)
        .arg("driver").arg(driver).arg("recipient").arg(phone()).arg("proxy").arg("").arg("pool").arg("")
        .arg("variables").arg("{\"order\":\"L-1\"}").arg("status").arg("open").arg("openedAt").arg(now)
        .arg("expiresAt").arg(now + 3_600_000).arg("anonymized").arg("0")).await();
    redisClient.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.ZADD).arg(io.maskline.storage.Keys.EXPIRY)
        .arg(now + 3_600_000).arg(taskId)).await();
    redisClient.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.DEL).arg(io.maskline.storage.Keys.INSTALLATION_MARKER)).await();

    eventually("Redis restored", Duration.ofSeconds(20), () -> status("/health/ready") == 200);
    JsonObject adopted = gw.admin(HttpMethod.GET, "/v1/sessions/" + taskId).send().await().bodyAsJsonObject();
    assertThat(adopted.getString("orgId")).isEqualTo(orgId);
    assertThat(adopted.getJsonObject("driver").getString("phone")).isEqualTo(driver);
    assertThat(adopted.getJsonObject("variables").getString("order")).isEqualTo("L-1");
    assertThat(gw.admin(HttpMethod.DELETE, "/v1/sessions/" + taskId).send().await().statusCode()).isEqualTo(204);
    assertThat(redisClient.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.ZSCORE)
        .arg(io.maskline.storage.Keys.EXPIRY).arg(taskId)).await()).isNull();
  }

  private static List<String> recipientTexts(Task task, int count) {
    List<String> sids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String sid = Webhooks.messageSid();
      assertThat(hooks.sms(sid, task.recipient(), task.proxy(), "after the task " + i).statusCode()).isEqualTo(200);
      sids.add(sid);
    }
    return sids;
  }

  /** Every sid has exactly one interaction row and one raw event, both with the task's org. */
  static void assertArchivedOnce(List<String> sids, Task task) {
    String[] array = sids.toArray(String[]::new);
    eventually("every answered event archived once with its org", Duration.ofSeconds(30), () -> {
      var rows = gw.gateway.services().pg().preparedQuery("""
              SELECT provider_sid, count(*) AS n, min(org_id) AS org_min, max(org_id) AS org_max FROM communications
              WHERE provider_sid = ANY($1) AND channel <> 'email' GROUP BY provider_sid""")
          .execute(Tuple.of((Object) array)).await();
      return rows.size() == sids.size();
    });
    for (Row row : gw.gateway.services().pg().preparedQuery("""
            SELECT provider_sid, count(*) AS n, min(org_id) AS org_min, max(org_id) AS org_max, max(task_id) AS task FROM communications
            WHERE provider_sid = ANY($1) AND channel <> 'email' GROUP BY provider_sid""")
        .execute(Tuple.of((Object) array)).await()) {
      assertThat(row.getLong("n")).as(row.getString("provider_sid")).isEqualTo(1);
      assertThat(row.getString("org_min")).as(row.getString("provider_sid")).isEqualTo(task.orgId());
      assertThat(row.getString("org_max")).isEqualTo(task.orgId());
    }
    for (Row row : gw.gateway.services().pg().preparedQuery("""
            SELECT provider_sid, count(*) AS n, min(org_id) AS org_min FROM raw_events
            WHERE provider_sid = ANY($1) AND kind = 'interaction' GROUP BY provider_sid""")
        .execute(Tuple.of((Object) array)).await()) {
      assertThat(row.getLong("n")).as(row.getString("provider_sid")).isEqualTo(1);
      assertThat(row.getString("org_min")).isEqualTo(task.orgId());
    }
  }

  private static int status(String path) {
    return gw.http.request(HttpMethod.GET, path).send().await().statusCode();
  }

  private static double mailFailures() {
    return gw.gateway.services().metrics().find("maskline.mail.failed").counters().stream()
        .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
  }

  private static long mailOutboxPending() {
    return gw.gateway.services().redis().send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.XPENDING)
        .arg(io.maskline.storage.Keys.MAIL_STREAM).arg("mailer")).await().get(0).toLong();
  }
}
