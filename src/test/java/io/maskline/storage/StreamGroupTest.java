package io.maskline.storage;

import io.maskline.support.Eventually;
import io.maskline.support.TestServers;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.maskline.support.TestData.id;
import static org.assertj.core.api.Assertions.assertThat;

/** One consumer group's whole life on a real Redis, spoken to in RESP2 and in RESP3 (whose replies are maps). */
class StreamGroupTest {
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @ParameterizedTest
  @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
  void readsClaimsAcknowledgesAndMeasuresInEitherProtocol(ProtocolVersion protocol) {
    Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(TestServers.get().redisUrl)
        .setPreferredProtocolVersion(protocol));
    String stream = Keys.PREFIX + id("test-stream");
    StreamGroup group = new StreamGroup(redis, stream, "readers");
    assertThat(group.readNew("a", 10, Duration.ofMillis(10)).await()).as("a group made on first read").isEmpty();
    assertThat(group.lag(System.currentTimeMillis()).await()).isEqualTo(new StreamGroup.Lag(0, 0, 0));

    String first = add(redis, stream, Map.of("kind", "one"));
    String second = add(redis, stream, Map.of("kind", "two"));
    List<StreamEntry> read = group.readNew("a", 10, Duration.ofMillis(10)).await();
    assertThat(read).extracting(StreamEntry::id).containsExactly(first, second);
    assertThat(read.get(1).fields()).isEqualTo(Map.of("kind", "two"));
    assertThat(group.lag(System.currentTimeMillis()).await()).satisfies(lag -> {
      assertThat(lag.length()).isEqualTo(2);
      assertThat(lag.pending()).isEqualTo(2);
    });

    assertThat(group.pending(Duration.ZERO, 10).await()).extracting(StreamGroup.Pending::id, StreamGroup.Pending::consumer,
        StreamGroup.Pending::deliveries).containsExactly(org.assertj.core.groups.Tuple.tuple(first, "a", 1),
        org.assertj.core.groups.Tuple.tuple(second, "a", 1));
    assertThat(group.claim("b", first, Duration.ZERO).await().fields()).isEqualTo(Map.of("kind", "one"));
    StreamGroup.Claimed claimed = group.claimIdle("c", Duration.ZERO, "0-0", 10).await();
    assertThat(claimed.entries()).extracting(StreamEntry::id).containsExactly(first, second);
    assertThat(claimed.vanished()).isEmpty();

    group.acknowledge(List.of(first, second)).await();
    assertThat(group.lag(System.currentTimeMillis()).await()).isEqualTo(new StreamGroup.Lag(0, 0, 0));
    assertThat(group.claim("b", first, Duration.ZERO).await()).as("an acknowledged entry is gone").isNull();
    // Consumers a, b and c hold nothing: each is forgotten once idle at all (a millisecond).
    int[] forgotten = {0};
    Eventually.eventually("three idle consumers forgotten", Duration.ofSeconds(5),
        () -> (forgotten[0] += group.forgetIdleConsumers(Duration.ZERO).await()) == 3);
    redis.send(Request.cmd(Command.DEL).arg(stream)).await();
    redis.close();
  }

  private static String add(Redis redis, String stream, Map<String, String> fields) {
    Request xadd = Request.cmd(Command.XADD).arg(stream).arg("*");
    fields.forEach((name, value) -> xadd.arg(name).arg(value));
    return redis.send(xadd).await().toString();
  }
}
