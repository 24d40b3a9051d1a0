package io.maskline.archive;

import io.maskline.archive.ArchiveBatch.Communication;
import io.maskline.archive.ArchiveBatch.RawEvent;
import io.maskline.archive.ArchiveBatch.StatusUpdate;
import io.maskline.anonymizer.LateArrivals;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Writes a batch: raw events and communication rows in one multi-row statement ({@code INSERT ... SELECT unnest},
 * {@code ON CONFLICT} on the provider sid merging duplicates), status callbacks for records a run anonymized scrubbed
 * before (late arrivals, {@link LateArrivals}); then, only when there are any, the batch's status
 * updates together with updates parked for these sids, in one transaction. Every step is idempotent, so a batch
 * written twice (redelivery after a crash between commit and ack) leaves the same rows.
 */
public final class ArchiveWriter {
  // Raw events and communication rows in one statement (one round trip, atomic on its own). Personal fields of an
  // anonymized row are never refilled by a late duplicate; otherwise the first value stays. A raw event arrives
  // here already scrubbed when it is a late arrival ($22: anonymized, see lateArrivals). The answer says whether
  // status updates were parked for these sids, i.e. whether a second, transactional step is needed.
  private static final String INSERT_BATCH = """
      WITH raw AS (
        INSERT INTO raw_events (event_key, archive_month, received_at, org_id, kind, provider_sid, task_id, payload, anonymized)
        SELECT key, archive_month_of(at), at, org_id, kind, sid, task_id, payload::jsonb, anonymized
        FROM (SELECT key, to_timestamp(at_ms::float8 / 1000) AS at, org_id, kind, sid, task_id, payload, anonymized
              FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $22::boolean[])
                   AS u(key, at_ms, org_id, kind, sid, task_id, payload, anonymized)) r
        ON CONFLICT DO NOTHING),
      comm AS (
        INSERT INTO communications AS c (archive_month, org_id, provider_sid, task_id, channel, direction, from_addr, to_addr,
          proxy_number, body, started_at, status, status_at, routed_to, related_sid, variables)
        SELECT archive_month_of(at), org_id, sid, task_id, channel, direction, from_addr, to_addr,
          proxy, body, at, status, at, routed_to, related_sid, variables::jsonb
        FROM (SELECT org_id, sid, task_id, channel, direction, from_addr, to_addr, proxy, body, to_timestamp(at_ms::float8 / 1000) AS at,
                     status, routed_to, related_sid, variables
              FROM unnest($8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
                          $16::text[], $17::bigint[], $18::text[], $19::text[], $20::text[], $21::text[])
                   AS u(org_id, sid, task_id, channel, direction, from_addr, to_addr, proxy, body, at_ms, status, routed_to,
                        related_sid, variables)) n
        ON CONFLICT (provider_sid, org_id, archive_month) DO UPDATE SET
          started_at  = LEAST(c.started_at, EXCLUDED.started_at),
          task_id     = COALESCE(c.task_id, EXCLUDED.task_id),
          from_addr   = CASE WHEN c.anonymized THEN c.from_addr ELSE COALESCE(c.from_addr, EXCLUDED.from_addr) END,
          to_addr     = CASE WHEN c.anonymized THEN c.to_addr ELSE COALESCE(c.to_addr, EXCLUDED.to_addr) END,
          body        = CASE WHEN c.anonymized THEN c.body ELSE COALESCE(c.body, EXCLUDED.body) END,
          variables   = CASE WHEN c.anonymized OR c.variables <> '{}' THEN c.variables ELSE EXCLUDED.variables END,
          proxy_number = COALESCE(c.proxy_number, EXCLUDED.proxy_number),
          routed_to   = COALESCE(c.routed_to, EXCLUDED.routed_to),
          related_sid = COALESCE(c.related_sid, EXCLUDED.related_sid),
          status      = CASE WHEN c.status_at IS NULL OR EXCLUDED.status_at > c.status_at THEN COALESCE(EXCLUDED.status, c.status) ELSE c.status END,
          status_at   = GREATEST(c.status_at, EXCLUDED.status_at))
      SELECT EXISTS (SELECT 1 FROM pending_status_updates p JOIN unnest($9::text[], $8::text[]) AS u(sid, org_id)
                     ON p.provider_sid = u.sid AND (p.org_id = '' OR p.org_id = u.org_id)) AS parked""";

