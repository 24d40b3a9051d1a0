package io.maskline.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {
  @Test
  void theDelayDoublesFromTheFirstUpToTheCap() {
    Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(1), false);
    assertThat(List.of(0, 1, 2, 3, 4, 50, Integer.MAX_VALUE).stream().map(n -> backoff.delay(n).toMillis()))
        .containsExactly(200L, 200L, 400L, 800L, 1000L, 1000L, 1000L);
    assertThat(Backoff.constant(Duration.ofMillis(100)).delay(7)).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void jitterDrawsFromTheUpperHalf() {
    Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), true);
    for (int i = 0; i < 200; i++) {
      assertThat(backoff.delay(3).toMillis()).isBetween(400L, 800L);
    }
  }

  @Test
  void retriesWhileAskedAndAtMostTheGivenAttempts() {
    Vertx vertx = Vertx.vertx();
    try {
      Backoff backoff = Backoff.constant(Duration.ofMillis(1));
      List<Integer> attempts = new ArrayList<>();
      assertThat(backoff.retry(vertx, 4, n -> {
        attempts.add(n);
        return Future.succeededFuture(n);
      }, n -> n < 2).await()).isEqualTo(2);
      assertThat(attempts).containsExactly(1, 2);
      assertThat(backoff.retry(vertx, 3, Future::succeededFuture, n -> true).await()).as("the last attempt's result").isEqualTo(3);
    } finally {
      vertx.close().await();
    }
  }
}
