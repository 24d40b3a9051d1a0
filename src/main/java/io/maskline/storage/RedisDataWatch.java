package io.maskline.storage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Notices a Redis that lost its data (restarted without persistence, failed over to a blank replica) and puts it
 * back: Redis holds an installation marker ({@link Keys#INSTALLATION_MARKER}) once everything durable in Postgres
 * (orgs, numbers, opt-outs, sessions) is mirrored to it. A missing marker means the mirror is gone: readiness turns
 * DOWN, the loss is logged and counted, everything is re-mirrored and sessions restored, then the marker is set
 * again. Every pod watches; restoring is idempotent, so pods that notice at once do no harm.
 *
 * <p>Beside the marker Redis keeps how people's key names are made ({@link Keys#KEY_LAYOUT}: the layout's version and
 * the {@linkplain PartyKeys#fingerprint fingerprint} of the secret). A Redis filled by a version that named people by
 * their number has none: at start-up the keys named after people ({@link Keys#PEOPLE_KEY_SEGMENTS}) are dropped
 * (SCAN in steps, never KEYS) and sessions named anew from Postgres, by one pod at a time. A pod started with another
 * secret than the one the layout names takes over the same way; a running pod that finds another layout (a pod with
 * another secret started since) stops being ready instead, so that two configurations never rename back and forth.
 */
public final class RedisDataWatch {
  private static final Logger LOG = LoggerFactory.getLogger(RedisDataWatch.class);
  /** 2: people named by their token ({@link PartyKeys}); before it (no layout key), by their number. */
  static final int LAYOUT_VERSION = 2;
  private static final RedisScript DROP = RedisScript.load("drop_people_keys");
  private static final String DROP_COUNT = "1000";
  /** Long enough for a rebuild of a large keyspace; a pod that dies while holding it blocks others this long at most. */
  private static final Duration REBUILD_LOCK = Duration.ofMinutes(10);

  private final Redis redis;
  private final PartyKeys partyKeys;
  private final Supplier<Future<?>> remirror;
  private final Function<Boolean, Future<Integer>> restoreSessions;
  private final Clock clock;
  private final String pod;
  private final Counter lost;
  private volatile boolean ready;
  private volatile String lastError;
  private boolean restoring;
  /** The loss (or older layout) being restored was logged and counted already: retries say nothing more. */
  private boolean noticed;

  /**
   * @param restoreSessions puts sessions back from Postgres; with {@code true}, also names anew those whose record
   *                        is there (the people keys were dropped)
   */
  public RedisDataWatch(Redis redis, PartyKeys partyKeys, Supplier<Future<?>> remirror, Function<Boolean, Future<Integer>> restoreSessions,
                        Clock clock, String pod, MeterRegistry metrics) {
    this.redis = redis;
    this.partyKeys = partyKeys;
    this.remirror = remirror;
    this.restoreSessions = restoreSessions;
    this.clock = clock;
    this.pod = pod;
    this.lost = Counter.builder("maskline.redis.data.lost")
        .description("Times Redis was found without its installation marker (lost data) and was restored from Postgres").register(metrics);
    Gauge.builder("maskline.redis.data.ready", this, watch -> watch.ready ? 1 : 0)
        .description("1 while Redis holds everything mirrored from Postgres, 0 while it is missing or being restored").register(metrics);
  }

  /** The key layout this pod names people's keys in: {@code "<version>:<secret fingerprint>"}. */
  public static String layout(PartyKeys partyKeys) {
    return LAYOUT_VERSION + ":" + partyKeys.fingerprint();
  }

  /** What Redis holds: the marker, and the key layout (null when it has none). */
  private record Found(boolean marker, String layout) {}

  /**
   * At start-up: orgs, numbers and opt-outs are always re-mirrored (cheap, and heals a mirror write that failed);
   * sessions are restored when the marker is missing, and people's keys named anew when the layout is not this pod's.
   */
  public Future<Void> startUp() {
    return found().compose(found -> {
      String layout = layout(partyKeys);
      return found.marker() && layout.equals(found.layout())
          ? remirror.get().<Void>mapEmpty().onSuccess(v -> ready = true)
          : restore("start-up", found, !layout.equals(found.layout()));
    });
  }

  /**
   * One check: restores when the marker is gone, and names people's keys anew when the layout is gone too (or was
   * deleted to ask for it). Never two restores at once in this pod.
   */
  public Future<Void> check() {
    if (restoring) {
      return Future.succeededFuture();
    }
    return found().compose(found -> {
      String layout = layout(partyKeys);
      if (found.layout() != null && !layout.equals(found.layout())) {
        // Another configuration's layout: renaming back would undo that pod's work; readiness says so.
        ready = false;
        return Future.succeededFuture();
      }
      if (found.marker() && found.layout() != null) {
        ready = true;
        noticed = false;
        return Future.succeededFuture();
      }
      return restore("watch", found, found.layout() == null);
    });
  }

  public boolean ready() {
    return ready;
  }

  /**
   * The readiness check's answer, read live (one MGET): UP only while Redis holds the marker and this pod's key
   * layout, which a restore sets last, so a Redis that just came back empty is never reported ready before the watch
   * restored it.
   */
  public Future<JsonObject> readiness() {
    return found().compose(found -> {
      String layout = layout(partyKeys);
      if (found.layout() != null && !layout.equals(found.layout())) {
        return Future.failedFuture("Redis names people's keys in another layout or under another key secret ("
            + found.layout() + ", this pod: " + layout + "): is MASKLINE_REDIS_KEY_SECRET the same on every pod?");
      }
      if (!found.marker() || found.layout() == null) {
        return Future.failedFuture("Redis lost its data or holds an older key layout; restoring from Postgres"
            + (lastError == null ? "" : ": " + lastError));
      }
      return Future.succeededFuture(new JsonObject().put("marker", true).put("keyLayout", LAYOUT_VERSION));
    });
  }

  private Future<Found> found() {
    return redis.send(Request.cmd(Command.MGET).arg(Keys.INSTALLATION_MARKER).arg(Keys.KEY_LAYOUT))
        .map(both -> new Found(both.get(0) != null, both.get(1) == null ? null : both.get(1).toString()));
  }

  private Future<Void> restore(String trigger, Found found, boolean rename) {
    ready = false;
    restoring = true;
    if (!noticed) {
      noticed = true;
      if (!found.marker()) {
        lost.increment();
        LOG.warn("Redis holds no installation marker (lost its data, or first start): re-mirroring from Postgres {}", kv("trigger", trigger));
      }
      if (rename) {
        LOG.warn("Redis names people's keys in another layout (an older version's, or under another key secret): naming them anew {} {}",
            kv("trigger", trigger), kv("found", String.valueOf(found.layout())));
      }
    }
    long started = System.nanoTime();
    return remirror.get()
        .compose(v -> rename ? rename() : restoreSessions.apply(false))
        .compose(sessions -> redis.send(Request.cmd(Command.SET).arg(Keys.INSTALLATION_MARKER)
                .arg(new JsonObject().put("pod", pod).put("at", clock.millis()).encode()))
            .map(sessions))
        .onSuccess(sessions -> {
          ready = true;
          noticed = false;
          lastError = null;
          LOG.info("Redis restored from Postgres {} {} {}", kv("trigger", trigger), kv("sessionsRestored", sessions),
              kv("ms", (System.nanoTime() - started) / 1_000_000));
        })
        .onFailure(e -> {
          lastError = String.valueOf(e.getMessage());
          if (e instanceof RenamingElsewhere) {
            LOG.debug("another pod is naming people's keys anew; waiting for it");
          } else {
            LOG.warn("restoring Redis from Postgres failed, retrying {}", kv("error", lastError));
          }
        })
        .onComplete(done -> restoring = false)
        .mapEmpty();
  }

  /**
   * Drops every key named after a person and names the sessions' keys anew from Postgres, then records the layout;
   * one pod at a time (the others fail here, and find the layout done when their watch checks again).
   */
  private Future<Integer> rename() {
    Request lock = Request.cmd(Command.SET).arg(Keys.KEY_LAYOUT_REBUILD).arg(pod).arg("NX").arg("PX").arg(REBUILD_LOCK.toMillis());
    return redis.send(lock).compose(taken -> {
      if (taken == null) {
        return Future.failedFuture(new RenamingElsewhere());
      }
      return dropPeopleKeys()
          .compose(dropped -> {
            LOG.info("keys named after people dropped {}", kv("keys", dropped));
            return restoreSessions.apply(true);
          })
          .compose(sessions -> redis.send(Request.cmd(Command.SET).arg(Keys.KEY_LAYOUT).arg(layout(partyKeys))).map(sessions))
          .eventually(() -> redis.send(Request.cmd(Command.DEL).arg(Keys.KEY_LAYOUT_REBUILD)));
    });
  }

  /** The rename lock is another pod's: this one waits (not ready) and checks again. */
  private static final class RenamingElsewhere extends RuntimeException {
    RenamingElsewhere() {
      super("another pod is naming people's keys anew", null, false, false);
    }
  }

  private Future<Long> dropPeopleKeys() {
    List<String> args = new ArrayList<>(List.of("0", DROP_COUNT, Keys.PREFIX + "*"));
    Keys.PEOPLE_KEY_SEGMENTS.forEach(segment -> args.add(Keys.PREFIX + segment));
    Promise<Long> done = Promise.promise();
    drop(args, 0, done);
    return done.future();
  }

  // Iterates with a promise rather than nested futures: a large keyspace takes thousands of steps.
  private void drop(List<String> args, long dropped, Promise<Long> done) {
    DROP.run(redis, List.of(Keys.INSTALLATION_MARKER), args)
        .onFailure(done::fail)
        .onSuccess(step -> {
          String cursor = step.get(0).toString();
          long total = dropped + step.get(1).toLong();
          if (cursor.equals("0")) {
            done.complete(total);
          } else {
            args.set(0, cursor);
            drop(args, total, done);
          }
        });
  }
}
