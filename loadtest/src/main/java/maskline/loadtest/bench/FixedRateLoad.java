package maskline.loadtest.bench;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * Open-model load at a fixed rate, for the webhook benchmark's "at 5,000 req/s" comparison: request i is due at
 * {@code start + i / rate} whatever happened to the ones before it, and its latency is measured from that due time,
 * not from when a connection was free to send it. A server that stalls therefore shows its stall in every request
 * scheduled behind it (no coordinated omission), as wrk2 or Gatling's open model would, at a fraction of Gatling's
 * CPU: Gatling could not hold 5,000 req/s on the one core the benchmark leaves to the load tool.
 *
 * <p>Requests come from a file made by {@link PrepareWebhookBench} (path, signature, body per line), each sent once.
 * Connections are a bounded keep-alive pool like a provider's sender; requests wait for a free one.
 *
 * <p>Prints one line: {@code RESULT requests=.. duration_s=.. rps=.. p50_ms=.. p90_ms=.. p99_ms=.. p999_ms=..
 * max_ms=.. errors=.. late_starts=.. error_kinds=..}; {@code late_starts} counts requests the generator itself sent more than 1 ms
 * after their due time (its own lag, to tell a saturated load tool from a slow server).
 *
 * <p>The first {@code WARMUP_SECONDS} (10) run at the same rate and are not counted: a cold load tool (JIT, 64 new
 * connections) lags its own schedule for a few seconds and would charge that to the server. The measured schedule
 * starts afresh once every warm-up request has been answered, so that no warm-up backlog reaches it.
 *
 * <p>usage: {@code java -cp .. maskline.loadtest.bench.FixedRateLoad URL REQUEST_FILE RATE SECONDS [CONNECTIONS [WARMUP_SECONDS]]}
 */
public final class FixedRateLoad {
  private static final long TIMEOUT_MS = 5_000;

