package io.maskline.ops;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.Supplier;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Runs a task every period on its own event loop, never two runs at once; a failed run is logged and the next
 * one comes as usual. {@code onStop} gets one last run at shutdown (e.g. to hand buffered work on).
 */
public final class PeriodicVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PeriodicVerticle.class);

  private final String name;
  private final Duration period;
  private final Supplier<Future<?>> task;
  private final Supplier<Future<?>> onStop;
  private long timer;
  private boolean running;

  public PeriodicVerticle(String name, Duration period, Supplier<Future<?>> task, Supplier<Future<?>> onStop) {
    this.name = name;
    this.period = period;
    this.task = task;
    this.onStop = onStop;
  }

  public PeriodicVerticle(String name, Duration period, Supplier<Future<?>> task) {
    this(name, period, task, Future::succeededFuture);
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(period.toMillis(), id -> {
      if (running) {
        return;
      }
      running = true;
      task.get()
          .onFailure(e -> LOG.warn("periodic task failed {} {}", kv("task", name), kv("error", String.valueOf(e.getMessage()))))
          .onComplete(done -> running = false);
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return onStop.get().otherwiseEmpty();
  }
}
