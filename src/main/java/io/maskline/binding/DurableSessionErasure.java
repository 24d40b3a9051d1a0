package io.maskline.binding;

import io.maskline.anonymizer.Erased;
import io.maskline.anonymizer.Erasure;
import io.maskline.anonymizer.ErasureStore;
import io.maskline.anonymizer.IdentityMatcher;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The durable session rows (Postgres {@code sessions}, V15) as an {@link ErasureStore}: in the org's closed sessions
 * the person's number becomes {@code Anonymized} as a party, and every mention of them in the variables too, within
 * the request's transaction. Open sessions are left alone, as in Redis: they still route (and count as residue).
 * A closed row is deleted anyway once its history TTL has passed (the expiry sweep).
 */
public final class DurableSessionErasure implements ErasureStore {
  static final String SESSION_ROWS = "sessionRows";

  private static final String ROWS_OF_ORG = """
      SELECT task_id, driver_phone, recipient_phone, variables::text AS variables, closed_at IS NOT NULL AS closed
      FROM sessions WHERE org_id = $1""";
  private static final String UPDATE_ROW = """
      UPDATE sessions SET driver_phone = $3, recipient_phone = $4, variables = $5::jsonb WHERE org_id = $1 AND task_id = $2""";

  @Override
  public String name() {
    return "durableSessions";
  }

  @Override
  public Future<Erased> erase(Erasure erasure) {
    IdentityMatcher person = erasure.person();
    return erasure.conn().preparedQuery(ROWS_OF_ORG).execute(Tuple.of(erasure.orgId())).compose(rows -> {
      List<Tuple> changes = new ArrayList<>();
      for (Row row : rows) {
        if (!row.getBoolean("closed")) {
          continue;
        }
        String driver = party(person, row.getString("driver_phone"));
        String recipient = party(person, row.getString("recipient_phone"));
        JsonObject variables = new JsonObject(row.getString("variables"));
        JsonObject redacted = (JsonObject) person.redactJson(variables);
        if (!driver.equals(row.getString("driver_phone")) || !recipient.equals(row.getString("recipient_phone")) || !redacted.equals(variables)) {
          changes.add(Tuple.of(erasure.orgId(), row.getString("task_id"), driver, recipient, redacted));
        }
      }
      return changes.isEmpty() ? Future.succeededFuture(0)
          : erasure.conn().preparedQuery(UPDATE_ROW).executeBatch(changes).map(done -> changes.size());
    }).map(changed -> Erased.of(Map.of(SESSION_ROWS, changed)));
  }

  @Override
  public Future<Map<String, Long>> residue(Erasure erasure) {
    IdentityMatcher person = erasure.person();
    return erasure.conn().preparedQuery(ROWS_OF_ORG).execute(Tuple.of(erasure.orgId())).map(rows -> {
      long found = 0;
      for (Row row : rows) {
        found += person.count(row.getString("driver_phone")) + person.count(row.getString("recipient_phone"))
            + person.countJson(new JsonObject(row.getString("variables")));
      }
      return Map.of(SESSION_ROWS, found);
    });
  }

  private static String party(IdentityMatcher person, String phone) {
    return person.isParty(phone) ? IdentityMatcher.ANONYMIZED : phone;
  }
}
