package io.maskline.inbound;

import io.maskline.archive.ArchiveEvent;
import io.maskline.storage.Keys;
import io.maskline.storage.RedisScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes what happened to an inbound interaction in one write: its answer (kept 24 h for provider retries) with its replay marker, its archive
 * event and, when the org is to be emailed, its entry in the mail outbox (then as one MULTI/EXEC transaction). Status
 * callbacks are appended with the org their sid was routed for.
 */
public final class InboundLedger {
  private static final RedisScript STATUS = RedisScript.load("record_status");
  public static final Duration ANSWER_TTL = Duration.ofHours(24);

  private final Redis redis;
  private final Duration replayMarkerTtl;

  public InboundLedger(Redis redis, Duration replayMarkerTtl) {
    this.redis = redis;
    this.replayMarkerTtl = replayMarkerTtl;
  }

  /**
   * The answer and the archive event go to Redis in one write. Without an email they are two plain commands: neither
   * must happen at most once, since the archive folds an event written twice by its sid ({@code ON CONFLICT}), and
   * when either fails the caller buffers the event all the same. With an email the writes are one MULTI/EXEC
   * transaction, so that a commit cut off midway (connection lost) leaves no mail in the outbox for a sid whose answer
   * went unrecorded: the provider's retry would mail the org a second time. The plain commands cost the gateway and
   * Redis less than a transaction, which adds two commands and answers each queued one twice (QUEUED, then inside
   * EXEC's reply) (docs/PERFORMANCE.md); a Lua commit cost more still (Lua strings for ~40 arguments).
   */
  public Future<Void> commit(String sid, String answer, ArchiveEvent.Interaction archiveEvent, Map<String, String> mailEvent) {
    Request storeAnswer = Request.cmd(Command.SET).arg(Keys.sid(sid)).arg(Keys.sidValue(archiveEvent.orgId(), answer)).arg("PX")
        .arg(ANSWER_TTL.toMillis());
    // Written with the answer, not at the claim: a claim whose answer never got recorded stays free for a retry.
    Request markAnswered = Request.cmd(Command.SET).arg(Keys.replayMarker(sid)).arg("1").arg("PX").arg(replayMarkerTtl.toMillis());
    Request appendEvent = append(Request.cmd(Command.XADD).arg(Keys.ARCHIVE_STREAM).arg("MAXLEN").arg("~").arg(Keys.ARCHIVE_STREAM_MAXLEN)
        .arg("*"), archiveEvent.fields());
    if (mailEvent == null) {
      return redis.batch(List.of(storeAnswer, markAnswered, appendEvent)).mapEmpty();
    }
    List<Request> transaction = List.of(Request.cmd(Command.MULTI), storeAnswer, markAnswered, appendEvent,
        append(Request.cmd(Command.XADD).arg(Keys.MAIL_STREAM).arg("*"), mailEvent), Request.cmd(Command.EXEC));
    return redis.batch(transaction).compose(InboundLedger::executed);
  }

  /** EXEC answers each queued command's reply; a command that failed inside the transaction fails the commit. */
  private static Future<Void> executed(List<Response> replies) {
    Response exec = replies.get(replies.size() - 1);
    if (exec == null) {
      return Future.failedFuture("transaction aborted");
    }
    for (Response reply : exec) {
      if (reply != null && reply.type() == ResponseType.ERROR) {
        return Future.failedFuture(reply.toString());
      }
    }
    return Future.succeededFuture();
  }

  private static Request append(Request request, Map<String, String> fields) {
    fields.forEach((field, value) -> request.arg(field).arg(value));
    return request;
  }

  /**
   * The recipient whose message just reached the org's admin through the org's number {@code proxy}: the admin's
   * next text or call to that number goes back to them, within {@code window} (the session history window).
   */
  public Future<Void> rememberReplyTarget(String proxy, String recipient, Duration window) {
    return redis.send(Request.cmd(Command.SET).arg(Keys.replyTarget(proxy)).arg(recipient).arg("PX").arg(window.toMillis())).mapEmpty();
  }

  /** Appends a status callback whose org ({@code orgId} null) record_status.lua reads from its sid's answer. */
  public Future<Void> status(ArchiveEvent.Status statusEvent) {
    List<String> args = new ArrayList<>();
    args.add(Keys.ARCHIVE_STREAM);
    args.add(Keys.ARCHIVE_STREAM_MAXLEN);
    statusEvent.fields().forEach((k, v) -> {
      args.add(k);
      args.add(v);
    });
    return STATUS.run(redis, List.of(Keys.sid(statusEvent.sid())), args).mapEmpty();
  }
}
