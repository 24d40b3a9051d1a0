package io.maskline.notification;

import io.maskline.config.GatewayConfig;
import io.maskline.ops.Backoff;
import io.maskline.provider.twilio.TwilioMessages;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The notification outbox's sender. Claims due notifications (any pod may; each row is leased while it is sent),
 * sends each through the provider once, and records the outcome: accepted; refused for good (a 4xx other than
 * throttling) → dead at once; otherwise retried with exponential backoff until {@code notifications.maxAttempts},
 * then dead. A pod that dies mid-send leaves the row to whoever claims it after the lease. A new notification wakes
 * this pod's sender at once ({@link #WAKE_UP}); other pods find work by polling.
 */
public final class NotificationSender extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationSender.class);
  /** Local event-bus address: "a notification was queued". */
  public static final String WAKE_UP = "maskline.notifications.queued";
  private static final int BATCH = 20;
  private static final Duration LEASE = Duration.ofSeconds(60);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
  private static final Duration MAX_POLL = Duration.ofSeconds(1);

  private final Notifications notifications;
  private final NotificationArchive archive;
  private final TwilioMessages messages;
  private final GatewayConfig.Notifications config;
  private final String callbackBase;
  private final Clock clock;
  private final Counter accepted;
  private final Counter failed;
  private final Counter dead;
  private final Backoff retries;
  private long poll;
  private boolean draining;
  private boolean again;
  private MessageConsumer<Object> wakeUps;

  public NotificationSender(Notifications notifications, NotificationArchive archive, TwilioMessages messages,
                            GatewayConfig.Notifications config, String publicUrl, Clock clock, MeterRegistry metrics) {
    this.notifications = notifications;
    this.archive = archive;
    this.messages = messages;
    this.config = config;
    this.callbackBase = publicUrl.replaceAll("/+$", "");
    this.clock = clock;
    // Jittered: many pods retrying the same provider outage spread out.
    this.retries = new Backoff(config.firstRetryDelay(), MAX_BACKOFF, true);
    this.accepted = Counter.builder("maskline.notifications.accepted").description("Notifications the provider accepted").register(metrics);
    this.failed = Counter.builder("maskline.notifications.failed").description("Failed send attempts (retried)").register(metrics);
    this.dead = Counter.builder("maskline.notifications.dead").description("Notifications given up (dead letters)").register(metrics);
  }

  /** Where the provider reports a notification's delivery statuses. */
  public static String statusCallbackPath(String id) {
    return "/webhooks/twilio/notifications/" + id + "/status";
  }

  @Override
  public Future<?> start() {
    long every = Math.max(100, Math.min(MAX_POLL.toMillis(), config.firstRetryDelay().toMillis() / 2));
    poll = vertx.setPeriodic(every, id -> drain());
    wakeUps = vertx.eventBus().localConsumer(WAKE_UP, message -> {
      // Answered at once (the API side's relay asks, and nothing waits for the send itself).
      message.reply("");
      drain();
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(poll);
    return wakeUps == null ? Future.succeededFuture() : wakeUps.unregister();
  }

  /** One drain at a time; a wake-up during a drain makes it go round once more. */
  private void drain() {
    if (draining) {
      again = true;
      return;
    }
    draining = true;
    again = false;
    Instant now = clock.instant();
    notifications.claimDue(now, now.plus(LEASE), BATCH)
        .compose(due -> {
          List<Future<Void>> sends = new ArrayList<>(due.size());
          due.forEach(n -> sends.add(send(n)));
          return Future.join(sends).map(done -> due.size());
        })
        .onComplete(done -> {
          draining = false;
          if (done.failed()) {
            LOG.debug("notification outbox read failed: {}", done.cause().getMessage());
          } else if (again || done.result() == BATCH) {
            drain();
          }
        });
  }

  private Future<Void> send(Notification n) {
    return messages.send(n.from(), n.to(), n.body(), callbackBase + statusCallbackPath(n.id()))
        .compose(outcome -> {
          Instant now = clock.instant();
          if (outcome instanceof TwilioMessages.Accepted ok) {
            accepted.increment();
            return notifications.accepted(n.id(), ok.sid(), now)
                .compose(v -> archive.record(n, NotificationStatus.ACCEPTED, now).otherwiseEmpty());
          }
          TwilioMessages.Refused refused = (TwilioMessages.Refused) outcome;
          if (!refused.retryable() || n.attempts() >= config.maxAttempts()) {
            dead.increment();
            LOG.error("notification dead-lettered {} {} {} {}", kv("notificationId", n.id()), kv("orgId", n.orgId()),
                kv("attempts", n.attempts()), kv("reason", refused.error()));
            return notifications.dead(n.id(), refused.error(), now)
                .compose(v -> archive.record(n, NotificationStatus.DEAD, now).otherwiseEmpty());
          }
          failed.increment();
          LOG.warn("notification not accepted, will retry {} {} {}", kv("notificationId", n.id()), kv("attempt", n.attempts()),
              kv("error", refused.error()));
          return notifications.retryAt(n.id(), now.plus(backoff(n.attempts())), refused.error(), now);
        })
        .onFailure(e -> LOG.warn("recording a notification's send failed; its lease will run out and it is tried again {} {}",
            kv("notificationId", n.id()), kv("error", String.valueOf(e.getMessage()))));
  }

  private Duration backoff(int attempts) {
    return retries.delay(attempts);
  }
}
