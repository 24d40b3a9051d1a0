package io.maskline.binding;

import io.maskline.api.ApiException;
import io.maskline.api.ErrorCode;
import io.maskline.phone.Locality;
import io.maskline.storage.Keys;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * Proxy-number pools: durable in Postgres, live in Redis (a sorted set per pool scored by open sessions, plus the
 * number's owner for post-task routing). A removed number leaves its pool at once; open sessions on it run out.
 */
public final class ProxyNumbers {
  private static final String UNIQUE_VIOLATION = "23505";

  private final Pool pg;
  private final Redis redis;

  public ProxyNumbers(Pool pg, Redis redis) {
    this.pg = pg;
    this.redis = redis;
  }

  public record ProxyNumber(String number, String orgId, long activeSessions) {
    public JsonObject toJson() {
      return new JsonObject().put("number", number).put("orgId", orgId).put("activeSessions", activeSessions);
    }
  }

  public Future<ProxyNumber> add(String number, String orgId) {
    return pg.preparedQuery("INSERT INTO proxy_numbers (number, org_id) VALUES ($1, $2)").execute(Tuple.of(number, orgId))
        .recover(failure -> failure instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
            ? Future.failedFuture(new ApiException(ErrorCode.CONFLICT, "number " + number + " already exists"))
            : Future.failedFuture(failure))
        .compose(done -> mirror(number, orgId))
        .map(new ProxyNumber(number, orgId, 0));
  }

  /** Whether any of these numbers is a proxy number of the pool (any org's or the shared pool's). */
  public Future<Boolean> anyIsProxy(List<String> numbers) {
    Request exists = Request.cmd(Command.EXISTS);
    numbers.forEach(number -> exists.arg(Keys.number(number)));
    return redis.send(exists).map(found -> found.toInteger() > 0);
  }

  public Future<Void> remove(String number) {
    return pg.preparedQuery("DELETE FROM proxy_numbers WHERE number = $1 RETURNING org_id").execute(Tuple.of(number))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(ApiException.notFound("number " + number + " does not exist"));
          }
          String orgId = rows.iterator().next().getString("org_id");
          List<Request> removals = new ArrayList<>();
          removals.add(Request.cmd(Command.ZREM).arg(Keys.pool(orgId)).arg(number));
          Locality.tags(number).forEach(tag -> removals.add(Request.cmd(Command.ZREM).arg(Keys.localPool(orgId, tag)).arg(number)));
          removals.add(Request.cmd(Command.DEL).arg(Keys.number(number)));
          return redis.batch(removals).mapEmpty();
        });
  }

  /** An org's dedicated numbers, or every number when {@code orgId} is null, with their open sessions. */
  public Future<List<ProxyNumber>> list(String orgId) {
    Future<RowSet<Row>> rows = orgId == null
        ? pg.query("SELECT number, org_id FROM proxy_numbers ORDER BY number").execute()
        : pg.preparedQuery("SELECT number, org_id FROM proxy_numbers WHERE org_id = $1 ORDER BY number").execute(Tuple.of(orgId));
    return rows.compose(found -> {
      List<Row> list = new ArrayList<>();
      found.forEach(list::add);
      if (list.isEmpty()) {
        return Future.succeededFuture(List.of());
      }
      List<Request> scores = list.stream()
          .map(row -> Request.cmd(Command.ZSCORE).arg(Keys.pool(row.getString("org_id"))).arg(row.getString("number")))
          .toList();
      return redis.batch(scores).map(answers -> {
        List<ProxyNumber> numbers = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
          Response score = answers.get(i);
          numbers.add(new ProxyNumber(list.get(i).getString("number"), list.get(i).getString("org_id"),
              score == null ? 0 : Math.max(0, (long) Double.parseDouble(score.toString()))));
        }
        return numbers;
      });
    });
  }

  /** Re-mirrors every number (keeping live usage counts); run at start-up. */
  public Future<Integer> mirrorAll() {
    return pg.query("SELECT number, org_id FROM proxy_numbers").execute().compose(rows -> {
      List<Request> writes = new ArrayList<>();
      rows.forEach(row -> writes.addAll(mirrorRequests(row.getString("number"), row.getString("org_id"))));
      // One pipelined batch: start-up time must not grow with the pool size.
      return writes.isEmpty() ? Future.succeededFuture(0) : redis.batch(writes).map(done -> rows.size());
    });
  }

  private Future<Void> mirror(String number, String orgId) {
    return redis.batch(mirrorRequests(number, orgId)).mapEmpty();
  }

  /**
   * The number in its pool and in its pool's sub-pools of its area code and country (open_session.lua prefers those
   * of the recipient's), and its owner and locality tags. Sub-pools count sessions like the pool; one created for a
   * number already in use starts at 0 and catches up as its sessions end.
   */
  private static List<Request> mirrorRequests(String number, String orgId) {
    List<String> tags = Locality.tags(number);
    List<Request> writes = new ArrayList<>();
    writes.add(Request.cmd(Command.ZADD).arg(Keys.pool(orgId)).arg("NX").arg(0).arg(number));
    tags.forEach(tag -> writes.add(Request.cmd(Command.ZADD).arg(Keys.localPool(orgId, tag)).arg("NX").arg(0).arg(number)));
    writes.add(Request.cmd(Command.HSET).arg(Keys.number(number)).arg("orgId").arg(orgId == null ? "" : orgId)
        .arg("localTags").arg(String.join(" ", tags)));
    return writes;
  }

  static JsonObject page(List<ProxyNumber> numbers) {
    return new JsonObject().put("items", new JsonArray(numbers.stream().map(ProxyNumber::toJson).toList()));
  }
}
