package io.maskline.archive;

import io.maskline.storage.StreamEntry;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes archive events straight to Postgres, past the Redis stream: for events held in memory while Redis is away
 * when the process stops (graceful shutdown during an outage). The same attribution, mapping and idempotent write
 * as the archiver, so an event that also reached the stream is still archived once.
 */
public final class DirectArchive {
  private final OrgAttribution attribution;
  private final ArchivePartitions partitions;
  private final ArchiveWriter writer;

  public DirectArchive(OrgAttribution attribution, ArchivePartitions partitions, ArchiveWriter writer) {
    this.attribution = attribution;
    this.partitions = partitions;
    this.writer = writer;
  }

  public Future<Void> write(List<ArchiveEvent> events) {
    List<StreamEntry> entries = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      // No stream id: only an unreadable event's raw key uses it, and such an event is kept under this one.
      entries.add(new StreamEntry("direct-" + System.currentTimeMillis() + "-" + i, events.get(i).fields()));
    }
    return attribution.attribute(entries).map(ArchiveBatch::of)
        .compose(batch -> partitions.ensureFor(batch.rawEvents().stream().map(ArchiveBatch.RawEvent::at).toList())
            .compose(v -> writer.write(batch)));
  }
}
