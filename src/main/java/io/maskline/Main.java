package io.maskline;

import io.maskline.config.ConfigException;
import io.maskline.config.ConfigLoader;
import io.maskline.config.GatewayConfig;
import io.maskline.ops.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static net.logstash.logback.argument.StructuredArguments.kv;

/** Production entry point: configuration from {@code conf/application.yaml} + {@code MASKLINE_*}, external Redis and Postgres. */
public final class Main {
  static {
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
  }

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    run(vertx -> ConfigLoader.fromEnvironment(vertx).map(GatewayConfig::requireProductionSettings));
  }

  /**
   * Boots a gateway process: metrics-enabled Vert.x, configuration (production checks, or dev services), start;
   * a SIGTERM hook drains and closes. A bad configuration exits 2 with one clear line.
   */
  public static Future<Gateway> run(Function<Vertx, Future<GatewayConfig>> loadConfig) {
    long started = System.nanoTime();
    PrometheusMeterRegistry registry = Metrics.newRegistry();
    Vertx vertx = newVertx(registry);
    return loadConfig.apply(vertx)
        .compose(config -> {
          LOG.info("starting {}", kv("config", config.toString()));
          return Gateway.start(vertx, registry, config);
        })
        .onSuccess(gateway -> {
          LOG.info("Maskline ready {} {}", kv("startupMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)),
              kv("transport", vertx.isNativeTransportEnabled() ? "epoll" : "nio"));
          Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(gateway), "maskline-shutdown"));
        })
        .onFailure(failure -> {
          if (failure instanceof ConfigException) {
            System.err.println(failure.getMessage());
            LOG.error(failure.getMessage());
            halt(2);
          } else {
            LOG.error("start-up failed", failure);
            halt(1);
          }
        });
  }

  /** Vert.x with its metrics in {@code registry}. */
  static Vertx newVertx(PrometheusMeterRegistry registry) {
    return Vertx.builder()
        // epoll where available: fewer allocations and syscalls per request than NIO (docs/PERFORMANCE.md).
        .with(Metrics.vertxOptions(new VertxOptions().setPreferNativeTransport(true)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }

  private static void shutdown(Gateway gateway) {
    long deadline = gateway.services().config().http().shutdownDrain().toMillis() + 5_000;
    try {
      gateway.stop().compose(v -> gateway.vertx().close()).await(deadline, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("shutdown did not finish in time", e);
    }
  }

  private static void halt(int status) {
    // Give the async log appender a moment to flush the reason before exiting.
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    System.exit(status);
  }
}
