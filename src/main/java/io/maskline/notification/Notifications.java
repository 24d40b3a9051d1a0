package io.maskline.notification;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The notifications table: each notification's state and, while {@code queued}, its outbox entry. Every change is
 * one statement; the outbox changes (accepted, retry, dead) apply only while the row is still {@code queued}, so a
 * provider callback that overtook the send's own answer is never undone.
 */
public final class Notifications {
  private static final String COLUMNS = """
      id, org_id, idempotency_key, to_phone, from_phone, body, task_id, status, status_at, attempts, next_attempt_at,
      provider_sid, error, anonymized, created_at, updated_at""";
  // The insert answers nothing when the (org, idempotency key) exists; the caller then reads that one.
  private static final String INSERT = """
      INSERT INTO notifications (id, org_id, idempotency_key, to_phone, from_phone, body, task_id, status, status_at,
        next_attempt_at, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, $8, $8, $8)
      ON CONFLICT (org_id, idempotency_key) DO NOTHING
      RETURNING\s""" + COLUMNS;
  private static final String BY_KEY = "SELECT " + COLUMNS + " FROM notifications WHERE org_id = $1 AND idempotency_key = $2";
  private static final String BY_ID = "SELECT " + COLUMNS + " FROM notifications WHERE id = $1";
  // Due entries nobody holds a lease on; each pod takes a disjoint set (SKIP LOCKED) and leases it while sending.
  private static final String CLAIM_DUE = """
      UPDATE notifications n SET lease_until = $2, attempts = n.attempts + 1, updated_at = $1
      FROM (SELECT id FROM notifications
            WHERE status = 'queued' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
            ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) due
      WHERE n.id = due.id
      RETURNING n.*""";
  private static final String ACCEPTED = """
      UPDATE notifications SET status = 'accepted', status_at = $3, provider_sid = $2, lease_until = NULL, error = NULL, updated_at = $3
      WHERE id = $1 AND status = 'queued'""";
  private static final String PROVIDER_SID = "UPDATE notifications SET provider_sid = COALESCE(provider_sid, $2) WHERE id = $1";
  private static final String RETRY = """
      UPDATE notifications SET next_attempt_at = $2, lease_until = NULL, error = $3, updated_at = $4
      WHERE id = $1 AND status = 'queued'""";
  private static final String DEAD = """
      UPDATE notifications SET status = 'dead', status_at = $3, lease_until = NULL, error = $2, updated_at = $3
      WHERE id = $1 AND status = 'queued'""";
  private static final String RANK = """
      CASE status WHEN 'queued' THEN 0 WHEN 'accepted' THEN 1 WHEN 'sending' THEN 2 WHEN 'sent' THEN 3 ELSE 4 END""";
  // A provider status moves the notification only upwards (see NotificationStatus): late or repeated callbacks are no-ops.
  private static final String PROVIDER_STATUS = """
      WITH moved AS (
        UPDATE notifications SET status = $2, status_at = $3, provider_sid = COALESCE(provider_sid, $5), updated_at = $3,
          error = COALESCE($6, error),
          lease_until = CASE WHEN status = 'queued' THEN NULL ELSE lease_until END
        WHERE id = $1 AND\s""" + RANK + """
       < $4
        RETURNING id)
      SELECT (SELECT org_id FROM notifications WHERE id = $1) AS org_id, EXISTS (SELECT 1 FROM moved) AS moved""";
  private static final String DEDICATED_NUMBER = "SELECT number FROM proxy_numbers WHERE org_id = $1 ORDER BY added_at, number LIMIT 1";

  private final Pool pg;

  public Notifications(Pool pg) {
    this.pg = pg;
  }

  public record NewNotification(String id, String orgId, String idempotencyKey, String to, String from, String body, String taskId) {}

  /** The stored notification and whether this call created it (false: the idempotency key was used before). */
  public record Created(Notification notification, boolean created) {}

