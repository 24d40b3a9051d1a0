package io.maskline.ops;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.util.EnumSet;

/** One Prometheus registry per process: Vert.x HTTP/pool/client metrics, JVM metrics and Maskline's own counters. */
public final class Metrics {
  private Metrics() {}

  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(new MeterFilter() {
      // HTTP server timings as histograms so p99 can be aggregated across pods.
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (id.getName().startsWith("vertx.http.server.response.time") || id.getName().startsWith("maskline.")) {
          return DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config);
        }
        return config;
      }
    });
    // Request/response size summaries cost on every request and answer no operator question (the body limit does).
    registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("vertx.http.server.request.bytes")
        || id.getName().equals("vertx.http.server.response.bytes")));
    return registry;
  }

  public static VertxOptions vertxOptions(VertxOptions options) {
    return options.setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        // Per-connection byte counters and event-bus meters cost on every request and answer no operator question.
        .addDisabledMetricsCategory(MetricsDomain.NET_SERVER)
        .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
        .addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET)
        // Route templates, not raw paths: a path carrying a task id or number must not explode label cardinality.
        .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.POOL_TYPE, Label.POOL_NAME)));
  }
}
