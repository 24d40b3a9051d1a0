package io.maskline.archive;

import io.maskline.storage.StreamEntry;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives archive events answered without Redis (degraded: the hot path knew no org) the org they belong to, from what
 * Postgres knows durably: the session that bound the caller to the proxy number at that time (with its task), else
 * the number's owning org. A status callback that could not learn its org takes the org of its sid's interaction.
 * What neither knows (an unknown caller on a shared number) stays without org, as it would have with Redis up.
 * Costs a query only for batches that hold such events.
 */
public final class OrgAttribution {
  // The newest session of (proxy, caller) opened before the event and not closed longer than the history TTL
  // before it: what route_inbound.lua would have found (a route, or a history entry).
  private static final String INTERACTIONS = """
      SELECT u.i, s.org_id AS session_org, s.task_id, s.active, s.variables, p.org_id AS owner_org
      FROM unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS u(proxy, caller, at_ms, i)
      LEFT JOIN LATERAL (
        SELECT org_id, task_id, variables::text AS variables,
               (closed_at IS NULL OR closed_at > to_timestamp(u.at_ms::float8 / 1000)) AS active
        FROM sessions
        WHERE proxy_number = u.proxy AND (driver_phone = u.caller OR recipient_phone = u.caller)
          AND opened_at <= to_timestamp(u.at_ms::float8 / 1000)
          AND (closed_at IS NULL OR closed_at > to_timestamp(u.at_ms::float8 / 1000) - make_interval(secs => $4))
        ORDER BY opened_at DESC LIMIT 1) s ON true
      LEFT JOIN proxy_numbers p ON p.number = u.proxy""";
  private static final String STATUS_ORGS = """
      SELECT DISTINCT ON (provider_sid) provider_sid, org_id FROM communications
      WHERE provider_sid = ANY($1::text[]) AND org_id <> '' AND channel <> 'email'""";

  private final Pool pg;
  private final Duration historyTtl;

  public OrgAttribution(Pool pg, Duration historyTtl) {
    this.pg = pg;
    this.historyTtl = historyTtl;
  }

  /** The entries, those without org given theirs where Postgres knows it; the same list when none lacks one. */
  public Future<List<StreamEntry>> attribute(List<StreamEntry> entries) {
    List<Integer> interactions = new ArrayList<>();
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      StreamEntry entry = entries.get(i);
      String orgId = entry.field("orgId");
      if (orgId != null && !orgId.isEmpty()) {
        continue;
      }
      if ("interaction".equals(entry.field("kind")) && entry.field("proxy") != null && entry.field("from") != null && isNumber(entry.field("at"))) {
        interactions.add(i);
      } else if ("status".equals(entry.field("kind")) && entry.field("sid") != null) {
        statuses.add(i);
      }
    }
    if (interactions.isEmpty() && statuses.isEmpty()) {
      return Future.succeededFuture(entries);
    }
    List<StreamEntry> attributed = new ArrayList<>(entries);
    return attributeInteractions(attributed, interactions).compose(v -> attributeStatuses(attributed, statuses)).map(attributed);
  }

  private Future<Void> attributeInteractions(List<StreamEntry> entries, List<Integer> indexes) {
    if (indexes.isEmpty()) {
      return Future.succeededFuture();
    }
    String[] proxies = new String[indexes.size()];
    String[] callers = new String[indexes.size()];
    Long[] times = new Long[indexes.size()];
    for (int n = 0; n < indexes.size(); n++) {
      StreamEntry entry = entries.get(indexes.get(n));
      proxies[n] = entry.field("proxy");
      callers[n] = entry.field("from");
      times[n] = Long.parseLong(entry.field("at"));
    }
    return pg.preparedQuery(INTERACTIONS).execute(Tuple.of(proxies, callers, times, historyTtl.toSeconds())).map(rows -> {
      for (Row row : rows) {
        int index = indexes.get(row.getLong("i").intValue() - 1);
        String sessionOrg = row.getString("session_org");
        String orgId = sessionOrg != null ? sessionOrg : row.getString("owner_org");
        if (orgId == null) {
          continue;
        }
        Map<String, String> fields = new LinkedHashMap<>(entries.get(index).fields());
        fields.put("orgId", orgId);
        if (sessionOrg != null) {
          fields.put("taskId", row.getString("task_id"));
          if (Boolean.TRUE.equals(row.getBoolean("active"))) {
            fields.put("variables", row.getString("variables"));
          }
        }
        entries.set(index, new StreamEntry(entries.get(index).id(), fields));
      }
      return null;
    });
  }

  private Future<Void> attributeStatuses(List<StreamEntry> entries, List<Integer> indexes) {
    if (indexes.isEmpty()) {
      return Future.succeededFuture();
    }
    // The interaction may be in this very batch (attributed above) or archived before.
    Map<String, String> orgBySid = new HashMap<>();
    for (StreamEntry entry : entries) {
      String orgId = entry.field("orgId");
      if ("interaction".equals(entry.field("kind")) && orgId != null && !orgId.isEmpty()) {
        orgBySid.put(entry.field("sid"), orgId);
      }
    }
    String[] sids = indexes.stream().map(i -> entries.get(i).field("sid")).filter(sid -> !orgBySid.containsKey(sid)).toArray(String[]::new);
    Future<Void> archived = sids.length == 0 ? Future.succeededFuture()
        : pg.preparedQuery(STATUS_ORGS).execute(Tuple.of(sids)).map(rows -> {
          rows.forEach(row -> orgBySid.putIfAbsent(row.getString("provider_sid"), row.getString("org_id")));
          return null;
        });
    return archived.map(v -> {
      for (int index : indexes) {
        String orgId = orgBySid.get(entries.get(index).field("sid"));
        if (orgId != null) {
          Map<String, String> fields = new LinkedHashMap<>(entries.get(index).fields());
          fields.put("orgId", orgId);
          entries.set(index, new StreamEntry(entries.get(index).id(), fields));
        }
      }
      return null;
    });
  }

  private static boolean isNumber(String value) {
    if (value == null || value.isEmpty()) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      if (!Character.isDigit(value.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
