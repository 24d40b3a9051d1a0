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
import java.util.concurrent.atomic.AtomicBoolean;
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
   * SIGTERM drains and closes ({@link #stopOn}). A bad configuration exits 2 with one clear line.
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
          stopOn(gateway);
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

  /**
   * SIGTERM and SIGINT stop the gateway gracefully, then exit 0, or 1 when the stop did not finish in time. Left to
   * the JVM, a signal exits 143 (or 130) after the shutdown hooks even when the stop was clean, which Kubernetes and
   * systemd report as a failure. Any other way out of the JVM still runs the stop, as a shutdown hook.
   */
  private static void stopOn(Gateway gateway) {
    AtomicBoolean stopping = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (stopping.compareAndSet(false, true)) {
        shutdown(gateway);
      }
    }, "maskline-shutdown-hook"));
    // sun.misc.Signal lives on in jdk.unsupported for exactly this (JEP 260); javac warns about it all the same.
    sun.misc.SignalHandler stop = signal -> {
      if (stopping.compareAndSet(false, true)) {
        // Not on the signal dispatcher's thread: the stop takes seconds.
        new Thread(() -> System.exit(shutdown(gateway) ? 0 : 1), "maskline-shutdown").start();
      }
    };
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), stop);
      } catch (IllegalArgumentException taken) {
        // The JVM keeps this signal (-Xrs) or it is unknown here: the shutdown hook covers it.
        LOG.info("signal left to the JVM {}", kv("signal", name));
      }
    }
  }

  /** Drains and closes the gateway, within the drain time and 5 s for the rest; whether it finished in time. */
  private static boolean shutdown(Gateway gateway) {
    long deadline = gateway.services().config().http().shutdownDrain().toMillis() + 5_000;
    try {
      gateway.stop().compose(v -> gateway.vertx().close()).await(deadline, TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      LOG.warn("shutdown did not finish in time", e);
      return false;
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
