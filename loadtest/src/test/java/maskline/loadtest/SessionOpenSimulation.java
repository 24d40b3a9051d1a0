package maskline.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Session churn through the admin API: each virtual user opens a session ({@code POST /v1/sessions},
 * expects 201 with a {@code proxyNumber}), keeps it {@code holdSeconds} (2) and closes it
 * ({@code DELETE /v1/sessions/{taskId}}, expects 204). Open model, {@code rate} (100) new sessions per second
 * for {@code duration} (60 s).
 *
 * <p>Setup ({@code before()}): {@code PUT /v1/orgs/{orgId}} and a pool of {@code numbers} proxy numbers sized
 * for the load: a driver's concurrent sessions each need a different number, so the default pool is
 * 3 × (rate × hold / drivers) + 10 (drivers: {@code sessionDrivers}, 1000). Recipients are fresh per session.
 */
public class SessionOpenSimulation extends Simulation {

  private final double rate = LoadConfig.dbl("rate", 100);
  private final Duration duration = LoadConfig.duration("duration", "60");
  private final long holdSeconds = LoadConfig.duration("holdSeconds", "2").toSeconds();
  private final int drivers = LoadConfig.integer("sessionDrivers", 1000);
  private final int numbers = LoadConfig.integer("numbers",
      (int) Math.ceil(3 * rate * Math.max(1, holdSeconds) / drivers) + 10);
  private final String orgId = LoadConfig.orgId();
  private final String runId = LoadConfig.str("runId", Long.toString(System.currentTimeMillis(), 36));
  private final String auth = "Bearer " + LoadConfig.adminToken();

  {
    AtomicLong seq = new AtomicLong();
    Iterator<Map<String, Object>> sessions = new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Map<String, Object> next() {
        long n = seq.getAndIncrement();
        return Map.of(
            "taskId", "lt-" + runId + "-s" + n,
            "driver", Phones.sessionDriver(ThreadLocalRandom.current().nextInt(drivers)),
            "recipient", Phones.sessionRecipient(n));
      }
    };
    OpenInjectionStep.ConstantRate.ConstantRateOpenInjectionStep load =
        constantUsersPerSec(rate).during(duration);
    setUp(scenario("session open/close")
        .feed(sessions)
        .exec(http("open session").post("/v1/sessions")
            .header("Authorization", auth)
            .header("Content-Type", "application/json")
            .body(StringBody(s -> String.format(
                "{\"orgId\":\"%s\",\"taskId\":\"%s\",\"driverPhone\":\"%s\",\"recipientPhone\":\"%s\","
                    + "\"variables\":{\"orderRef\":\"%s\"}}",
                orgId, s.getString("taskId"), s.getString("driver"), s.getString("recipient"), s.getString("taskId"))))
            .check(status().is(201), jsonPath("$.proxyNumber").ofString().exists()))
        .pause(Duration.ofSeconds(holdSeconds))
        .exec(http("close session").delete("/v1/sessions/#{taskId}")
            .header("Authorization", auth)
            .check(status().is(204)))
        .injectOpen(LoadConfig.bool("randomized", true) ? load.randomized() : load))
        .protocols(Support.protocol())
        .assertions(Support.slo(200, 0.1));
  }

  @Override
  public void before() {
    System.out.printf("[config] sessions: %s/s for %s, hold %d s, %d drivers, pool of %d numbers, org %s%n",
        rate, duration, holdSeconds, drivers, numbers, orgId);
    AdminClient admin = new AdminClient(LoadConfig.adminUrl(), LoadConfig.adminToken());
    admin.requireReachable();
    admin.putOrg(orgId);
    admin.ensureNumbers(orgId, numbers, LoadConfig.integer("setupConcurrency", 32));
  }
}
