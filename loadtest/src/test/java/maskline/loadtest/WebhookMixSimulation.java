package maskline.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.OpenInjectionStep;
import java.util.ArrayList;
import java.util.List;

/**
 * Signed SMS and voice webhooks over 10,000 active sessions with the realistic mix of {@link WebhookMix}
 * (in-session forward, post-task fallback, unknown caller, duplicates), at a constant open-model rate.
 *
 * Optional warm-up ramp ({@code -DwarmupSeconds}, default 0) from a tenth of the rate, not counted.
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
    long warmup = LoadConfig.duration("warmupSeconds", "0").toSeconds();
    OpenInjectionStep.ConstantRate.ConstantRateOpenInjectionStep load =
        constantUsersPerSec(rate).during(LoadConfig.duration("duration", "60"));
    List<OpenInjectionStep> injection = new ArrayList<>();
    if (warmup > 0) {
      injection.add(rampUsersPerSec(Math.max(1, rate / 10)).to(rate).during(warmup));
    }
    injection.add(LoadConfig.bool("randomized", true) ? load.randomized() : load);
    setUp(scenario("webhook mix")
        .exec(warmup > 0 ? Support.phased(Support.signedWebhook(mix(null)), warmup) : Support.signedWebhook(mix(null)))
        .injectOpen(injection))
        .protocols(Support.protocol())
        .assertions(Support.slo(50, 0.1, warmup > 0));
  }
}
