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

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    redis = Redis.createClient(vertx, TestServers.get().redisUrl);
    // Sessions are durable in Postgres too (V15).
    Postgres.migrate(vertx, TestServers.get().pgUrl).await();
    pg = Postgres.pool(vertx, new GatewayConfig.Postgres(TestServers.get().pgUrl, 2));
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
    List<String> built = List.of(Keys.EXPIRY, Keys.session("o", "t"), Keys.route("p", "c"), Keys.history("p", "c"), Keys.busy("c"),
        Keys.number("p"), Keys.org("o"), Keys.rate("p", "c"), Keys.rate("c"), Keys.loop("p", "a", "b"), Keys.sid("s"),
        Keys.optOuts("o"), Keys.replyTarget("p"), Keys.stickyNumbers("o"));
    for (String segment : Keys.SCRIPT_SEGMENTS) {
      assertThat(built).as(segment).anyMatch(key -> key.startsWith(Keys.PREFIX + segment));
    }
    assertThat(Keys.loop("p", "b", "a")).isEqualTo(Keys.loop("p", "a", "b")).isEqualTo(Keys.PREFIX + "loop:p:a:b");
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
    Sessions sessions = new Sessions(redis, pg, new GatewayConfig.Sessions(Duration.ofHours(1), Duration.ofDays(1)), Clock.systemUTC(),
        new SimpleMeterRegistry());

    sessions.open(new Sessions.OpenRequest(orgId, taskId, driver, recipient, Map.of(), true)).await();
    assertThat(exists(Keys.session(orgId, taskId), Keys.route(proxy, driver), Keys.route(proxy, recipient), Keys.busy(driver),
        Keys.busy(recipient))).isEqualTo(5);
    assertThat(send(Request.cmd(Command.ZSCORE).arg(Keys.EXPIRY).arg(Keys.expiryMember(orgId, taskId)))).isNotNull();
    assertThat(send(Request.cmd(Command.ZSCORE).arg(Keys.pool(orgId)).arg(proxy)).toInteger()).isEqualTo(1);

    InboundLookup lookup = new InboundLookup(redis, new GatewayConfig.Guards(100, 100, 100, Duration.ofDays(30)));
    Inbound sms = new Inbound(Channel.SMS, proxy, recipient, "hi");
    String sid = id("SM");
    var found = (InboundLookup.Found) lookup.lookup(sid, sms, System.currentTimeMillis()).await();
    assertThat(found.facts().context().orgId()).isEqualTo(orgId);
    assertThat(exists(Keys.rate(proxy, recipient), Keys.rate(recipient), Keys.loop(proxy, recipient, driver))).isEqualTo(3);
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
    assertThat(exists(Keys.route(proxy, driver), Keys.route(proxy, recipient))).isZero();
    assertThat(exists(Keys.history(proxy, driver), Keys.history(proxy, recipient))).isEqualTo(2);
    assertThat(send(Request.cmd(Command.SISMEMBER).arg(Keys.busy(driver)).arg(proxy)).toInteger()).isZero();
    assertThat(send(Request.cmd(Command.ZSCORE).arg(Keys.EXPIRY).arg(Keys.expiryMember(orgId, taskId)))).isNull();
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
