package io.maskline.anonymizer;

import io.maskline.storage.PartyKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The post-task history entries {@code (P, caller)} in Redis (named by the caller's token) and the closed sessions
 * they point to, as an {@link ErasureStore}. The keyspace is walked once per run for all the run's numbers ({@link HistoryEntries#find}).
 */
final class RedisHistoryErasure implements ErasureStore {
  static final String HISTORY_ENTRIES = "historyEntries";
  static final String CLOSED_SESSIONS = "closedSessions";

  private final Redis redis;
  private final HistoryEntries history;

  RedisHistoryErasure(Redis redis, PartyKeys partyKeys) {
    this.redis = redis;
    this.history = new HistoryEntries(redis, partyKeys);
  }

  @Override
  public String name() {
    return "redisHistory";
  }

  @Override
  public Future<Pass> begin(List<Erasure> run) {
    List<String> callers = run.stream().map(e -> e.request().phone()).filter(Objects::nonNull).distinct().toList();
    // A Redis failure fails the requests with a phone number (they stay WAITING), not the whole run.
    Future<Map<String, List<String>>> found = history.find(callers);
    return found.transform(done -> Future.succeededFuture(erasure -> forget(erasure, found)));
  }

  @Override
  public Future<Erased> erase(Erasure erasure) {
    return forget(erasure, erasure.request().phone() == null ? Future.succeededFuture(Map.of()) : history.find(List.of(erasure.request().phone())));
  }

  private Future<Erased> forget(Erasure erasure, Future<Map<String, List<String>>> found) {
    String caller = erasure.request().phone();
    if (caller == null) {
      return Future.succeededFuture(counts(0, 0));
    }
    if (found.failed()) {
      return Future.failedFuture(new IllegalStateException("Redis history could not be searched: " + found.cause().getMessage()));
    }
    return history.forget(found.result().getOrDefault(caller, List.of()), erasure.orgId(), caller)
        .map(forgotten -> counts(forgotten.historyEntries(), forgotten.closedSessions()));
  }

  private static Erased counts(int entries, int sessions) {
    Map<String, Integer> records = new LinkedHashMap<>();
    records.put(HISTORY_ENTRIES, entries);
    records.put(CLOSED_SESSIONS, sessions);
    return Erased.of(records);
  }

  /** The org's history entries that still hold the number. */
  @Override
  public Future<Map<String, Long>> residue(Erasure erasure) {
    String caller = erasure.request().phone();
    if (caller == null) {
      return Future.succeededFuture(Map.of(HISTORY_ENTRIES, 0L));
    }
    return history.find(List.of(caller)).compose(found -> {
      List<String> keys = found.getOrDefault(caller, List.of());
      if (keys.isEmpty()) {
        return Future.succeededFuture(Map.of(HISTORY_ENTRIES, 0L));
      }
      return redis.batch(keys.stream().map(key -> Request.cmd(Command.HGET).arg(key).arg("orgId")).toList())
          .map(orgs -> Map.of(HISTORY_ENTRIES, orgs.stream().filter(org -> org != null && erasure.orgId().equals(org.toString())).count()));
    });
  }
}
