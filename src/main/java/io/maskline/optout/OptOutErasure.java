package io.maskline.optout;

import io.maskline.anonymizer.Erased;
import io.maskline.anonymizer.Erasure;
import io.maskline.anonymizer.ErasureStore;
import io.maskline.storage.Keys;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Tuple;

import java.util.Map;

/**
 * A person's opt-out from the request's org, as an {@link ErasureStore}: the Postgres row goes with the request's
 * transaction, the hot path's mirror entry before the commit. Forgetting a person forgets their STOP too: after the
 * run nothing of them remains, so they are a stranger to the org again.
 */
public final class OptOutErasure implements ErasureStore {
  static final String OPT_OUTS = "optOuts";

  private final Redis redis;

  public OptOutErasure(Redis redis) {
    this.redis = redis;
  }

  @Override
  public String name() {
    return "optOuts";
  }

  @Override
  public Future<Erased> erase(Erasure erasure) {
    String phone = erasure.request().phone();
    if (phone == null) {
      return Future.succeededFuture(Erased.of(Map.of(OPT_OUTS, 0)));
    }
    return erasure.conn().preparedQuery("DELETE FROM opt_outs WHERE org_id = $1 AND phone = $2")
        .execute(Tuple.of(erasure.orgId(), phone))
        .compose(rows -> redis.send(OptOuts.mirrorRemove(erasure.orgId(), phone))
            .map(removed -> Erased.of(Map.of(OPT_OUTS, Math.max(rows.rowCount(), removed.toInteger())))));
  }

  @Override
  public Future<Map<String, Long>> residue(Erasure erasure) {
    String phone = erasure.request().phone();
    if (phone == null) {
      return Future.succeededFuture(Map.of(OPT_OUTS, 0L));
    }
    return erasure.conn().preparedQuery("SELECT count(*) FROM opt_outs WHERE org_id = $1 AND phone = $2")
        .execute(Tuple.of(erasure.orgId(), phone))
        .compose(rows -> redis.send(Request.cmd(Command.SISMEMBER).arg(Keys.optOuts(erasure.orgId())).arg(phone))
            .map(mirrored -> Map.of(OPT_OUTS, rows.iterator().next().getLong(0) + mirrored.toLong())));
  }
}