  private static final String STATUS_SOURCE = """
      WITH s AS (
        SELECT sid, org_id, status, to_timestamp(status_ms::float8 / 1000) AS status_at, duration_seconds,
               to_timestamp(ended_ms::float8 / 1000) AS ended_at, recording_sid, recording_url
        FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::int[], $6::bigint[], $7::text[], $8::text[])
             AS u(sid, org_id, status, status_ms, duration_seconds, ended_ms, recording_sid, recording_url))""";

  // Updates the row of each sid; the updates that found no row yet are parked until their interaction arrives. A
  // recording that comes for a row whose content was deleted (late arrival) is not attached: it is queued to be
  // deleted at the provider (recording_deletions). Decided here, on the row as locked, so a run committing meanwhile
  // cannot let one slip through.
  private static final String APPLY_STATUSES = STATUS_SOURCE + """
      , updated AS (
        UPDATE communications c SET
          status = CASE WHEN s.status IS NOT NULL AND (c.status_at IS NULL OR s.status_at >= c.status_at) THEN s.status ELSE c.status END,
          status_at = CASE WHEN s.status IS NOT NULL AND (c.status_at IS NULL OR s.status_at >= c.status_at) THEN s.status_at ELSE c.status_at END,
          duration_seconds = GREATEST(c.duration_seconds, s.duration_seconds),
          ended_at = GREATEST(c.ended_at, s.ended_at),
          recording_sid = CASE WHEN c.content_deleted THEN c.recording_sid ELSE COALESCE(s.recording_sid, c.recording_sid) END,
          recording_url = CASE WHEN c.content_deleted THEN c.recording_url ELSE COALESCE(s.recording_url, c.recording_url) END
        FROM s
        WHERE c.provider_sid = s.sid AND (s.org_id = '' OR c.org_id = s.org_id)
        RETURNING s.sid, c.org_id, c.content_deleted, s.recording_sid),
      late_recordings AS (
        INSERT INTO recording_deletions (recording_sid, org_id, provider_sid)
        SELECT recording_sid, org_id, sid FROM updated WHERE content_deleted AND recording_sid IS NOT NULL
        ON CONFLICT (recording_sid) DO NOTHING)
      INSERT INTO pending_status_updates AS p (provider_sid, org_id, status, status_at, duration_seconds, ended_at, recording_sid, recording_url)
      SELECT sid, org_id, status, status_at, duration_seconds, ended_at, recording_sid, recording_url
      FROM s WHERE s.sid NOT IN (SELECT sid FROM updated)
      ON CONFLICT (provider_sid, org_id) DO UPDATE SET
        status = CASE WHEN EXCLUDED.status IS NOT NULL AND (p.status_at IS NULL OR EXCLUDED.status_at >= p.status_at) THEN EXCLUDED.status ELSE p.status END,
        status_at = CASE WHEN EXCLUDED.status IS NOT NULL AND (p.status_at IS NULL OR EXCLUDED.status_at >= p.status_at) THEN EXCLUDED.status_at ELSE p.status_at END,
        duration_seconds = GREATEST(p.duration_seconds, EXCLUDED.duration_seconds),
        ended_at = GREATEST(p.ended_at, EXCLUDED.ended_at),
        recording_sid = COALESCE(EXCLUDED.recording_sid, p.recording_sid),
        recording_url = COALESCE(EXCLUDED.recording_url, p.recording_url)""";

  private static final String PENDING_COLUMNS = """
      RETURNING p.provider_sid, p.org_id, p.status, (extract(epoch FROM p.status_at) * 1000)::bigint AS status_ms, p.duration_seconds,
        (extract(epoch FROM p.ended_at) * 1000)::bigint AS ended_ms, p.recording_sid, p.recording_url""";

  // Parked updates for sids that now have a row in an org they may apply to; taken out to be applied.
  private static final String TAKE_PENDING_FOR = """
      DELETE FROM pending_status_updates p USING unnest($1::text[], $2::text[]) AS u(sid, org_id)
      WHERE p.provider_sid = u.sid AND (p.org_id = '' OR p.org_id = u.org_id)
      """ + PENDING_COLUMNS;

