package io.maskline.archive;

import io.maskline.storage.StreamGroup;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Archive lag as Prometheus gauges and as the {@code archive} detail of {@code /health/ready}: the stream's backlog
 * (acknowledged entries are deleted, so its length is what is still to be archived), entries read but not yet
 * acknowledged, and the age of the oldest of those. Gauges show the last sample; the archiver samples every few seconds.
 */
public final class ArchiveLagMonitor {
  private final ArchiveStream stream;
  private final Clock clock;
  private final AtomicLong length = new AtomicLong();
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong oldestPendingAgeMillis = new AtomicLong();

  public ArchiveLagMonitor(ArchiveStream stream, Clock clock, MeterRegistry metrics) {
    this.stream = stream;
    this.clock = clock;
    Gauge.builder("maskline.archive.stream.length", length, AtomicLong::get)
        .description("Archive stream entries not yet archived (read or unread)").register(metrics);
    Gauge.builder("maskline.archive.pending", pending, AtomicLong::get)
        .description("Archive entries read by an archiver but not yet acknowledged").register(metrics);
    Gauge.builder("maskline.archive.pending.oldest.age", oldestPendingAgeMillis, v -> v.get() / 1000.0).baseUnit("seconds")
        .description("Age of the oldest archive entry read but not yet acknowledged").register(metrics);
  }

  public Future<StreamGroup.Lag> sample() {
    return stream.lag(clock.millis()).onSuccess(lag -> {
      length.set(lag.length());
      pending.set(lag.pending());
      oldestPendingAgeMillis.set(lag.oldestPendingAgeMillis());
    });
  }

  public Future<JsonObject> readinessDetail() {
    return sample().map(lag -> new JsonObject()
        .put("streamLength", lag.length())
        .put("pending", lag.pending())
        .put("oldestPendingAgeSeconds", lag.oldestPendingAgeMillis() / 1000.0));
  }
}
