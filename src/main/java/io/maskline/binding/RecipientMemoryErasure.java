package io.maskline.binding;

import io.maskline.anonymizer.Erased;
import io.maskline.anonymizer.Erasure;
import io.maskline.anonymizer.ErasureStore;
import io.maskline.storage.Keys;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What Redis remembers of a recipient for an org beyond their sessions, as an {@link ErasureStore}: the proxy number
 * of their latest session (sticky numbers, {@link Keys#stickyNumbers}) and their being the one the admin's reply on
 * one of the org's numbers goes back to ({@link Keys#replyTarget}).
 */
public final class RecipientMemoryErasure implements ErasureStore {
  static final String STICKY_NUMBERS = "stickyNumbers";
  static final String REPLY_TARGETS = "replyTargets";

  private final Redis redis;

  public RecipientMemoryErasure(Redis redis) {
    this.redis = redis;
  }

  @Override
  public String name() {
    return "recipientMemory";
  }

  @Override
  public Future<Erased> erase(Erasure erasure) {
    String phone = erasure.request().phone();
    if (phone == null) {
      return Future.succeededFuture(Erased.of(counts(0, 0)));
    }
    Future<Integer> sticky = redis.send(Request.cmd(Command.HDEL).arg(Keys.stickyNumbers(erasure.orgId())).arg(phone)).map(Response::toInteger);
    Future<Integer> replies = replyKeysNaming(erasure, phone).compose(keys -> keys.isEmpty()
        ? Future.succeededFuture(0)
        : redis.send(delete(keys)).map(Response::toInteger));
    return Future.all(sticky, replies).map(done -> Erased.of(counts(sticky.result(), replies.result())));
  }

  @Override
  public Future<Map<String, Long>> residue(Erasure erasure) {
    String phone = erasure.request().phone();
    if (phone == null) {
      return Future.succeededFuture(Map.of(STICKY_NUMBERS, 0L, REPLY_TARGETS, 0L));
    }
    Future<Integer> sticky = redis.send(Request.cmd(Command.HEXISTS).arg(Keys.stickyNumbers(erasure.orgId())).arg(phone)).map(Response::toInteger);
    Future<List<String>> replies = replyKeysNaming(erasure, phone);
    return Future.all(sticky, replies).map(done -> Map.of(STICKY_NUMBERS, (long) sticky.result(), REPLY_TARGETS, (long) replies.result().size()));
  }

  /** The reply keys of the org's numbers that hold {@code phone}. */
  private Future<List<String>> replyKeysNaming(Erasure erasure, String phone) {
    return erasure.conn().preparedQuery("SELECT number FROM proxy_numbers WHERE org_id = $1").execute(Tuple.of(erasure.orgId()))
        .compose(rows -> {
          List<String> keys = new ArrayList<>();
          for (Row row : rows) {
            keys.add(Keys.replyTarget(row.getString("number")));
          }
          if (keys.isEmpty()) {
            return Future.succeededFuture(List.of());
          }
          Request get = Request.cmd(Command.MGET);
          keys.forEach(get::arg);
          return redis.send(get).map(values -> {
            List<String> naming = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
              if (values.get(i) != null && phone.equals(values.get(i).toString())) {
                naming.add(keys.get(i));
              }
            }
            return naming;
          });
        });
  }

  private static Request delete(List<String> keys) {
    Request del = Request.cmd(Command.DEL);
    keys.forEach(del::arg);
    return del;
  }

  private static Map<String, Integer> counts(int sticky, int replies) {
    Map<String, Integer> records = new LinkedHashMap<>();
    records.put(STICKY_NUMBERS, sticky);
    records.put(REPLY_TARGETS, replies);
    return records;
  }
}
