package io.maskline.anonymizer;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The audit log ({@code audit_log}) as an {@link ErasureStore}. Entries are written without a party's number or
 * email, so the residue here is expected to be 0 and nothing to erase; the store is on the list so that this stays
 * checked (the residual scan counts it) and so that an entry that ever does name a person is redacted by the run.
 * An org's audit log holds its admins' actions, few enough to read whole.
 */
final class AuditLogErasure implements ErasureStore {
  static final String AUDIT_ENTRIES = "auditEntries";
  private static final String SELECT = "SELECT id, details FROM audit_log WHERE org_id = $1";
  private static final String UPDATE = "UPDATE audit_log SET details = $2 WHERE id = $1";

  @Override
  public String name() {
    return "auditLog";
  }

  @Override
  public Future<Erased> erase(Erasure erasure) {
    IdentityMatcher person = erasure.person();
    return erasure.conn().preparedQuery(SELECT).execute(Tuple.of(erasure.orgId())).compose(rows -> {
      List<Tuple> changes = new ArrayList<>();
      for (Row row : rows) {
        Object details = row.getValue("details");
        if (person.countJson(details) > 0) {
          changes.add(Tuple.of(row.getLong("id"), (JsonObject) person.redactJson(details)));
        }
      }
      Future<?> written = changes.isEmpty() ? Future.succeededFuture() : erasure.conn().preparedQuery(UPDATE).executeBatch(changes);
      return written.map(done -> Erased.of(Map.of(AUDIT_ENTRIES, changes.size())));
    });
  }

  @Override
  public Future<Map<String, Long>> residue(Erasure erasure) {
    IdentityMatcher person = erasure.person();
    return erasure.conn().preparedQuery(SELECT).execute(Tuple.of(erasure.orgId())).map(rows -> {
      long found = 0;
      for (Row row : rows) {
        found += person.countJson(row.getValue("details"));
      }
      return Map.of(AUDIT_ENTRIES, found);
    });
  }
}
