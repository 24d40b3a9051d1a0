package maskline.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.OpenInjectionStep;

/**
 * Signed SMS and voice webhooks over 10,000 active sessions with the realistic mix of {@link WebhookMix}
 * (in-session forward, post-task fallback, unknown caller, duplicates), at a constant open-model rate.
 *
 * <pre>
 * mvn -f loadtest/pom.xml gatling:test -Dgatling.simulationClass=maskline.loadtest.WebhookMixSimulation \
 *   -DbaseUrl=http://127.0.0.1:8080 -DpublicUrl=http://localhost:8080 -DadminToken=… -DauthToken=… \
 *   -Drate=1000 -Dduration=60 [-Dbindings=10000] [-DvoicePct=30] [-Dp99Ms=50] [-DmaxErrorPct=0.1]
 * </pre>
 */
public class WebhookMixSimulation extends WebhookSimulationBase {

  {
    double rate = LoadConfig.dbl("rate", 1000);
    OpenInjectionStep.ConstantRate.ConstantRateOpenInjectionStep load =
        constantUsersPerSec(rate).during(LoadConfig.duration("duration", "60"));
    setUp(scenario("webhook mix")
        .exec(Support.signedWebhook(mix(null)))
        .injectOpen(LoadConfig.bool("randomized", true) ? load.randomized() : load))
        .protocols(Support.protocol())
        .assertions(Support.slo(50, 0.1));
  }
}
