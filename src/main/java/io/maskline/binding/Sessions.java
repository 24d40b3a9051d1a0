package io.maskline.binding;

import io.maskline.api.ApiException;
import io.maskline.api.ErrorCode;
import io.maskline.config.GatewayConfig;
import io.maskline.phone.Locality;
import io.maskline.storage.Keys;
import io.maskline.storage.RedisScript;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The session lifecycle in Redis. Open and close are each one Lua script, so a binding is never half-written and
 * no participant ever has two open sessions on one proxy number, however many pods allocate at once. The org's
 * {@code numberSelection} picks the number: {@code sticky-local} (default) reuses the number the recipient last had
 * with the org when it is free for both parties, else prefers numbers of the recipient's area code (NANP) and
 * country ({@link Locality}), each the least used; {@code least-used} takes the least-used free number.
 */
public final class Sessions {
  private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
  private static final RedisScript OPEN = RedisScript.load("open_session");
  private static final RedisScript CLOSE = RedisScript.load("close_session");
  // Redis drops routing keys a while after the safety TTL even if no sweeper ever runs.
  private static final Duration ROUTE_TTL_MARGIN = Duration.ofHours(1);

  private static final int LIST_PAGE = 500;
  private final Redis redis;
  private final GatewayConfig.Sessions config;
  private final Clock clock;
  private final Counter opened;
  private final Counter exhausted;
  private final Counter closed;
  private final Counter expired;

  public Sessions(Redis redis, GatewayConfig.Sessions config, Clock clock, MeterRegistry metrics) {
    this.redis = redis;
    this.config = config;
    this.clock = clock;
    this.opened = Counter.builder("maskline.sessions.opened").description("Sessions opened").register(metrics);
    this.exhausted = Counter.builder("maskline.sessions.pool.exhausted").description("Opens refused: no free proxy number").register(metrics);
    this.closed = Counter.builder("maskline.sessions.closed").tag("reason", "closed").description("Sessions closed").register(metrics);
    this.expired = Counter.builder("maskline.sessions.closed").tag("reason", "expired").description("Sessions closed").register(metrics);
  }

  /** What {@link #open} did: created a session, or found the same one already there (idempotent open). */
  public record Opened(Session session, boolean created) {}

  public record OpenRequest(String orgId, String taskId, String driverPhone, String recipientPhone, Map<String, String> variables,
                            boolean anonymize) {}

