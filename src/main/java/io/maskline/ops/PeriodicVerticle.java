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
 * one comes as usual. {@code onStop} gets one last run at shutdown (e.g. to hand buffered work on), once the run in
 * progress has finished: a run that holds work (a batch taken from a buffer) puts it back or hands it on first.
 */
public final class PeriodicVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PeriodicVerticle.class);

  private final String name;
  private final Duration period;
  private final Supplier<Future<?>> task;
  private final Supplier<Future<?>> onStop;
  private long timer;
  private Future<?> running;

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
      if (running != null) {
        return;
      }
      // Set before the callbacks are added: a run that is already complete calls them at once.
      Future<?> run = task.get();
      running = run;
      run.onFailure(e -> LOG.warn("periodic task failed {} {}", kv("task", name), kv("error", String.valueOf(e.getMessage()))))
          .onComplete(done -> running = null);
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    Future<?> inProgress = running == null ? Future.succeededFuture() : running;
    return inProgress.otherwiseEmpty().compose(v -> onStop.get()).otherwiseEmpty();
  }
}
