package maskline.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.OpenInjectionStep;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Finds the knee: the webhook mix at an open-model rate that climbs in stairs,
 * {@code startRate} (500/s) + i × {@code stepRate} (500/s) for i = 0 … {@code steps}−1 (10), each level held
 * {@code levelSeconds} (30) and joined by linear ramps of {@code rampSeconds} (5), after a warm-up ramp of
 * {@code warmupSeconds} (10) up to the first level (its own group, not in the knee table).
 *
 * <p>Every request is put in a Gatling group named after the level it was sent in ({@code "L03 1500/s"},
 * or {@code "ramp 1500->2000/s"}), so the report's statistics table gives percentiles and errors per level.
 * At the end the run also prints a per-level table (offered vs achieved rate, p50/p99, errors) and the knee:
 * the highest level that still met the SLO ({@code -Dp99Ms}, {@code -DmaxErrorPct}) and kept up with the
 * offered rate. The global SLO assertions are expected to fail when the ramp goes past the knee — that is the
 * point of the run; read the table.
 */
public class KneeSimulation extends WebhookSimulationBase {

  private final double startRate = LoadConfig.dbl("startRate", 500);
  private final double stepRate = LoadConfig.dbl("stepRate", 500);
  private final int steps = LoadConfig.integer("steps", 10);
  private final long levelSeconds = LoadConfig.duration("levelSeconds", "30").toSeconds();
  private final long rampSeconds = LoadConfig.duration("rampSeconds", "5").toSeconds();
  private final long warmupSeconds = LoadConfig.duration("warmupSeconds", "10").toSeconds();
  private final int p99Ms = LoadConfig.integer("p99Ms", 50);
  private final double maxErrorPct = LoadConfig.dbl("maxErrorPct", 0.1);
  private final Map<String, LevelStats> stats = new ConcurrentHashMap<>();
  private final AtomicLong injectionStartNanos = new AtomicLong();

  {
    List<OpenInjectionStep> stairs = new ArrayList<>();
    if (warmupSeconds > 0) {
      stairs.add(rampUsersPerSec(Math.max(1, startRate / 10)).to(startRate).during(warmupSeconds));
    }
    for (int i = 0; i < steps; i++) {
      double rate = rateOf(i);
      if (i > 0 && rampSeconds > 0) {
        stairs.add(rampUsersPerSec(rateOf(i - 1)).to(rate).during(rampSeconds));
      }
      OpenInjectionStep.ConstantRate.ConstantRateOpenInjectionStep level =
          constantUsersPerSec(rate).during(levelSeconds);
      stairs.add(LoadConfig.bool("randomized", true) ? level.randomized() : level);
    }
    System.out.printf("[config] knee stairs: warm-up %d s, then %s/s + i*%s/s, %d levels of %d s, ramps %d s (%d s in all)%n",
        warmupSeconds, fmt(startRate), fmt(stepRate), steps, levelSeconds, rampSeconds,
        warmupSeconds + steps * levelSeconds + (steps - 1) * rampSeconds);
    setUp(scenario("knee")
        .exec(session -> session.set("level", levelName()))
        .exec(group(s -> s.getString("level")).on(exec(Support.signedWebhook(mix(null), true))))
        .exec(session -> {
          stats.computeIfAbsent(session.getString("level"), k -> new LevelStats())
              .add(session.isFailed() || !session.contains("rt") ? -1 : session.getInt("rt"));
          return session;
        })
        .injectOpen(stairs))
        .protocols(Support.protocol())
        .assertions(Support.slo(50, 0.1));
  }

  private double rateOf(int i) {
    return startRate + i * stepRate;
  }

  @Override
  public void after() {
    printKnee();
    super.after();
  }

  /** Which stair the simulation is on now (by the user's arrival time; time 0 = first arrival). */
  private String levelName() {
    long now = System.nanoTime();
    injectionStartNanos.compareAndSet(0, now);
    long ms = (now - injectionStartNanos.get()) / 1_000_000 - warmupSeconds * 1000;
    if (ms < 0) {
      return "warm-up";
    }
    long cycle = (levelSeconds + rampSeconds) * 1000;
    int i = (int) Math.min(steps - 1, ms / cycle);
    long within = ms - i * cycle;
    if (within < levelSeconds * 1000 || i == steps - 1) {
      return String.format("L%02d %s/s", i + 1, fmt(rateOf(i)));
    }
    return String.format("ramp %s->%s/s", fmt(rateOf(i)), fmt(rateOf(i + 1)));
  }

  private void printKnee() {
    StringBuilder sb = new StringBuilder("\n---- Knee (per level; SLO p99 < ").append(p99Ms).append(" ms, errors < ")
        .append(maxErrorPct).append(" %) ----\n");
    sb.append(String.format("%-5s %10s %8s %8s %8s %8s %9s  %s%n",
        "level", "offered/s", "sent/s", "p50 ms", "p99 ms", "max ms", "errors %", "within SLO"));
    String knee = null;
    boolean passedOnce = false;
    boolean missedAfterPass = false;
    boolean leadingMiss = false;
    for (int i = 0; i < steps; i++) {
      String name = String.format("L%02d %s/s", i + 1, fmt(rateOf(i)));
      LevelStats s = stats.get(name);
      if (s == null) {
        continue;
      }
      long[] r = s.summary();
      double errPct = r[0] == 0 ? 0 : 100.0 * r[1] / r[0];
      boolean ok = r[0] > 0 && r[3] < p99Ms && (maxErrorPct <= 0 ? r[1] == 0 : errPct < maxErrorPct);
      if (ok && !missedAfterPass) {
        knee = name;
        passedOnce = true;
      } else if (!ok && passedOnce) {
        missedAfterPass = true;
      } else if (!ok) {
        leadingMiss = true;
      }
      sb.append(String.format("L%02d   %10s %8.0f %8d %8d %8d %9.3f  %s%n",
          i + 1, fmt(rateOf(i)), r[0] / (double) levelSeconds, r[2], r[3], r[4], errPct, ok ? "yes" : "NO"));
    }
    if (knee == null) {
      sb.append("knee: below the first level (no level met the SLO)\n");
    } else {
      sb.append("knee: ").append(knee).append(missedAfterPass
          ? " is the highest level within SLO before the first miss\n"
          : " (the top level: nothing missed after the first pass; raise startRate/stepRate/steps to find the knee)\n");
    }
    if (leadingMiss && knee != null) {
      sb.append("note: the first level(s) missed the SLO before later ones met it: JIT warm-up? "
          + "warm the gateway up first or start the stairs lower\n");
    }
    System.out.println(sb);
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  /** Response times (ms) of one level; -1 = failed request. */
  private static final class LevelStats {
    private int[] times = new int[1024];
    private int n;
    private long failed;

    synchronized void add(int ms) {
      if (ms < 0) {
        failed++;
        return;
      }
      if (n == times.length) {
        times = Arrays.copyOf(times, n * 2);
      }
      times[n++] = ms;
    }

    /** {requests, failed, p50, p99, max}. */
    synchronized long[] summary() {
      int[] t = Arrays.copyOf(times, n);
      Arrays.sort(t);
      long total = n + failed;
      return new long[] {total, failed, pct(t, 50), pct(t, 99), n == 0 ? 0 : t[n - 1]};
    }

    private static long pct(int[] sorted, double p) {
      if (sorted.length == 0) {
        return 0;
      }
      int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }
  }
}
