package maskline.loadtest;

import io.gatling.javaapi.core.Simulation;

/**
 * Owns the fixture for webhook simulations: opens the sessions in {@code before()} ({@code -Dsetup=true},
 * default) or builds the deterministic fixture for the baseline server ({@code -Dsetup=false}), and closes
 * the sessions in {@code after()} ({@code -Dcleanup=true}, default).
 */
abstract class WebhookSimulationBase extends Simulation {

  protected final Fixture fixture = Fixture.fromProperties();
  protected final boolean setupOnGateway = LoadConfig.bool("setup", true);

  /** The mix; {@code voicePct} null = take {@code -DvoicePct}. */
  protected WebhookMix mix(Double voicePct) {
    return WebhookMix.fromProperties(fixture, voicePct);
  }

  @Override
  public void before() {
    System.out.printf("[config] bindings=%d closedSessions=%d drivers=%d numbers=%d orgId=%s setup=%s%n",
        fixture.bindingCount, fixture.closedCount, fixture.driverCount, fixture.numberCount, fixture.orgId,
        setupOnGateway);
    if (setupOnGateway) {
      fixture.openOnGateway();
    } else {
      fixture.deterministic();
    }
  }

  @Override
  public void after() {
    if (setupOnGateway && LoadConfig.bool("cleanup", true) && fixture.ready()) {
      fixture.closeOnGateway();
    }
  }
}
