package io.maskline.ops;

import org.junit.jupiter.api.Test;

import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class AccessLogSamplingTest {
  private static final long FAST = 2_000_000L;
  private static final long SLOW = 1_500_000_000L;

  @Test
  void webhooksAnsweredFineAreLoggedOneInTheSample() {
    long logged = LongStream.range(0, 1_000).filter(seen -> RequestIds.logged(true, 200, FAST, seen, 100)).count();
    assertThat(logged).isEqualTo(10);
    assertThat(RequestIds.logged(true, 200, FAST, 0, 100)).as("the first one").isTrue();
  }

  @Test
  void errorsSlowAnswersAndEveryOtherRequestAreAlwaysLogged() {
    assertThat(RequestIds.logged(true, 403, FAST, 7, 100)).as("refused webhook").isTrue();
    assertThat(RequestIds.logged(true, 503, FAST, 7, 100)).as("failed webhook").isTrue();
    assertThat(RequestIds.logged(true, 200, SLOW, 7, 100)).as("slow webhook").isTrue();
    assertThat(RequestIds.logged(false, 200, FAST, 7, 100)).as("admin API").isTrue();
  }

  @Test
  void aSampleOfOneLogsEveryWebhook() {
    assertThat(LongStream.range(0, 50).allMatch(seen -> RequestIds.logged(true, 200, FAST, seen, 1))).isTrue();
  }
}
