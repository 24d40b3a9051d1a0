package io.maskline.anonymizer;

import io.maskline.archive.ArchiveEvents;
import io.maskline.config.CronSchedule;
import io.maskline.config.GatewayConfig;
import io.maskline.provider.twilio.TwilioRecordings;
import io.maskline.storage.Postgres;
import io.maskline.storage.PartyKeys;
import io.maskline.support.TestServers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static io.maskline.anonymizer.Forgetting.WAIT;
import static io.maskline.anonymizer.Forgetting.runBackendWaitingOnALock;
import static io.maskline.support.Eventually.eventually;
import static io.maskline.support.Sql.count;
import static io.maskline.support.Sql.rows;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The schedule and the lock, with anonymizer verticles deployed as pods would run them: each in its own Vert.x with
 * its own Postgres pool and Redis client, against the shared test servers. Time comes from an injected clock set
 * just before a 02:00 in the configured zone, so the schedule is tested without waiting for the night.
 */
class AnonymizerScheduleTest {
  static final ZoneId OSLO = ZoneId.of("Europe/Oslo");
  static final String NIGHTLY = "0 0 2 * * ?";
  static Pool pg;
  final List<Vertx> pods = new ArrayList<>();

  @BeforeAll
  static void schema() {
    TestServers servers = TestServers.get();
    Vertx vertx = Vertx.vertx();
    Postgres.migrate(vertx, servers.pgUrl).await();
    pg = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(servers.pgUrl)).using(vertx).build();
  }

  @AfterEach
  void stopPods() {
    pods.forEach(vertx -> vertx.close().await());
    pods.clear();
  }

  @Test
  void nightlyRunStartsAtTwoInTheConfiguredZone() {
    Instant slot = randomNight().atTime(LocalTime.of(2, 0)).atZone(OSLO).toInstant();
    Pod pod = deploy(clockAt(slot.minusSeconds(3)), OSLO);
    assertThat(pod.verticle.nextRun()).contains(slot);

    eventually("the scheduled run", WAIT, () -> count(pg, "SELECT count(*) FROM anonymizer_runs WHERE scheduled_for = $1 AND status <> 'running'",
        slot.atOffset(ZoneOffset.UTC)) == 1);
    JsonObject run = rows(pg, "SELECT row_to_json(r)::text FROM anonymizer_runs r WHERE scheduled_for = $1", slot.atOffset(ZoneOffset.UTC))
        .stream().map(row -> new JsonObject(row.getString(0))).findFirst().orElseThrow();
    assertThat(run.getString("trigger")).isEqualTo("schedule");
    assertThat(run.getString("status")).isEqualTo("done");
    // Re-armed for the next night, 02:00 Oslo time (the zone, not UTC, decides the instant).
    assertThat(pod.verticle.nextRun()).contains(slot.atZone(OSLO).plusDays(1).toInstant());
    assertThat(slot.atZone(ZoneOffset.UTC).getHour()).isNotEqualTo(2);
  }

  @Test
  void twoPodsWakingForTheSameNightRunItOnce() {
    Instant slot = randomNight().atTime(LocalTime.of(2, 0)).atZone(OSLO).toInstant();
    Clock clock = clockAt(slot.minusSeconds(3));
    deploy(clock, OSLO);
    deploy(clock, OSLO);

    eventually("the scheduled run", WAIT, () -> count(pg, "SELECT count(*) FROM anonymizer_runs WHERE scheduled_for = $1 AND status = 'done'",
        slot.atOffset(ZoneOffset.UTC)) == 1);
    // Both pods have woken by now; give the slower one time to have tried.
    sleep(500);
    assertThat(count(pg, "SELECT count(*) FROM anonymizer_runs WHERE scheduled_for = $1", slot.atOffset(ZoneOffset.UTC))).isEqualTo(1);
  }

  @Test
  void twoPodsAskedAtOnceShareOneRunHeldByOneConnection() {
    // A waiting request whose person's record the test holds keeps the run busy while both pods are asked.
    String orgId = id("org");
    String person = phone();
    String sid = ArchiveEvents.sid("SM");
    pg.preparedQuery("INSERT INTO orgs (org_id, name, country) VALUES ($1, 'Racing', 'NO')").execute(Tuple.of(orgId)).await();
    pg.preparedQuery("INSERT INTO communications (archive_month, org_id, provider_sid, channel, direction, from_addr, started_at) "
        + "VALUES (archive_month_of(now()), $1, $2, 'sms', 'inbound', $3, now())").execute(Tuple.of(orgId, sid, person)).await();
    UUID request = UUID.randomUUID();
    pg.preparedQuery("INSERT INTO anonymization_requests (id, org_id, phone, scope) VALUES ($1, $2, $3, '{archive}')")
        .execute(Tuple.of(request, orgId, person)).await();
    SqlConnection holder = pg.getConnection().await();
    Transaction held = holder.begin().await();
    holder.preparedQuery("SELECT 1 FROM communications WHERE provider_sid = $1 FOR UPDATE").execute(Tuple.of(sid)).await();

    Clock clock = Clock.systemUTC();
    Pod a = deploy(clock, ZoneOffset.UTC);
    Pod b = deploy(clock, ZoneOffset.UTC);
    Future<Message<JsonObject>> askA = a.vertx.eventBus().request(AnonymizerVerticle.ADDRESS, new JsonObject());
    Future<Message<JsonObject>> askB = b.vertx.eventBus().request(AnonymizerVerticle.ADDRESS, new JsonObject());
    JsonObject answerA = askA.await().body();
    JsonObject answerB = askB.await().body();
    eventually("the run waits on the held request", WAIT, () -> runBackendWaitingOnALock(pg) != null);
    // Asking again while it runs answers the same run, in the pod running it and in the other.
    JsonObject againA = a.vertx.eventBus().<JsonObject>request(AnonymizerVerticle.ADDRESS, new JsonObject()).await().body();
    JsonObject againB = b.vertx.eventBus().<JsonObject>request(AnonymizerVerticle.ADDRESS, new JsonObject()).await().body();

    String runId = answerA.getString("runId");
    assertThat(List.of(answerB, againA, againB)).extracting(answer -> answer.getString("runId")).containsOnly(runId);
    assertThat(List.of(answerA.getBoolean("started"), answerB.getBoolean("started"))).containsExactlyInAnyOrder(true, false);
    assertThat(againA.getBoolean("started")).isFalse();
    assertThat(againB.getBoolean("started")).isFalse();
    assertThat(count(pg, "SELECT count(*) FROM anonymizer_runs WHERE status = 'running'")).isEqualTo(1);
    assertThat(count(pg, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid::bigint = $1 AND objid::bigint = $2",
        Anonymizer.LOCK_KEY >>> 32, Anonymizer.LOCK_KEY & 0xffffffffL)).isEqualTo(1);

    held.rollback().await();
    holder.close().await();
    eventually("the run ends", WAIT, () -> count(pg, "SELECT count(*) FROM anonymizer_runs WHERE run_id = $1 AND status = 'done'",
        UUID.fromString(runId)) == 1);
    assertThat(count(pg, "SELECT count(*) FROM anonymization_requests WHERE id = $1 AND status = 'DONE'", request)).isEqualTo(1);
    // Once the lock is released (just after the run is recorded done), the next ask starts a new run.
    JsonObject[] next = new JsonObject[1];
    eventually("a new run starts", WAIT, () -> {
      next[0] = b.vertx.eventBus().<JsonObject>request(AnonymizerVerticle.ADDRESS, new JsonObject()).await().body();
      return next[0].getBoolean("started");
    });
    assertThat(next[0].getString("runId")).isNotEqualTo(runId);
  }

  private record Pod(Vertx vertx, AnonymizerVerticle verticle) {}

  /** A pod: its own Vert.x, pool and Redis client, one anonymizer verticle. */
  private Pod deploy(Clock clock, ZoneId zone) {
    TestServers servers = TestServers.get();
    Vertx vertx = Vertx.vertx();
    pods.add(vertx);
    Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(servers.pgUrl)).using(vertx).build();
    Redis redis = Redis.createClient(vertx, servers.redisUrl);
    TwilioRecordings recordings = new TwilioRecordings(vertx, WebClient.create(vertx),
        new GatewayConfig.Twilio(null, null, URI.create("http://127.0.0.1:9")));
    PartyKeys partyKeys = PartyKeys.configured(null);
    partyKeys.load(pool).await();
    Anonymizer anonymizer = new Anonymizer(vertx, pool, ErasureStores.builtIn(redis, partyKeys, recordings), () -> Future.succeededFuture(List.of()), "NO", clock,
        "pod-" + pods.size(), new SimpleMeterRegistry());
    AnonymizerVerticle verticle = new AnonymizerVerticle(anonymizer, new CronSchedule(NIGHTLY), zone, clock);
    vertx.deployVerticle(verticle).await();
    return new Pod(vertx, verticle);
  }

  /** The system clock, moved so that it now reads {@code now}; it keeps ticking. */
  private static Clock clockAt(Instant now) {
    return Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), now));
  }

  /**
   * A night far ahead (cron-utils knows years up to 2099) no earlier test run has used: runs are recorded per
   * scheduled slot. Not in March or October: on the night clocks spring forward 02:00 does not exist in Oslo and
   * cron-utils moves to the next night (docs/ANONYMIZER.md).
   */
  private static LocalDate randomNight() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int[] months = {1, 2, 4, 5, 6, 7, 8, 9, 11, 12};
    return LocalDate.of(2040 + random.nextInt(58), months[random.nextInt(months.length)], 1 + random.nextInt(28));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
