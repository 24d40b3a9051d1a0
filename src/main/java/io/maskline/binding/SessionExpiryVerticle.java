package io.maskline.binding;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Closes sessions whose safety TTL has passed, through the normal close path (history written, event archived),
 * so a lost close never leaves a binding open. Every pod runs it; closing is idempotent.
 */
public final class SessionExpiryVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(SessionExpiryVerticle.class);
  private static final long PERIOD_MS = 30_000;

  private final Sessions sessions;
  private final Clock clock;
  private long timer;

  public SessionExpiryVerticle(Sessions sessions, Clock clock) {
    this.sessions = sessions;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(PERIOD_MS, id -> sessions.closeExpired(clock.instant())
        .onSuccess(count -> {
          if (count > 0) {
            LOG.info("closed expired sessions {}", kv("count", count));
          }
        })
        .onFailure(e -> LOG.warn("session expiry sweep failed: {}", e.getMessage())));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }
}
