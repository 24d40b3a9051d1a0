package io.maskline.binding;

import io.maskline.storage.RedisScript;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes what happened to an inbound interaction, atomically (MULTI/EXEC): its answer (kept 24 h for provider retries), its
 * archive event and, when the org is to be emailed, its entry in the mail outbox. Status callbacks are appended
 * with the org their sid was routed for.
 *
 * <p>A commit comes after the answer has been sent, so it can wait for the end of the event loop's current turn at no
 * cost to anyone: the commits of all webhooks whose facts arrived in one turn go to Redis as one transaction in one
 * write, instead of a write (a syscall here, a read there) each. Measured: +7–9 % webhooks/s, 7–13 µs less gateway CPU
 * per webhook (docs/PERFORMANCE.md). The facts lookups are not held back like this: they are on the answer's path.
 */
public final class InboundLedger {
  private static final RedisScript STATUS = RedisScript.load("record_status");
  public static final Duration ANSWER_TTL = Duration.ofHours(24);
  /** Bounds one transaction, so that a burst does not hold Redis (single-threaded) for long. */
  static final int MAX_COMMITS_PER_TRANSACTION = 32;

  private final Redis redis;
  private final Map<Thread, Transaction> open = new ConcurrentHashMap<>();

  public InboundLedger(Redis redis) {
    this.redis = redis;
  }

  /**
   * Records one interaction: its answer under its sid, its archive event and its mail outbox entry (may be null). Fails
   * when the transaction was lost or Redis refused one of this interaction's commands.
   */
  public Future<Void> commit(String sid, String answer, String orgId, Map<String, String> archiveEvent, Map<String, String> mailEvent) {
    List<Request> commands = new ArrayList<>(3);
    commands.add(Request.cmd(Command.SET).arg(Keys.sid(sid)).arg(sidValue(orgId, answer)).arg("PX").arg(ANSWER_TTL.toMillis()));
    commands.add(append(Request.cmd(Command.XADD).arg(Keys.ARCHIVE_STREAM).arg("MAXLEN").arg("~").arg(Keys.ARCHIVE_STREAM_MAXLEN).arg("*"), archiveEvent));
    if (mailEvent != null) {
      commands.add(append(Request.cmd(Command.XADD).arg(Keys.MAIL_STREAM).arg("*"), mailEvent));
    }
    Context context = Vertx.currentContext();
    if (context == null || !context.isEventLoopContext()) {
      Transaction alone = new Transaction();
      Future<Void> committed = alone.add(commands);
      alone.execute(redis);
      return committed;
    }
    // Only this event loop's thread touches its entry.
    Thread loop = Thread.currentThread();
    Transaction transaction = open.get(loop);
    if (transaction == null) {
      Transaction opened = new Transaction();
      open.put(loop, opened);
      context.runOnContext(endOfTurn -> {
        if (open.remove(loop, opened)) {
          opened.execute(redis);
        }
      });
      transaction = opened;
    }
    Future<Void> committed = transaction.add(commands);
    if (transaction.commits() == MAX_COMMITS_PER_TRANSACTION) {
      open.remove(loop, transaction);
      transaction.execute(redis);
    }
    return committed;
  }

  /** Commits of one turn: MULTI, each commit's commands, EXEC; each commit is told about its own commands' replies. */
  private static final class Transaction {
    private final List<Request> requests = new ArrayList<>();
    private final List<Promise<Void>> commits = new ArrayList<>();
    private final List<Integer> sizes = new ArrayList<>();

    Transaction() {
      requests.add(Request.cmd(Command.MULTI));
    }

    int commits() {
      return commits.size();
    }

    Future<Void> add(List<Request> commands) {
      requests.addAll(commands);
      sizes.add(commands.size());
      Promise<Void> commit = Promise.promise();
      commits.add(commit);
      return commit.future();
    }

    void execute(Redis redis) {
      requests.add(Request.cmd(Command.EXEC));
      redis.batch(requests).onComplete(this::answer);
    }

    private void answer(AsyncResult<List<Response>> executed) {
      Response exec = executed.succeeded() ? executed.result().get(executed.result().size() - 1) : null;
      if (exec == null) {
        Throwable cause = executed.failed() ? executed.cause() : new IllegalStateException("transaction aborted");
        commits.forEach(commit -> commit.fail(cause));
        return;
      }
      int reply = 0;
      for (int i = 0; i < commits.size(); i++) {
        String error = null;
        for (int c = 0; c < sizes.get(i); c++, reply++) {
          Response r = exec.get(reply);
          if (error == null && r != null && r.type() == ResponseType.ERROR) {
            error = r.toString();
          }
        }
        if (error == null) {
          commits.get(i).complete();
        } else {
          commits.get(i).fail(error);
        }
      }
    }
  }

  /**
   * What a sid key holds once answered: {@code "<orgId> <answer>"} (org ids have no spaces; an empty org id leaves the
   * leading space). One string, so that the hot path claims it with one {@code SET NX} (route_inbound.lua).
   */
  static String sidValue(String orgId, String answer) {
    return (orgId == null ? "" : orgId) + ' ' + answer;
  }

  private static Request append(Request request, Map<String, String> fields) {
    fields.forEach((field, value) -> request.arg(field).arg(value));
    return request;
  }

  public Future<Void> status(String sid, Map<String, String> statusEvent) {
    List<String> args = new ArrayList<>();
    args.add(Keys.ARCHIVE_STREAM);
    args.add(Keys.ARCHIVE_STREAM_MAXLEN);
    statusEvent.forEach((k, v) -> {
      args.add(k);
      args.add(v);
    });
    return STATUS.run(redis, List.of(Keys.sid(sid)), args).mapEmpty();
  }
}
