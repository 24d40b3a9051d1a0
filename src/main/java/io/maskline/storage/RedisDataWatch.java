package io.maskline.storage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.function.Supplier;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Notices a Redis that lost its data (restarted without persistence, failed over to a blank replica) and puts it
 * back: Redis holds an installation marker ({@link Keys#INSTALLATION_MARKER}) once everything durable in Postgres
 * (orgs, numbers, opt-outs, sessions) is mirrored to it. A missing marker means the mirror is gone: readiness turns
 * DOWN, the loss is logged and counted, everything is re-mirrored and sessions restored, then the marker is set
 * again. Every pod watches; restoring is idempotent, so pods that notice at once do no harm.
 */
public final class RedisDataWatch {
  private static final Logger LOG = LoggerFactory.getLogger(RedisDataWatch.class);

  private final Redis redis;
  private final Supplier<Future<?>> remirror;
  private final Supplier<Future<Integer>> restoreSessions;
  private final Clock clock;
  private final String pod;
  private final Counter lost;
  private volatile boolean ready;
  private volatile String lastError;
  private boolean restoring;

  public RedisDataWatch(Redis redis, Supplier<Future<?>> remirror, Supplier<Future<Integer>> restoreSessions, Clock clock,
                        String pod, MeterRegistry metrics) {
    this.redis = redis;
    this.remirror = remirror;
    this.restoreSessions = restoreSessions;
    this.clock = clock;
    this.pod = pod;
    this.lost = Counter.builder("maskline.redis.data.lost")
        .description("Times Redis was found without its installation marker (lost data) and was restored from Postgres").register(metrics);
    Gauge.builder("maskline.redis.data.ready", this, watch -> watch.ready ? 1 : 0)
        .description("1 while Redis holds everything mirrored from Postgres, 0 while it is missing or being restored").register(metrics);
  }

  /**
   * At start-up: orgs, numbers and opt-outs are always re-mirrored (cheap, and heals a mirror write that failed);
   * sessions are restored when the marker is missing.
   */
  public Future<Void> startUp() {
    return markerPresent().compose(present -> present
        ? remirror.get().<Void>mapEmpty().onSuccess(v -> ready = true)
        : restore("start-up"));
  }

  /** One check: restores when the marker is gone. Never two restores at once in this pod. */
  public Future<Void> check() {
    if (restoring) {
      return Future.succeededFuture();
    }
    return markerPresent().compose(present -> present ? Future.<Void>succeededFuture().onSuccess(v -> ready = true) : restore("watch"));
  }

  public boolean ready() {
    return ready;
  }

  /**
   * The readiness check's answer, read live (one EXISTS): UP only while Redis holds the marker, which is set last
   * by a restore, so a Redis that just came back empty is never reported ready before the watch restored it.
   */
  public Future<JsonObject> readiness() {
    return markerPresent().compose(present -> present ? Future.succeededFuture(new JsonObject().put("marker", true))
        : Future.failedFuture("Redis lost its data; restoring from Postgres" + (lastError == null ? "" : ": " + lastError)));
  }

  private Future<Boolean> markerPresent() {
    return redis.send(Request.cmd(Command.EXISTS).arg(Keys.INSTALLATION_MARKER)).map(answer -> answer.toInteger() == 1);
  }

  private Future<Void> restore(String trigger) {
    ready = false;
    restoring = true;
    lost.increment();
    LOG.warn("Redis holds no installation marker (lost its data, or first start): re-mirroring from Postgres {}", kv("trigger", trigger));
    long started = System.nanoTime();
    return remirror.get()
        .compose(v -> restoreSessions.get())
        .compose(sessions -> redis.send(Request.cmd(Command.SET).arg(Keys.INSTALLATION_MARKER)
                .arg(new JsonObject().put("pod", pod).put("at", clock.millis()).encode()))
            .map(sessions))
        .onSuccess(sessions -> {
          ready = true;
          lastError = null;
          LOG.info("Redis restored from Postgres {} {} {}", kv("trigger", trigger), kv("sessionsRestored", sessions),
              kv("ms", (System.nanoTime() - started) / 1_000_000));
        })
        .onFailure(e -> {
          lastError = String.valueOf(e.getMessage());
          LOG.warn("restoring Redis from Postgres failed, retrying {}", kv("error", lastError));
        })
        .onComplete(done -> restoring = false)
        .mapEmpty();
  }
}
