package io.maskline.anonymizer;

import io.maskline.binding.Keys;
import io.maskline.storage.RedisScript;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The post-task history entries {@code (P, caller)} in Redis that hold a person's number. Finding them walks the
 * keyspace (SCAN), so a run does it once for all its requests' numbers, not once per request; deleting is per
 * request and org, in the request's transaction window.
 */
final class HistoryEntries {
  private static final RedisScript SCAN = RedisScript.load("scan_history");
  private static final RedisScript DELETE = RedisScript.load("delete_history");
  private static final String SCAN_COUNT = "1000";

  private final Redis redis;

  public HistoryEntries(Redis redis) {
    this.redis = redis;
  }

  /** Every history entry of these callers (E.164), whatever the proxy number or org, grouped by caller. */
  public Future<Map<String, List<String>>> find(Collection<String> callers) {
    Set<String> wanted = Set.copyOf(callers);
    if (wanted.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    // One caller: let SCAN's MATCH do the filtering; several: match all entries and filter in the script.
    String pattern = wanted.size() == 1 ? Keys.history("*", wanted.iterator().next()) : Keys.history("*", "*");
    List<String> args = new ArrayList<>();
    args.add("0");
    args.add(SCAN_COUNT);
    args.add(pattern);
    args.addAll(wanted);
    Promise<Map<String, List<String>>> done = Promise.promise();
    scan(args, new HashMap<>(), done);
    return done.future();
  }

  // Iterates with a promise rather than nested futures: a large keyspace takes thousands of steps.
  private void scan(List<String> args, Map<String, List<String>> found, Promise<Map<String, List<String>>> done) {
    SCAN.run(redis, List.of(Keys.history("", "")), args)
        .onFailure(done::fail)
        .onSuccess(step -> {
          String cursor = step.get(0).toString();
          for (int i = 1; i < step.size(); i++) {
            String key = step.get(i).toString();
            found.computeIfAbsent(key.substring(key.lastIndexOf(':') + 1), caller -> new ArrayList<>()).add(key);
          }
          if (cursor.equals("0")) {
            done.complete(found);
          } else {
            args.set(0, cursor);
            scan(args, found, done);
          }
        });
  }

  /** Deletes those of {@code entries} that belong to {@code orgId}; returns how many went. */
  public Future<Integer> deleteForOrg(List<String> entries, String orgId) {
    if (entries.isEmpty()) {
      return Future.succeededFuture(0);
    }
    return DELETE.run(redis, entries, List.of(orgId)).map(Response::toInteger);
  }
}
