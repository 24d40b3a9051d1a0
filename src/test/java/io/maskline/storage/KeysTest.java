package io.maskline.storage;

import io.maskline.archive.ArchiveEvent;
import io.maskline.binding.Sessions;
import io.maskline.config.GatewayConfig;
import io.maskline.inbound.InboundLedger;
import io.maskline.inbound.InboundLookup;
import io.maskline.routing.Channel;
import io.maskline.routing.Inbound;
import io.maskline.support.TestServers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/** The Lua scripts and {@link Keys} state one key layout: checked in the scripts' text and on a real Redis. */
class KeysTest {
  private static final Pattern SEGMENT = Pattern.compile("prefix \\.\\. '([^']*)'");

  static Vertx vertx;
  static Redis redis;
  static io.vertx.sqlclient.Pool pg;
  static PartyKeys partyKeys;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    // The gateway's own client settings: restoring runs many scripts at once, more than a default client queues.
    redis = RedisClients.create(vertx, new GatewayConfig.Redis(TestServers.get().redisUrl, GatewayConfig.RedisMode.STANDALONE, "mymaster", 8,
        Duration.ofSeconds(5), null));
    // Sessions are durable in Postgres too (V15).
    Postgres.migrate(vertx, TestServers.get().pgUrl).await();
    pg = Postgres.pool(vertx, new GatewayConfig.Postgres(TestServers.get().pgUrl, 2));
    partyKeys = PartyKeys.configured(null);
    partyKeys.load(pg).await();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void everyKeyAScriptBuildsFromThePrefixIsASegmentThatKeysStates() {
    Map<String, List<String>> segments = new TreeMap<>();
    scripts().forEach((name, source) -> {
      Matcher m = SEGMENT.matcher(source);
      while (m.find()) {
        segments.computeIfAbsent(m.group(1), s -> new java.util.ArrayList<>()).add(name);
      }
    });
    assertThat(segments).as("segments the scripts build").isNotEmpty();
    assertThat(Keys.SCRIPT_SEGMENTS).as("segments the scripts build: %s", segments).containsAll(segments.keySet());
    assertThat(scripts().values()).as("scripts that build keys without the prefix they are given")
        .noneMatch(source -> source.contains("'ml:"));
  }

  @Test
  void everyStatedSegmentIsTheStartOfTheKeysKeysBuilds() {
    PartyKeys.Token a = new PartyKeys.Token("a");
    PartyKeys.Token b = new PartyKeys.Token("b");
    List<String> built = List.of(Keys.EXPIRY, Keys.session("o", "t"), Keys.route("p", a), Keys.history("p", a), Keys.busy(a),
        Keys.number("p"), Keys.org("o"), Keys.rate("p", a), Keys.rate(a), Keys.loop("p", a, b), Keys.sid("s"),
        Keys.optOuts("o"), Keys.replyTarget("p"), Keys.stickyNumbers("o"));
    for (String segment : Keys.SCRIPT_SEGMENTS) {
      assertThat(built).as(segment).anyMatch(key -> key.startsWith(Keys.PREFIX + segment));
    }
    for (String segment : Keys.PEOPLE_KEY_SEGMENTS) {
      assertThat(Keys.SCRIPT_SEGMENTS).contains(segment);
    }
    assertThat(Keys.loop("p", b, a)).isEqualTo(Keys.loop("p", a, b)).isEqualTo(Keys.PREFIX + "loop:p:a:b");
    assertThat(Keys.history("p", a)).matches(glob(Keys.historyOf(a))).matches(glob(Keys.historyOf(null)))
        .doesNotMatch(glob(Keys.historyOf(b)));
  }

  @Test
  void aTokenIsAKeyedHashOfTheNumberThatNamesNoDigitsOfIt() {
    String phone = phone();
    PartyKeys.Token token = partyKeys.token(phone);
    assertThat(token.hex()).matches("[0-9a-f]{32}").isEqualTo(partyKeys.token(phone).hex());
    assertThat(token.hex()).doesNotContain(phone.substring(3));
    assertThat(partyKeys.token(phone())).isNotEqualTo(token);
    // The same number under another secret is another token: without the secret no one can compute it.
    assertThat(PartyKeys.of("another-installation's-secret".getBytes(java.nio.charset.StandardCharsets.UTF_8)).token(phone))
        .isNotEqualTo(token);
  }

