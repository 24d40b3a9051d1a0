package io.maskline.archive;

import io.maskline.config.GatewayConfig;
import io.maskline.ops.Backoff;
import io.maskline.storage.StreamEntry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Moves the archive stream into Postgres, one pod-wide consumer of the {@code archiver} group per pod.
 * A batch is written in one transaction and acknowledged only after commit; while Postgres is down the same batch
 * is retried with capped exponential backoff and nothing new is read, so events wait in Redis. Entries a dead
 * consumer left unacknowledged are taken over with XAUTOCLAIM once idle for {@code archive.claimIdle}. Writes are
 * idempotent, so an entry written twice (crash between commit and ack) still gives one row. Once the stream is
 * drained the next read waits {@code archive.batchInterval}: at a steady rate the events of that interval then go
 * in one batch, which costs the pod far less than a transaction per few events.
 */
public final class ArchiverVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ArchiverVerticle.class);
  private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), true);

  private final ArchiveStream stream;
  private final ArchiveWriter writer;
  private final ArchivePartitions partitions;
  private final GatewayConfig.Archive config;
  private final String consumer;
  private final Counter written;
  private final Counter invalid;
  private final Counter deadLettered;
  private final Counter reclaimed;
  private final Counter failures;
  private final Timer batchTime;

  private final Promise<Void> stopped = Promise.promise();
  private boolean stopping;
  private long backoffTimer = -1;
  private int failuresInRow;
  private List<StreamEntry> retry;
  private Future<List<StreamEntry>> prefetched;
  private String claimCursor = "0-0";
  private long lastClaimPass;

  public ArchiverVerticle(ArchiveStream stream, ArchiveWriter writer, ArchivePartitions partitions, GatewayConfig.Archive config,
                          MeterRegistry metrics) {
    this.stream = stream;
    this.writer = writer;
    this.partitions = partitions;
    this.config = config;
    this.consumer = hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    this.written = entries(metrics, "written");
    this.invalid = entries(metrics, "invalid");
    this.deadLettered = entries(metrics, "dead_lettered");
    this.reclaimed = Counter.builder("maskline.archive.reclaimed").description("Archive entries taken over from a dead consumer").register(metrics);
    this.failures = Counter.builder("maskline.archive.write.failures").description("Archive batches that failed and are retried").register(metrics);
    this.batchTime = Timer.builder("maskline.archive.batch").description("Time to write and acknowledge one archive batch").register(metrics);
  }

  @Override
  public Future<?> start() {
    // Neither Redis nor Postgres has to be up for the archiver to start: the loop waits for them.
    stream.ensureGroup()
        .compose(v -> partitions.ensureAhead())
        .onFailure(e -> LOG.warn("archive set-up deferred: {}", e.getMessage()));
    LOG.info("archiver started {}", kv("consumer", consumer));
    next();
    return Future.succeededFuture();
  }

  /** Finishes the batch in hand (a blocked read returns within a second), then stops. */
  @Override
  public Future<?> stop() {
    stopping = true;
    if (backoffTimer >= 0 && vertx.cancelTimer(backoffTimer)) {
      stopped.tryComplete();
    }
    return stopped.future();
  }

  private void next() {
    backoffTimer = -1;
    if (stopping && prefetched == null) {
      stopped.tryComplete();
      return;
    }
    Future<List<StreamEntry>> batch;
    if (retry != null) {
      batch = Future.succeededFuture(retry);
    } else if (prefetched != null) {
      batch = prefetched;
      prefetched = null;
    } else if (claimCursor.equals("0-0") && System.currentTimeMillis() - lastClaimPass < claimEvery()) {
      batch = stream.readNew(consumer, config.batchSize(), readBlock());
    } else {
      batch = reclaim();
    }
    batch.compose(entries -> {
          retry = entries.isEmpty() ? null : entries;
          // While a busy stream's batch is written, the next one is read: the two round trips overlap.
          if (prefetched == null && !stopping && entries.size() >= config.batchSize() / 2) {
            prefetched = stream.readNew(consumer, config.batchSize(), readBlock());
          }
          boolean drained = entries.size() < config.batchSize() && prefetched == null && claimCursor.equals("0-0");
          return archive(entries).map(drained);
        })
        .onSuccess(drained -> {
          retry = null;
          failuresInRow = 0;
          if (drained && !stopping) {
            // Paced batches: a drained stream is read again only after batchInterval, so that at a steady webhook
            // rate the archiver writes a few large batches a second instead of one small transaction per handful of
            // events (each costs the pod's core as much as a large one, docs/PERFORMANCE.md). A backlog is written
            // back to back.
            backoffTimer = vertx.setTimer(config.batchInterval().toMillis(), id -> next());
          } else {
            next();
          }
        })
        .onFailure(e -> {
          failures.increment();
          long delay = BACKOFF.delay(++failuresInRow).toMillis();
          if (failuresInRow == 1 || failuresInRow % 20 == 0) {
            LOG.warn("archive batch failed, retrying {} {} {}", kv("attempt", failuresInRow), kv("delayMs", delay), kv("error", String.valueOf(e.getMessage())));
          }
          partitions.forgetKnown();
          if (stopping) {
            // Entries in hand stay pending in Redis; another pod takes them over after archive.claimIdle.
            stopped.tryComplete();
          } else {
            backoffTimer = vertx.setTimer(delay, id -> next());
          }
        });
  }

  private Future<Void> archive(List<StreamEntry> entries) {
    if (entries.isEmpty()) {
      return Future.succeededFuture();
    }
    long started = System.nanoTime();
    return write(entries)
        .recover(e -> isDataError(e) ? oneByOne(entries) : Future.failedFuture(e))
        .onSuccess(v -> batchTime.record(Duration.ofNanos(System.nanoTime() - started)));
  }

  private Future<Void> write(List<StreamEntry> entries) {
    ArchiveBatch batch = ArchiveBatch.of(entries);
    return partitions.ensureFor(batch.rawEvents().stream().map(ArchiveBatch.RawEvent::at).toList())
        .compose(v -> writer.write(batch))
        .compose(v -> stream.acknowledge(entries.stream().map(StreamEntry::id).toList()))
        .onSuccess(v -> {
          written.increment(entries.size() - batch.invalid());
          invalid.increment(batch.invalid());
        });
  }

  /** Postgres refused the batch for its data, not for an outage: find the entry, keep it aside, archive the rest. */
  private Future<Void> oneByOne(List<StreamEntry> entries) {
    partitions.forgetKnown();
    Future<Void> chain = Future.succeededFuture();
    for (StreamEntry entry : entries) {
      chain = chain.compose(v -> write(List.of(entry)).recover(e -> {
        if (!isDataError(e)) {
          return Future.failedFuture(e);
        }
        LOG.error("archive entry refused by Postgres, dead-lettered {} {}", kv("entryId", entry.id()), kv("error", e.getMessage()));
        deadLettered.increment();
        return stream.deadLetter(entry, String.valueOf(e.getMessage()));
      }));
    }
    return chain;
  }

  /** One page of entries stuck with consumers idle past {@code claimIdle} (dead pods); a pass pages to the end. */
  private Future<List<StreamEntry>> reclaim() {
    return stream.claimStuck(consumer, config.claimIdle(), claimCursor, config.batchSize()).compose(claimed -> {
      claimCursor = claimed.nextCursor();
      if (claimCursor.equals("0-0")) {
        lastClaimPass = System.currentTimeMillis();
      }
      if (!claimed.entries().isEmpty()) {
        reclaimed.increment(claimed.entries().size());
        LOG.info("reclaimed archive entries {}", kv("count", claimed.entries().size()));
      }
      // Entries trimmed away while pending cannot be archived any more; acknowledge them so they leave the group.
      return stream.acknowledge(claimed.vanished()).map(claimed.entries());
    });
  }

  private long claimEvery() {
    return Math.max(500, config.claimIdle().toMillis() / 2);
  }

  private Duration readBlock() {
    return Duration.ofMillis(Math.min(1_000, claimEvery()));
  }

  /** SQLSTATE class 22 (data exception) or 23 (integrity): retrying the same rows would fail forever. */
  private static boolean isDataError(Throwable e) {
    return e instanceof PgException pg && pg.getSqlState() != null && (pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("23"));
  }

  private static Counter entries(MeterRegistry metrics, String outcome) {
    return Counter.builder("maskline.archive.entries").tag("outcome", outcome).description("Archive stream entries processed").register(metrics);
  }

  private static String hostName() {
    String pod = System.getenv("HOSTNAME");
    if (pod != null && !pod.isBlank()) {
      return pod;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "archiver";
    }
  }
}
