package io.maskline.notification;

import java.util.Locale;
import java.util.Optional;

/**
 * Where a notification stands. {@code QUEUED}: in the outbox (waiting for its first or next attempt); {@code ACCEPTED}
 * the provider took it; then the provider's delivery statuses; {@code DEAD}: given up (the dead letter). A status
 * only ever moves up in {@link #rank()}, so callbacks arriving late or twice never move it back.
 */
public enum NotificationStatus {
  QUEUED(0), ACCEPTED(1), SENDING(2), SENT(3), DELIVERED(4), UNDELIVERED(4), FAILED(4), DEAD(4);

  private final int rank;

  NotificationStatus(int rank) {
    this.rank = rank;
  }

  public int rank() {
    return rank;
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static NotificationStatus fromWire(String text) {
    return valueOf(text.toUpperCase(Locale.ROOT));
  }

  /** Twilio's {@code MessageStatus} values; empty for ones that say nothing about an outbound message. */
  public static Optional<NotificationStatus> fromProvider(String messageStatus) {
    return Optional.ofNullable(switch (messageStatus == null ? "" : messageStatus.toLowerCase(Locale.ROOT)) {
      case "accepted", "scheduled", "queued" -> ACCEPTED;
      case "sending" -> SENDING;
      case "sent" -> SENT;
      case "delivered", "read" -> DELIVERED;
      case "undelivered" -> UNDELIVERED;
      case "failed", "canceled" -> FAILED;
      default -> null;
    });
  }
}
