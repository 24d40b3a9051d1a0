package maskline.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Minimal client of the Maskline admin API (docs/API.md "Admin API"), used for load-test setup and teardown.
 * Plain java.net.http over HTTP/1.1, Bearer platform token.
 */
public final class AdminClient {

  /** A JSON answer: status and parsed body (null when empty or not JSON). */
  public record Reply(int status, JsonObject body, String raw) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  private final HttpClient http;
  private final String base;
  private final String token;

  public AdminClient(String base, String token) {
    this.base = LoadConfig.stripSlash(base);
    this.token = token;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  public CompletableFuture<Reply> call(String method, String path, JsonObject body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json");
    if (body != null) {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> new Reply(r.statusCode(), parse(r.body()), r.body()));
  }

  public Reply callSync(String method, String path, JsonObject body) {
    try {
      return call(method, path, body).join();
    } catch (CompletionException e) {
      throw new IllegalStateException(method + " " + base + path + " failed: " + e.getCause(), e.getCause());
    }
  }

  private static JsonObject parse(String s) {
    if (s == null || s.isBlank() || !s.trim().startsWith("{")) {
      return null;
    }
    try {
      return new JsonObject(s);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** {@code PUT /v1/orgs/{orgId}}: the load-test org (anonymized, dedicated numbers, admin accepts SMS). */
  public Reply putOrg(String orgId) {
    JsonObject org = new JsonObject()
        .put("name", "Maskline load test (" + orgId + ")")
        .put("email", "loadtest+" + orgId + "@maskline.invalid")
        .put("adminPhone", Phones.adminPhone())
        .put("adminPhoneAcceptsSms", true)
        .put("anonymize", true)
        .put("routeRecipientsToAdmin", false)
        .put("recordCalls", false)
        .put("country", "NO");
    Reply r = callSync("PUT", "/v1/orgs/" + enc(orgId), org);
    if (!r.ok()) {
      throw new IllegalStateException("PUT /v1/orgs/" + orgId + " -> " + r.status() + " " + r.raw());
    }
    return r;
  }

  /** Adds numbers {@code Phones.proxy(0..count-1)} as the org's dedicated numbers; 409 (exists) is fine. */
  public List<String> ensureNumbers(String orgId, int count, int concurrency) {
    AtomicInteger conflicts = new AtomicInteger();
    List<String> numbers = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      numbers.add(Phones.proxy(k));
    }
    parallel(count, concurrency, k -> call("POST", "/v1/numbers",
        new JsonObject().put("number", numbers.get(k)).put("orgId", orgId))
        .thenApply(r -> {
          if (r.status() == 409) {
            conflicts.incrementAndGet();
          } else if (!r.ok()) {
            throw new IllegalStateException("POST /v1/numbers " + numbers.get(k) + " -> " + r.status() + " " + r.raw());
          }
          return r;
        }));
    // Numbers that already existed may belong to another org: ask which ones this org really holds.
    Reply list = callSync("GET", "/v1/numbers?orgId=" + enc(orgId), null);
    if (list.ok() && list.body() != null && list.body().getJsonArray("items") != null) {
      List<String> held = new ArrayList<>();
      JsonArray items = list.body().getJsonArray("items");
      for (int i = 0; i < items.size(); i++) {
        String n = items.getJsonObject(i).getString("number");
        if (numbers.contains(n)) {
          held.add(n);
        }
      }
      if (held.size() < count) {
        System.out.printf("[setup] %d of %d pool numbers are held by org %s (%d already existed)%n",
            held.size(), count, orgId, conflicts.get());
      }
      if (held.isEmpty()) {
        throw new IllegalStateException("org " + orgId + " holds none of the load-test numbers");
      }
      return held;
    }
    System.out.printf("[setup] GET /v1/numbers?orgId= -> %d; assuming all %d numbers are the org's%n", list.status(), count);
    return numbers;
  }

  /** {@code POST /v1/sessions}; returns the proxy number (null if the org is not anonymized). */
  public CompletableFuture<String> openSession(String orgId, String taskId, String driver, String recipient) {
    JsonObject body = new JsonObject()
        .put("orgId", orgId)
        .put("taskId", taskId)
        .put("driverPhone", driver)
        .put("recipientPhone", recipient)
        .put("variables", new JsonObject().put("orderRef", "LT-" + taskId));
    return call("POST", "/v1/sessions", body).thenApply(r -> {
      if (!r.ok() || r.body() == null) {
        throw new IllegalStateException("POST /v1/sessions " + taskId + " -> " + r.status() + " " + r.raw());
      }
      return r.body().getString("proxyNumber");
    });
  }

  /** {@code DELETE /v1/sessions/{taskId}}; 204 and 404 both count as closed. */
  public CompletableFuture<Integer> closeSession(String taskId) {
    return call("DELETE", "/v1/sessions/" + enc(taskId), null).thenApply(r -> {
      if (r.status() != 204 && r.status() != 404 && !r.ok()) {
        throw new IllegalStateException("DELETE /v1/sessions/" + taskId + " -> " + r.status() + " " + r.raw());
      }
      return r.status();
    });
  }

  /**
   * Runs {@code task(0..n-1)} with at most {@code concurrency} in flight; waits for all.
   *
   * @return number of failed tasks (the first failures are printed)
   */
  public static int parallel(int n, int concurrency, IntFunction<CompletableFuture<?>> task) {
    Semaphore permits = new Semaphore(concurrency);
    AtomicInteger failures = new AtomicInteger();
    List<CompletableFuture<?>> all = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      permits.acquireUninterruptibly();
      CompletableFuture<?> f;
      try {
        f = task.apply(i);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      all.add(f.whenComplete((v, err) -> {
        permits.release();
        if (err != null && failures.incrementAndGet() <= 5) {
          Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
          System.out.println("[setup] " + c.getMessage());
        }
      }));
    }
    try {
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException ignored) {
      // counted above
    }
    return failures.get();
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Used by the simulations' after(): a quick reachability check with a clear message. */
  public void requireReachable() {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready"))
          .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        System.out.println("[setup] WARNING " + base + "/health/ready -> " + r.statusCode());
      }
    } catch (IOException e) {
      throw new IllegalStateException("gateway admin API not reachable at " + base + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
