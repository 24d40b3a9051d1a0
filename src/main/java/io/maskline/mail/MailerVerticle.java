package io.maskline.mail;

import io.maskline.archive.ArchiveEvent;
import io.maskline.config.GatewayConfig;
import io.maskline.storage.Keys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailMessage;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
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
  private static final long BLOCK_MS = 1_000;
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(20);
  // Another pod's pending entry is only taken over once it is far older than any send can take: its owner is gone.
  private static final Duration STALE = Duration.ofSeconds(60);

  private final Redis redis;
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
    return redis.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(Keys.MAIL_STREAM).arg(GROUP).arg("0").arg("MKSTREAM"))
        .<Void>mapEmpty()
        .recover(e -> String.valueOf(e.getMessage()).contains("BUSYGROUP") ? Future.succeededFuture() : Future.failedFuture(e))
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
    Request read = Request.cmd(Command.XREADGROUP).arg("GROUP").arg(GROUP).arg(consumer).arg("COUNT").arg(20)
        .arg("BLOCK").arg(BLOCK_MS).arg("STREAMS").arg(Keys.MAIL_STREAM).arg(">");
    redis.send(read)
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

  private Future<Void> deliverAll(Response streams) {
    if (streams == null || streams.size() == 0) {
      return Future.succeededFuture();
    }
    Response entries = streams.get(Keys.MAIL_STREAM) != null ? streams.get(Keys.MAIL_STREAM) : streams.get(0).get(1);
    Future<Void> all = Future.succeededFuture();
    for (Response entry : entries) {
      all = all.compose(v -> deliver(entry.get(0).toString(), fields(entry.get(1)), 1));
    }
    return all;
  }

  /**
   * Pending entries whose backoff has passed are claimed and tried again: this consumer's own failures after their
   * backoff, another consumer's only once stale (that pod died). Entries being sent right now are never touched.
   */
  private void retryDue() {
    Request pending = Request.cmd(Command.XPENDING).arg(Keys.MAIL_STREAM).arg(GROUP)
        .arg("IDLE").arg(config.firstRetryDelay().toMillis()).arg("-").arg("+").arg(20);
    redis.send(pending).compose(list -> {
      Future<Void> all = Future.succeededFuture();
      for (Response p : list) {
        String id = p.get(0).toString();
        boolean mine = consumer.equals(p.get(1).toString());
        long idle = p.get(2).toLong();
        int deliveries = p.get(3).toInteger();
        long due = mine ? backoff(deliveries).toMillis() : STALE.plus(backoff(deliveries)).toMillis();
        if (!inFlight.contains(id) && idle >= due) {
          all = all.compose(v -> claim(id, idle).compose(entry -> entry == null ? Future.succeededFuture() : deliver(id, entry, deliveries + 1)));
        }
      }
      return all;
    }).onFailure(e -> LOG.debug("mail retry scan failed: {}", e.getMessage()));
  }

  private Future<Map<String, String>> claim(String id, long minIdle) {
    return redis.send(Request.cmd(Command.XCLAIM).arg(Keys.MAIL_STREAM).arg(GROUP).arg(consumer).arg(minIdle).arg(id))
        .map(claimed -> claimed == null || claimed.size() == 0 || claimed.get(0) == null ? null : fields(claimed.get(0).get(1)));
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
    return redis.batch(List.of(
        archive,
        Request.cmd(Command.XACK).arg(Keys.MAIL_STREAM).arg(GROUP).arg(id),
        Request.cmd(Command.XDEL).arg(Keys.MAIL_STREAM).arg(id))).mapEmpty();
  }

  private Duration backoff(int deliveries) {
    long factor = 1L << Math.min(20, Math.max(0, deliveries - 1));
    Duration delay = config.firstRetryDelay().multipliedBy(factor);
    return delay.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : delay;
  }

  private static Map<String, String> fields(Response flat) {
    Map<String, String> fields = new LinkedHashMap<>();
    if (flat == null) {
      return fields;
    }
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      fields.put(flat.get(i).toString(), flat.get(i + 1).toString());
    }
    return fields;
  }
}