  @Test
  void theScriptsWriteAndReadTheKeysThatKeysNames() {
    String orgId = id("org");
    String taskId = id("task");
    String proxy = phone();
    String driver = phone();
    String recipient = phone();
    send(Request.cmd(Command.ZADD).arg(Keys.pool(orgId)).arg(0).arg(proxy));
    send(Request.cmd(Command.HSET).arg(Keys.org(orgId)).arg("email").arg(orgId + "@example.com"));
    send(Request.cmd(Command.HSET).arg(Keys.number(proxy)).arg("orgId").arg(orgId));
    Sessions sessions = new Sessions(redis, partyKeys, pg, new GatewayConfig.Sessions(Duration.ofHours(1), Duration.ofDays(1)), Clock.systemUTC(),
        new SimpleMeterRegistry());
    PartyKeys.Token d = partyKeys.token(driver);
    PartyKeys.Token r = partyKeys.token(recipient);

    sessions.open(new Sessions.OpenRequest(orgId, taskId, driver, recipient, Map.of(), true)).await();
    assertThat(exists(Keys.session(orgId, taskId), Keys.route(proxy, d), Keys.route(proxy, r), Keys.busy(d), Keys.busy(r))).isEqualTo(5);
    assertThat(send(Request.cmd(Command.HGET).arg(Keys.route(proxy, d)).arg("counterpartToken")).toString()).isEqualTo(r.hex());
    assertThat(send(Request.cmd(Command.ZSCORE).arg(Keys.EXPIRY).arg(Keys.expiryMember(orgId, taskId)))).isNotNull();
    assertThat(send(Request.cmd(Command.ZSCORE).arg(Keys.pool(orgId)).arg(proxy)).toInteger()).isEqualTo(1);

    InboundLookup lookup = new InboundLookup(redis, partyKeys, new GatewayConfig.Guards(100, 100, 100, Duration.ofDays(30)));
    Inbound sms = new Inbound(Channel.SMS, proxy, recipient, "hi");
    String sid = id("SM");
    var found = (InboundLookup.Found) lookup.lookup(sid, sms, System.currentTimeMillis()).await();
    assertThat(found.facts().context().orgId()).isEqualTo(orgId);
    assertThat(exists(Keys.rate(proxy, r), Keys.rate(r), Keys.loop(proxy, r, d))).isEqualTo(3);
    assertThat(send(Request.cmd(Command.GET).arg(Keys.sid(sid))).toString()).isEqualTo(Keys.SID_PENDING);
    assertThat(lookup.lookup(sid, sms, System.currentTimeMillis()).await()).isEqualTo(new InboundLookup.Duplicate(null));

    // The sid value Java writes is the one both scripts read: the answer after the first space, the org before it.
    InboundLedger ledger = new InboundLedger(redis, Duration.ofDays(30));
    ArchiveEvent.Interaction event = new ArchiveEvent.Interaction(sid, orgId, taskId, "sms", recipient, proxy, driver, "hi",
        System.currentTimeMillis(), "received", "counterpart", "{}", "");
    ledger.commit(sid, "<Response> with spaces </Response>", event, null).await();
    assertThat(send(Request.cmd(Command.GET).arg(Keys.sid(sid))).toString()).isEqualTo(Keys.sidValue(orgId, "<Response> with spaces </Response>"));
    assertThat(lookup.lookup(sid, sms, System.currentTimeMillis()).await())
        .isEqualTo(new InboundLookup.Duplicate("<Response> with spaces </Response>"));
    ledger.status(new ArchiveEvent.Status(sid, null, "sms", "delivered", System.currentTimeMillis(), null, null, null, "")).await();
    var entries = send(Request.cmd(Command.XREVRANGE).arg(Keys.ARCHIVE_STREAM).arg("+").arg("-").arg("COUNT").arg(50));
    assertThat(entries.stream().map(entry -> pairs(entry.get(1))).filter(f -> sid.equals(f.get("sid")) && "status".equals(f.get("kind"))))
        .singleElement().satisfies(fields -> assertThat(fields.get("orgId")).isEqualTo(orgId));

    sessions.close(orgId, taskId).await();
    assertThat(exists(Keys.route(proxy, d), Keys.route(proxy, r))).isZero();
    assertThat(exists(Keys.history(proxy, d), Keys.history(proxy, r))).isEqualTo(2);
    assertThat(send(Request.cmd(Command.SISMEMBER).arg(Keys.busy(d)).arg(proxy)).toInteger()).isZero();
    assertThat(send(Request.cmd(Command.ZSCORE).arg(Keys.EXPIRY).arg(Keys.expiryMember(orgId, taskId)))).isNull();
  }

