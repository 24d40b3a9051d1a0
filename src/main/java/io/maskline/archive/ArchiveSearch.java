package io.maskline.archive;

import io.maskline.anonymizer.IdentityMatcher;
import io.maskline.api.ApiException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Org-scoped archive search, newest first, keyset-paged by an opaque cursor ({@code started_at, id} of the last row).
 * Only the filters given become SQL conditions, so each query matches one index exactly. A phone/email filter is
 * the UNION of a {@code from} and a {@code to} index range, each already in page order: the work is one page,
 * however many rows the person has or how large the archive is.
 */
public final class ArchiveSearch {
  private static final String COLUMNS = """
      id, org_id, provider_sid, task_id, channel, direction, from_addr, to_addr, proxy_number, body, started_at, ended_at,
      duration_seconds, recording_sid, recording_url, status, routed_to, related_sid, variables, anonymized""";
  private static final String ORDER = " ORDER BY started_at DESC, id DESC LIMIT ";

  private final Pool pg;

  public ArchiveSearch(Pool pg) {
    this.pg = pg;
  }

  /**
   * Filters already validated and normalized: identities are E.164 numbers or lower-cased emails, each of which
   * must be a party (from or to) of a row; null means "any".
   */
  public record Query(String orgId, List<String> identities, String taskId, String channel, Instant since, Instant until,
                      int limit, Cursor after) {}

  /** Position after the last row of a page. */
  public record Cursor(OffsetDateTime startedAt, long id) {
    public String encode() {
      long micros = ChronoUnit.MICROS.between(Instant.EPOCH, startedAt.toInstant());
      return Base64.getUrlEncoder().withoutPadding().encodeToString(("v1:" + micros + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    public static Cursor decode(String text) {
      try {
        String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split(":");
        if (parts.length != 3 || !parts[0].equals("v1")) {
          throw new IllegalArgumentException();
        }
        Instant at = Instant.EPOCH.plus(Long.parseLong(parts[1]), ChronoUnit.MICROS);
        return new Cursor(at.atOffset(ZoneOffset.UTC), Long.parseLong(parts[2]));
      } catch (IllegalArgumentException e) {
        throw ApiException.invalid("cursor", "cursor is not one this API gave out");
      }
    }
  }

  public record Page(List<JsonObject> items, String next) {
    public JsonObject toJson() {
      return new JsonObject().put("items", items).put("next", next);
    }
  }

  public Future<Page> search(Query query) {
    Statement statement = statement(query);
    // One round trip. The statement is prepared once per connection; after a few runs Postgres settles on its
    // generic plan (bind ~0.2 ms on 10 M rows), so the search is not re-planned over every partition each time.
    return pg.preparedQuery(statement.sql()).execute(Tuple.from(statement.params())).map(rows -> page(rows, query.limit()));
  }

  /** The interaction record a provider sid produced, once the archiver has written it (the console's simulator). */
  public Future<java.util.Optional<JsonObject>> interaction(String sid) {
    return pg.preparedQuery("SELECT " + COLUMNS + " FROM communications WHERE provider_sid = $1 AND channel <> 'email' LIMIT 1")
        .execute(Tuple.of(sid))
        .map(rows -> rows.size() == 0 ? java.util.Optional.empty() : java.util.Optional.of(toJson(rows.iterator().next())));
  }

  /** The SQL and parameters of a search (the benchmark EXPLAINs exactly this). */
  record Statement(String sql, List<Object> params) {}

  static Statement statement(Query query) {
    List<Object> params = new ArrayList<>();
    params.add(query.orgId());
    StringBuilder common = new StringBuilder("org_id = $1");
    if (query.taskId() != null) {
      common.append(" AND task_id = ").append(param(params, query.taskId()));
    }
    if (query.channel() != null) {
      common.append(" AND channel = ").append(param(params, query.channel()));
    }
    // The month bounds let Postgres skip whole partitions; started_at does the exact cut.
    if (query.since() != null) {
      common.append(" AND started_at >= ").append(param(params, query.since().atOffset(ZoneOffset.UTC)))
          .append(" AND archive_month >= ").append(param(params, month(query.since())));
    }
    if (query.until() != null) {
      common.append(" AND started_at < ").append(param(params, query.until().atOffset(ZoneOffset.UTC)))
          .append(" AND archive_month <= ").append(param(params, month(query.until())));
    }
    if (query.after() != null) {
      common.append(" AND (started_at, id) < (").append(param(params, query.after().startedAt())).append(", ")
          .append(param(params, query.after().id())).append(")");
    }
    List<String> identities = query.identities();
    for (int i = 1; i < identities.size(); i++) {
      common.append(" AND ").append(param(params, identities.get(i))).append(" IN (from_addr, to_addr)");
    }
    int fetch = query.limit() + 1;
    String sql;
    if (identities.isEmpty()) {
      sql = "SELECT " + COLUMNS + " FROM communications WHERE " + common + ORDER + fetch;
    } else {
      String party = param(params, identities.get(0));
      sql = "SELECT * FROM ((SELECT " + COLUMNS + " FROM communications WHERE " + common + " AND from_addr = " + party + ORDER + fetch
          + ") UNION ALL (SELECT " + COLUMNS + " FROM communications WHERE " + common + " AND to_addr = " + party
          + " AND from_addr IS DISTINCT FROM " + party + ORDER + fetch + ")) page" + ORDER + fetch;
    }
    return new Statement(sql, params);
  }

  private static Page page(RowSet<Row> rows, int limit) {
    List<JsonObject> items = new ArrayList<>();
    Cursor last = null;
    for (Row row : rows) {
      if (items.size() == limit) {
        return new Page(items, last.encode());
      }
      items.add(toJson(row));
      last = new Cursor(row.getOffsetDateTime("started_at"), row.getLong("id"));
    }
    return new Page(items, null);
  }

  /** The API's record; an anonymized record never shows who called or wrote, nor to whom it went. */
  static JsonObject toJson(Row row) {
    boolean anonymized = row.getBoolean("anonymized");
    Object variables = row.getValue("variables");
    return new JsonObject()
        .put("id", row.getLong("id"))
        .put("orgId", row.getString("org_id"))
        .put("taskId", row.getString("task_id"))
        .put("channel", row.getString("channel"))
        .put("direction", row.getString("direction"))
        .put("from", anonymized ? IdentityMatcher.ANONYMIZED : row.getString("from_addr"))
        .put("to", anonymized ? IdentityMatcher.ANONYMIZED : row.getString("to_addr"))
        .put("proxyNumber", row.getString("proxy_number"))
        .put("body", row.getString("body"))
        .put("startedAt", instant(row.getOffsetDateTime("started_at")))
        .put("endedAt", instant(row.getOffsetDateTime("ended_at")))
        .put("durationSeconds", row.getInteger("duration_seconds"))
        .put("recordingSid", row.getString("recording_sid"))
        .put("recordingUrl", row.getString("recording_url"))
        .put("status", row.getString("status"))
        .put("routedTo", row.getString("routed_to"))
        .put("anonymized", anonymized)
        .put("variables", variables instanceof JsonObject json ? json : new JsonObject())
        .put("sid", row.getString("provider_sid"))
        .put("relatedSid", row.getString("related_sid"));
  }

  private static String instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant().truncatedTo(ChronoUnit.MILLIS).toString();
  }

  private static LocalDate month(Instant at) {
    return ArchivePartitions.monthOf(at.toEpochMilli());
  }

  private static String param(List<Object> params, Object value) {
    params.add(value);
    return "$" + params.size();
  }
}
