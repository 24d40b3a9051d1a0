package io.maskline.anonymizer;

import io.maskline.storage.Keys;
import io.maskline.storage.PartyKeys;
import io.maskline.storage.RedisScript;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Redis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The post-task history entries {@code (P, caller)} in Redis of a person, found by the token that names them in key
 * names ({@link PartyKeys}). Finding them walks the keyspace (SCAN), so a run does it once for all its requests'
 * numbers, not once per request; forgetting is per request and org, before the request's transaction commits (a
 * failure leaves the request WAITING; doing it again finds nothing left).
 */
final class HistoryEntries {
  private static final RedisScript SCAN = RedisScript.load("scan_history");
  private static final RedisScript DELETE = RedisScript.load("delete_history");
  private static final String SCAN_COUNT = "1000";

  private final Redis redis;
  private final PartyKeys partyKeys;

  HistoryEntries(Redis redis, PartyKeys partyKeys) {
    this.redis = redis;
    this.partyKeys = partyKeys;
  }

  /** Every history entry of these callers (E.164), whatever the proxy number or org, grouped by caller. */
  public Future<Map<String, List<String>>> find(Collection<String> callers) {
    Map<String, String> byToken = new HashMap<>();
    callers.forEach(caller -> byToken.put(partyKeys.token(caller).hex(), caller));
    if (byToken.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    // One caller: let SCAN's MATCH do the filtering; several: match all entries and filter in the script.
    String pattern = byToken.size() == 1 ? Keys.historyOf(new PartyKeys.Token(byToken.keySet().iterator().next())) : Keys.historyOf(null);
    List<String> args = new ArrayList<>();
    args.add("0");
    args.add(SCAN_COUNT);
    args.add(pattern);
    args.addAll(byToken.keySet());
    Promise<Map<String, List<String>>> done = Promise.promise();
    scan(args, byToken, new HashMap<>(), done);
    return done.future();
  }

  // Iterates with a promise rather than nested futures: a large keyspace takes thousands of steps.
  private void scan(List<String> args, Map<String, String> byToken, Map<String, List<String>> found, Promise<Map<String, List<String>>> done) {
    SCAN.run(redis, List.of(Keys.EXPIRY), args)
        .onFailure(done::fail)
        .onSuccess(step -> {
          String cursor = step.get(0).toString();
          for (int i = 1; i < step.size(); i++) {
            String key = step.get(i).toString();
            found.computeIfAbsent(byToken.get(key.substring(key.lastIndexOf(':') + 1)), caller -> new ArrayList<>()).add(key);
          }
          if (cursor.equals("0")) {
            done.complete(found);
          } else {
            args.set(0, cursor);
            scan(args, byToken, found, done);
          }
        });
  }

  /** What forgetting a caller changed in Redis. */
  record Forgotten(int historyEntries, int closedSessions) {}

  /**
   * Deletes those of {@code entries} that belong to {@code orgId}, and replaces the caller's number (and clears their
   * token) in the closed sessions they point to (the session API shows closed sessions for as long as their history
   * is kept).
   */
  public Future<Forgotten> forget(List<String> entries, String orgId, String caller) {
    if (entries.isEmpty()) {
      return Future.succeededFuture(new Forgotten(0, 0));
    }
    return DELETE.run(redis, entries, List.of(orgId, caller, Keys.PREFIX, partyKeys.token(caller).hex()))
        .map(done -> new Forgotten(done.get(0).toInteger(), done.get(1).toInteger()));
  }
}