  @Test
  void restoringFromPostgresNamesTheKeysAsOpeningAndClosingNameThem() {
    String orgId = id("org");
    String proxy = phone();
    send(Request.cmd(Command.ZADD).arg(Keys.pool(orgId)).arg(0).arg(proxy));
    Sessions sessions = new Sessions(redis, partyKeys, pg, new GatewayConfig.Sessions(Duration.ofHours(1), Duration.ofDays(1)), Clock.systemUTC(),
        new SimpleMeterRegistry());
    String driver = phone();
    String recipient = phone();
    String closedRecipient = phone();
    String open = id("task");
    String closed = id("task");
    sessions.open(new Sessions.OpenRequest(orgId, closed, driver, closedRecipient, Map.of(), true)).await();
    sessions.close(orgId, closed).await();
    sessions.open(new Sessions.OpenRequest(orgId, open, driver, recipient, Map.of("order", "A-1"), true)).await();
    PartyKeys.Token d = partyKeys.token(driver);
    PartyKeys.Token r = partyKeys.token(recipient);
    PartyKeys.Token c = partyKeys.token(closedRecipient);
    Map<String, String> route = hash(Keys.route(proxy, r));
    List<String> state = List.of(Keys.session(orgId, open), Keys.session(orgId, closed), Keys.route(proxy, d), Keys.route(proxy, r),
        Keys.busy(d), Keys.busy(r), Keys.history(proxy, c));

    // Redis lost these sessions: Postgres puts them back under the same names.
    Request drop = Request.cmd(Command.DEL);
    state.forEach(drop::arg);
    send(drop);
    send(Request.cmd(Command.ZADD).arg(Keys.pool(orgId)).arg(0).arg(proxy));
    assertThat(sessions.restoreAll(false).await()).isGreaterThanOrEqualTo(2);
    assertThat(exists(state.toArray(String[]::new))).isEqualTo(state.size());
    assertThat(hash(Keys.route(proxy, r))).isEqualTo(route).containsEntry("counterpartToken", d.hex()).containsEntry("counterpart", driver);
    assertThat(hash(Keys.session(orgId, open))).containsEntry("driverToken", d.hex()).containsEntry("recipientToken", r.hex());
    assertThat(hash(Keys.history(proxy, c))).containsEntry("taskId", closed).containsEntry("role", "RECIPIENT");
    assertThat(send(Request.cmd(Command.SISMEMBER).arg(Keys.busy(r)).arg(proxy)).toInteger()).isEqualTo(1);
    assertThat(send(Request.cmd(Command.ZSCORE).arg(Keys.pool(orgId)).arg(proxy)).toInteger()).isEqualTo(1);

    // Restoring again changes nothing; a rebuild (people's keys dropped) names the present records' keys anew.
    assertThat(sessions.restoreAll(false).await()).isZero();
    Request peopleKeys = Request.cmd(Command.DEL);
    state.subList(2, state.size()).forEach(peopleKeys::arg);
    send(peopleKeys);
    assertThat(sessions.restoreAll(true).await()).isGreaterThanOrEqualTo(2);
    assertThat(exists(state.toArray(String[]::new))).isEqualTo(state.size());
    assertThat(hash(Keys.route(proxy, r))).isEqualTo(route);
    assertThat(send(Request.cmd(Command.ZSCORE).arg(Keys.pool(orgId)).arg(proxy)).toInteger()).as("pool usage counted once").isEqualTo(1);
    sessions.close(orgId, open).await();
    assertThat(exists(Keys.route(proxy, d), Keys.route(proxy, r), Keys.history(proxy, d), Keys.history(proxy, r))).isEqualTo(2);
  }

