package io.maskline.platform.onfleet;

import io.maskline.storage.Keys;
import io.maskline.storage.RedisScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.time.Duration;
import java.util.List;

/**
 * When each Onfleet task ended, by the event's own time: webhooks come out of order and more than once, and a
 * session must not open for a task that had already ended when its "started" was sent. Kept as long as the
 * post-task history (a task does not come back after that).
 */
final class TaskTimeline {
  private static final RedisScript ENDED = RedisScript.load("onfleet_task_ended");

  private final Redis redis;
  private final Duration keep;

  TaskTimeline(Redis redis, Duration keep) {
    this.redis = redis;
    this.keep = keep;
  }

  /** Records an end at {@code time} (the latest end is kept). */
  Future<Void> ended(String orgId, String taskId, long time) {
    return ENDED.run(redis, List.of(key(orgId, taskId)), List.of(Long.toString(time), Long.toString(keep.toMillis()))).mapEmpty();
  }

  /** Whether the task ended at or after {@code time}: a start at that time is then stale. */
  Future<Boolean> endedSince(String orgId, String taskId, long time) {
    return redis.send(Request.cmd(Command.HGET).arg(key(orgId, taskId)).arg("endedAt"))
        .map(ended -> ended != null && ended.toLong() >= time);
  }

  private static String key(String orgId, String taskId) {
    return Keys.onfleetTask(orgId, taskId);
  }
}
