package io.maskline.ops;

import io.maskline.phone.Masking;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Gives every request an id (the caller's {@code X-Request-Id} when it is sane, else a fresh random one: not
 * SecureRandom, a request id is no secret), echoes it in the
 * answer and writes one structured access-log line when the answer ends. The path is logged, never the query.
 * Provider webhooks answered below 400 within a second are logged one in {@code webhookSample} (each is archived with
 * its sid anyway, and counted in the metrics); every other request, every error and every slow answer is logged.
 * At thousands of webhooks a second a line each cost the pod more CPU than the webhook itself (docs/PERFORMANCE.md).
 */
public final class RequestIds implements PlatformHandler {
  private static final Logger ACCESS = LoggerFactory.getLogger("io.maskline.access");
  private static final String KEY = "requestId";
  private static final String HEADER = "X-Request-Id";
  private static final String WEBHOOKS = "/webhooks/";
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._\\-]{8,64}");
  private static final long SLOW_NANOS = 1_000_000_000L;

  private final int webhookSample;
  // One handler per HTTP verticle, used on its event loop only.
  private long webhooksSeen;

  public RequestIds(int webhookSample) {
    this.webhookSample = Math.max(1, webhookSample);
  }

  @Override
  public void handle(RoutingContext rc) {
    String given = rc.request().getHeader(HEADER);
    String id = given != null && SANE.matcher(given).matches() ? given : new UUID(ThreadLocalRandom.current().nextLong(), ThreadLocalRandom.current().nextLong()).toString();
    rc.put(KEY, id);
    rc.response().putHeader(HEADER, id);
    long started = System.nanoTime();
    rc.addEndHandler(done -> {
      if (!ACCESS.isInfoEnabled()) {
        return;
      }
      String path = rc.normalizedPath();
      if (path.startsWith("/health")) {
        return;
      }
      long took = System.nanoTime() - started;
      int status = rc.response().getStatusCode();
      boolean webhook = path.startsWith(WEBHOOKS);
      if (!logged(webhook, status, took, webhook ? webhooksSeen++ : 0, webhookSample)) {
        return;
      }
      // The access logger's encoder has no masker (it is the cheap one): the path is masked here, the id is sane.
      ACCESS.info("{} {} {} {} {} {}", kv("method", rc.request().method().name()), kv("path", Masking.identifiersIn(path)),
          kv("status", status), kv("durationMs", took / 1_000_000.0), kv(KEY, id), kv("sampleOneIn", webhook ? webhookSample : 1));
    });
    rc.next();
  }

  /**
   * Whether a finished request gets its access line: always, unless it is a provider webhook answered below 400 within
   * a second, which is logged when it is the first of each {@code sample} such webhooks ({@code seen} counts them).
   */
  static boolean logged(boolean webhook, int status, long tookNanos, long seen, int sample) {
    return !webhook || status >= 400 || tookNanos >= SLOW_NANOS || seen % sample == 0;
  }

  public static String of(RoutingContext rc) {
    String id = rc.get(KEY);
    return id == null ? "none" : id;
  }
}
