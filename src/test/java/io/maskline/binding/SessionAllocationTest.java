package io.maskline.binding;

import io.maskline.config.GatewayConfig;
import io.maskline.storage.Keys;
import io.maskline.support.SharedGateway;
import io.maskline.support.TestGateway;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

import static io.maskline.support.TestData.clearSharedPool;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.number;
import static io.maskline.support.TestData.openSession;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

class SessionAllocationTest {
  @SharedGateway static TestGateway gw;
  static Redis redis;

  @BeforeAll
  static void start() {
    redis = gw.gateway.services().redis();
  }

  @Test
  void fiveHundredParallelOpensNeverGiveAParticipantTwoOpenSessionsOnOneNumber() {
    clearSharedPool(gw);
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    List<String> numbers = IntStream.range(0, 20).mapToObj(i -> number(gw, orgId)).toList();
    List<String> drivers = IntStream.range(0, 40).mapToObj(i -> phone()).toList();
    List<String> recipients = IntStream.range(0, 150).mapToObj(i -> phone()).toList();

    List<String> tasks = new ArrayList<>();
    List<Future<HttpResponse<Buffer>>> opens = new ArrayList<>();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < 500; i++) {
      String task = id("task");
      tasks.add(task);
      opens.add(gw.admin(io.vertx.core.http.HttpMethod.POST, "/v1/sessions").sendJsonObject(new JsonObject()
          .put("orgId", orgId).put("taskId", task)
          .put("driverPhone", drivers.get(random.nextInt(drivers.size())))
          .put("recipientPhone", recipients.get(random.nextInt(recipients.size())))));
    }
    Future.join(opens).await();
    long created = opens.stream().filter(f -> f.result().statusCode() == 201).count();
    long exhausted = opens.stream().filter(f -> f.result().statusCode() == 409).count();
    assertThat(created + exhausted).isEqualTo(500);
    assertThat(created).isGreaterThan(400);

    Map<String, Integer> perNumberAndParticipant = new HashMap<>();
    Map<String, Integer> perNumber = new HashMap<>();
    for (String task : tasks) {
      Response s = redis.send(Request.cmd(Command.HGETALL).arg(Keys.session(orgId, task))).await();
      if (s == null || s.size() == 0) {
        continue;
      }
      String proxy = s.get("proxy").toString();
      String driver = s.get("driver").toString();
      String recipient = s.get("recipient").toString();
      assertThat(numbers).contains(proxy);
      perNumberAndParticipant.merge(proxy + "|" + driver, 1, Integer::sum);
      perNumberAndParticipant.merge(proxy + "|" + recipient, 1, Integer::sum);
      perNumber.merge(proxy, 1, Integer::sum);
      Response driverRoute = redis.send(Request.cmd(Command.HGETALL).arg(Keys.route(proxy, gw.token(driver)))).await();
      Response recipientRoute = redis.send(Request.cmd(Command.HGETALL).arg(Keys.route(proxy, gw.token(recipient)))).await();
      assertThat(driverRoute.get("counterpart").toString()).isEqualTo(recipient);
      assertThat(driverRoute.get("taskId").toString()).isEqualTo(task);
      assertThat(recipientRoute.get("counterpart").toString()).isEqualTo(driver);
      assertThat(recipientRoute.get("role").toString()).isEqualTo("RECIPIENT");
    }
    assertThat(perNumberAndParticipant.values()).allMatch(count -> count == 1);
    assertThat(perNumber.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo((int) created);
    for (String n : numbers) {
      Response score = redis.send(Request.cmd(Command.ZSCORE).arg(Keys.pool(orgId)).arg(n)).await();
      assertThat((int) Double.parseDouble(score.toString())).as("usage of %s", n).isEqualTo(perNumber.getOrDefault(n, 0));
    }
    // Least used first: load is spread, no number is left idle while others carry many sessions.
    assertThat(perNumber).hasSize(20);
  }