  private record Webhook(String path, String signature, Buffer body) {}

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: FixedRateLoad URL REQUEST_FILE RATE SECONDS [CONNECTIONS [WARMUP_SECONDS]]");
      System.exit(2);
    }
    URI target = URI.create(args[0]);
    int rate = Integer.parseInt(args[2]);
    int seconds = Integer.parseInt(args[3]);
    int connections = args.length > 4 ? Integer.parseInt(args[4]) : 64;
    int warmupSeconds = args.length > 5 ? Integer.parseInt(args[5]) : 10;
    int needed = rate * (warmupSeconds + seconds);
    List<Webhook> webhooks = read(Path.of(args[1]), needed);
    if (webhooks.size() < needed) {
      System.err.printf("%s holds %d requests, the run needs %d (each is sent once)%n", args[1], webhooks.size(), needed);
      System.exit(2);
    }
    Vertx vertx = Vertx.vertx();
    try {
      HttpClientAgent client = vertx.createHttpClient(
          new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setDefaultHost(target.getHost()).setDefaultPort(target.getPort()),
          new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
      int warmup = rate * warmupSeconds;
      // The warm-up is a schedule of its own, and every warm-up request has been answered before the measured schedule
      // starts: a load tool that fell behind while its JIT was cold must not carry that backlog into the measurement.
      if (warmup > 0) {
        run(vertx, client, webhooks.subList(0, warmup), rate).get(warmupSeconds + 60L, TimeUnit.SECONDS);
      }
      System.out.println(run(vertx, client, webhooks.subList(warmup, webhooks.size()), rate).get(seconds + 60L, TimeUnit.SECONDS));
    } finally {
      vertx.close().await();
    }
  }

  /** Sends every webhook on schedule, request i due at start + i / rate; completes with the RESULT line. */
  private static CompletableFuture<String> run(Vertx vertx, HttpClientAgent client, List<Webhook> webhooks, int rate) {
    int total = webhooks.size();
    long[] latencyNanos = new long[total];
    AtomicLong errors = new AtomicLong();
    Map<String, Integer> errorKinds = new TreeMap<>(); // touched on the one event-loop context only
    AtomicLong done = new AtomicLong();
    AtomicLong lateStarts = new AtomicLong();
    CompletableFuture<String> result = new CompletableFuture<>();
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    double nanosPerRequest = 1e9 / rate;
    var context = vertx.getOrCreateContext();
    // A thread of its own keeps the schedule to within tens of microseconds (a 1 ms timer tick would add up to a
    // millisecond to every latency); the event loop sends. Whatever has fallen due goes over in one hand-off.
    Thread scheduler = new Thread(() -> {
      int i = 0;
      while (i < total) {
        long now = System.nanoTime();
        long due = start + (long) (i * nanosPerRequest);
        if (due > now) {
          LockSupport.parkNanos(due - now);
          continue;
        }
        int from = i;
        while (i < total && start + (long) (i * nanosPerRequest) <= now) {
          i++;
        }
        int to = i;
        context.runOnContext(v -> {
          for (int k = from; k < to; k++) {
            int index = k;
            long dueAt = start + (long) (index * nanosPerRequest);
            if (System.nanoTime() - dueAt > TimeUnit.MILLISECONDS.toNanos(1)) {
              lateStarts.incrementAndGet();
            }
            send(client, webhooks.get(index)).onComplete(answer -> {
              latencyNanos[index] = System.nanoTime() - dueAt;
              if (answer.failed() || answer.result() != 200) {
                errors.incrementAndGet();
                errorKinds.merge(errorKind(answer), 1, Integer::sum);
              }
              if (done.incrementAndGet() == total) {
                double elapsed = (System.nanoTime() - start) / 1e9;
                result.complete(summary(latencyNanos, elapsed, errors.get(), lateStarts.get(), errorKinds));
              }
            });
          }
        });
      }
    }, "fixed-rate-scheduler");
    scheduler.setDaemon(true);
    scheduler.start();
    return result;
  }

  private static Future<Integer> send(HttpClientAgent client, Webhook webhook) {
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setURI(webhook.path()).setTimeout(TIMEOUT_MS)
        .putHeader("Content-Type", "application/x-www-form-urlencoded").putHeader("X-Twilio-Signature", webhook.signature());
    return client.request(request)
        .compose(r -> r.send(webhook.body()))
        .compose(response -> response.body().map(body -> response.statusCode()));
  }

  /** What went wrong, in one token: {@code status_503}, or the exception's class and message with spaces replaced. */
  private static String errorKind(AsyncResult<Integer> answer) {
    if (answer.succeeded()) {
      return "status_" + answer.result();
    }
    Throwable cause = answer.cause();
    String kind = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ":" + cause.getMessage());
    return kind.replaceAll("[\\s,=]+", "_");
  }

  private static String summary(long[] latencyNanos, double elapsedSeconds, long errors, long lateStarts, Map<String, Integer> errorKinds) {
    long[] sorted = latencyNanos.clone();
    Arrays.sort(sorted);
    String kinds = errorKinds.entrySet().stream().map(e -> e.getKey() + "*" + e.getValue()).collect(Collectors.joining(","));
    return String.format("RESULT requests=%d duration_s=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f errors=%d late_starts=%d error_kinds=%s",
        sorted.length, elapsedSeconds, sorted.length / elapsedSeconds, millis(sorted, 0.50), millis(sorted, 0.90),
        millis(sorted, 0.99), millis(sorted, 0.999), sorted[sorted.length - 1] / 1e6, errors, lateStarts, kinds.isEmpty() ? "none" : kinds);
  }

  private static double millis(long[] sorted, double quantile) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1e6;
  }

  private static List<Webhook> read(Path file, int needed) throws IOException {
    List<Webhook> webhooks = new ArrayList<>(needed);
    try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
      lines.limit(needed).forEach(line -> {
        String[] parts = line.split("\t", 3);
        if (parts.length == 3) {
          webhooks.add(new Webhook(parts[0], parts[1], Buffer.buffer(parts[2])));
        }
      });
    }
    return webhooks;
  }

  private FixedRateLoad() {}
}
