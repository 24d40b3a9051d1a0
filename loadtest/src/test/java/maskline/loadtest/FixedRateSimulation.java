package maskline.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.OpenInjectionStep;
import java.util.ArrayList;
import java.util.List;

/**
 * The issue-4 fixed-rate comparison: signed SMS webhooks ({@code /webhooks/twilio/sms} only, same mix as the
 * wrk benchmark) at a constant open-model rate, default 5,000/s for 60 s, no error allowed. Point it at the
 * gateway ({@code -Dsetup=true}, default: opens the 10,000 sessions first) or at the baseline server
 * ({@code -Dsetup=false}: deterministic fixture, which the baseline seeds with {@code --seed 10000}).
 *
 * <pre>
 * # baseline
 * mvn -f loadtest/pom.xml gatling:test -Dgatling.simulationClass=maskline.loadtest.FixedRateSimulation \
 *   -DbaseUrl=http://127.0.0.1:8090 -Dsetup=false
 * # gateway
 * mvn -f loadtest/pom.xml gatling:test -Dgatling.simulationClass=maskline.loadtest.FixedRateSimulation \
 *   -DbaseUrl=http://127.0.0.1:8080 -DadminToken=… -DauthToken=… -DpublicUrl=…
 * </pre>
 *
 * A warm-up ramp of {@code warmupSeconds} (10) from rate/10 to the rate comes first; its requests are in the
 * group {@code warm-up}, the rest in {@code measured}, and the p99 assertion applies to {@code measured}
 * (the no-error assertion to all). {@code -DwarmupSeconds=0}: no warm-up, plain global assertions.
 *
 * <p>Gatling records response times in whole milliseconds: a sub-millisecond baseline p99 shows as 0 or 1 ms.
 */
public class FixedRateSimulation extends WebhookSimulationBase {

  {
    double rate = LoadConfig.dbl("rate", 5000);
    long warmup = LoadConfig.duration("warmupSeconds", "10").toSeconds();
    OpenInjectionStep.ConstantRate.ConstantRateOpenInjectionStep load =
        constantUsersPerSec(rate).during(LoadConfig.duration("duration", "60"));
    List<OpenInjectionStep> injection = new ArrayList<>();
    if (warmup > 0) {
      injection.add(rampUsersPerSec(Math.max(1, rate / 10)).to(rate).during(warmup));
    }
    injection.add(LoadConfig.bool("randomized", true) ? load.randomized() : load);
    setUp(scenario("fixed rate sms")
        .exec(warmup > 0 ? Support.phased(Support.signedWebhook(mix(0.0)), warmup) : Support.signedWebhook(mix(0.0)))
        .injectOpen(injection))
        .protocols(Support.protocol())
        .assertions(Support.slo(10, 0, warmup > 0));
  }
}
