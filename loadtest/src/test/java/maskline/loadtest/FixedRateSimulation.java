package maskline.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.OpenInjectionStep;

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
 * Gatling records response times in whole milliseconds: a sub-millisecond baseline p99 shows as 0 or 1 ms.
 */
public class FixedRateSimulation extends WebhookSimulationBase {

  {
    double rate = LoadConfig.dbl("rate", 5000);
    OpenInjectionStep.ConstantRate.ConstantRateOpenInjectionStep load =
        constantUsersPerSec(rate).during(LoadConfig.duration("duration", "60"));
    setUp(scenario("fixed rate sms")
        .exec(Support.signedWebhook(mix(0.0)))
        .injectOpen(LoadConfig.bool("randomized", true) ? load.randomized() : load))
        .protocols(Support.protocol())
        .assertions(Support.slo(10, 0));
  }
}
