package io.maskline.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * The one retry policy: the delay before attempt n+1 doubles from {@code first} per attempt, capped at {@code max};
 * with {@code jitter} it is drawn from the upper half of that, so that many pods retrying the same outage spread out.
 * {@link #retry} runs a bounded retry; loops that retry until stopped (the archiver) or whose retries live in Redis
 * (the mailer's pending list) ask {@link #delay} directly.
 */
public record Backoff(Duration first, Duration max, boolean jitter) {

  /** The same delay for every attempt (a short pause before asking again). */
  public static Backoff constant(Duration pause) {
    return new Backoff(pause, pause, false);
  }

  /** How long to wait after failed attempt {@code attempt} (1 for the first; less counts as 1). */
  public Duration delay(int attempt) {
    long cap = max.toMillis();
    long base = Math.min(first.toMillis(), cap);
    for (int n = 1; n < attempt && base > 0 && base < cap; n++) {
      base = Math.min(base * 2, cap);
    }
    return Duration.ofMillis(jitter ? base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1) : base);
  }

  /**
   * Runs {@code attempt} (given its number, from 1) until it yields a result {@code again} does not ask to repeat, or
   * {@code attempts} are used up (the last result is returned). A failed future is not retried: map failures to
   * results to have them retried.
   */
  public <T> Future<T> retry(Vertx vertx, int attempts, IntFunction<Future<T>> attempt, Predicate<T> again) {
    return retry(vertx, attempts, attempt, again, 1);
  }

  private <T> Future<T> retry(Vertx vertx, int attempts, IntFunction<Future<T>> attempt, Predicate<T> again, int n) {
    return attempt.apply(n).compose(result -> n >= attempts || !again.test(result)
        ? Future.succeededFuture(result)
        : vertx.timer(delay(n).toMillis()).compose(t -> retry(vertx, attempts, attempt, again, n + 1)));
  }
}
