package io.maskline.access;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * Who changed what in which org, and when. Callers write details without a party's phone number or email (field
 * names, counts, record and request ids, roles), so nothing here identifies a person and erasure has nothing to do.
 */
public final class AuditLog {
  private static final String INSERT = "INSERT INTO audit_log (org_id, actor, action, details) VALUES ($1, $2, $3, $4)";
  private static final String PAGE = """
      SELECT id, org_id, at, actor, action, details FROM audit_log
      WHERE org_id = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3""";

  /** What was done; the wire name is what the API shows. */
  public enum Action {
    ORG_CREATED("org.created"),
    ORG_SETTINGS_CHANGED("org.settings-changed"),
    ANONYMIZATION_REQUESTED("anonymization.requested"),
    ARCHIVE_ANONYMIZED_AND_DELETED("archive.anonymized-and-deleted"),
    KEY_CREATED("key.created"),
    KEY_REVOKED("key.revoked");

    private final String wireName;

    Action(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }
  }

  public record Entry(long id, String orgId, String at, String actor, String action, JsonObject details) {
    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("orgId", orgId).put("at", at).put("actor", actor).put("action", action).put("details", details);
    }
  }

  /** One page, newest first; {@code next} is the cursor of the following page, null on the last. */
  public record Page(List<Entry> items, String next) {
    public JsonObject toJson() {
      return new JsonObject().put("items", new JsonArray(items.stream().map(Entry::toJson).toList())).put("next", next);
    }
  }

  private final Pool pg;

  public AuditLog(Pool pg) {
    this.pg = pg;
  }

  public Future<Void> record(Principal who, String orgId, Action action, JsonObject details) {
    return pg.preparedQuery(INSERT).execute(Tuple.of(orgId, who.actor(), action.wireName(), details)).mapEmpty();
  }

  /** {@code before}: the cursor a previous page gave, null for the newest. */
  public Future<Page> page(String orgId, int limit, Long before) {
    return pg.preparedQuery(PAGE).execute(Tuple.of(orgId, before, limit + 1)).map(rows -> {
      List<Entry> items = new ArrayList<>();
      for (Row row : rows) {
        items.add(new Entry(row.getLong("id"), row.getString("org_id"), row.getOffsetDateTime("at").toInstant().toString(),
            row.getString("actor"), row.getString("action"), (JsonObject) row.getValue("details")));
      }
      String next = null;
      if (items.size() > limit) {
        items = items.subList(0, limit);
        next = Long.toString(items.get(limit - 1).id());
      }
      return new Page(List.copyOf(items), next);
    });
  }
}
