package io.maskline.anonymizer;

import io.maskline.config.CronSchedule;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Runs the {@link Anonymizer} on its cron schedule (cron-utils, in the configured zone) and on demand: the admin
 * API asks over the event bus ({@link #ADDRESS}) and gets the run's id, the new one or the one in progress. One per
 * pod; the advisory lock decides which pod's run goes ahead. The timer is re-armed from the clock at most an hour
 * ahead, so a clock step or a DST change never leaves it waiting for a wrong instant.
 */
public final class AnonymizerVerticle extends VerticleBase {
  public static final String ADDRESS = "maskline.anonymizer.run";
  public static final int NO_RUN_RECORDED = 409;
  private static final Logger LOG = LoggerFactory.getLogger(AnonymizerVerticle.class);
  private static final Duration MAX_TIMER = Duration.ofHours(1);
  private static final Duration STOP_WAIT = Duration.ofSeconds(5);

  private final Anonymizer anonymizer;
  private final CronSchedule schedule;
  private final ZoneId zone;
  private final Clock clock;
  private MessageConsumer<JsonObject> consumer;
  private long timer = -1;
  private volatile Instant nextRun;
  private Future<Anonymizer.Start> current;

  public AnonymizerVerticle(Anonymizer anonymizer, CronSchedule schedule, ZoneId zone, Clock clock) {
    this.anonymizer = anonymizer;
    this.schedule = schedule;
    this.zone = zone;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().localConsumer(ADDRESS, this::onRunAsked);
    armAfter(clock.instant());
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    anonymizer.stopAfterCurrentRequest();
    Future<?> running = current == null ? Future.succeededFuture() : current.compose(Anonymizer.Start::finished);
    return Future.join(consumer.unregister(), running.timeout(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS).otherwiseEmpty());
  }

  /** The next scheduled run, in the configured zone's terms; empty when the expression has no next time. */
  public Optional<Instant> nextRun() {
    return Optional.ofNullable(nextRun);
  }

  /** Starts a run now, or answers with the one in progress (here or in another pod). */
  public Future<Anonymizer.Start> runNow() {
    return trigger("api", null);
  }

  private void onRunAsked(Message<JsonObject> message) {
    runNow().onComplete(asked -> {
      if (asked.failed()) {
        message.fail(500, String.valueOf(asked.cause().getMessage()));
      } else if (asked.result().runId() == null) {
        message.fail(NO_RUN_RECORDED, "another pod holds the anonymizer lock but has not recorded its run yet; ask again");
      } else {
        message.reply(new JsonObject().put("runId", asked.result().runId().toString()).put("started", asked.result().started()));
      }
    });
  }

  private Future<Anonymizer.Start> trigger(String trigger, Instant slot) {
    if (current != null) {
      return current.map(running -> new Anonymizer.Start(running.runId(), false, running.finished()));
    }
    Future<Anonymizer.Start> start = anonymizer.start(trigger, slot);
    current = start;
    start.compose(Anonymizer.Start::finished).onComplete(done -> current = null);
    return start;
  }

  private void armAfter(Instant after) {
    // cron-utils answers the next time strictly after the one given.
    Optional<Duration> until = schedule.untilNext(after.atZone(zone));
    if (until.isEmpty()) {
      nextRun = null;
      LOG.warn("the anonymizer schedule has no next run; only on-demand runs will happen");
      return;
    }
    nextRun = after.plus(until.get());
    armFor(nextRun);
  }

  private void armFor(Instant slot) {
    Duration wait = Duration.between(clock.instant(), slot);
    long delay = Math.max(1, Math.min(wait.toMillis(), MAX_TIMER.toMillis()));
    timer = vertx.setTimer(delay, id -> wake(slot));
  }

  private void wake(Instant slot) {
    Instant now = clock.instant();
    if (now.isBefore(slot)) {
      armFor(slot);
      return;
    }
    trigger("schedule", slot).onComplete(started -> {
      if (started.failed()) {
        LOG.error("scheduled anonymizer run could not start {}: {}", kv("slot", slot), started.cause().getMessage());
      } else if (!started.result().started()) {
        LOG.info("scheduled anonymizer run joined the run in progress {} {}", kv("slot", slot), kv("runId", started.result().runId()));
      }
    });
    // Next slot strictly after this one, even when the clock reads a little before it.
    Instant base = now.isAfter(slot) ? now : slot;
    armAfter(base);
  }
}
