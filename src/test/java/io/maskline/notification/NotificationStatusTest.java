package io.maskline.notification;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NotificationStatusTest {
  @Test
  void providerStatusesMapAndOnlyFinalOnesRankHighest() {
    assertThat(NotificationStatus.fromProvider("queued")).contains(NotificationStatus.ACCEPTED);
    assertThat(NotificationStatus.fromProvider("sending")).contains(NotificationStatus.SENDING);
    assertThat(NotificationStatus.fromProvider("sent")).contains(NotificationStatus.SENT);
    assertThat(NotificationStatus.fromProvider("delivered")).contains(NotificationStatus.DELIVERED);
    assertThat(NotificationStatus.fromProvider("read")).contains(NotificationStatus.DELIVERED);
    assertThat(NotificationStatus.fromProvider("undelivered")).contains(NotificationStatus.UNDELIVERED);
    assertThat(NotificationStatus.fromProvider("canceled")).contains(NotificationStatus.FAILED);
    assertThat(NotificationStatus.fromProvider("receiving")).isEmpty();
    assertThat(NotificationStatus.QUEUED.rank()).isLessThan(NotificationStatus.ACCEPTED.rank());
    assertThat(NotificationStatus.SENT.rank()).isLessThan(NotificationStatus.DELIVERED.rank());
    assertThat(NotificationStatus.DELIVERED.rank()).isEqualTo(NotificationStatus.FAILED.rank()).isEqualTo(NotificationStatus.DEAD.rank());
  }
}
