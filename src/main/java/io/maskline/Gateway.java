package io.maskline;

import io.maskline.api.AdminApiContract;
import io.maskline.config.GatewayConfig;
import io.maskline.ops.Health;
import io.maskline.storage.Postgres;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * A running gateway: clients, schema, HTTP verticles (one per core) and background verticles.
 * {@link #stop()} reverses start: stop accepting and drain HTTP, stop background work, close clients.
 */
public final class Gateway {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final Vertx vertx;
  private final Services services;
  private final List<String> httpDeployments = new ArrayList<>();
  private final List<String> backgroundDeployments = new java.util.concurrent.CopyOnWriteArrayList<>();

  private Gateway(Vertx vertx, Services services) {
    this.vertx = vertx;
    this.services = services;
  }

  public static Future<Gateway> start(Vertx vertx, PrometheusMeterRegistry metrics, GatewayConfig config) {
    // Start-up is a small graph, not a chain: the schema migration (a worker thread) runs while the contract is
    // parsed and the HTTP routers are built; only what touches Postgres waits for it.
    Future<Integer> migrated = Postgres.migrate(vertx, config.postgres().url())
        .onSuccess(count -> LOG.info("schema ready {}", kv("migrationsApplied", count)));
    return AdminApiContract.load(vertx)
        .map(contract -> Services.create(vertx, config, metrics, contract))
        .compose(services -> new Gateway(vertx, services).deploy(migrated));
  }

  private Future<Gateway> deploy(Future<Integer> migrated) {
    Health health = new Health(vertx, services.redis(), services.pg());
    Features features = Features.create(vertx, services, health);
    // Once the schema is there, background verticles deploy while Redis is re-mirrored from Postgres.
    Future<Void> backgroundReady = migrated.compose(schema -> {
      List<Future<String>> deployments = new ArrayList<>();
      for (Supplier<? extends Deployable> background : features.background()) {
        deployments.add(vertx.deployVerticle(background, new DeploymentOptions()).onSuccess(backgroundDeployments::add));
      }
      return Future.all(features.warmUp().get(), Future.all(deployments)).mapEmpty();
    });
    // HTTP verticles build their routers now and start listening only when the rest is ready.
    int instances = services.config().http().effectiveInstances();
    return vertx.deployVerticle(() -> new HttpVerticle(services, health, features.authenticator(), features.http(), backgroundReady), new DeploymentOptions().setInstances(instances))
        .map(id -> {
          httpDeployments.add(id);
          LOG.info("listening {} {}", kv("port", services.config().http().port()), kv("httpInstances", instances));
          return this;
        });
  }

  public Services services() {
    return services;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Graceful: HTTP first (drained), then background verticles, then the clients they used. */
  public Future<Void> stop() {
    LOG.info("stopping: draining HTTP {}", kv("drainMs", services.config().http().shutdownDrain().toMillis()));
    return undeployAll(httpDeployments)
        .compose(v -> undeployAll(backgroundDeployments))
        .eventually(() -> Future.join(List.of(services.webhookRedis().close(), services.redis().close(), services.pg().close(), services.mail().close())))
        .onComplete(done -> LOG.info("stopped"))
        .mapEmpty();
  }

  private Future<Void> undeployAll(List<String> ids) {
    List<Future<Void>> undeployed = ids.stream().map(vertx::undeploy).toList();
    ids.clear();
    return Future.join(undeployed).mapEmpty();
  }
}
