package io.maskline.mail;

import io.maskline.archive.ArchiveEvent;
import io.maskline.config.GatewayConfig;
import io.maskline.ops.Backoff;
import io.maskline.storage.Keys;
import io.maskline.storage.StreamEntry;
import io.maskline.storage.StreamGroup;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailMessage;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The durable mail outbox's consumer. Entries are acknowledged only after the SMTP server accepted the email.
 * A failed send stays pending in the consumer group; retries are driven by the pending list itself (idle time vs an
 * exponential backoff of its delivery count), so they survive this pod dying and any pod may take them over.
 * After {@code mail.maxAttempts} deliveries an entry moves to the dead-letter stream.
 */
public final class MailerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(MailerVerticle.class);
  static final String GROUP = "mailer";
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
  private static final Duration BLOCK = Duration.ofSeconds(1);
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(20);
  // Another pod's pending entry is only taken over once it is far older than any send can take: its owner is gone.
  private static final Duration STALE = Duration.ofSeconds(60);

  private final Redis redis;
  private final StreamGroup outbox;
  private final Backoff backoff;
  private final MailClient mail;
  private final GatewayConfig.Mail config;
  private final Clock clock;
  private final String consumer = "mailer-" + UUID.randomUUID();
  private final Counter sent;
  private final Counter failed;
  private final Counter dead;
  private final java.util.Set<String> inFlight = new java.util.HashSet<>();
  private volatile boolean running;
  private long retryTimer;

  public MailerVerticle(Redis redis, MailClient mail, GatewayConfig.Mail config, Clock clock, MeterRegistry metrics) {
    this.redis = redis;
    this.outbox = new StreamGroup(redis, Keys.MAIL_STREAM, GROUP);
    this.backoff = new Backoff(config.firstRetryDelay(), MAX_BACKOFF, false);
    this.mail = mail;
    this.config = config;
    this.clock = clock;
    this.sent = Counter.builder("maskline.mail.sent").description("Fallback emails accepted by SMTP").register(metrics);
    this.failed = Counter.builder("maskline.mail.failed").description("Failed SMTP attempts (retried)").register(metrics);
    this.dead = Counter.builder("maskline.mail.dead").description("Emails moved to the dead-letter stream").register(metrics);
  }

  @Override
  public Future<?> start() {
    running = true;
    return createGroup().onSuccess(v -> {
      readNew();
      retryTimer = vertx.setPeriodic(Math.max(100, config.firstRetryDelay().toMillis() / 2), id -> retryDue());
    });
  }

  @Override
  public Future<?> stop() {
    running = false;
    vertx.cancelTimer(retryTimer);
    return Future.succeededFuture();
  }

  private Future<Void> createGroup() {
    return outbox.ensure()
        // Redis may be down at start: the outbox keeps its entries, the mailer starts when Redis is back.
        .recover(e -> {
          LOG.warn("mail outbox unavailable at start, retrying: {}", e.getMessage());
          return Future.<Void>future(p -> vertx.setTimer(2_000, t -> p.complete())).compose(v -> running ? createGroup() : Future.succeededFuture());
        });
  }

  private void readNew() {
    if (!running) {
      return;
    }
    outbox.readNew(consumer, 20, BLOCK)
        .compose(this::deliverAll)
        .onComplete(done -> {
          if (done.failed()) {
            LOG.debug("mail outbox read failed: {}", done.cause().getMessage());
            vertx.setTimer(1_000, t -> readNew());
          } else {
            readNew();
          }
        });
  }

  private Future<Void> deliverAll(List<StreamEntry> entries) {
    Future<Void> all = Future.succeededFuture();
    for (StreamEntry entry : entries) {
      all = all.compose(v -> deliver(entry.id(), entry.fields(), 1));
    }
    return all;
  }

  /**
   * Pending entries whose backoff has passed are claimed and tried again: this consumer's own failures after their
   * backoff, another consumer's only once stale (that pod died). Entries being sent right now are never touched.
   */
  private void retryDue() {
    outbox.pending(config.firstRetryDelay(), 20).compose(list -> {
      Future<Void> all = Future.succeededFuture();
      for (StreamGroup.Pending p : list) {
        Duration due = consumer.equals(p.consumer()) ? backoff.delay(p.deliveries()) : STALE.plus(backoff.delay(p.deliveries()));
        if (!inFlight.contains(p.id()) && p.idleMillis() >= due.toMillis()) {
          all = all.compose(v -> outbox.claim(consumer, p.id(), Duration.ofMillis(p.idleMillis()))
              .compose(entry -> entry == null ? Future.succeededFuture() : deliver(p.id(), entry.fields(), p.deliveries() + 1)));
        }
      }
      return all;
    }).onFailure(e -> LOG.debug("mail retry scan failed: {}", e.getMessage()));
  }

  private Future<Void> deliver(String id, Map<String, String> fields, int attempt) {
    inFlight.add(id);
    return send(id, fields, attempt).onComplete(done -> inFlight.remove(id));
  }

  private Future<Void> send(String id, Map<String, String> fields, int attempt) {
    FallbackEmail email = FallbackEmail.fromFields(fields);
    if (email.to() == null) {
      return deadLetter(id, fields, "org " + email.orgId() + " has no email address");
    }
    MailMessage message = new MailMessage()
        .setFrom(config.from())
        .setTo(email.to())
        .setSubject(email.subject())
        .setText(email.text());
    return mail.sendMail(message)
        .timeout(SEND_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .compose(result -> {
          sent.increment();
          return finish(id, fields, "sent");
        })
        .recover(failure -> {
          failed.increment();
          if (attempt >= config.maxAttempts()) {
            return deadLetter(id, fields, failure.getMessage());
          }
          LOG.warn("fallback email not accepted, will retry {} {} {}", kv("entry", id), kv("attempt", attempt),
              kv("error", String.valueOf(failure.getMessage())));
          return Future.succeededFuture();
        });
  }

  private Future<Void> deadLetter(String id, Map<String, String> fields, String reason) {
    LOG.error("fallback email dead-lettered {} {} {}", kv("entry", id), kv("orgId", fields.get("orgId")), kv("reason", reason));
    // Entries older than the retention go as a new one comes: stream ids start with their time in milliseconds.
    long keepFrom = Math.max(0, clock.millis() - config.deadLetterRetention().toMillis());
    Request move = Request.cmd(Command.XADD).arg(Keys.MAIL_DEAD_LETTERS).arg("MINID").arg(keepFrom).arg("*");
    fields.forEach((k, v) -> move.arg(k).arg(v));
    move.arg("reason").arg(String.valueOf(reason));
    return redis.send(move).compose(v -> finish(id, fields, "dead")).onSuccess(v -> dead.increment());
  }

  /** Ack, drop from the outbox and record the email in the archive. */
  private Future<Void> finish(String id, Map<String, String> fields, String status) {
    ArchiveEvent.Email email = new ArchiveEvent.Email("EM" + id.replace("-", ""), fields.getOrDefault("orgId", ""),
        fields.getOrDefault("taskId", ""), config.from(), fields.getOrDefault("to", ""), fields.getOrDefault("text", ""), clock.millis(),
        status, fields.getOrDefault("relatedSid", ""));
    Request archive = Request.cmd(Command.XADD).arg(Keys.ARCHIVE_STREAM).arg("*");
    email.fields().forEach((name, value) -> archive.arg(name).arg(value));
    List<Request> commands = new ArrayList<>();
    commands.add(archive);
    commands.addAll(outbox.acknowledgeRequests(List.of(id)));
    return redis.batch(commands).mapEmpty();
  }

}
