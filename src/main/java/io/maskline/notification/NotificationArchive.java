package io.maskline.notification;

import io.maskline.binding.Keys;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.time.Instant;

/**
 * Puts notifications in the archive through the archive stream, as every other communication: the notification as an
 * outbound SMS record (provider sid = the notification id, so searching, anonymizing and retention work as for any
 * record), and each later status as a status update of that record. Both are idempotent in the archive, so the
 * record is written again with every change: whichever write reaches Postgres first creates it.
 */
public final class NotificationArchive {
  static final String ROUTED_TO = "notification";

  private final Redis redis;

  public NotificationArchive(Redis redis) {
    this.redis = redis;
  }

  public Future<Void> record(Notification n, NotificationStatus status, Instant at) {
    Request record = Request.cmd(Command.XADD).arg(Keys.ARCHIVE_STREAM).arg("MAXLEN").arg("~").arg(Keys.ARCHIVE_STREAM_MAXLEN).arg("*")
        .arg("kind").arg("interaction")
        .arg("sid").arg(n.id())
        .arg("orgId").arg(n.orgId())
        .arg("taskId").arg(n.taskId() == null ? "" : n.taskId())
        .arg("channel").arg("sms")
        .arg("direction").arg("outbound")
        .arg("from").arg(n.from())
        .arg("to").arg(n.to())
        .arg("proxy").arg(n.from())
        .arg("body").arg(n.body())
        .arg("at").arg(Long.toString(n.createdAt().toEpochMilli()))
        .arg("status").arg(NotificationStatus.QUEUED.wire())
        .arg("routedTo").arg(ROUTED_TO)
        .arg("variables").arg("{}");
    if (status == NotificationStatus.QUEUED) {
      return redis.send(record).mapEmpty();
    }
    return redis.batch(java.util.List.of(record, statusRequest(n.orgId(), n.id(), status, at))).mapEmpty();
  }

  public Future<Void> status(String orgId, String id, NotificationStatus status, Instant at) {
    return redis.send(statusRequest(orgId, id, status, at)).mapEmpty();
  }

  private static Request statusRequest(String orgId, String id, NotificationStatus status, Instant at) {
    return Request.cmd(Command.XADD).arg(Keys.ARCHIVE_STREAM).arg("MAXLEN").arg("~").arg(Keys.ARCHIVE_STREAM_MAXLEN).arg("*")
        .arg("kind").arg("status")
        .arg("sid").arg(id)
        .arg("orgId").arg(orgId)
        .arg("channel").arg("sms")
        .arg("status").arg(status.wire())
        .arg("at").arg(Long.toString(at.toEpochMilli()));
  }
}