  public Future<Created> create(NewNotification request, Instant now) {
    Tuple values = Tuple.tuple().addString(request.id()).addString(request.orgId()).addString(request.idempotencyKey())
        .addString(request.to()).addString(request.from()).addString(request.body()).addString(request.taskId()).addOffsetDateTime(utc(now));
    return pg.preparedQuery(INSERT).execute(values)
        .compose(rows -> rows.size() > 0
            ? Future.succeededFuture(new Created(fromRow(rows.iterator().next()), true))
            : byKey(request.orgId(), request.idempotencyKey()).map(found -> new Created(found.orElseThrow(), false)));
  }

  public Future<Optional<Notification>> byKey(String orgId, String idempotencyKey) {
    return pg.preparedQuery(BY_KEY).execute(Tuple.of(orgId, idempotencyKey)).map(Notifications::first);
  }

  public Future<Optional<Notification>> get(String id) {
    return pg.preparedQuery(BY_ID).execute(Tuple.of(id)).map(Notifications::first);
  }

  /** Up to {@code limit} due notifications, leased until {@code leaseUntil}; their attempt count already includes this one. */
  public Future<List<Notification>> claimDue(Instant now, Instant leaseUntil, int limit) {
    return pg.preparedQuery(CLAIM_DUE).execute(Tuple.of(utc(now), utc(leaseUntil), limit)).map(rows -> {
      List<Notification> due = new ArrayList<>();
      rows.forEach(row -> due.add(fromRow(row)));
      return due;
    });
  }

  public Future<Void> accepted(String id, String providerSid, Instant at) {
    return pg.preparedQuery(ACCEPTED).execute(Tuple.of(id, providerSid, utc(at)))
        // A callback that came first has moved the status already; the sid is still worth keeping.
        .compose(done -> done.rowCount() > 0 ? Future.succeededFuture() : pg.preparedQuery(PROVIDER_SID).execute(Tuple.of(id, providerSid)))
        .mapEmpty();
  }

  public Future<Void> retryAt(String id, Instant next, String error, Instant now) {
    return pg.preparedQuery(RETRY).execute(Tuple.of(id, utc(next), error, utc(now))).mapEmpty();
  }

  public Future<Void> dead(String id, String error, Instant at) {
    return pg.preparedQuery(DEAD).execute(Tuple.of(id, error, utc(at))).mapEmpty();
  }

  /** What a provider status callback did: the notification's org (null: no such notification), whether it moved. */
  public record StatusApplied(String orgId, boolean moved) {}

  /** {@code error}: the provider's error for a failed delivery, or null. */
  public Future<StatusApplied> providerStatus(String id, NotificationStatus status, String providerSid, String error, Instant at) {
    Tuple values = Tuple.tuple().addString(id).addString(status.wire()).addOffsetDateTime(utc(at)).addInteger(status.rank())
        .addString(providerSid).addString(error);
    return pg.preparedQuery(PROVIDER_STATUS).execute(values)
        .map(rows -> {
          Row row = rows.iterator().next();
          return new StatusApplied(row.getString("org_id"), row.getBoolean("moved"));
        });
  }

  /** The org's first dedicated proxy number, the sender its recipients know; empty when it has none. */
  public Future<Optional<String>> dedicatedNumber(String orgId) {
    return pg.preparedQuery(DEDICATED_NUMBER).execute(Tuple.of(orgId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString("number")));
  }

  private static Optional<Notification> first(Iterable<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(fromRow(it.next())) : Optional.empty();
  }

  static Notification fromRow(Row row) {
    return new Notification(row.getString("id"), row.getString("org_id"), row.getString("idempotency_key"), row.getString("to_phone"),
        row.getString("from_phone"), row.getString("body"), row.getString("task_id"), NotificationStatus.fromWire(row.getString("status")),
        instant(row, "status_at"), row.getInteger("attempts"), instant(row, "next_attempt_at"), row.getString("provider_sid"),
        row.getString("error"), row.getBoolean("anonymized"), instant(row, "created_at"), instant(row, "updated_at"));
  }

  private static Instant instant(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant();
  }

  private static OffsetDateTime utc(Instant at) {
    return at.atOffset(ZoneOffset.UTC);
  }
}
