package io.maskline.bench;

import io.maskline.binding.Sessions;
import io.maskline.config.GatewayConfig;
import io.maskline.phone.Locality;
import io.maskline.storage.Keys;
import io.maskline.storage.PartyKeys;
import io.maskline.storage.Postgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Open+close throughput of the session scripts against a real Redis (not a timed test: run by
 * {@code loadtest/bench/session-bench.sh}). Usage: SessionBenchmark redisUrl seconds concurrency poolSize [numberSelection]
 * [pgUrl]. The pool's numbers are registered as {@code ProxyNumbers} does (pool, sub-pools of their locality, owner and
 * tags), all Norwegian like the recipients, so {@code sticky-local} (the default) works through the recipient's
 * country. Each open and close also writes the session's durable row to Postgres, as the gateway does.
 */
public final class SessionBenchmark {
  public static void main(String[] args) {
    String url = args.length > 0 ? args[0] : "redis://127.0.0.1:6379/14";
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    int poolSize = args.length > 3 ? Integer.parseInt(args[3]) : 200;
    String selection = args.length > 4 ? args[4] : "sticky-local";
    String pgUrl = args.length > 5 ? args[5] : "postgresql://postgres@127.0.0.1:5432/maskline_bench";
    Vertx vertx = Vertx.vertx();
    Postgres.migrate(vertx, pgUrl).await();
    Pool pg = Postgres.pool(vertx, new GatewayConfig.Postgres(pgUrl, concurrency));
    Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(url).setMaxPoolSize(concurrency).setMaxPoolWaiting(100_000));
    String orgId = "bench-" + UUID.randomUUID().toString().substring(0, 6);
    List<Request> pool = new ArrayList<>();
    for (int i = 0; i < poolSize; i++) {
      String number = "+4790" + String.format("%06d", i);
      List<String> tags = Locality.tags(number);
      pool.add(Request.cmd(Command.ZADD).arg(Keys.pool(orgId)).arg(0).arg(number));
      tags.forEach(tag -> pool.add(Request.cmd(Command.ZADD).arg(Keys.localPool(orgId, tag)).arg(0).arg(number)));
      pool.add(Request.cmd(Command.HSET).arg(Keys.number(number)).arg("orgId").arg(orgId).arg("localTags").arg(String.join(" ", tags)));
    }
    pool.add(Request.cmd(Command.HSET).arg(Keys.org(orgId)).arg("anonymize").arg("1").arg("numberSelection").arg(selection));
    redis.batch(pool).await();
    Sessions sessions = new Sessions(redis, PartyKeys.of("session-benchmark-key-secret".getBytes(java.nio.charset.StandardCharsets.UTF_8)), pg,
        new GatewayConfig.Sessions(Duration.ofHours(24), Duration.ofMinutes(10)),
        Clock.systemUTC(), new SimpleMeterRegistry());

    AtomicLong opened = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long warmUpEnd = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    long end = warmUpEnd + Duration.ofSeconds(seconds).toNanos();
    List<Future<Void>> workers = new ArrayList<>();
    for (int w = 0; w < concurrency; w++) {
      Promise<Void> done = Promise.promise();
      workers.add(done.future());
      vertx.runOnContext(v -> loop(sessions, orgId, opened, failed, warmUpEnd, end, done));
    }
    Future.join(workers).await();
    double rate = opened.get() / (double) seconds;
    System.out.printf("session-bench: %d open+close cycles in %d s = %.0f opens/s (and as many closes/s), %d failed, concurrency %d, pool %d, %s%n",
        opened.get(), seconds, rate, failed.get(), concurrency, poolSize, selection);
    System.out.printf("RESULT opens_per_second=%.0f%n", rate);
    vertx.close().await();
  }

  private static void loop(Sessions sessions, String orgId, AtomicLong opened, AtomicLong failed, long warmUpEnd, long end, Promise<Void> done) {
    if (System.nanoTime() > end) {
      done.complete();
      return;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String task = "bench-" + random.nextLong();
    String driver = "+4791" + String.format("%06d", random.nextInt(1_000_000));
    String recipient = "+4792" + String.format("%06d", random.nextInt(1_000_000));
    sessions.open(new Sessions.OpenRequest(orgId, task, driver, recipient, Map.of("order", "bench"), true))
        .compose(o -> sessions.close(orgId, task))
        .onComplete(result -> {
          if (System.nanoTime() > warmUpEnd) {
            if (result.succeeded()) {
              opened.incrementAndGet();
            } else {
              failed.incrementAndGet();
            }
          }
          loop(sessions, orgId, opened, failed, warmUpEnd, end, done);
        });
  }
}