  @Test
  void closingFreesTheNumberForTheSameParticipantsAndWritesHistory() {
    clearSharedPool(gw);
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String p = number(gw, orgId);
    String driver = phone();
    String recipient = phone();
    String first = id("task");
    assertThat(openSession(gw, orgId, first, driver, recipient).statusCode()).isEqualTo(201);
    assertThat(openSession(gw, orgId, id("task"), driver, phone()).statusCode()).isEqualTo(409);
    gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/v1/sessions/" + first).send().await();

    Response history = redis.send(Request.cmd(Command.HGETALL).arg(Keys.history(p, gw.token(recipient)))).await();
    assertThat(history.get("orgId").toString()).isEqualTo(orgId);
    assertThat(history.get("taskId").toString()).isEqualTo(first);
    assertThat(history.get("role").toString()).isEqualTo("RECIPIENT");
    long ttl = redis.send(Request.cmd(Command.PTTL).arg(Keys.history(p, gw.token(recipient)))).await().toLong();
    assertThat(ttl).isBetween(Duration.ofDays(29).toMillis(), Duration.ofDays(30).toMillis());
    assertThat(redis.send(Request.cmd(Command.EXISTS).arg(Keys.route(p, gw.token(driver)))).await().toInteger()).isZero();

    HttpResponse<Buffer> reused = openSession(gw, orgId, id("task"), driver, recipient);
    assertThat(reused.statusCode()).isEqualTo(201);
    assertThat(reused.bodyAsJsonObject().getString("proxyNumber")).isEqualTo(p);
  }

  @Test
  void aSessionPastItsSafetyTtlIsClosedThroughTheNormalClosePath() {
    clearSharedPool(gw);
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String p = number(gw, orgId);
    Sessions sessions = new Sessions(redis, gw.gateway.services().partyKeys(), gw.gateway.services().pg(), new GatewayConfig.Sessions(Duration.ofHours(24), Duration.ofDays(30)),
        Clock.systemUTC(), new SimpleMeterRegistry());
    String driver = phone();
    String recipient = phone();
    String task = id("task");
    sessions.open(new Sessions.OpenRequest(orgId, task, driver, recipient, Map.of(), true)).await();
    assertThat(sessions.closeExpired(Instant.now()).await()).isZero();
    assertThat(redis.send(Request.cmd(Command.PTTL).arg(Keys.route(p, gw.token(driver)))).await().toLong())
        .isGreaterThan(Duration.ofHours(24).toMillis());

    // A sweep closes at most 500; a shared Redis may hold more sessions due by then, so sweep until none is left.
    Instant later = Instant.now().plus(Duration.ofHours(25));
    int closed = 0;
    for (int swept = sessions.closeExpired(later).await(); swept > 0; swept = sessions.closeExpired(later).await()) {
      closed += swept;
    }
    assertThat(closed).isGreaterThanOrEqualTo(1);
    assertThat(sessions.get(orgId, task).await().orElseThrow().open()).isFalse();
    assertThat(redis.send(Request.cmd(Command.EXISTS).arg(Keys.route(p, gw.token(driver)))).await().toInteger()).isZero();
    assertThat(redis.send(Request.cmd(Command.HGET).arg(Keys.history(p, gw.token(driver))).arg("role")).await().toString()).isEqualTo("DRIVER");
    assertThat(redis.send(Request.cmd(Command.ZSCORE).arg(Keys.pool(orgId)).arg(p)).await().toString()).isIn("0", "0.0");
  }

  @Test
  void everyOpenAndCloseIsAppendedToTheArchiveStream() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    number(gw, orgId);
    String task = id("task");
    openSession(gw, orgId, task, phone(), phone());
    gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/v1/sessions/" + task).send().await();
    // The archiver consumes the stream (acknowledged entries are deleted), so the events are looked for where they
    // end up: the archive's raw events, in the order they happened.
    io.vertx.sqlclient.Pool pg = gw.gateway.services().pg();
    String sql = "SELECT payload->>'action' AS action FROM raw_events WHERE kind = 'session' AND task_id = $1 ORDER BY received_at, event_key DESC";
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    List<String> actions = new ArrayList<>();
    while (actions.size() < 2 && System.nanoTime() < deadline) {
      actions.clear();
      pg.preparedQuery(sql).execute(io.vertx.sqlclient.Tuple.of(task)).await().forEach(row -> actions.add(row.getString("action")));
    }
    assertThat(actions).containsExactly("open", "close");
  }
}
