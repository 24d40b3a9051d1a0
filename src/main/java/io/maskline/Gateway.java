package io.maskline;

import io.maskline.anonymizer.AnonymizerVerticle;
import io.maskline.notification.NotificationSender;
import io.maskline.api.AdminApiContract;
import io.maskline.config.GatewayConfig;
import io.maskline.ops.Health;
import io.maskline.storage.Postgres;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.ReplyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * A running gateway: clients, schema, HTTP verticles (one per core), light periodic verticles and background work.
 * Background work (archiver, mailer, archive maintenance, anonymizer) runs on a Vert.x instance of its own with one
 * event loop and its own clients: its batches (thousands of stream entries decoded, a multi-row insert encoded) then
 * take turns with the webhooks' event loops on the cores instead of stalling one of them for the batch's length
 * (docs/PERFORMANCE.md, "the default pod").
 * {@link #stop()} reverses start: stop accepting and drain HTTP, stop background work, close clients.
 */
public final class Gateway {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
  /** How long background work gets at stop to finish what it holds (an archiver's read blocks up to a second). */
  static final Duration BACKGROUND_STOP = Duration.ofSeconds(3);

  private final Vertx vertx;
  private final Services services;
  private final Vertx backgroundVertx;
  private final Services background;
  private final List<String> httpDeployments = new ArrayList<>();
  private final List<String> periodicDeployments = new CopyOnWriteArrayList<>();
  private final List<String> backgroundDeployments = new CopyOnWriteArrayList<>();

  private Gateway(Vertx vertx, Services services, Vertx backgroundVertx) {
    this.vertx = vertx;
    this.services = services;
    this.backgroundVertx = backgroundVertx;
    this.background = services.forBackground(backgroundVertx);
  }

  /** One event loop, a small worker pool; built off any Vert.x thread (Vert.x warns about instances made on one). */
  private static Future<Vertx> backgroundVertx() {
    return Future.fromCompletionStage(CompletableFuture.supplyAsync(() -> Vertx.builder()
        .with(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2).setPreferNativeTransport(true))
        .build()));
  }

  public static Future<Gateway> start(Vertx vertx, PrometheusMeterRegistry metrics, GatewayConfig config) {
    // Start-up is a small graph, not a chain: the schema migration (a worker thread) runs while the contract is
    // parsed and the HTTP routers are built; only what touches Postgres waits for it.
    Future<Integer> migrated = Postgres.migrate(vertx, config.postgres().url())
        .onSuccess(count -> LOG.info("schema ready {}", kv("migrationsApplied", count)));
    return AdminApiContract.load(vertx)
        .map(contract -> Services.create(vertx, config, metrics, contract))
        .compose(services -> backgroundVertx().compose(background -> new Gateway(vertx, services, background).deploy(migrated)));
  }

  private Future<Gateway> deploy(Future<Integer> migrated) {
    Health health = new Health(vertx, services.redis(), services.pg());
    Features features = Features.create(vertx, services, backgroundVertx, background, health);
    // Once the schema is there and the secret that names people in Redis keys is read (every pod reads the same),
    // background verticles deploy while Redis is re-mirrored from Postgres.
    Future<Void> backgroundReady = migrated.compose(schema -> services.partyKeys().load(services.pg())).compose(secret -> {
      List<Future<String>> deployments = new ArrayList<>();
      for (Supplier<? extends Deployable> periodic : features.periodic()) {
        deployments.add(vertx.deployVerticle(periodic, new DeploymentOptions()).onSuccess(periodicDeployments::add));
      }
      for (Supplier<? extends Deployable> work : features.background()) {
        deployments.add(backgroundVertx.deployVerticle(work, new DeploymentOptions()).onSuccess(backgroundDeployments::add));
      }
      // The admin API asks for anonymizer runs on its own event bus; the anonymizer listens on the background one.
      relayToBackground(AnonymizerVerticle.ADDRESS);
      // A queued notification wakes the sender, which works on the background side.
      relayToBackground(NotificationSender.WAKE_UP);
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

  private void relayToBackground(String address) {
    vertx.eventBus().<Object>localConsumer(address, asked -> backgroundVertx.eventBus().request(address, asked.body())
        .onSuccess(answer -> asked.reply(answer.body()))
        .onFailure(e -> asked.fail(e instanceof ReplyException r ? r.failureCode() : -1, String.valueOf(e.getMessage()))));
  }

  public Services services() {
    return services;
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * Graceful: HTTP first (drained), then background verticles, then the clients they used. Background work gets
   * {@link #BACKGROUND_STOP} to finish what it holds; a store that never answers (a frozen Redis under a blocked
   * read) would hold it forever, so then the clients are closed under it: what an archiver held stays pending in
   * Redis for another pod, and the degraded buffer has gone to Postgres already.
   */
  public Future<Void> stop() {
    LOG.info("stopping: draining HTTP {}", kv("drainMs", services.config().http().shutdownDrain().toMillis()));
    return undeployAll(vertx, httpDeployments)
        .compose(v -> Future.join(undeployAll(vertx, periodicDeployments), undeployAll(backgroundVertx, backgroundDeployments))
            .timeout(BACKGROUND_STOP.toMillis(), TimeUnit.MILLISECONDS)
            .recover(e -> {
              LOG.warn("background work did not stop in time, closing its clients {}", kv("waitedMs", BACKGROUND_STOP.toMillis()));
              return Future.succeededFuture();
            }))
        .eventually(() -> Future.join(List.of(services.webhookRedis().close(), services.redis().close(), services.pg().close(), services.mail().close(),
            background.redis().close(), background.pg().close(), background.mail().close())))
        .eventually(backgroundVertx::close)
        .onComplete(done -> LOG.info("stopped"))
        .mapEmpty();
  }

  private static Future<Void> undeployAll(Vertx owner, List<String> ids) {
    List<Future<Void>> undeployed = ids.stream().map(owner::undeploy).toList();
    ids.clear();
    return Future.join(undeployed).mapEmpty();
  }
}
