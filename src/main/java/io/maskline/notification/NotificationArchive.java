package io.maskline.notification;

import io.maskline.archive.ArchiveEvent;
import io.maskline.storage.Keys;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.time.Instant;
import java.util.List;

/**
 * Puts notifications in the archive through the archive stream, as every other communication: the notification as an
 * outbound SMS record ({@link ArchiveEvent.Notification}: sid = the notification id, so searching, anonymizing and
 * retention work as for any record), and each later status as a status update of that record. Both are idempotent
 * in the archive, so the record is written again with every change: whichever write reaches Postgres first creates it.
 */
public final class NotificationArchive {
  private final Redis redis;

  public NotificationArchive(Redis redis) {
    this.redis = redis;
  }

  public Future<Void> record(Notification n, NotificationStatus status, Instant at) {
    Request record = append(new ArchiveEvent.Notification(n.id(), n.orgId(), n.taskId(), n.from(), n.to(), n.body(),
        n.createdAt().toEpochMilli(), NotificationStatus.QUEUED.wire()));
    if (status == NotificationStatus.QUEUED) {
      return redis.send(record).mapEmpty();
    }
    return redis.batch(List.of(record, statusRequest(n.orgId(), n.id(), status, at))).mapEmpty();
  }

  public Future<Void> status(String orgId, String id, NotificationStatus status, Instant at) {
    return redis.send(statusRequest(orgId, id, status, at)).mapEmpty();
  }

  private static Request statusRequest(String orgId, String id, NotificationStatus status, Instant at) {
    return append(new ArchiveEvent.Status(id, orgId, "sms", status.wire(), at.toEpochMilli(), null, null, null, null));
  }

  private static Request append(ArchiveEvent event) {
    Request xadd = Request.cmd(Command.XADD).arg(Keys.ARCHIVE_STREAM).arg("MAXLEN").arg("~").arg(Keys.ARCHIVE_STREAM_MAXLEN).arg("*");
    event.fields().forEach((name, value) -> xadd.arg(name).arg(value));
    return xadd;
  }
}
