package io.maskline.binding;

import io.maskline.storage.RedisScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes what happened to an inbound interaction, atomically: its answer (kept 24 h for provider retries), its
 * archive event and, when the org is to be emailed, its entry in the mail outbox. Status callbacks are appended
 * with the org their sid was routed for.
 */
public final class InboundLedger {
  private static final RedisScript COMMIT = RedisScript.load("commit_inbound");
  private static final RedisScript STATUS = RedisScript.load("record_status");
  public static final Duration ANSWER_TTL = Duration.ofHours(24);

  private final Redis redis;

  public InboundLedger(Redis redis) {
    this.redis = redis;
  }

  public Future<Void> commit(String sid, String answer, String orgId, Map<String, String> archiveEvent, Map<String, String> mailEvent) {
    List<String> args = new ArrayList<>();
    args.add(answer);
    args.add(orgId == null ? "" : orgId);
    args.add(Long.toString(ANSWER_TTL.toMillis()));
    args.add(Keys.ARCHIVE_STREAM);
    args.add(Keys.MAIL_STREAM);
    args.add(Integer.toString(archiveEvent.size() * 2));
    archiveEvent.forEach((k, v) -> {
      args.add(k);
      args.add(v);
    });
    if (mailEvent != null) {
      mailEvent.forEach((k, v) -> {
        args.add(k);
        args.add(v);
      });
    }
    return COMMIT.run(redis, List.of(Keys.sid(sid)), args).mapEmpty();
  }

  public Future<Void> status(String sid, Map<String, String> statusEvent) {
    List<String> args = new ArrayList<>();
    args.add(Keys.ARCHIVE_STREAM);
    statusEvent.forEach((k, v) -> {
      args.add(k);
      args.add(v);
    });
    return STATUS.run(redis, List.of(Keys.sid(sid)), args).mapEmpty();
  }
}
