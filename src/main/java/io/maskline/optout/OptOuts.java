package io.maskline.optout;

import io.maskline.storage.Keys;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * Who opted out of an org's traffic (STOP keywords). Postgres holds the record; Redis mirrors it as one set per org
 * ({@link Keys#optOuts}) so that the webhook hot path checks it inside its one script. Re-mirrored at start-up, like
 * orgs and numbers, since Redis may have lost it. Phones are E.164.
 */
public final class OptOuts {
  private static final String INSERT = "INSERT INTO opt_outs (org_id, phone) VALUES ($1, $2) ON CONFLICT DO NOTHING";
  private static final String DELETE = "DELETE FROM opt_outs WHERE org_id = $1 AND phone = $2";
  private static final String SELECT_ONE = "SELECT 1 FROM opt_outs WHERE org_id = $1 AND phone = $2";

  private final Pool pg;
  private final Redis redis;

  public OptOuts(Pool pg, Redis redis) {
    this.pg = pg;
    this.redis = redis;
  }

  /** Whether {@code phone} opted out of {@code orgId}'s traffic; Postgres answers, the durable record. */
  public Future<Boolean> isOptedOut(String orgId, String phone) {
    return pg.preparedQuery(SELECT_ONE).execute(Tuple.of(orgId, phone)).map(rows -> rows.size() > 0);
  }

  /** Records the opt-out: Postgres first (the record), then the hot path's mirror. Repeating it changes nothing. */
  public Future<Void> optOut(String orgId, String phone) {
    return pg.preparedQuery(INSERT).execute(Tuple.of(orgId, phone))
        .compose(done -> redis.send(mirrorAdd(orgId, phone)))
        .mapEmpty();
  }

  /**
   * Removes the opt-out (START): the mirror first, so no forward is refused on a record already gone; should
   * Postgres then fail, the next start-up's re-mirror errs on the side of the opt-out.
   */
  public Future<Void> optIn(String orgId, String phone) {
    return redis.send(mirrorRemove(orgId, phone))
        .compose(done -> pg.preparedQuery(DELETE).execute(Tuple.of(orgId, phone)))
        .mapEmpty();
  }

  /** The Redis write that mirrors an opt-out; the webhook path sends it with its own commit. */
  public static Request mirrorAdd(String orgId, String phone) {
    return Request.cmd(Command.SADD).arg(Keys.optOuts(orgId)).arg(phone);
  }

  /** The Redis write that mirrors an opt-in. */
  public static Request mirrorRemove(String orgId, String phone) {
    return Request.cmd(Command.SREM).arg(Keys.optOuts(orgId)).arg(phone);
  }

  /** Re-mirrors every opt-out to Redis; run at start-up. Additive: it never drops a mirror entry. */
  public Future<Integer> mirrorAll() {
    return pg.query("SELECT org_id, phone FROM opt_outs").execute().compose(rows -> {
      List<Request> writes = new ArrayList<>();
      for (Row row : rows) {
        writes.add(mirrorAdd(row.getString("org_id"), row.getString("phone")));
      }
      return writes.isEmpty() ? Future.succeededFuture(0) : redis.batch(writes).map(done -> writes.size());
    });
  }
}