  // The sweep for updates parked by a writer racing the one that inserted their row (neither saw the other's commit).
  private static final String TAKE_PENDING_WITH_ROWS = """
      DELETE FROM pending_status_updates p
      WHERE p.provider_sid IN (
        SELECT q.provider_sid FROM pending_status_updates q
        WHERE EXISTS (SELECT 1 FROM communications c WHERE c.provider_sid = q.provider_sid AND (q.org_id = '' OR c.org_id = q.org_id))
        ORDER BY q.parked_at LIMIT $1)
      """ + PENDING_COLUMNS;

  // The anonymized records of a batch's status callbacks: what their late callbacks may keep (LateArrivals).
  private static final String ANONYMIZED_RECORDS = """
      SELECT provider_sid, org_id, from_addr, to_addr, proxy_number, content_deleted FROM communications
      WHERE provider_sid = ANY($1) AND anonymized""";

  private static final String DROP_OLD_PENDING = "DELETE FROM pending_status_updates WHERE parked_at < now() - make_interval(secs => $1)";

  private final Pool pg;

  public ArchiveWriter(Pool pg) {
    this.pg = pg;
  }

  public Future<Void> write(ArchiveBatch batch) {
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Communication> rows = batch.communications();
    return lateArrivals(batch.rawEvents())
        .compose(raw -> pg.preparedQuery(INSERT_BATCH).execute(insertColumns(raw, rows)))
        .compose(inserted -> statuses(batch, inserted.iterator().next().getBoolean("parked")));
  }

  /** The second step: the batch's status updates and those parked for its sids, in one transaction. */
  private Future<Void> statuses(ArchiveBatch batch, boolean parked) {
    if (!parked && batch.statuses().isEmpty()) {
      return Future.succeededFuture();
    }
    // A crash between the two steps is harmless: the batch is not acknowledged, so it comes again, and the
    // insert above is idempotent.
    return pg.withTransaction(conn -> (parked ? takeParked(conn, batch.communications()) : Future.succeededFuture(List.<StatusUpdate>of()))
        .compose(taken -> {
          List<StatusUpdate> updates = new ArrayList<>(taken);
          updates.addAll(batch.statuses());
          return applyStatuses(conn, updates);
        }));
  }

  /** A raw event as it is written: {@code anonymized} when it was scrubbed as a late arrival. */
  private record Scrubbed(RawEvent event, boolean anonymized) {}

  /**
   * The batch's raw events, each status callback for a record a run anonymized (a late arrival) scrubbed as
   * {@link LateArrivals} says: the person is not kept in clear whatever the request's scope. One look-up, only for
   * batches with status callbacks. The org-less form (a callback after its sid's answer expired) matches by sid.
   */
  private Future<List<Scrubbed>> lateArrivals(List<RawEvent> events) {
    String[] sids = events.stream().filter(e -> e.kind().equals("status") && e.sid() != null).map(RawEvent::sid).distinct()
        .toArray(String[]::new);
    if (sids.length == 0) {
      return Future.succeededFuture(events.stream().map(e -> new Scrubbed(e, false)).toList());
    }
    return pg.preparedQuery(ANONYMIZED_RECORDS).execute(Tuple.of((Object) sids)).map(found -> {
      Map<String, List<Row>> bySid = new HashMap<>();
      found.forEach(row -> bySid.computeIfAbsent(row.getString("provider_sid"), sid -> new ArrayList<>()).add(row));
      return events.stream().map(event -> {
        Row record = !event.kind().equals("status") ? null : bySid.getOrDefault(event.sid(), List.of()).stream()
            .filter(row -> event.orgId().isEmpty() || row.getString("org_id").equals(event.orgId())).findFirst().orElse(null);
        if (record == null) {
          return new Scrubbed(event, false);
        }
        LateArrivals.Anonymized left = new LateArrivals.Anonymized(Arrays.asList(record.getString("from_addr"), record.getString("to_addr"),
            record.getString("proxy_number")), record.getBoolean("content_deleted"));
        String payload = LateArrivals.scrub(new JsonObject(event.payload()), left).encode();
        return new Scrubbed(new RawEvent(event.key(), event.at(), event.orgId(), event.kind(), event.sid(), event.taskId(), payload), true);
      }).toList();
    });
  }

