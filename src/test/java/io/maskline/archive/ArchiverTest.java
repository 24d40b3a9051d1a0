package io.maskline.archive;

import io.maskline.storage.Keys;
import io.maskline.storage.Postgres;
import io.maskline.storage.StreamEntry;
import io.maskline.storage.StreamGroup;
import io.maskline.support.TcpProxy;
import io.maskline.support.TestData;
import io.maskline.support.TestGateway;
import io.maskline.support.TestServers;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.maskline.archive.ArchiveEvents.add;
import static io.maskline.archive.ArchiveEvents.addAll;
import static io.maskline.support.Sql.count;
import static io.maskline.support.Eventually.eventually;
import static io.maskline.support.Sql.rows;
import static io.maskline.archive.ArchiveEvents.sid;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The archiver against real Redis and Postgres. Each test starts its own gateway (and so its own archiver), because
 * some need the stream to themselves for a moment or need Postgres behind a cuttable proxy.
 */
class ArchiverTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  static Vertx vertx;
  static Redis redis;
  static Pool pg;

  @BeforeAll
  static void clients() {
    TestServers servers = TestServers.get();
    vertx = Vertx.vertx();
    redis = Redis.createClient(vertx, servers.redisUrl);
    pg = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(servers.pgUrl)).using(vertx).build();
    Postgres.migrate(vertx, servers.pgUrl).await();
  }

  @AfterAll
  static void close() {
    vertx.close().await();
  }

  @Test
  void eventsBecomeRowsAndStatusesMergeWhateverOrderTheyArriveIn() {
    try (TestGateway gw = TestGateway.start()) {
      String orgId = id("org");
      long t = Instant.now().truncatedTo(ChronoUnit.MILLIS).toEpochMilli();
      String driver = phone();
      String recipient = phone();
      String proxy = phone();
      String smsSid = sid("SM");
      String callSid = sid("CA");
      String orglessCallSid = sid("CA");
      String emailSid = sid("EM");
      String recordingSid = sid("RE");

      // SMS, then its delivery status.
      add(redis, ArchiveEvents.sms(orgId, smsSid, "task-1", driver, proxy, recipient, "on my way", t));
      add(redis, ArchiveEvents.status(orgId, smsSid, "sms", "delivered", null, t + 2_000));
      // A call whose completed status and recording come before the call itself; a stale "in-progress" comes last.
      add(redis, ArchiveEvents.status(orgId, callSid, "voice", "completed", 42, t + 60_000));
      add(redis, ArchiveEvents.recording(orgId, callSid, recordingSid, t + 61_000));
      add(redis, ArchiveEvents.call(orgId, callSid, "task-1", recipient, proxy, driver, t + 10_000));
      add(redis, ArchiveEvents.status(orgId, callSid, "voice", "in-progress", null, t + 12_000));
      // A status that does not know its org, before its call.
      add(redis, ArchiveEvents.status("", orglessCallSid, "voice", "no-answer", 0, t + 30_000));
      add(redis, ArchiveEvents.call(orgId, orglessCallSid, null, recipient, proxy, null, t + 20_000));
      // The fallback email, and a session event.
      add(redis, ArchiveEvents.email(orgId, emailSid, "task-1", "Ops@Example.COM", "Missed call from " + recipient, orglessCallSid, t + 21_000));
      add(redis, Map.of("kind", "session", "action", "open", "taskId", "task-1", "orgId", orgId, "proxy", proxy, "driver", driver,
          "recipient", recipient, "at", Long.toString(t - 1_000), "variables", "{\"order\":\"A-17\"}"));

      eventually("four rows, call merged with its statuses", WAIT, () ->
          count(pg, "SELECT count(*) FROM communications WHERE org_id = $1", orgId) == 4
              && count(pg, "SELECT count(*) FROM communications WHERE org_id = $1 AND provider_sid = $2 AND duration_seconds = 42 AND recording_sid IS NOT NULL", orgId, callSid) == 1
              && count(pg, "SELECT count(*) FROM communications WHERE provider_sid = $1 AND status = 'no-answer'", orglessCallSid) == 1
              && count(pg, "SELECT count(*) FROM communications WHERE provider_sid = $1 AND status = 'delivered'", smsSid) == 1);

      Row sms = one("SELECT * FROM communications WHERE org_id = $1 AND provider_sid = $2", orgId, smsSid);
      assertThat(sms.getString("channel")).isEqualTo("sms");
      assertThat(sms.getString("from_addr")).isEqualTo(driver);
      assertThat(sms.getString("to_addr")).isEqualTo(recipient);
      assertThat(sms.getString("proxy_number")).isEqualTo(proxy);
      assertThat(sms.getString("body")).isEqualTo("on my way");
      assertThat(sms.getString("task_id")).isEqualTo("task-1");
      assertThat(sms.getString("routed_to")).isEqualTo("counterpart");
      assertThat(sms.getOffsetDateTime("started_at").toInstant()).isEqualTo(Instant.ofEpochMilli(t));
      assertThat(((JsonObject) sms.getValue("variables")).getString("order")).isEqualTo("A-17");

      Row call = one("SELECT * FROM communications WHERE org_id = $1 AND provider_sid = $2", orgId, callSid);
      assertThat(call.getString("status")).as("a stale in-progress does not overwrite completed").isEqualTo("completed");
      assertThat(call.getOffsetDateTime("started_at").toInstant()).isEqualTo(Instant.ofEpochMilli(t + 10_000));
      assertThat(call.getString("recording_sid")).isEqualTo(recordingSid);
      assertThat(call.getString("recording_url")).endsWith(recordingSid);

      Row email = one("SELECT * FROM communications WHERE org_id = $1 AND provider_sid = $2", orgId, emailSid);
      assertThat(email.getString("channel")).isEqualTo("email");
      assertThat(email.getString("direction")).isEqualTo("outbound");
      assertThat(email.getString("to_addr")).isEqualTo("ops@example.com");
      assertThat(email.getString("related_sid")).isEqualTo(orglessCallSid);

      eventually("raw events", WAIT, () -> count(pg, "SELECT count(*) FROM raw_events WHERE org_id = $1 AND kind = 'session' AND task_id = 'task-1'", orgId) == 1);
      assertThat(count(pg, "SELECT count(*) FROM raw_events WHERE provider_sid = $1", smsSid)).isEqualTo(2);
      assertThat(count(pg, "SELECT count(*) FROM raw_events WHERE provider_sid = $1", callSid)).isEqualTo(4);
      Row rawSms = one("SELECT payload FROM raw_events WHERE provider_sid = $1 AND kind = 'interaction'", smsSid);
      assertThat(((JsonObject) rawSms.getValue("payload")).getString("FromCity")).isEqualTo("OSLO");
      assertThat(count(pg, "SELECT count(*) FROM pending_status_updates WHERE provider_sid IN ($1, $2)", callSid, orglessCallSid)).isZero();
    }
  }

  @Test
  void duplicateEntriesYieldOneRowAndOneRawEvent() {
    try (TestGateway gw = TestGateway.start()) {
      String orgId = id("org");
      long t = System.currentTimeMillis();
      String sid = sid("SM");
      Map<String, String> sms = ArchiveEvents.sms(orgId, sid, null, phone(), phone(), phone(), "twice", t);
      Map<String, String> delivered = ArchiveEvents.status(orgId, sid, "sms", "delivered", null, t + 1_000);
      addAll(redis, List.of(sms, sms, delivered, sms, delivered));
      add(redis, sms);
      Map<String, String> laterCopy = new java.util.HashMap<>(sms);
      laterCopy.put("at", Long.toString(t + 5));
      add(redis, laterCopy);
      String marker = sid("SM");
      add(redis, ArchiveEvents.sms(orgId, marker, null, phone(), phone(), null, "after the duplicates", t));

      eventually("the marker after the duplicates is archived", WAIT,
          () -> count(pg, "SELECT count(*) FROM communications WHERE provider_sid = $1", marker) == 1);
      assertThat(count(pg, "SELECT count(*) FROM communications WHERE provider_sid = $1", sid)).isEqualTo(1);
      // Two archiver loops may split these entries: a status can be parked by one loop while the other inserts its
      // row, neither seeing the other's uncommitted work. The maintenance pass (every 30 s) applies such parked
      // updates; run it now rather than wait for it, again while the other loop's batch may still be in flight.
      ArchiveWriter writer = new ArchiveWriter(pg);
      eventually("the parked status is applied", WAIT, () -> {
        writer.applyParked(1_000).await();
        return "delivered".equals(one("SELECT status FROM communications WHERE provider_sid = $1", sid).getString("status"));
      });
      Row row = one("SELECT * FROM communications WHERE provider_sid = $1", sid);
      assertThat(row.getOffsetDateTime("started_at").toInstant()).isEqualTo(Instant.ofEpochMilli(t));
      assertThat(count(pg, "SELECT count(*) FROM raw_events WHERE provider_sid = $1 AND kind = 'interaction'", sid)).isEqualTo(1);
      assertThat(count(pg, "SELECT count(*) FROM raw_events WHERE provider_sid = $1 AND kind = 'status'", sid)).isEqualTo(1);
    }
  }

  @Test
  void aServingOnlyPodLeavesEventsInTheStreamForTheArchivingDeployment() throws InterruptedException {
    String orgId = id("org");
    String sid = sid("SM");
    try (TestGateway servingOnly = TestGateway.start(Map.of("MASKLINE_ARCHIVE_CONSUMERS", "0"))) {
      String marker = add(redis, ArchiveEvents.sms(orgId, sid, null, phone(), phone(), phone(), "kept for later", System.currentTimeMillis()));
      // Long enough for an archiver's read + write + ack many times over.
      Thread.sleep(2_000);
      assertThat(count(pg, "SELECT count(*) FROM communications WHERE provider_sid = $1", sid)).isZero();
      Response stream = redis.send(Request.cmd(Command.XRANGE).arg(Keys.ARCHIVE_STREAM).arg(marker).arg(marker)).await();
      assertThat(stream.size()).as("the event waits in the stream").isEqualTo(1);
    }
    try (TestGateway archiving = TestGateway.start()) {
      eventually("the archiving deployment writes what the serving-only pod left", WAIT,
          () -> count(pg, "SELECT count(*) FROM communications WHERE provider_sid = $1", sid) == 1);
    }
  }

  @Test
  void aStreamNoArchiverHasReadYetHasNoLagAndNoConsumersToForgetNotAnError() {
    redis.send(Request.cmd(Command.DEL).arg(Keys.ARCHIVE_STREAM)).await();

    ArchiveStream stream = new ArchiveStream(redis);
    StreamGroup.Lag lag = stream.lag(System.currentTimeMillis()).await();
    int forgotten = stream.forgetIdleConsumers(Duration.ofMinutes(1)).await();

    assertThat(lag).isEqualTo(new StreamGroup.Lag(0, 0, 0));
    assertThat(forgotten).isZero();

    // Written to by serving-only pods, still read by no one: the stream exists, its group does not.
    redis.send(Request.cmd(Command.XADD).arg(Keys.ARCHIVE_STREAM).arg("*").arg("kind").arg("interaction")).await();
    assertThat(stream.lag(System.currentTimeMillis()).await()).isEqualTo(new StreamGroup.Lag(1, 0, 0));
    assertThat(stream.forgetIdleConsumers(Duration.ofMinutes(1)).await()).isZero();
    redis.send(Request.cmd(Command.DEL).arg(Keys.ARCHIVE_STREAM)).await();
  }

  @Test
  void postgresStoppedWhileAThousandEventsArriveThenEveryOneIsArchivedOnce() {
    TestServers servers = TestServers.get();
    Vertx proxyVertx = Vertx.vertx();
    TcpProxy postgres = new TcpProxy(proxyVertx, servers.pgHost(), servers.pgPort());
    postgres.up().await();
    try (TestGateway gw = TestGateway.start(Map.of("MASKLINE_PG_URL", servers.pgUrlVia(postgres.port())))) {
      String orgId = id("org");
      postgres.down().await();

      long t = System.currentTimeMillis();
      List<Map<String, String>> events = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        events.add(ArchiveEvents.sms(orgId, sid("SM"), "task-" + (i % 10), phone(), phone(), phone(), "message " + i, t + i));
      }
      for (int i = 0; i < events.size(); i += 100) {
        addAll(redis, events.subList(i, i + 100));
      }
      double failuresBefore = failures(gw);
      eventually("the archiver has tried and failed against the stopped Postgres", WAIT, () -> failures(gw) > failuresBefore);
      HttpResponse<Buffer> ready = gw.http.get("/health/ready").send().await();
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.bodyAsString()).contains("\"archive\"", "streamLength");

      postgres.up().await();
      eventually("1,000 rows after Postgres is back", Duration.ofSeconds(60),
          () -> count(pg, "SELECT count(*) FROM communications WHERE org_id = $1", orgId) >= 1_000);
      assertThat(count(pg, "SELECT count(*) FROM communications WHERE org_id = $1", orgId)).isEqualTo(1_000);
      assertThat(count(pg, "SELECT count(DISTINCT provider_sid) FROM communications WHERE org_id = $1", orgId)).isEqualTo(1_000);
      assertThat(count(pg, "SELECT count(*) FROM raw_events WHERE org_id = $1", orgId)).isEqualTo(1_000);
    } finally {
      proxyVertx.close().await();
    }
  }

  @Test
  void entriesOfAnArchiverKilledMidBatchAreReclaimedAndWrittenOnce() {
    String orgId = id("org");
    String dead = "dead-" + TestData.id("archiver");
    ArchiveStream stream = new ArchiveStream(redis);
    stream.ensureGroup().await();
    long t = System.currentTimeMillis();
    List<Map<String, String>> events = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      events.add(ArchiveEvents.sms(orgId, sid("SM"), null, phone(), phone(), phone(), "stuck " + i, t + i));
    }
    addAll(redis, events);
    // The dead archiver read everything (its batch), committed the first half to Postgres, and died before acking.
    List<StreamEntry> read = stream.readNew(dead, 100_000, Duration.ofMillis(100)).await();
    List<StreamEntry> mine = read.stream().filter(e -> orgId.equals(e.field("orgId"))).toList();
    assertThat(mine).hasSize(50);
    ArchiveBatch firstHalf = ArchiveBatch.of(mine.subList(0, 25));
    new ArchivePartitions(pg, 24, java.time.Clock.systemUTC()).ensureFor(List.of(t)).await();
    new ArchiveWriter(pg).write(firstHalf).await();
    assertThat(pendingOf(dead)).isGreaterThanOrEqualTo(50);

    try (TestGateway gw = TestGateway.start(Map.of("MASKLINE_ARCHIVE_CLAIM_IDLE", "1s"))) {
      eventually("the dead consumer's entries are reclaimed and archived", WAIT,
          () -> count(pg, "SELECT count(*) FROM communications WHERE org_id = $1", orgId) == 50 && pendingOf(dead) == 0);
      assertThat(count(pg, "SELECT count(DISTINCT provider_sid) FROM communications WHERE org_id = $1", orgId)).isEqualTo(50);
      assertThat(count(pg, "SELECT count(*) FROM raw_events WHERE org_id = $1", orgId)).isEqualTo(50);
      assertThat(gw.gateway.services().metrics().get("maskline.archive.reclaimed").counter().count()).isGreaterThanOrEqualTo(50);
      String metrics = gw.http.get("/metrics").send().await().bodyAsString();
      assertThat(metrics).contains("maskline_archive_stream_length", "maskline_archive_pending_oldest_age_seconds");
    }
  }

  @Test
  void expiredMonthsAreDroppedAndCurrentOnesKept() {
    ArchivePartitions partitions = new ArchivePartitions(pg, 24, java.time.Clock.systemUTC());
    long old = Instant.parse("1990-03-15T12:00:00Z").toEpochMilli();
    partitions.ensureFor(List.of(old)).await();
    partitions.ensureAhead().await();
    List<String> dropped = partitions.dropExpired().await();
    assertThat(dropped).contains("communications_p1990_03", "raw_events_p1990_03");
    String current = ArchivePartitions.monthOf(System.currentTimeMillis()).toString().substring(0, 7).replace('-', '_');
    assertThat(count(pg, "SELECT count(*) FROM (VALUES ($1), ($2)) AS p(name) WHERE to_regclass(p.name) IS NOT NULL",
        "communications_p" + current, "raw_events_p" + current)).isEqualTo(2);
    assertThat(partitions.dropExpired().await()).isEmpty();
  }

  private static long pendingOf(String consumer) {
    Response pending = redis.send(Request.cmd(Command.XPENDING).arg(Keys.ARCHIVE_STREAM).arg(ArchiveStream.GROUP)
        .arg("-").arg("+").arg(100_000).arg(consumer)).await();
    return pending.size();
  }

  private static double failures(TestGateway gw) {
    return gw.gateway.services().metrics().get("maskline.archive.write.failures").counter().count();
  }

  private static Row one(String sql, Object... params) {
    List<Row> found = rows(pg, sql, params);
    assertThat(found).hasSize(1);
    return found.get(0);
  }
}
