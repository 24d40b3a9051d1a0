package io.maskline.storage;

import io.maskline.anonymizer.IdentityMatcher;
import io.maskline.support.TestGateway;
import io.maskline.support.TestServers;
import io.maskline.support.Webhooks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.maskline.support.Eventually.eventually;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.number;
import static io.maskline.support.TestData.openSession;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The installation's key secret (one per Postgres, the same for every pod) and the key layout: a Redis filled by the
 * version that named people by their number is named anew at start, and sessions still route.
 */
class KeyLayoutTest {
  static Vertx vertx;
  static Redis redis;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    redis = Redis.createClient(vertx, TestServers.get().redisUrl);
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void aRedisOfTheVersionThatNamedPeopleByNumberIsNamedAnewAtStartAndStillRoutes() {
    String orgId = id("org");
    String proxy;
    String driver = phone();
    String recipient = phone();
    String endedDriver = phone();
    String endedRecipient = phone();
    String ended = id("task");
    String open = id("task");
    PartyKeys.Token d;
    PartyKeys.Token r;
    PartyKeys.Token er;
    PartyKeys.Token ed;
    try (TestGateway before = TestGateway.start()) {
      org(before, orgId, new JsonObject());
      proxy = number(before, orgId);
      assertThat(openSession(before, orgId, ended, endedDriver, endedRecipient).statusCode()).isEqualTo(201);
      assertThat(before.admin(io.vertx.core.http.HttpMethod.DELETE, "/v1/sessions/" + ended).send().await().statusCode()).isEqualTo(204);
      assertThat(openSession(before, orgId, open, driver, recipient).statusCode()).isEqualTo(201);
      d = before.token(driver);
      r = before.token(recipient);
      ed = before.token(endedDriver);
      er = before.token(endedRecipient);
    }

    // What the version before tokens left in Redis: people's keys named by number, records without tokens, guard
    // state, and no key layout.
    String byNumber = Keys.PREFIX + "route:" + proxy + ":";
    send(Request.cmd(Command.RENAME).arg(Keys.route(proxy, d)).arg(byNumber + driver));
    send(Request.cmd(Command.RENAME).arg(Keys.route(proxy, r)).arg(byNumber + recipient));
    send(Request.cmd(Command.HDEL).arg(byNumber + driver).arg("counterpartToken"));
    send(Request.cmd(Command.HDEL).arg(byNumber + recipient).arg("counterpartToken"));
    send(Request.cmd(Command.RENAME).arg(Keys.busy(d)).arg(Keys.PREFIX + "busy:" + driver));
    send(Request.cmd(Command.RENAME).arg(Keys.busy(r)).arg(Keys.PREFIX + "busy:" + recipient));
    send(Request.cmd(Command.RENAME).arg(Keys.history(proxy, er)).arg(Keys.PREFIX + "hist:" + proxy + ":" + endedRecipient));
    send(Request.cmd(Command.RENAME).arg(Keys.history(proxy, ed)).arg(Keys.PREFIX + "hist:" + proxy + ":" + endedDriver));
    for (String task : List.of(open, ended)) {
      send(Request.cmd(Command.HDEL).arg(Keys.session(orgId, task)).arg("driverToken").arg("recipientToken"));
    }
    for (String guard : List.of("rate:" + proxy + ":" + recipient, "rate:" + recipient, "loop:" + proxy + ":" + driver + ":" + recipient)) {
      send(Request.cmd(Command.SET).arg(Keys.PREFIX + guard).arg(System.currentTimeMillis()).arg("PX").arg(60_000));
    }
    send(Request.cmd(Command.DEL).arg(Keys.KEY_LAYOUT));
    List<String> people = List.of(driver, recipient, endedDriver, endedRecipient);
    assertThat(namesHolding(people)).hasSize(9);

    try (TestGateway after = TestGateway.start()) {
      assertThat(namesHolding(people)).isEmpty();
      assertThat(send(Request.cmd(Command.GET).arg(Keys.KEY_LAYOUT)).toString()).isEqualTo(RedisDataWatch.layout(after.gateway.services().partyKeys()));
      assertThat(exists(Keys.route(proxy, d), Keys.route(proxy, r), Keys.busy(d), Keys.busy(r), Keys.history(proxy, er), Keys.history(proxy, ed)))
          .isEqualTo(6);
      assertThat(send(Request.cmd(Command.HGET).arg(Keys.session(orgId, open)).arg("recipientToken")).toString()).isEqualTo(r.hex());
      assertThat(send(Request.cmd(Command.ZSCORE).arg(Keys.pool(orgId)).arg(proxy)).toInteger()).as("pool usage kept, not counted twice")
          .isEqualTo(1);

      Webhooks hooks = new Webhooks(after);
      assertThat(hooks.sms(recipient, proxy, "still there?").bodyAsString()).contains("to=\"" + driver + "\"");
      String afterTask = Webhooks.messageSid();
      assertThat(hooks.sms(afterTask, endedRecipient, proxy, "one more thing").statusCode()).isEqualTo(200);
      assertThat(Webhooks.awaitArchived(after, afterTask, "interaction")).containsEntry("taskId", ended);
      assertThat(after.admin(io.vertx.core.http.HttpMethod.DELETE, "/v1/sessions/" + open).send().await().statusCode()).isEqualTo(204);
      assertThat(exists(Keys.route(proxy, d), Keys.history(proxy, d))).isEqualTo(1);

      // A layout another configuration wrote since (a pod with another key secret): this pod stops being ready
      // rather than renaming back, and is ready again once the layout is its own.
      String own = send(Request.cmd(Command.GET).arg(Keys.KEY_LAYOUT)).toString();
      send(Request.cmd(Command.SET).arg(Keys.KEY_LAYOUT).arg("2:another-secret"));
      eventually("not ready under another layout", Duration.ofSeconds(10), () -> ready(after) == 503);
      assertThat(send(Request.cmd(Command.GET).arg(Keys.KEY_LAYOUT)).toString()).isEqualTo("2:another-secret");
      assertThat(exists(Keys.history(proxy, d))).isEqualTo(1);
      send(Request.cmd(Command.SET).arg(Keys.KEY_LAYOUT).arg(own));
      eventually("ready again", Duration.ofSeconds(10), () -> ready(after) == 200);
    }
  }