  /** Applies parked updates whose row has appeared meanwhile; returns how many were applied. */
  public Future<Integer> applyParked(int limit) {
    return pg.withTransaction(conn -> conn.preparedQuery(TAKE_PENDING_WITH_ROWS).execute(Tuple.of(limit))
        .compose(rows -> {
          List<StatusUpdate> taken = statusUpdates(rows);
          return applyStatuses(conn, taken).map(taken.size());
        }));
  }

  /**
   * Forgets parked updates older than {@code age}: their interaction never came (e.g. statuses of outbound
   * messages). They stay in raw_events, as every received payload does.
   */
  public Future<Integer> dropParkedOlderThan(Duration age) {
    return pg.preparedQuery(DROP_OLD_PENDING).execute(Tuple.of(age.toSeconds())).map(rows -> rows.rowCount());
  }

  private static Tuple insertColumns(List<Scrubbed> scrubbed, List<Communication> rows) {
    List<RawEvent> events = scrubbed.stream().map(Scrubbed::event).toList();
    return Tuple.tuple(List.<Object>of(
        column(events, RawEvent::key, String[]::new),
        column(events, RawEvent::at, Long[]::new),
        column(events, RawEvent::orgId, String[]::new),
        column(events, RawEvent::kind, String[]::new),
        column(events, RawEvent::sid, String[]::new),
        column(events, RawEvent::taskId, String[]::new),
        column(events, RawEvent::payload, String[]::new),
        column(rows, Communication::orgId, String[]::new),
        column(rows, Communication::sid, String[]::new),
        column(rows, Communication::taskId, String[]::new),
        column(rows, Communication::channel, String[]::new),
        column(rows, Communication::direction, String[]::new),
        column(rows, Communication::from, String[]::new),
        column(rows, Communication::to, String[]::new),
        column(rows, Communication::proxy, String[]::new),
        column(rows, Communication::body, String[]::new),
        column(rows, Communication::at, Long[]::new),
        column(rows, Communication::status, String[]::new),
        column(rows, Communication::routedTo, String[]::new),
        column(rows, Communication::relatedSid, String[]::new),
        column(rows, Communication::variables, String[]::new),
        column(scrubbed, Scrubbed::anonymized, Boolean[]::new)));
  }

  private static Future<List<StatusUpdate>> takeParked(SqlConnection conn, List<Communication> rows) {
    return conn.preparedQuery(TAKE_PENDING_FOR)
        .execute(Tuple.tuple(List.<Object>of(column(rows, Communication::sid, String[]::new), column(rows, Communication::orgId, String[]::new))))
        .map(ArchiveWriter::statusUpdates);
  }

  private Future<Void> applyStatuses(SqlConnection conn, List<StatusUpdate> updates) {
    if (updates.isEmpty()) {
      return Future.succeededFuture();
    }
    List<StatusUpdate> folded = ArchiveBatch.foldBySid(updates);
    return conn.preparedQuery(APPLY_STATUSES).execute(Tuple.tuple(List.<Object>of(
        column(folded, StatusUpdate::sid, String[]::new),
        column(folded, StatusUpdate::orgId, String[]::new),
        column(folded, StatusUpdate::status, String[]::new),
        column(folded, StatusUpdate::statusAt, Long[]::new),
        column(folded, StatusUpdate::durationSeconds, Integer[]::new),
        column(folded, StatusUpdate::endedAt, Long[]::new),
        column(folded, StatusUpdate::recordingSid, String[]::new),
        column(folded, StatusUpdate::recordingUrl, String[]::new)))).mapEmpty();
  }

  private static List<StatusUpdate> statusUpdates(Iterable<Row> rows) {
    List<StatusUpdate> updates = new ArrayList<>();
    for (Row row : rows) {
      updates.add(new StatusUpdate(row.getString("provider_sid"), row.getString("org_id"), row.getString("status"),
          row.getLong("status_ms"), row.getInteger("duration_seconds"), row.getLong("ended_ms"),
          row.getString("recording_sid"), row.getString("recording_url")));
    }
    return updates;
  }

  private static <R, T> T[] column(List<R> rows, Function<R, T> value, IntFunction<T[]> array) {
    T[] column = array.apply(rows.size());
    for (int i = 0; i < column.length; i++) {
      column[i] = value.apply(rows.get(i));
    }
    return column;
  }
}