  public Future<Opened> open(OpenRequest request) {
    Instant now = clock.instant();
    Instant expiresAt = now.plus(config.safetyTtl());
    List<String> args = List.of(
        Keys.PREFIX, request.taskId(), request.orgId(), request.driverPhone(), request.recipientPhone(),
        new JsonObject(new HashMap<>(request.variables())).encode(),
        Long.toString(now.toEpochMilli()), Long.toString(expiresAt.toEpochMilli()),
        Long.toString(config.safetyTtl().plus(ROUTE_TTL_MARGIN).toMillis()),
        request.anonymize() ? "1" : "0",
        Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30)),
        Keys.ARCHIVE_STREAM, Keys.pool(request.orgId()), Keys.SHARED_POOL, Keys.ARCHIVE_STREAM_MAXLEN,
        String.join(" ", Locality.tags(request.recipientPhone())));
    return OPEN.run(redis, List.of(Keys.session(request.taskId())), args).compose(answer -> {
      String outcome = answer.get(0).toString();
      return switch (outcome) {
        case "opened" -> {
          opened.increment();
          String proxy = answer.get(1).toString();
          yield Future.succeededFuture(new Opened(new Session(request.taskId(), request.orgId(), proxy.isEmpty() ? null : proxy,
              request.driverPhone(), request.recipientPhone(), Map.copyOf(request.variables()), true, now, null), true));
        }
        case "exists" -> get(request.taskId()).map(found -> new Opened(found.orElseThrow(), false));
        case "conflict" -> Future.failedFuture(new ApiException(ErrorCode.CONFLICT,
            "task " + request.taskId() + " already has a session with other participants"));
        case "exhausted" -> {
          exhausted.increment();
          yield Future.failedFuture(new ApiException(ErrorCode.POOL_EXHAUSTED,
              "no proxy number is free for both participants in org " + request.orgId() + "'s pool or the shared pool"));
        }
        default -> Future.failedFuture(new IllegalStateException("open_session answered " + outcome));
      };
    });
  }

  public Future<Optional<Session>> get(String taskId) {
    return redis.send(Request.cmd(Command.HGETALL).arg(Keys.session(taskId))).map(Sessions::fromHash);
  }

  /**
   * An org's open sessions, soonest safety expiry first, at most {@code limit}. Walks the expiry index of all open
   * sessions in pipelined pages (the console's Sessions page; cost grows with the number of open sessions).
   */
  public Future<List<Session>> listOpen(String orgId, int limit) {
    return listOpen(orgId, limit, 0, new java.util.ArrayList<>());
  }

  private Future<List<Session>> listOpen(String orgId, int limit, long from, List<Session> found) {
    Request page = Request.cmd(Command.ZRANGE).arg(Keys.EXPIRY).arg(from).arg(from + LIST_PAGE - 1);
    return redis.send(page).compose(taskIds -> {
      if (taskIds == null || taskIds.size() == 0) {
        return Future.succeededFuture(found);
      }
      List<Request> reads = new java.util.ArrayList<>();
      taskIds.forEach(taskId -> reads.add(Request.cmd(Command.HGETALL).arg(Keys.session(taskId.toString()))));
      return redis.batch(reads).compose(hashes -> {
        for (Response hash : hashes) {
          fromHash(hash).filter(session -> session.open() && orgId.equals(session.orgId())).ifPresent(found::add);
          if (found.size() >= limit) {
            return Future.succeededFuture(found);
          }
        }
        return taskIds.size() < LIST_PAGE ? Future.succeededFuture(found) : listOpen(orgId, limit, from + LIST_PAGE, found);
      });
    });
  }

  /** Closes the session; true if it exists (closing twice is fine), false if no such task is known. */
  public Future<Boolean> close(String taskId) {
    return close(taskId, "closed").map(outcome -> !outcome.equals("missing"));
  }

  /** Closes every session whose safety TTL has passed at {@code now}; returns how many. */
  public Future<Integer> closeExpired(Instant now) {
    Request due = Request.cmd(Command.ZRANGEBYSCORE).arg(Keys.EXPIRY).arg("-inf").arg(now.toEpochMilli()).arg("LIMIT").arg(0).arg(500);
    return redis.send(due).compose(taskIds -> {
      Future<Integer> count = Future.succeededFuture(0);
      for (Response taskId : taskIds) {
        count = count.compose(n -> close(taskId.toString(), "expired", now).map(outcome -> outcome.equals("closed") ? n + 1 : n));
      }
      return count;
    }).onSuccess(count -> {
      if (count > 0) {
        LOG.info("closed sessions past their safety TTL {}", kv("count", count));
      }
    });
  }

  private Future<String> close(String taskId, String reason) {
    return close(taskId, reason, clock.instant());
  }

  private Future<String> close(String taskId, String reason, Instant now) {
    List<String> args = List.of(Keys.PREFIX, Long.toString(now.toEpochMilli()), Long.toString(config.historyTtl().toMillis()),
        reason, Keys.ARCHIVE_STREAM, taskId, Keys.ARCHIVE_STREAM_MAXLEN);
    return CLOSE.run(redis, List.of(Keys.session(taskId)), args).map(answer -> {
      String outcome = answer.toString();
      if (outcome.equals("closed")) {
        (reason.equals("expired") ? expired : closed).increment();
      }
      return outcome;
    });
  }

  private static Optional<Session> fromHash(Response hash) {
    if (hash == null || hash.size() == 0) {
      return Optional.empty();
    }
    Map<String, String> s = new HashMap<>();
    for (String key : hash.getKeys()) {
      s.put(key, hash.get(key).toString());
    }
    Map<String, String> variables = new HashMap<>();
    new JsonObject(s.getOrDefault("variables", "{}")).forEach(e -> variables.put(e.getKey(), String.valueOf(e.getValue())));
    String proxy = s.getOrDefault("proxy", "");
    String closedAt = s.get("closedAt");
    return Optional.of(new Session(s.get("taskId"), s.get("orgId"), proxy.isEmpty() ? null : proxy, s.get("driver"), s.get("recipient"),
        Map.copyOf(variables), "open".equals(s.get("status")), Instant.ofEpochMilli(Long.parseLong(s.get("openedAt"))),
        closedAt == null ? null : Instant.ofEpochMilli(Long.parseLong(closedAt))));
  }
}