  @Test
  void aSessionOpenedByAPodThatNamedKeysByNumberClosesUnderTokens() {
    String orgId = id("org");
    String taskId = id("task");
    String proxy = phone();
    String driver = phone();
    String recipient = phone();
    long now = System.currentTimeMillis();
    // What open_session.lua wrote before tokens (a pod of the older version during a rolling update).
    send(Request.cmd(Command.HSET).arg(Keys.session(orgId, taskId)).arg("taskId").arg(taskId).arg("orgId").arg(orgId)
        .arg("driver").arg(driver).arg("recipient").arg(recipient).arg("proxy").arg(proxy).arg("pool").arg(Keys.pool(orgId))
        .arg("localTags").arg("").arg("variables").arg("{}").arg("status").arg("open").arg("openedAt").arg(now)
        .arg("expiresAt").arg(now + 3_600_000).arg("anonymized").arg("1"));
    List<String> byNumber = List.of(Keys.PREFIX + "route:" + proxy + ":" + driver, Keys.PREFIX + "route:" + proxy + ":" + recipient);
    byNumber.forEach(key -> send(Request.cmd(Command.HSET).arg(key).arg("orgId").arg(orgId).arg("taskId").arg(taskId)));
    send(Request.cmd(Command.SADD).arg(Keys.PREFIX + "busy:" + driver).arg(proxy));
    send(Request.cmd(Command.ZADD).arg(Keys.pool(orgId)).arg(1).arg(proxy));
    Sessions sessions = new Sessions(redis, partyKeys, pg, new GatewayConfig.Sessions(Duration.ofHours(1), Duration.ofDays(1)), Clock.systemUTC(),
        new SimpleMeterRegistry());

    assertThat(sessions.close(orgId, taskId).await()).isTrue();
    assertThat(hash(Keys.session(orgId, taskId))).containsEntry("status", "closed");
    assertThat(exists(byNumber.toArray(String[]::new))).isZero();
    assertThat(exists(Keys.PREFIX + "busy:" + driver)).isZero();
    assertThat(exists(Keys.history(proxy, partyKeys.token(driver)), Keys.history(proxy, partyKeys.token(recipient)))).isEqualTo(2);
    assertThat(send(Request.cmd(Command.ZSCORE).arg(Keys.pool(orgId)).arg(proxy)).toInteger()).isZero();
  }

  private static Map<String, String> hash(String key) {
    Map<String, String> fields = new java.util.HashMap<>();
    var hash = send(Request.cmd(Command.HGETALL).arg(key));
    hash.getKeys().forEach(name -> fields.put(name, hash.get(name).toString()));
    return fields;
  }

  /** A SCAN MATCH pattern (only '*' used) as a regular expression. */
  private static String glob(String pattern) {
    return java.util.Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote).collect(java.util.stream.Collectors.joining(".*"));
  }

  private static int exists(String... keys) {
    Request request = Request.cmd(Command.EXISTS);
    for (String key : keys) {
      request.arg(key);
    }
    return send(request).toInteger();
  }

  private static Map<String, String> pairs(io.vertx.redis.client.Response flat) {
    Map<String, String> fields = new java.util.HashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      fields.put(flat.get(i).toString(), flat.get(i + 1).toString());
    }
    return fields;
  }

  private static io.vertx.redis.client.Response send(Request request) {
    return redis.send(request).await();
  }

  static Map<String, String> scripts() {
    try (Stream<Path> files = Files.list(Path.of("src/main/resources/redis"))) {
      Map<String, String> scripts = new TreeMap<>();
      for (Path file : files.filter(f -> f.toString().endsWith(".lua")).toList()) {
        scripts.put(file.getFileName().toString(), Files.readString(file));
      }
      return scripts;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
