package io.maskline.binding;

import io.maskline.support.TestServers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The ledger's commits against a real Redis, in a database of their own (this test breaks the mail stream on purpose). */
class InboundLedgerTest {
  private static Vertx vertx;
  private static Redis redis;
  private static InboundLedger ledger;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    URI shared = URI.create(TestServers.get().redisUrl);
    String own = shared.getScheme() + "://" + (shared.getUserInfo() == null ? "" : shared.getUserInfo() + "@")
        + shared.getHost() + ":" + (shared.getPort() < 0 ? 6379 : shared.getPort()) + "/13";
    redis = Redis.createClient(vertx, own);
    ledger = new InboundLedger(redis);
  }

  @BeforeEach
  void emptyDatabase() {
    redis.send(Request.cmd(Command.FLUSHDB)).await();
  }

  @AfterAll
  static void stop() {
    redis.send(Request.cmd(Command.FLUSHDB)).await();
    redis.close().await();
    vertx.close().await();
  }

  @Test
  void theCommitsOfOneEventLoopTurnAreOneTransaction() {
    long execsBefore = calls("exec");

    inOneTurn(() -> {
      List<Future<Void>> commits = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        commits.add(ledger.commit("SM" + i, "<Response/>", "org-" + i, event("SM" + i), i % 3 == 0 ? Map.of("to", "org" + i + "@example.com") : null));
      }
      return Future.all(commits);
    });

    assertThat(calls("exec") - execsBefore).as("EXEC calls for 12 commits in one turn").isEqualTo(1);
    assertThat(redis.send(Request.cmd(Command.GET).arg(Keys.sid("SM7"))).await().toString()).isEqualTo("org-7 <Response/>");
    assertThat(redis.send(Request.cmd(Command.XLEN).arg(Keys.ARCHIVE_STREAM)).await().toInteger()).isEqualTo(12);
    assertThat(redis.send(Request.cmd(Command.XLEN).arg(Keys.MAIL_STREAM)).await().toInteger()).isEqualTo(4);
  }

  @Test
  void aCommitRedisRefusesFailsAloneNotTheOthersInItsTransaction() {
    redis.send(Request.cmd(Command.SET).arg(Keys.MAIL_STREAM).arg("not a stream")).await();

    List<String> outcomes = inOneTurn(() -> {
      Future<Void> archivedOnly = ledger.commit("SM-a", "<Response/>", "org-a", event("SM-a"), null);
      Future<Void> mailed = ledger.commit("SM-b", "<Response/>", "org-b", event("SM-b"), Map.of("to", "b@example.com"));
      return Future.join(archivedOnly, mailed).otherwiseEmpty()
          .map(done -> List.of(outcome(archivedOnly), outcome(mailed)));
    });

    assertThat(outcomes.get(0)).isEqualTo("committed");
    assertThat(outcomes.get(1)).startsWith("failed: WRONGTYPE");
    assertThat(redis.send(Request.cmd(Command.GET).arg(Keys.sid("SM-a"))).await().toString()).isEqualTo("org-a <Response/>");
  }

  @Test
  void aCommitOutsideAnEventLoopIsWrittenAtOnce() {
    ledger.commit("SM-direct", "<Response/>", "", event("SM-direct"), null).await();

    assertThat(redis.send(Request.cmd(Command.GET).arg(Keys.sid("SM-direct"))).await().toString()).isEqualTo(" <Response/>");
  }

  private static Map<String, String> event(String sid) {
    return Map.of("kind", "interaction", "sid", sid);
  }

  private static String outcome(Future<Void> commit) {
    return commit.succeeded() ? "committed" : "failed: " + commit.cause().getMessage();
  }

  /** Runs {@code work} in one task of an event loop: every commit it makes belongs to that turn. */
  private static <T> T inOneTurn(Supplier<Future<T>> work) {
    Promise<T> done = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> work.get().onComplete(done));
    return done.future().await();
  }

  private static long calls(String command) {
    String stats = redis.send(Request.cmd(Command.INFO).arg("commandstats")).await().toString();
    Matcher m = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(stats);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }
}
