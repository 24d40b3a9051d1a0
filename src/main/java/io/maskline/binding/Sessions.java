package io.maskline.binding;

import io.maskline.anonymizer.IdentityMatcher;
import io.maskline.api.ApiException;
import io.maskline.api.ErrorCode;
import io.maskline.config.GatewayConfig;
import io.maskline.phone.Locality;
import io.maskline.storage.Keys;
import io.maskline.storage.PartyKeys;
import io.maskline.storage.RedisScript;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The session lifecycle. Sessions are durable in Postgres (keyed by org and task) and live in Redis, their hot
 * index: open and close are each one Lua script, so a binding is never half-written and no participant ever has two
 * open sessions on one proxy number, however many pods allocate at once; then the Postgres row is written. When
 * Redis lost its data, {@link #restoreAll} puts every open session (and the history of recently closed ones) back.
 * The webhook hot path reads Redis only. The org's {@code numberSelection} picks the number: {@code sticky-local}
 * (default) reuses the number the recipient last had with the org when it is free for both parties, else prefers
 * numbers of the recipient's area code (NANP) and country ({@link Locality}), each the least used;
 * {@code least-used} takes the least-used free number.
 */
public final class Sessions {
  private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
  private static final RedisScript OPEN = RedisScript.load("open_session");
  private static final RedisScript CLOSE = RedisScript.load("close_session");
  private static final RedisScript RESTORE = RedisScript.load("restore_session");
  private static final RedisScript ADOPT = RedisScript.load("adopt_legacy_session");
  // Redis drops routing keys a while after the safety TTL even if no sweeper ever runs.
  private static final Duration ROUTE_TTL_MARGIN = Duration.ofHours(1);
  private static final int SWEEP_LIMIT = 500;
  private static final int RESTORE_CONCURRENCY = 64;

  private static final String COLUMNS = """
      org_id, task_id, proxy_number, pool, driver_phone, recipient_phone, variables::text AS variables,
      opened_at, expires_at, closed_at, close_reason""";
  // A failed insert after Redis opened the session is healed by the client's retry (idempotent open: "exists").
  private static final String INSERT = """
      INSERT INTO sessions (org_id, task_id, proxy_number, pool, driver_phone, recipient_phone, variables, opened_at, expires_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)
      ON CONFLICT (org_id, task_id) DO NOTHING""";
  private static final String ADOPT_ROW = """
      INSERT INTO sessions (org_id, task_id, proxy_number, pool, driver_phone, recipient_phone, variables, opened_at, expires_at,
                            closed_at, close_reason)
      VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11)
      ON CONFLICT (org_id, task_id) DO NOTHING""";
  private static final String CLOSE_ROW = """
      UPDATE sessions SET closed_at = COALESCE(closed_at, $3), close_reason = COALESCE(close_reason, $4)
      WHERE org_id = $1 AND task_id = $2""";
  // Visible as long as Redis keeps a closed session's record: session.historyTtl after its close.
  private static final String VISIBLE = "(closed_at IS NULL OR closed_at > $2)";
  private static final String BY_TASK = "SELECT " + COLUMNS + " FROM sessions WHERE task_id = $1 AND " + VISIBLE + " ORDER BY org_id LIMIT 2";
  private static final String BY_ORG_AND_TASK = "SELECT " + COLUMNS + " FROM sessions WHERE task_id = $1 AND " + VISIBLE + " AND org_id = $3";
  private static final String OPEN_OF_ORG = "SELECT " + COLUMNS
      + " FROM sessions WHERE org_id = $1 AND closed_at IS NULL ORDER BY expires_at, task_id LIMIT $2";
  private static final String OVERDUE = """
      SELECT org_id, task_id FROM sessions WHERE closed_at IS NULL AND expires_at <= $1 ORDER BY expires_at LIMIT $2""";
  private static final String FORGET_CLOSED = "DELETE FROM sessions WHERE closed_at <= $1";
  // Newest close first: an older session's history never overwrites a newer one's (restore_session.lua).
  private static final String TO_RESTORE = "SELECT " + COLUMNS + """
       FROM sessions WHERE (closed_at IS NULL AND expires_at > $1) OR closed_at > $2
      ORDER BY closed_at DESC NULLS FIRST""";

  private final Redis redis;
  private final PartyKeys partyKeys;
  private final Pool pg;
  private final GatewayConfig.Sessions config;
  private final Clock clock;
  private final Counter opened;
  private final Counter exhausted;
  private final Counter closed;
  private final Counter expired;
  private final Counter restored;

  public Sessions(Redis redis, PartyKeys partyKeys, Pool pg, GatewayConfig.Sessions config, Clock clock, MeterRegistry metrics) {
    this.redis = redis;
    this.partyKeys = partyKeys;
    this.pg = pg;
    this.config = config;
    this.clock = clock;
    this.opened = Counter.builder("maskline.sessions.opened").description("Sessions opened").register(metrics);
    this.exhausted = Counter.builder("maskline.sessions.pool.exhausted").description("Opens refused: no free proxy number").register(metrics);
    this.closed = Counter.builder("maskline.sessions.closed").tag("reason", "closed").description("Sessions closed").register(metrics);
    this.expired = Counter.builder("maskline.sessions.closed").tag("reason", "expired").description("Sessions closed").register(metrics);
    this.restored = Counter.builder("maskline.sessions.restored").description("Sessions put back into Redis from Postgres: Redis lost its data, or their keys were named anew").register(metrics);
  }

  /** What {@link #open} did: created a session, or found the same one already there (idempotent open). */
  public record Opened(Session session, boolean created) {}

  public record OpenRequest(String orgId, String taskId, String driverPhone, String recipientPhone, Map<String, String> variables,
                            boolean anonymize) {}

  public Future<Opened> open(OpenRequest request) {
    Instant now = now();
    Instant expiresAt = now.plus(config.safetyTtl());
    String variables = new JsonObject(new HashMap<>(request.variables())).encode();
    List<String> args = List.of(
        Keys.PREFIX, request.taskId(), request.orgId(), request.driverPhone(), request.recipientPhone(), variables,
        Long.toString(now.toEpochMilli()), Long.toString(expiresAt.toEpochMilli()),
        Long.toString(config.safetyTtl().plus(ROUTE_TTL_MARGIN).toMillis()),
        request.anonymize() ? "1" : "0",
        Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30)),
        Keys.ARCHIVE_STREAM, Keys.pool(request.orgId()), Keys.SHARED_POOL, Keys.ARCHIVE_STREAM_MAXLEN,
        String.join(" ", Locality.tags(request.recipientPhone())),
        partyKeys.token(request.driverPhone()).hex(), partyKeys.token(request.recipientPhone()).hex());
    return OPEN.run(redis, List.of(Keys.session(request.orgId(), request.taskId())), args).compose(answer -> {
      String outcome = answer.get(0).toString();
      return switch (outcome) {
        case "opened" -> {
          opened.increment();
          String proxy = answer.get(1).toString();
          Session session = new Session(request.taskId(), request.orgId(), proxy.isEmpty() ? null : proxy,
              request.driverPhone(), request.recipientPhone(), Map.copyOf(request.variables()), true, now, null);
          yield persist(session, poolKind(answer.get(2).toString()), expiresAt).map(new Opened(session, true));
        }
        case "exists" -> existing(request.orgId(), request.taskId()).map(found -> new Opened(found, false));
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

  /**
   * The session of this task: in {@code orgId} when given, else the only visible one with this task id (two orgs
   * using the same task id → {@link ErrorCode#AMBIGUOUS_TASK_ID}).
   */
  public Future<Optional<Session>> get(String orgId, String taskId) {
    Instant visibleSince = clock.instant().minus(config.historyTtl());
    Future<RowSet<Row>> rows = orgId == null
        ? pg.preparedQuery(BY_TASK).execute(Tuple.of(taskId, at(visibleSince)))
        : pg.preparedQuery(BY_ORG_AND_TASK).execute(Tuple.of(taskId, at(visibleSince), orgId));
    return rows.map(found -> {
      if (found.size() > 1) {
        throw new ApiException(ErrorCode.AMBIGUOUS_TASK_ID,
            "task " + taskId + " has sessions in more than one org: name the org with ?orgId=");
      }
      return found.size() == 0 ? Optional.empty() : Optional.of(fromRow(found.iterator().next()));
    });
  }

  /** An org's open sessions, soonest safety expiry first, at most {@code limit} (the console's Sessions page). */
  public Future<List<Session>> listOpen(String orgId, int limit) {
    return pg.preparedQuery(OPEN_OF_ORG).execute(Tuple.of(orgId, limit)).map(rows -> {
      List<Session> found = new ArrayList<>();
      rows.forEach(row -> found.add(fromRow(row)));
      return found;
    });
  }

  /** Closes the session; true if it exists (closing twice is fine), false if no such task is known. */
  public Future<Boolean> close(String orgId, String taskId) {
    return get(orgId, taskId).compose(found -> {
      if (found.isPresent()) {
        return close(found.get().orgId(), taskId, "closed", now()).map(true);
      }
      // Not in Postgres (its insert failed and the open was never retried): Redis may still hold it.
      return orgId == null ? Future.succeededFuture(false) : close(orgId, taskId, "closed", now()).map(outcome -> !outcome.equals("missing"));
    });
  }

  /** Closes every session whose safety TTL has passed at {@code now}; returns how many. Forgets old closed ones. */
  public Future<Integer> closeExpired(Instant now) {
    Request due = Request.cmd(Command.ZRANGEBYSCORE).arg(Keys.EXPIRY).arg("-inf").arg(now.toEpochMilli()).arg("LIMIT").arg(0).arg(SWEEP_LIMIT);
    Set<String> members = new LinkedHashSet<>();
    // Redis's expiry set and Postgres's open rows: either alone may miss a session (Redis lost its data, or a
    // close reached Redis but not Postgres).
    Future<Void> fromRedis = redis.send(due).map(found -> {
      found.forEach(member -> members.add(member.toString()));
      return null;
    });
    Future<Void> fromPg = pg.preparedQuery(OVERDUE).execute(Tuple.of(at(now), SWEEP_LIMIT)).map(rows -> {
      rows.forEach(row -> members.add(Keys.expiryMember(row.getString("org_id"), row.getString("task_id"))));
      return null;
    });
    return Future.join(fromRedis, fromPg).transform(gathered -> {
      if (fromRedis.failed() && fromPg.failed()) {
        return Future.failedFuture(fromRedis.cause());
      }
      Future<Integer> count = Future.succeededFuture(0);
      for (String member : members) {
        int colon = member.indexOf(':');
        if (colon <= 0) {
          continue;
        }
        count = count.compose(n -> close(member.substring(0, colon), member.substring(colon + 1), "expired", now)
            .map(outcome -> outcome.equals("closed") ? n + 1 : n));
      }
      return count;
    }).compose(count -> pg.preparedQuery(FORGET_CLOSED).execute(Tuple.of(at(now.minus(config.historyTtl())))).map(count))
      .onSuccess(count -> {
        if (count > 0) {
          LOG.info("closed sessions past their safety TTL {}", kv("count", count));
        }
      });
  }

  /**
   * Puts every open session, and every closed one still within its history TTL, back into Redis where its record
   * is missing; returns how many were restored. With {@code rebuild} (the keys named after people were dropped to be
   * named anew, {@link io.maskline.storage.RedisDataWatch}), a session whose record is there gets its routing or
   * history keys again, under the parties' tokens, and counts too.
   */
  public Future<Integer> restoreAll(boolean rebuild) {
    Instant now = clock.instant();
    long keyTtl = config.safetyTtl().plus(ROUTE_TTL_MARGIN).toMillis();
    return pg.preparedQuery(TO_RESTORE).execute(Tuple.of(at(now), at(now.minus(config.historyTtl())))).compose(rows -> {
      List<Row> list = new ArrayList<>();
      rows.forEach(list::add);
      Future<Integer> count = Future.succeededFuture(0);
      // Closed sessions are restored newest first (TO_RESTORE's order); chunks keep that order between chunks.
      for (int from = 0; from < list.size(); from += RESTORE_CONCURRENCY) {
        List<Row> chunk = list.subList(from, Math.min(list.size(), from + RESTORE_CONCURRENCY));
        count = count.compose(n -> {
          List<Future<Response>> runs = chunk.stream().map(row -> restore(row, now, keyTtl, rebuild)).toList();
          return Future.all(runs).map(done -> n + (int) runs.stream().filter(run -> run.result().toInteger() > 0).count());
        });
      }
      return count;
    }).onSuccess(count -> {
      restored.increment(count);
      LOG.info("sessions restored to Redis {}", kv("count", count));
    });
  }

  /**
   * Sessions left by a version that keyed them by task alone: their records move to the (org, task) key and are
   * written to Postgres, so they can be read, closed and restored like any other. Runs before a restore (the first
   * start of this version finds no installation marker); returns how many were adopted.
   */
  public Future<Integer> adoptLegacy() {
    return adoptFrom("0", 0);
  }

  private Future<Integer> adoptFrom(String cursor, int adopted) {
    Request scan = Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(Keys.PREFIX + "session:*").arg("COUNT").arg(1000);
    return redis.send(scan).compose(page -> {
      String next = page.get(0).toString();
      Future<Integer> count = Future.succeededFuture(adopted);
      for (Response key : page.get(1)) {
        count = count.compose(n -> ADOPT.run(redis, List.of(key.toString()), List.of(Keys.PREFIX))
            .compose(moved -> moved == null || moved.size() == 0 ? Future.succeededFuture(n) : persistAdopted(moved).map(n + 1)));
      }
      return next.equals("0") ? count : count.compose(n -> adoptFrom(next, n));
    });
  }

  private Future<Void> persistAdopted(Response flat) {
    Map<String, String> s = new HashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      s.put(flat.get(i).toString(), flat.get(i + 1).toString());
    }
    Session session = fromHash(s);
    Instant expiresAt = Instant.ofEpochMilli(Long.parseLong(s.getOrDefault("expiresAt", Long.toString(session.openedAt().plus(config.safetyTtl()).toEpochMilli()))));
    return pg.preparedQuery(ADOPT_ROW).execute(Tuple.from(new Object[] {session.orgId(), session.taskId(), session.proxyNumber(),
        poolKind(s.getOrDefault("pool", "")), session.driverPhone(), session.recipientPhone(), new JsonObject(new HashMap<>(session.variables())),
        at(session.openedAt()), at(expiresAt), session.closedAt() == null ? null : at(session.closedAt()), s.get("closeReason")})).mapEmpty();
  }

  private Future<Response> restore(Row row, Instant now, long openKeyTtl, boolean rebuild) {
    String orgId = row.getString("org_id");
    String proxy = row.getString("proxy_number");
    OffsetDateTime closedAt = row.getOffsetDateTime("closed_at");
    long keyTtl = closedAt == null ? openKeyTtl
        : Math.max(1, closedAt.toInstant().plus(config.historyTtl()).toEpochMilli() - now.toEpochMilli());
    String pool = switch (row.getString("pool")) {
      case "org" -> Keys.pool(orgId);
      case "shared" -> Keys.SHARED_POOL;
      default -> "";
    };
    List<String> args = List.of(Keys.PREFIX, row.getString("task_id"), orgId, row.getString("driver_phone"),
        row.getString("recipient_phone"), proxy == null ? "" : proxy, pool, new JsonObject(row.getString("variables")).encode(),
        Long.toString(row.getOffsetDateTime("opened_at").toInstant().toEpochMilli()),
        Long.toString(row.getOffsetDateTime("expires_at").toInstant().toEpochMilli()),
        Long.toString(keyTtl), proxy == null ? "0" : "1",
        closedAt == null ? "" : Long.toString(closedAt.toInstant().toEpochMilli()),
        row.getString("close_reason") == null ? "closed" : row.getString("close_reason"),
        tokenOf(row.getString("driver_phone")), tokenOf(row.getString("recipient_phone")), rebuild ? "1" : "0");
    return RESTORE.run(redis, List.of(Keys.session(orgId, row.getString("task_id"))), args);
  }

  private Future<Void> persist(Session session, String pool, Instant expiresAt) {
    return pg.preparedQuery(INSERT).execute(Tuple.from(new Object[] {session.orgId(), session.taskId(), session.proxyNumber(), pool,
        session.driverPhone(), session.recipientPhone(), new JsonObject(new HashMap<>(session.variables())),
        at(session.openedAt()), at(expiresAt)})).mapEmpty();
  }

  /** The session Redis already holds for an idempotent open, written to Postgres should its first insert have failed. */
  private Future<Session> existing(String orgId, String taskId) {
    return redis.send(Request.cmd(Command.HGETALL).arg(Keys.session(orgId, taskId))).compose(hash -> {
      Map<String, String> s = fields(hash);
      if (s.isEmpty()) {
        return Future.failedFuture(new IllegalStateException("session " + taskId + " vanished while opened"));
      }
      Session session = fromHash(s);
      String poolKey = s.getOrDefault("pool", "");
      Instant expiresAt = Instant.ofEpochMilli(Long.parseLong(s.getOrDefault("expiresAt", Long.toString(session.openedAt().plus(config.safetyTtl()).toEpochMilli()))));
      return persist(session, poolKind(poolKey), expiresAt).map(session);
    });
  }

  /** A party's token for their keys; none for a party anonymized since (no key is to name them again). */
  private String tokenOf(String phone) {
    return phone == null || phone.equals(IdentityMatcher.ANONYMIZED) ? "" : partyKeys.token(phone).hex();
  }

  private Future<String> close(String orgId, String taskId, String reason, Instant now) {
    List<String> args = List.of(Keys.PREFIX, Long.toString(now.toEpochMilli()), Long.toString(config.historyTtl().toMillis()),
        reason, Keys.ARCHIVE_STREAM, Keys.expiryMember(orgId, taskId), Keys.ARCHIVE_STREAM_MAXLEN);
    String sessionKey = Keys.session(orgId, taskId);
    return CLOSE.run(redis, List.of(sessionKey), args)
        .compose(answer -> answer.toString().equals("legacy") ? closeLegacy(sessionKey, args) : Future.succeededFuture(answer))
        .compose(answer -> {
          String outcome = answer.toString();
          if (outcome.equals("closed")) {
            (reason.equals("expired") ? expired : closed).increment();
          }
          // A close that reached Redis but not Postgres is written again by the next sweep (OVERDUE) or close.
          return pg.preparedQuery(CLOSE_ROW).execute(Tuple.of(orgId, taskId, at(now), reason)).map(outcome);
        });
  }

  /** A session opened by a pod that named keys by number (during a rolling update): closed again, given the tokens. */
  private Future<Response> closeLegacy(String sessionKey, List<String> args) {
    return redis.send(Request.cmd(Command.HMGET).arg(sessionKey).arg("driver").arg("recipient")).compose(parties -> {
      List<String> withTokens = new ArrayList<>(args);
      withTokens.add(tokenOf(parties.get(0).toString()));
      withTokens.add(tokenOf(parties.get(1).toString()));
      return CLOSE.run(redis, List.of(sessionKey), withTokens);
    });
  }


  /** Redis keeps session times in milliseconds; so does Postgres, so both say the same. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private static String poolKind(String poolKey) {
    return poolKey.isEmpty() ? "" : poolKey.equals(Keys.SHARED_POOL) ? "shared" : "org";
  }

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  private static Session fromRow(Row row) {
    Map<String, String> variables = new HashMap<>();
    new JsonObject(row.getString("variables")).forEach(e -> variables.put(e.getKey(), String.valueOf(e.getValue())));
    OffsetDateTime closedAt = row.getOffsetDateTime("closed_at");
    return new Session(row.getString("task_id"), row.getString("org_id"), row.getString("proxy_number"), row.getString("driver_phone"),
        row.getString("recipient_phone"), Map.copyOf(variables), closedAt == null, row.getOffsetDateTime("opened_at").toInstant(),
        closedAt == null ? null : closedAt.toInstant());
  }

  private static Map<String, String> fields(Response hash) {
    Map<String, String> s = new HashMap<>();
    if (hash != null) {
      for (String key : hash.getKeys()) {
        s.put(key, hash.get(key).toString());
      }
    }
    return s;
  }

  private static Session fromHash(Map<String, String> s) {
    Map<String, String> variables = new HashMap<>();
    new JsonObject(s.getOrDefault("variables", "{}")).forEach(e -> variables.put(e.getKey(), String.valueOf(e.getValue())));
    String proxy = s.getOrDefault("proxy", "");
    String closedAt = s.get("closedAt");
    return new Session(s.get("taskId"), s.get("orgId"), proxy.isEmpty() ? null : proxy, s.get("driver"), s.get("recipient"),
        Map.copyOf(variables), "open".equals(s.get("status")), Instant.ofEpochMilli(Long.parseLong(s.get("openedAt"))),
        closedAt == null ? null : Instant.ofEpochMilli(Long.parseLong(closedAt)));
  }
}
