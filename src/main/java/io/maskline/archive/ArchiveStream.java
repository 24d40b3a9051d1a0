package io.maskline.archive;

import io.maskline.storage.Keys;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The archive stream as the archivers' consumer group sees it: read new entries, take over entries a dead consumer
 * left unacknowledged (XAUTOCLAIM), acknowledge and delete entries once Postgres has them, and measure the lag.
 * Acknowledged entries are deleted so the stream's length is the backlog still to be archived.
 */
public final class ArchiveStream {
  public static final String GROUP = "archiver";

  private final Redis redis;
  private final String key;

  public ArchiveStream(Redis redis) {
    this.redis = redis;
    this.key = Keys.ARCHIVE_STREAM;
  }

  /** Backlog and the age of the oldest entry read but not yet acknowledged (0 when none). */
  public record Lag(long length, long pending, long oldestPendingAgeMillis) {}

  /** Creates the group (reading the stream from its start) unless it exists. */
  public Future<Void> ensureGroup() {
    return redis.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(key).arg(GROUP).arg("0").arg("MKSTREAM"))
        .<Void>mapEmpty()
        .recover(e -> e.getMessage() != null && e.getMessage().startsWith("BUSYGROUP") ? Future.succeededFuture() : Future.failedFuture(e));
  }

  public Future<List<StreamEntry>> readNew(String consumer, int count, Duration block) {
    Request read = Request.cmd(Command.XREADGROUP).arg("GROUP").arg(GROUP).arg(consumer).arg("COUNT").arg(count)
        .arg("BLOCK").arg(block.toMillis()).arg("STREAMS").arg(key).arg(">");
    return redis.send(read)
        .recover(e -> isNoGroup(e) ? ensureGroup().map((Response) null) : Future.failedFuture(e))
        .map(this::streamEntries);
  }

  /** A page of entries idle longer than {@code minIdle} with any consumer, now owned by {@code consumer}. */
  public record Claimed(String nextCursor, List<StreamEntry> entries, List<String> vanished) {}

  public Future<Claimed> claimStuck(String consumer, Duration minIdle, String cursor, int count) {
    Request claim = Request.cmd(Command.XAUTOCLAIM).arg(key).arg(GROUP).arg(consumer).arg(minIdle.toMillis()).arg(cursor)
        .arg("COUNT").arg(count);
    return redis.send(claim)
        .recover(e -> isNoGroup(e) ? ensureGroup().map((Response) null) : Future.failedFuture(e))
        .map(reply -> {
          if (reply == null) {
            return new Claimed("0-0", List.of(), List.of());
          }
          List<StreamEntry> entries = new ArrayList<>();
          List<String> vanished = new ArrayList<>();
          for (Response entry : reply.get(1)) {
            // Redis 6.2 answers nil for an entry deleted (trimmed) while pending; 7+ lists those ids in a third element.
            if (entry == null || entry.get(1) == null) {
              if (entry != null) {
                vanished.add(entry.get(0).toString());
              }
              continue;
            }
            entries.add(entry(entry));
          }
          if (reply.size() > 2 && reply.get(2) != null) {
            reply.get(2).forEach(id -> vanished.add(id.toString()));
          }
          return new Claimed(reply.get(0).toString(), entries, vanished);
        });
  }

  /** Acknowledges and deletes: called only after the Postgres transaction holding these entries committed. */
  public Future<Void> acknowledge(List<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    Request ack = Request.cmd(Command.XACK).arg(key).arg(GROUP);
    Request delete = Request.cmd(Command.XDEL).arg(key);
    ids.forEach(id -> {
      ack.arg(id);
      delete.arg(id);
    });
    return redis.batch(List.of(ack, delete)).mapEmpty();
  }

  /** Keeps an entry Postgres refuses on its own (not an outage) for a person to look at, and takes it off the stream. */
  public Future<Void> deadLetter(StreamEntry entry, String reason) {
    Request add = Request.cmd(Command.XADD).arg(Keys.ARCHIVE_DEAD_LETTERS).arg("MAXLEN").arg("~").arg(100_000).arg("*")
        .arg("entryId").arg(entry.id()).arg("error").arg(reason);
    entry.fields().forEach((name, value) -> add.arg(name).arg(value));
    return redis.send(add).compose(v -> acknowledge(List.of(entry.id())));
  }

  public Future<Lag> lag(long nowMillis) {
    return redis.batch(List.of(Request.cmd(Command.XLEN).arg(key), Request.cmd(Command.XPENDING).arg(key).arg(GROUP)))
        .map(replies -> {
          long length = replies.get(0).toLong();
          Response pending = replies.get(1);
          long count = pending.get(0).toLong();
          long oldestAge = count == 0 || pending.get(1) == null ? 0 : Math.max(0, nowMillis - idMillis(pending.get(1).toString()));
          return new Lag(length, count, oldestAge);
        })
        // No archiver has read yet (e.g. serving-only pods so far): nothing pending, but the stream may be growing.
        .recover(e -> isNoGroup(e)
            ? redis.send(Request.cmd(Command.XLEN).arg(key)).map(length -> new Lag(length.toLong(), 0, 0))
            : Future.failedFuture(e));
  }

  /** Removes consumers of this group that hold nothing and have not read for {@code idle} (pods long gone). */
  public Future<Integer> forgetIdleConsumers(Duration idle) {
    return redis.send(Request.cmd(Command.XINFO).arg("CONSUMERS").arg(key).arg(GROUP)).compose(consumers -> {
      List<Future<Response>> removed = new ArrayList<>();
      for (Response consumer : consumers) {
        Map<String, String> info = pairs(consumer);
        if ("0".equals(info.get("pending")) && Long.parseLong(info.getOrDefault("idle", "0")) > idle.toMillis()) {
          removed.add(redis.send(Request.cmd(Command.XGROUP).arg("DELCONSUMER").arg(key).arg(GROUP).arg(info.get("name"))));
        }
      }
      return Future.all(removed).map(done -> removed.size());
    })
        // No archiver has read yet (serving-only pods so far), or nothing was ever written: no consumers to forget.
        .recover(e -> isNoGroup(e) || isNoStream(e) ? Future.succeededFuture(0) : Future.failedFuture(e));
  }

  private static long idMillis(String id) {
    int dash = id.indexOf('-');
    return Long.parseLong(dash < 0 ? id : id.substring(0, dash));
  }

  private List<StreamEntry> streamEntries(Response reply) {
    if (reply == null) {
      return List.of();
    }
    // RESP3 answers a map {stream: entries}; RESP2 an array of [stream, entries].
    Response entries = reply.isMap() ? reply.get(key) : reply.get(0).get(1);
    List<StreamEntry> result = new ArrayList<>();
    if (entries != null) {
      entries.forEach(entry -> result.add(entry(entry)));
    }
    return result;
  }

  private static StreamEntry entry(Response entry) {
    return new StreamEntry(entry.get(0).toString(), pairs(entry.get(1)));
  }

  private static Map<String, String> pairs(Response response) {
    Map<String, String> fields = new LinkedHashMap<>();
    if (response.isMap()) {
      response.getKeys().forEach(name -> fields.put(name, String.valueOf(response.get(name))));
    } else {
      for (int i = 0; i + 1 < response.size(); i += 2) {
        fields.put(response.get(i).toString(), response.get(i + 1) == null ? null : response.get(i + 1).toString());
      }
    }
    return fields;
  }

  /** XINFO on a stream that does not exist. */
  private static boolean isNoStream(Throwable e) {
    return e.getMessage() != null && e.getMessage().contains("no such key");
  }

  /** A batch reports its failing command's error as "ERR [i] NOGROUP …", a single command as "NOGROUP …". */
  private static boolean isNoGroup(Throwable e) {
    return e.getMessage() != null && e.getMessage().contains("NOGROUP");
  }
}
