package io.maskline.inbound;

import io.maskline.archive.ArchiveEvent;
import io.maskline.storage.Keys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Archive events that could not reach Redis (it was down when the webhook came): held in a bounded in-memory
 * buffer and appended to the archive stream once Redis answers again. Bounded so an outage cannot exhaust the heap;
 * what overflows is counted as dropped. A pod killed during an outage loses its buffer (documented in the README).
 */
public final class DegradedEvents {
  private static final Logger LOG = LoggerFactory.getLogger(DegradedEvents.class);
  private static final int FLUSH_BATCH = 500;

  private final ConcurrentLinkedQueue<ArchiveEvent> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final int capacity;
  private final Counter buffered;
  private final Counter dropped;

  public DegradedEvents(int capacity, MeterRegistry metrics) {
    this.capacity = capacity;
    this.buffered = Counter.builder("maskline.degraded.events.buffered").description("Archive events held while Redis was down").register(metrics);
    this.dropped = Counter.builder("maskline.degraded.events.dropped").description("Archive events lost: buffer full").register(metrics);
    Gauge.builder("maskline.degraded.events.pending", size, AtomicInteger::get).description("Archive events waiting for Redis").register(metrics);
  }

  public void offer(ArchiveEvent event) {
    if (size.incrementAndGet() > capacity) {
      size.decrementAndGet();
      dropped.increment();
      return;
    }
    queue.add(event);
    buffered.increment();
  }

  public int pending() {
    return size.get();
  }

  /** Appends up to one batch to the archive stream; events go back to the buffer if Redis is still away. */
  public Future<Integer> flush(Redis redis) {
    List<ArchiveEvent> batch = new ArrayList<>();
    ArchiveEvent event;
    while (batch.size() < FLUSH_BATCH && (event = queue.poll()) != null) {
      batch.add(event);
    }
    if (batch.isEmpty()) {
      return Future.succeededFuture(0);
    }
    size.addAndGet(-batch.size());
    List<Request> appends = batch.stream().map(buffered -> {
      Request xadd = Request.cmd(Command.XADD).arg(Keys.ARCHIVE_STREAM).arg("*");
      buffered.fields().forEach((k, v) -> xadd.arg(k).arg(v));
      return xadd;
    }).toList();
    return redis.batch(appends).map(done -> {
      LOG.info("appended buffered archive events {}", kv("count", batch.size()));
      return batch.size();
    }).recover(failure -> {
      batch.forEach(this::offer);
      return Future.failedFuture(failure);
    });
  }

}