  @Test
  void theKeySecretIsTheInstallationsTheSameForEveryPodAndAnotherInAnotherInstallation() {
    String phone = phone();
    List<Pool> installation = List.of(installation(), installation());
    Pool one = installation.get(0);
    Pool other = installation.get(1);
    // Pods starting together on one Postgres: whoever stores the secret first, all read that one.
    List<PartyKeys> pods = List.of(PartyKeys.configured(null), PartyKeys.configured(null), PartyKeys.configured(null));
    Future.all(pods.stream().map(pod -> pod.load(one)).toList()).await();
    assertThat(pods).extracting(pod -> pod.token(phone)).containsOnly(pods.get(0).token(phone));
    PartyKeys restarted = PartyKeys.configured(null);
    restarted.load(one).await();
    assertThat(restarted.token(phone)).isEqualTo(pods.get(0).token(phone));

    PartyKeys elsewhere = PartyKeys.configured(null);
    elsewhere.load(other).await();
    assertThat(elsewhere.token(phone)).isNotEqualTo(pods.get(0).token(phone));
    assertThat(elsewhere.fingerprint()).isNotEqualTo(pods.get(0).fingerprint());

    // A configured secret wins over the stored one, wherever it runs.
    String configured = "a-configured-redis-key-secret-0123456789";
    PartyKeys first = PartyKeys.configured(configured);
    PartyKeys second = PartyKeys.configured(configured);
    first.load(one).await();
    second.load(other).await();
    assertThat(first.token(phone)).isEqualTo(second.token(phone)).isEqualTo(PartyKeys.of(configured.getBytes(StandardCharsets.UTF_8)).token(phone))
        .isNotEqualTo(pods.get(0).token(phone));
  }

  /** A Postgres of its own for an installation: a schema with the secrets table, reached through its search path. */
  private static Pool installation() {
    String schema = id("installation").replace('-', '_');
    Pool admin = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(TestServers.get().pgUrl)).using(vertx).build();
    Postgres.migrate(vertx, TestServers.get().pgUrl).await();
    admin.query("CREATE SCHEMA " + schema).execute().await();
    admin.query("CREATE TABLE " + schema + ".installation_secrets (LIKE public.installation_secrets INCLUDING ALL)").execute().await();
    admin.close().await();
    return PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(TestServers.get().pgUrl).addProperty("search_path", schema)).using(vertx).build();
  }

  /** Key names holding any written form of these numbers (E.164, digits, 00-form, national). */
  private static List<String> namesHolding(List<String> phones) {
    List<String> forms = new ArrayList<>();
    phones.forEach(phone -> {
      forms.add(phone);
      forms.addAll(IdentityMatcher.of(phone, null, "NO").tokens());
    });
    List<String> found = new ArrayList<>();
    String cursor = "0";
    do {
      Response step = send(Request.cmd(Command.SCAN).arg(cursor).arg("COUNT").arg(1000));
      cursor = step.get(0).toString();
      for (Response name : step.get(1)) {
        if (forms.stream().anyMatch(form -> name.toString().contains(form))) {
          found.add(name.toString());
        }
      }
    } while (!cursor.equals("0"));
    return found;
  }

  private static int ready(TestGateway gw) {
    return gw.http.get("/health/ready").send().await().statusCode();
  }

  private static int exists(String... keys) {
    Request request = Request.cmd(Command.EXISTS);
    for (String key : keys) {
      request.arg(key);
    }
    return send(request).toInteger();
  }

  private static Response send(Request request) {
    return redis.send(request).await();
  }
}
