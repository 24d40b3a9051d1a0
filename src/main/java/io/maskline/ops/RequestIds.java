package io.maskline.ops;

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
 */
public final class RequestIds implements PlatformHandler {
  private static final Logger ACCESS = LoggerFactory.getLogger("io.maskline.access");
  private static final String KEY = "requestId";
  private static final String HEADER = "X-Request-Id";
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._\\-]{8,64}");

  @Override
  public void handle(RoutingContext rc) {
    String given = rc.request().getHeader(HEADER);
    String id = given != null && SANE.matcher(given).matches() ? given : new UUID(ThreadLocalRandom.current().nextLong(), ThreadLocalRandom.current().nextLong()).toString();
    rc.put(KEY, id);
    rc.response().putHeader(HEADER, id);
    long started = System.nanoTime();
    rc.addEndHandler(done -> {
      if (ACCESS.isInfoEnabled() && !rc.normalizedPath().startsWith("/health")) {
        ACCESS.info("{} {} {}", kv("method", rc.request().method().name()), kv("path", rc.normalizedPath()),
            kv("status", rc.response().getStatusCode()), kv("durationMs", (System.nanoTime() - started) / 1_000_000.0),
            kv(KEY, id));
      }
    });
    rc.next();
  }

  public static String of(RoutingContext rc) {
    String id = rc.get(KEY);
    return id == null ? "none" : id;
  }
}
