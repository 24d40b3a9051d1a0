package io.maskline.notification;

import io.maskline.anonymizer.Erased;
import io.maskline.anonymizer.Erasure;
import io.maskline.anonymizer.ErasureStore;
import io.maskline.anonymizer.IdentityMatcher;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The notifications table as an {@link ErasureStore}: the recipient's number becomes {@code Anonymized}, mentions of the
 * person in bodies are redacted (bodies emptied when the request deletes bodies), on the request's connection. A
 * notification still queued for the person is given up ({@code dead}): there is nobody left to send it to.
 * Its archive record is the archive store's to forget.
 */
public final class NotificationErasure implements ErasureStore {
  static final String NOTIFICATIONS = "notifications";
  // The org's notifications to the person, or whose body mentions them (identity_tokens: the archive's own tokenizer).
  private static final String FIND = """
      SELECT id, to_phone, body, status FROM notifications
      WHERE org_id = $1 AND (to_phone = ANY($2) OR identity_tokens(body) && $3)""";
  private static final String REDACT = """
      UPDATE notifications SET to_phone = $2, body = $3, anonymized = true, updated_at = now(),
        status = CASE WHEN status = 'queued' THEN 'dead' ELSE status END,
        error = CASE WHEN status = 'queued' THEN 'the recipient was anonymized before it was sent' ELSE error END,
        status_at = CASE WHEN status = 'queued' THEN now() ELSE status_at END
      WHERE id = $1""";

  @Override
  public String name() {
    return NOTIFICATIONS;
  }

  @Override
  public Future<Erased> erase(Erasure erasure) {
    IdentityMatcher person = erasure.person();
    boolean deleteBodies = erasure.request().deleteRecordingsAndBodies();
    return find(erasure, FIND + " FOR UPDATE").compose(rows -> {
      List<Tuple> changes = new ArrayList<>();
      for (Row row : rows) {
        String to = row.getString("to_phone");
        String body = row.getString("body");
        String newTo = person.isParty(to) ? IdentityMatcher.ANONYMIZED : to;
        String newBody = deleteBodies ? "" : person.redact(body);
        if (!newTo.equals(to) || !newBody.equals(body)) {
          changes.add(Tuple.of(row.getString("id"), newTo, newBody));
        }
      }
      if (changes.isEmpty()) {
        return Future.succeededFuture(Erased.nothing());
      }
      return erasure.conn().preparedQuery(REDACT).executeBatch(changes).map(done -> Erased.of(Map.of(NOTIFICATIONS, changes.size())));
    });
  }

  @Override
  public Future<Map<String, Long>> residue(Erasure erasure) {
    IdentityMatcher person = erasure.person();
    return find(erasure, FIND).map(rows -> {
      long left = 0;
      for (Row row : rows) {
        left += person.count(row.getString("to_phone")) + person.count(row.getString("body"));
      }
      return Map.of(NOTIFICATIONS, left);
    });
  }

  private static Future<io.vertx.sqlclient.RowSet<Row>> find(Erasure erasure, String sql) {
    IdentityMatcher person = erasure.person();
    return erasure.conn().preparedQuery(sql).execute(Tuple.of(erasure.orgId(),
        person.parties().toArray(String[]::new), person.tokens().toArray(String[]::new)));
  }
}
