package io.maskline.archive;

import io.maskline.storage.Keys;
import io.maskline.storage.StreamEntry;
import io.maskline.storage.StreamGroup;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.time.Duration;
import java.util.List;

/**
 * The archive stream as the archivers' consumer group sees it ({@link StreamGroup}): read new entries, take over
 * entries a dead consumer left unacknowledged, acknowledge and delete entries once Postgres has them, measure the
 * lag, and keep aside what Postgres refuses.
 */
public final class ArchiveStream {
  public static final String GROUP = "archiver";

  private final Redis redis;
  private final StreamGroup group;

  public ArchiveStream(Redis redis) {
    this.redis = redis;
    this.group = new StreamGroup(redis, Keys.ARCHIVE_STREAM, GROUP);
  }

  public Future<Void> ensureGroup() {
    return group.ensure();
  }

  public Future<List<StreamEntry>> readNew(String consumer, int count, Duration block) {
    return group.readNew(consumer, count, block);
  }

  public Future<StreamGroup.Claimed> claimStuck(String consumer, Duration minIdle, String cursor, int count) {
    return group.claimIdle(consumer, minIdle, cursor, count);
  }

  /** Called only after the Postgres transaction holding these entries committed. */
  public Future<Void> acknowledge(List<String> ids) {
    return group.acknowledge(ids);
  }

  /** Keeps an entry Postgres refuses on its own (not an outage) for a person to look at, and takes it off the stream. */
  public Future<Void> deadLetter(StreamEntry entry, String reason) {
    Request add = Request.cmd(Command.XADD).arg(Keys.ARCHIVE_DEAD_LETTERS).arg("MAXLEN").arg("~").arg(100_000).arg("*")
        .arg("entryId").arg(entry.id()).arg("error").arg(reason);
    entry.fields().forEach((name, value) -> add.arg(name).arg(value));
    return redis.send(add).compose(v -> acknowledge(List.of(entry.id())));
  }

  public Future<StreamGroup.Lag> lag(long nowMillis) {
    return group.lag(nowMillis);
  }

  public Future<Integer> forgetIdleConsumers(Duration idle) {
    return group.forgetIdleConsumers(idle);
  }
}
