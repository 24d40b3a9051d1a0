package io.maskline.archive;

import io.vertx.core.Future;

import java.time.Duration;

/**
 * The archive's housekeeping, run periodically by one verticle per pod: partitions for the months ahead, status
 * updates parked by two writers racing each other, parked updates whose interaction never came, and consumers of
 * pods long gone. Every step is idempotent, so pods running it at the same time do no harm.
 */
public final class ArchiveMaintenance {
  private static final Duration PARKED_STATUS_TTL = Duration.ofDays(7);
  private static final Duration GONE_CONSUMER_IDLE = Duration.ofDays(1);

  private final ArchivePartitions partitions;
  private final ArchiveWriter writer;
  private final ArchiveStream stream;

  public ArchiveMaintenance(ArchivePartitions partitions, ArchiveWriter writer, ArchiveStream stream) {
    this.partitions = partitions;
    this.writer = writer;
    this.stream = stream;
  }

  public Future<Void> run() {
    return partitions.ensureAhead()
        .compose(created -> writer.applyParked(1_000))
        .compose(applied -> writer.dropParkedOlderThan(PARKED_STATUS_TTL))
        .compose(dropped -> stream.forgetIdleConsumers(GONE_CONSUMER_IDLE))
        .mapEmpty();
  }
}
