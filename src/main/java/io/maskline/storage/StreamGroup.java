package io.maskline.storage;

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
 * A Redis stream as one consumer group sees it: the group made on first use, new entries read, entries left pending
 * listed and taken over, acknowledged entries deleted (so the stream's length is the backlog), lag measured. Replies
 * are read in RESP2 and RESP3 alike (RESP3 answers maps where RESP2 answers flat arrays). Every stream consumer of the
 * gateway (archiver, mailer) goes through here.
 */
public final class StreamGroup {
  private final Redis redis;
  private final String stream;
  private final String group;

  public StreamGroup(Redis redis, String stream, String group) {
    this.redis = redis;
    this.stream = stream;
    this.group = group;
  }

  /** Backlog and the age of the oldest entry read but not yet acknowledged (0 when none). */
  public record Lag(long length, long pending, long oldestPendingAgeMillis) {}

  /** A page of entries idle past the wanted time, now owned by the claimer; {@code vanished}: ids trimmed meanwhile. */
  public record Claimed(String nextCursor, List<StreamEntry> entries, List<String> vanished) {}

  /** An entry read but not acknowledged: whose it is, for how long, and how often it was delivered. */
  public record Pending(String id, String consumer, long idleMillis, int deliveries) {}

  public String stream() {
    return stream;
  }

  /** Creates the group (reading the stream from its start) unless it exists. */
  public Future<Void> ensure() {
    return redis.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(stream).arg(group).arg("0").arg("MKSTREAM"))
        .<Void>mapEmpty()
        .recover(e -> String.valueOf(e.getMessage()).contains("BUSYGROUP") ? Future.succeededFuture() : Future.failedFuture(e));
  }

  /** Up to {@code count} entries never delivered to this group, waiting up to {@code block} for the first. */
  public Future<List<StreamEntry>> readNew(String consumer, int count, Duration block) {
    Request read = Request.cmd(Command.XREADGROUP).arg("GROUP").arg(group).arg(consumer).arg("COUNT").arg(count)
        .arg("BLOCK").arg(block.toMillis()).arg("STREAMS").arg(stream).arg(">");
    return redis.send(read)
        .recover(e -> isNoGroup(e) ? ensure().map((Response) null) : Future.failedFuture(e))
        .map(this::readEntries);
  }

  /** A page of entries idle longer than {@code minIdle} with any consumer, taken over by {@code consumer} (XAUTOCLAIM). */
  public Future<Claimed> claimIdle(String consumer, Duration minIdle, String cursor, int count) {
    Request claim = Request.cmd(Command.XAUTOCLAIM).arg(stream).arg(group).arg(consumer).arg(minIdle.toMillis()).arg(cursor)
        .arg("COUNT").arg(count);
    return redis.send(claim)
        .recover(e -> isNoGroup(e) ? ensure().map((Response) null) : Future.failedFuture(e))
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

  /** Up to {@code count} pending entries idle at least {@code minIdle}, oldest first. */
  public Future<List<Pending>> pending(Duration minIdle, int count) {
    Request pending = Request.cmd(Command.XPENDING).arg(stream).arg(group).arg("IDLE").arg(minIdle.toMillis())
        .arg("-").arg("+").arg(count);
    return redis.send(pending).map(list -> {
      List<Pending> result = new ArrayList<>();
      for (Response p : list) {
        result.add(new Pending(p.get(0).toString(), p.get(1).toString(), p.get(2).toLong(), p.get(3).toInteger()));
      }
      return result;
    });
  }

  /** Takes one pending entry over if still idle {@code minIdle}; null when another consumer was quicker or it is gone. */
  public Future<StreamEntry> claim(String consumer, String id, Duration minIdle) {
    return redis.send(Request.cmd(Command.XCLAIM).arg(stream).arg(group).arg(consumer).arg(minIdle.toMillis()).arg(id))
        .map(claimed -> claimed == null || claimed.size() == 0 || claimed.get(0) == null || claimed.get(0).get(1) == null
            ? null : entry(claimed.get(0)));
  }

  /** Acknowledges and deletes: called only once what the entries asked for is done. */
  public Future<Void> acknowledge(List<String> ids) {
    return ids.isEmpty() ? Future.succeededFuture() : redis.batch(acknowledgeRequests(ids)).mapEmpty();
  }

  /** The commands that acknowledge and delete, for a caller sending them in one batch with its own. */
  public List<Request> acknowledgeRequests(List<String> ids) {
    Request ack = Request.cmd(Command.XACK).arg(stream).arg(group);
    Request delete = Request.cmd(Command.XDEL).arg(stream);
    ids.forEach(id -> {
      ack.arg(id);
      delete.arg(id);
    });
    return List.of(ack, delete);
  }

  public Future<Lag> lag(long nowMillis) {
    return redis.batch(List.of(Request.cmd(Command.XLEN).arg(stream), Request.cmd(Command.XPENDING).arg(stream).arg(group)))
        .map(replies -> {
          long length = replies.get(0).toLong();
          Response pending = replies.get(1);
          long count = pending.get(0).toLong();
          long oldestAge = count == 0 || pending.get(1) == null ? 0 : Math.max(0, nowMillis - idMillis(pending.get(1).toString()));
          return new Lag(length, count, oldestAge);
        })
        // No consumer has read yet (e.g. serving-only pods so far): nothing pending, but the stream may be growing.
        .recover(e -> isNoGroup(e)
            ? redis.send(Request.cmd(Command.XLEN).arg(stream)).map(length -> new Lag(length.toLong(), 0, 0))
            : Future.failedFuture(e));
  }

  /** Removes consumers of this group that hold nothing and have not read for {@code idle} (pods long gone). */
  public Future<Integer> forgetIdleConsumers(Duration idle) {
    return redis.send(Request.cmd(Command.XINFO).arg("CONSUMERS").arg(stream).arg(group)).compose(consumers -> {
      List<Future<Response>> removed = new ArrayList<>();
      for (Response consumer : consumers) {
        Map<String, String> info = pairs(consumer);
        if ("0".equals(info.get("pending")) && Long.parseLong(info.getOrDefault("idle", "0")) > idle.toMillis()) {
          removed.add(redis.send(Request.cmd(Command.XGROUP).arg("DELCONSUMER").arg(stream).arg(group).arg(info.get("name"))));
        }
      }
      return Future.all(removed).map(done -> removed.size());
    })
        // No consumer has read yet, or nothing was ever written: no consumers to forget.
        .recover(e -> isNoGroup(e) || isNoStream(e) ? Future.succeededFuture(0) : Future.failedFuture(e));
  }

  private List<StreamEntry> readEntries(Response reply) {
    if (reply == null) {
      return List.of();
    }
    // RESP3 answers a map {stream: entries}; RESP2 an array of [stream, entries].
    Response entries = reply.isMap() ? reply.get(stream) : reply.size() == 0 ? null : reply.get(0).get(1);
    List<StreamEntry> result = new ArrayList<>();
    if (entries != null) {
      entries.forEach(entry -> result.add(entry(entry)));
    }
    return result;
  }

  private static StreamEntry entry(Response entry) {
    return new StreamEntry(entry.get(0).toString(), pairs(entry.get(1)));
  }

  /** Field/value pairs: a RESP3 map, or a flat RESP2 array. */
  static Map<String, String> pairs(Response response) {
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

  private static long idMillis(String id) {
    int dash = id.indexOf('-');
    return Long.parseLong(dash < 0 ? id : id.substring(0, dash));
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
