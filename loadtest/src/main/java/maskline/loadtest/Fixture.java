package maskline.loadtest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The session population the webhook load runs over: {@code bindings} active sessions (default 10,000),
 * {@code closedSessions} sessions opened and closed again (post-task history, default bindings/10) and the
 * org's proxy numbers.
 *
 * <p>Participants: active session i has recipient {@code Phones.recipient(i)} and driver
 * {@code Phones.driver(i % drivers)} (default drivers = bindings/4, i.e. a driver has about 4 open tasks).
 * Closed sessions use their own drivers and recipients, so no active binding ever shadows their history.
 *
 * <p>Two ways to build it:
 * <ul>
 *   <li>{@link #openOnGateway()}: through the admin API (org, number pool, sessions); the proxy of each
 *       session is what the gateway allocated.</li>
 *   <li>{@link #deterministic()}: no gateway (baseline server); proxies assigned by a fixed rule.
 *       The baseline seeds Redis from the same function, so its GETs hit.</li>
 * </ul>
 *
 * Properties: {@code bindings} (10000), {@code closedSessions} (bindings/10), {@code drivers} (bindings/4),
 * {@code numbers} (max(20, bindings/100)), {@code orgId} (loadtest), {@code runId} (time based),
 * {@code setupConcurrency} (32).
 */
public final class Fixture {

  public final int bindingCount;
  public final int closedCount;
  public final int driverCount;
  public final int numberCount;
  public final String orgId;
  public final String runId;

  private volatile List<Binding> active = List.of();
  private volatile List<Binding> closed = List.of();
  private volatile List<String> proxies = List.of();

  public Fixture(int bindings, int closedSessions, int drivers, int numbers, String orgId, String runId) {
    if (bindings < 1 || drivers < 1 || numbers < 1 || closedSessions < 0) {
      throw new IllegalArgumentException("bindings, drivers and numbers must be >= 1");
    }
    this.bindingCount = bindings;
    this.closedCount = closedSessions;
    this.driverCount = drivers;
    this.numberCount = numbers;
    this.orgId = orgId;
    this.runId = runId;
  }

  /** From system properties (see class comment). */
  public static Fixture fromProperties() {
    return fromProperties(LoadConfig.integer("bindings", 10_000));
  }

  /** From system properties, but with {@code bindings} given. */
  public static Fixture fromProperties(int bindings) {
    return new Fixture(
        bindings,
        LoadConfig.integer("closedSessions", Math.max(1, bindings / 10)),
        LoadConfig.integer("drivers", Math.max(1, bindings / 4)),
        LoadConfig.integer("numbers", Math.max(20, bindings / 100)),
        LoadConfig.orgId(),
        LoadConfig.str("runId", Long.toString(System.currentTimeMillis(), 36)));
  }

  public List<Binding> active() {
    return active;
  }

  public List<Binding> closed() {
    return closed;
  }

  public List<String> proxies() {
    return proxies;
  }

  public boolean ready() {
    return !active.isEmpty();
  }

  String activeTask(int i) {
    return "lt-" + runId + "-a" + i;
  }

  String closedTask(int i) {
    return "lt-" + runId + "-c" + i;
  }

  String closedDriver(int i) {
    return Phones.driver(driverCount + i);
  }

  String closedRecipient(int i) {
    return Phones.recipient(bindingCount + i);
  }

  /**
   * No gateway: the m-th session of driver j (session i = j + m × drivers) uses proxy (j + m) mod numbers,
   * so, as on the gateway, no driver has two open sessions on one number (while m &lt; numbers).
   */
  public Fixture deterministic() {
    List<Binding> a = new ArrayList<>(bindingCount);
    for (int i = 0; i < bindingCount; i++) {
      int j = i % driverCount;
      int m = i / driverCount;
      a.add(new Binding(activeTask(i), Phones.proxy((j + m) % numberCount), Phones.driver(j), Phones.recipient(i)));
    }
    List<Binding> c = new ArrayList<>(closedCount);
    for (int i = 0; i < closedCount; i++) {
      c.add(new Binding(closedTask(i), Phones.proxy(i % numberCount), closedDriver(i), closedRecipient(i)));
    }
    List<String> p = new ArrayList<>(numberCount);
    for (int k = 0; k < numberCount; k++) {
      p.add(Phones.proxy(k));
    }
    this.proxies = Collections.unmodifiableList(p);
    this.closed = Collections.unmodifiableList(c);
    this.active = Collections.unmodifiableList(a);
    return this;
  }

  /** Org, numbers, closed sessions (opened then closed), then the active sessions, through the admin API. */
  public Fixture openOnGateway() {
    String url = LoadConfig.adminUrl();
    AdminClient admin = new AdminClient(url, LoadConfig.adminToken());
    int conc = LoadConfig.integer("setupConcurrency", 32);
    long t0 = System.nanoTime();
    admin.requireReachable();
    admin.putOrg(orgId);
    List<String> pool = admin.ensureNumbers(orgId, numberCount, conc);
    System.out.printf("[setup] org %s with %d numbers at %s%n", orgId, pool.size(), url);

    Binding[] c = new Binding[closedCount];
    int failed = AdminClient.parallel(closedCount, conc, i -> admin
        .openSession(orgId, closedTask(i), closedDriver(i), closedRecipient(i))
        .thenCompose(p -> {
          c[i] = new Binding(closedTask(i), p, closedDriver(i), closedRecipient(i));
          return admin.closeSession(closedTask(i));
        }));
    requireFew(failed, closedCount, "closed sessions");
    System.out.printf("[setup] %d sessions opened and closed (post-task history)%n", closedCount - failed);

    Binding[] a = new Binding[bindingCount];
    failed = AdminClient.parallel(bindingCount, conc, i -> {
      String d = Phones.driver(i % driverCount);
      String r = Phones.recipient(i);
      return admin.openSession(orgId, activeTask(i), d, r)
          .thenApply(p -> a[i] = new Binding(activeTask(i), p, d, r));
    });
    requireFew(failed, bindingCount, "active sessions");
    this.proxies = Collections.unmodifiableList(new ArrayList<>(pool));
    this.closed = compact(c);
    this.active = compact(a);
    for (Binding b : active) {
      if (b.proxy() == null) {
        throw new IllegalStateException("session " + b.taskId() + " has no proxyNumber: is org " + orgId + " anonymized?");
      }
    }
    System.out.printf("[setup] %d active sessions open (run id %s) in %.1f s%n",
        active.size(), runId, (System.nanoTime() - t0) / 1e9);
    return this;
  }

  /** Closes the active sessions opened by {@link #openOnGateway()}. */
  public void closeOnGateway() {
    AdminClient admin = new AdminClient(LoadConfig.adminUrl(), LoadConfig.adminToken());
    List<Binding> a = active;
    int failed = AdminClient.parallel(a.size(), LoadConfig.integer("setupConcurrency", 32),
        i -> admin.closeSession(a.get(i).taskId()));
    System.out.printf("[teardown] closed %d of %d load-test sessions%n", a.size() - failed, a.size());
  }

  private static void requireFew(int failed, int total, String what) {
    if (failed > Math.max(1, total / 100)) {
      throw new IllegalStateException("setup: " + failed + " of " + total + " " + what + " failed (see above)");
    }
  }

  private static List<Binding> compact(Binding[] arr) {
    List<Binding> out = new ArrayList<>(arr.length);
    for (Binding b : arr) {
      if (b != null) {
        out.add(b);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** Both routing directions of a binding as the baseline's Redis key: {@code mlb:<to>|<from>}. */
  public static String baselineKey(String to, String from) {
    return "mlb:" + to + "|" + from;
  }
}
