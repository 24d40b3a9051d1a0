package io.maskline.anonymizer;

import io.maskline.anonymizer.AnonymizationRequests.Pending;
import io.maskline.phone.Masking;
import io.maskline.ops.Backoff;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The nightly job. A run holds a Postgres advisory lock on one connection from start to end, so one pod at a time
 * runs it; a pod that finds the lock taken answers with the run in progress. On that connection each waiting
 * request is done in its own transaction (every {@link ErasureStore}: archive, raw events in scope, Redis; the request masked and
 * {@code DONE}), so a crash loses at most the request in flight, which stays {@code WAITING} for the next run. Then
 * done requests older than 12 months are deleted and the archive's expired partitions dropped. Every run is
 * recorded in {@code anonymizer_runs} and counted in metrics.
 */
public final class Anonymizer {
  private static final Logger LOG = LoggerFactory.getLogger(Anonymizer.class);
  /** The session-level advisory lock every pod competes for (the ASCII bytes of "maskline"). */
  static final long LOCK_KEY = 0x6d61736b6c696e65L;
  private static final String TRY_LOCK = "SELECT pg_try_advisory_lock($1) AS locked";
  private static final String UNLOCK = "SELECT pg_advisory_unlock($1)";
  // The run's statements span every monthly partition: planning one takes longer than running it, and the generic
  // plan is the right one by construction (each condition is an index lookup). A generic plan's cost estimate over a
  // large archive passes jit_above_cost, and compiling it would take ~0.5 s per statement, for a 10 ms lookup.
  // Both are reset before the connection goes back to the pool.
  private static final String RUN_SETTINGS = "SET plan_cache_mode = force_generic_plan; SET jit = off";
  private static final String DEFAULT_SETTINGS = "RESET plan_cache_mode; RESET jit";
  private static final String COUNT_WAITING = "SELECT count(*) FROM anonymization_requests WHERE status = 'WAITING'";
  // A pod that finds the lock taken but no run recorded (its holder is between the lock and the row, at either
  // end of a run) asks again this often before it answers "running, id unknown".
  private static final int LOCK_ATTEMPTS = 20;
  private static final Backoff LOCK_RETRY = Backoff.constant(Duration.ofMillis(100));

  private final Vertx vertx;
  private final Pool pg;
  private final List<ErasureStore> stores;
  private final Supplier<Future<List<String>>> retention;
  private final String defaultCountry;
  private final Clock clock;
  private final String pod;
  private volatile boolean stopping;

  private final Counter runsDone;
  private final Counter runsFailed;
  private final Counter requestsDone;
  private final Counter requestsFailed;
  private final MeterRegistry metrics;
  private final Timer runDuration;
  private final AtomicLong lastSuccess = new AtomicLong();
  private final AtomicLong waiting = new AtomicLong();

  /**
   * @param stores     every store a person is forgotten in ({@link ErasureStores})
   * @param retention  the archive's partition retention ({@code ArchivePartitions::dropExpired}): names of partitions dropped
   * @param pod        names this pod in the runs it records
   */
  public Anonymizer(Vertx vertx, Pool pg, List<ErasureStore> stores, Supplier<Future<List<String>>> retention,
                    String defaultCountry, Clock clock, String pod, MeterRegistry metrics) {
    this.vertx = vertx;
    this.pg = pg;
    this.stores = List.copyOf(stores);
    this.metrics = metrics;
    this.retention = retention;
    this.defaultCountry = defaultCountry;
    this.clock = clock;
    this.pod = pod;
    this.runsDone = Counter.builder("maskline.anonymizer.runs").tag("status", AnonymizerRun.DONE).description("Anonymizer runs finished").register(metrics);
    this.runsFailed = Counter.builder("maskline.anonymizer.runs").tag("status", AnonymizerRun.FAILED).description("Anonymizer runs finished").register(metrics);
    this.requestsDone = Counter.builder("maskline.anonymizer.requests").tag("outcome", "done").description("Anonymization requests carried out").register(metrics);
    this.requestsFailed = Counter.builder("maskline.anonymizer.requests").tag("outcome", "failed").description("Anonymization requests that failed and stay WAITING").register(metrics);
    this.runDuration = Timer.builder("maskline.anonymizer.run.duration").description("Anonymizer run duration").register(metrics);
    Gauge.builder("maskline.anonymizer.last.success", lastSuccess, AtomicLong::get).baseUnit("seconds")
        .description("When the last anonymizer run of this pod succeeded (epoch seconds)").register(metrics);
    Gauge.builder("maskline.anonymizer.requests.waiting", waiting, AtomicLong::get)
        .description("Requests still WAITING after this pod's last run").register(metrics);
  }

  // Registered on first use (the stores name their own places); Micrometer hands back the same counter after that.
  private Counter recordsCounter(String place) {
    return Counter.builder("maskline.anonymizer.records").tag("store", Report.metricTag(place)).description("Records anonymized, by store")
        .register(metrics);
  }

  /**
   * What asking for a run gave: {@code started} with a new run, or the run already in progress (in this pod or
   * another; {@code runId} null when the lock is held but its run is not recorded yet), or the run that already
   * took this scheduled slot. {@code finished} completes when a started run ends.
   */
  public record Start(UUID runId, boolean started, Future<AnonymizerRun> finished) {
    static Start notStarted(UUID runId) {
      return new Start(runId, false, Future.succeededFuture());
    }
  }

  /** Starts a run unless one is in progress anywhere; {@code scheduledFor} is the schedule slot, null on demand. */
  public Future<Start> start(String trigger, Instant scheduledFor) {
    // Lock taken but no run recorded: its holder is recording its run, or has just recorded its end. Ask again.
    return LOCK_RETRY.retry(vertx, LOCK_ATTEMPTS, attempt -> attempt(trigger, scheduledFor),
        start -> !start.started() && start.runId() == null);
  }

  private Future<Start> attempt(String trigger, Instant scheduledFor) {
    return pg.getConnection().compose(conn -> conn.preparedQuery(TRY_LOCK).execute(Tuple.of(LOCK_KEY))
        .map(rows -> rows.iterator().next().getBoolean("locked"))
        .compose(locked -> {
          if (locked) {
            return begin(conn, trigger, scheduledFor).recover(e -> release(conn).transform(released -> Future.failedFuture(e)));
          }
          return conn.close().transform(closed -> AnonymizerRuns.running(pg)).map(running -> Start.notStarted(running.orElse(null)));
        }));
  }

  /** Asks a run in progress in this pod to stop after its current request (the pod is shutting down). */
  public void stopAfterCurrentRequest() {
    stopping = true;
  }

  private Future<Start> begin(SqlConnection conn, String trigger, Instant scheduledFor) {
    UUID runId = UUID.randomUUID();
    Instant startedAt = clock.instant();
    return conn.query(RUN_SETTINGS).execute()
        .compose(set -> AnonymizerRuns.abandonRunning(conn, startedAt))
        .onSuccess(abandoned -> {
          if (abandoned > 0) LOG.warn("marked runs of a stopped pod as failed {}", kv("runs", abandoned));
        })
        .compose(abandoned -> AnonymizerRuns.insert(conn, runId, trigger, scheduledFor, pod, startedAt))
        .compose(slotRun -> {
          if (slotRun.isPresent()) {
            return release(conn).map(Start.notStarted(slotRun.get()));
          }
          LOG.info("anonymizer run started {} {}", kv("runId", runId), kv("trigger", trigger));
          RunState run = new RunState(runId, System.nanoTime());
          return Future.succeededFuture(new Start(runId, true, execute(conn, run)));
        });
  }

  /** Everything a run does once it holds the lock; always ends with the run recorded and the lock released. */
  private Future<AnonymizerRun> execute(SqlConnection conn, RunState run) {
    return AnonymizationRequests.waiting(conn, defaultCountry)
        .compose(pending -> {
          List<Erasure> erasures = pending.stream().map(p -> erasure(conn, p)).toList();
          return begin(erasures).compose(passes -> doRequests(conn, run, erasures, passes));
        })
        .compose(v -> step(run, "cleanup", () -> AnonymizationRequests.deleteExpired(conn, clock.instant())
            .onSuccess(deleted -> run.details.put("requestsDeleted", deleted))))
        .compose(v -> step(run, "retention", () -> retention.get()
            .onSuccess(dropped -> run.details.put("partitionsDropped", new JsonArray(new ArrayList<>(dropped))))))
        .recover(e -> {
          run.error("run", e);
          return Future.succeededFuture();
        })
        .compose(v -> finish(run))
        .eventually(() -> release(conn));
  }

  private static Erasure erasure(SqlConnection conn, Pending pending) {
    AnonymizationRequest request = pending.request();
    return new Erasure(conn, request, IdentityMatcher.of(request.phone(), request.email(), pending.country()));
  }

  /**
   * Every store's pass for this run. A store that could not begin (its server is down) fails each request instead,
   * so those requests stay WAITING and the run goes on with the others.
   */
  private Future<List<ErasureStore.Pass>> begin(List<Erasure> erasures) {
    List<Future<ErasureStore.Pass>> begun = stores.stream().map(store -> store.begin(erasures).recover(e -> {
      ErasureStore.Pass failing = erasure -> Future.failedFuture(new IllegalStateException(store.name() + " could not begin: " + e.getMessage()));
      return Future.succeededFuture(failing);
    })).toList();
    return Future.all(begun).map(all -> begun.stream().map(Future::result).toList());
  }

  /** The waiting requests one after the other, each in its own transaction, oldest first. */
  private Future<Void> doRequests(SqlConnection conn, RunState run, List<Erasure> pending, List<ErasureStore.Pass> passes) {
    long started = System.nanoTime();
    Promise<Void> done = Promise.promise();
    next(conn, run, pending, 0, passes, done);
    return done.future().onComplete(r -> run.timings.put("requestsMs", millisSince(started)));
  }

  // Iterates with a promise rather than a chain of nested futures: a night may hold thousands of requests.
  private void next(SqlConnection conn, RunState run, List<Erasure> pending, int index, List<ErasureStore.Pass> passes,
                    Promise<Void> done) {
    if (index == pending.size()) {
      done.complete();
      return;
    }
    if (stopping) {
      done.fail(new IllegalStateException("stopped: the pod is shutting down; " + (pending.size() - index) + " requests left WAITING"));
      return;
    }
    Erasure request = pending.get(index);
    doRequest(run, request, passes)
        .onSuccess(report -> {
          if (report != null) {
            run.done(report);
            requestsDone.increment();
            report.records().forEach((place, count) -> recordsCounter(place).increment(count));
          }
          next(conn, run, pending, index + 1, passes, done);
        })
        .onFailure(e -> {
          requestsFailed.increment();
          run.requestsFailed++;
          run.error("request " + request.request().id(), e);
          // A request may fail on its own (bad data, Redis down); a dead connection ends the run.
          conn.query("SELECT 1").execute().onComplete(alive -> {
            if (alive.succeeded()) {
              next(conn, run, pending, index + 1, passes, done);
            } else {
              done.fail(e);
            }
          });
        });
  }

  /**
   * One request in one transaction: BEGIN, every store's work (Postgres statements queued on the connection right
   * behind BEGIN, other stores alongside), then what is left of the person counted in every store (the residue, in
   * the same transaction, so it sees the writes), the request marked done with its report, COMMIT. Null when the
   * request was no longer waiting (nothing is kept then). The run's advisory lock keeps two runs off one request.
   */
  private Future<Report> doRequest(RunState run, Erasure erasure, List<ErasureStore.Pass> passes) {
    SqlConnection conn = erasure.conn();
    AnonymizationRequest request = erasure.request();
    Future<Transaction> begun = conn.begin();
    List<Future<Erased>> erased = passes.stream().map(pass -> pass.erase(erasure)).toList();
    return begun.compose(tx -> Future.all(erased)
        .compose(done -> residue(stores, erasure))
        .compose(residue -> {
          Report report = Report.of(erased.stream().map(Future::result).toList(), residue);
          return AnonymizationRequests.markDone(conn, request, clock.instant(), run.runId, report.toJson(), report.total())
              .compose(marked -> marked ? tx.commit().map(report) : tx.rollback().map((Report) null));
        })
        .recover(e -> tx.rollback().transform(rolledBack -> Future.failedFuture(e))));
  }

  /** What is left of the person, per store and place: {@code {"archive": {"communications": 0, …}, …}}. */
  static Future<JsonObject> residue(List<ErasureStore> stores, Erasure erasure) {
    List<Future<Map<String, Long>>> counted = stores.stream().map(store -> store.residue(erasure)).toList();
    return Future.all(counted).map(all -> {
      JsonObject residue = new JsonObject();
      for (int i = 0; i < stores.size(); i++) {
        residue.put(stores.get(i).name(), new JsonObject(new java.util.LinkedHashMap<>(counted.get(i).result())));
      }
      return residue;
    });
  }

  /** The sum of a residue's counts. */
  static long residueTotal(JsonObject residue) {
    long total = 0;
    for (String store : residue.fieldNames()) {
      JsonObject places = residue.getJsonObject(store);
      for (String place : places.fieldNames()) {
        total += places.getLong(place);
      }
    }
    return total;
  }

  private Future<Void> step(RunState run, String name, Supplier<Future<?>> work) {
    long started = System.nanoTime();
    return work.get()
        .<Void>mapEmpty()
        .recover(e -> {
          run.error(name, e);
          return Future.succeededFuture();
        })
        .onComplete(r -> run.timings.put(name + "Ms", millisSince(started)));
  }

  private Future<AnonymizerRun> finish(RunState run) {
    String status = run.errors.isEmpty() ? AnonymizerRun.DONE : AnonymizerRun.FAILED;
    long nanos = System.nanoTime() - run.startedNanos;
    run.timings.put("totalMs", TimeUnit.NANOSECONDS.toMillis(nanos));
    run.details.put("timings", run.timings);
    if (!run.errors.isEmpty()) {
      run.details.put("errors", run.errors).put("error", run.errors.getJsonObject(0).getString("error"));
    }
    runDuration.record(Duration.ofNanos(nanos));
    (status.equals(AnonymizerRun.DONE) ? runsDone : runsFailed).increment();
    if (status.equals(AnonymizerRun.DONE)) {
      lastSuccess.set(clock.instant().getEpochSecond());
    }
    LOG.info("anonymizer run finished {} {} {} {} {}", kv("runId", run.runId), kv("status", status), kv("requestsDone", run.requestsDone),
        kv("requestsFailed", run.requestsFailed), kv("durationMs", TimeUnit.NANOSECONDS.toMillis(nanos)));
    return AnonymizerRuns.finish(pg, run.runId, status, clock.instant(), run.requestsFailed, run.records, run.details)
        .compose(v -> pg.query(COUNT_WAITING).execute())
        .onSuccess(rows -> waiting.set(rows.iterator().next().getLong(0)))
        .compose(v -> AnonymizerRuns.get(pg, run.runId))
        .map(Optional::orElseThrow)
        .onFailure(e -> LOG.error("could not record the end of anonymizer run {}: {}", run.runId, e.getMessage()));
  }

  private Future<Void> release(SqlConnection conn) {
    return conn.preparedQuery(UNLOCK).execute(Tuple.of(LOCK_KEY))
        .compose(unlocked -> conn.query(DEFAULT_SETTINGS).execute()).<Void>mapEmpty()
        .otherwiseEmpty()
        .eventually(conn::close);
  }

  public static Future<Optional<AnonymizerRun>> get(Pool pg, UUID runId) {
    return AnonymizerRuns.get(pg, runId);
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }

  /**
   * What one request changed, per place, as its report says it: every store's records and details side by side
   * ({@code communications}, {@code rawEvents}, {@code historyEntries}, …), and {@code residue}, what was left of
   * the person when the request was done (0 everywhere unless a store keeps something on purpose).
   */
  record Report(Map<String, Integer> records, JsonObject details, JsonObject residue) {
    // Tags the metric had before the stores named their own places: kept so dashboards keep working.
    private static final Map<String, String> LEGACY_TAGS = Map.of(ArchiveErasure.RAW_EVENTS, "raw_events",
        RedisHistoryErasure.HISTORY_ENTRIES, "redis_history", RedisHistoryErasure.CLOSED_SESSIONS, "redis_sessions");

    static Report of(List<Erased> erased, JsonObject residue) {
      Map<String, Integer> records = new java.util.LinkedHashMap<>();
      JsonObject details = new JsonObject();
      for (Erased store : erased) {
        store.records().forEach((place, count) -> records.merge(place, count, Integer::sum));
        details.mergeIn(store.details());
      }
      return new Report(records, details, residue);
    }

    /** {@code rawEvents} → {@code raw_events}. */
    static String metricTag(String place) {
      return LEGACY_TAGS.getOrDefault(place, place.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT));
    }

    long total() {
      return records.values().stream().mapToLong(Integer::longValue).sum();
    }

    JsonObject toJson() {
      JsonObject json = new JsonObject();
      records.forEach(json::put);
      return json.mergeIn(details).put("residue", residue).put("residueTotal", residueTotal(residue));
    }
  }

  /** A run in progress: its counts, timings and errors, written to its row when it ends. */
  private static final class RunState {
    final UUID runId;
    final long startedNanos;
    final JsonObject records = new JsonObject();
    final JsonObject timings = new JsonObject();
    final JsonObject details = new JsonObject();
    final JsonArray errors = new JsonArray();
    int requestsDone;
    int requestsFailed;

    RunState(UUID runId, long startedNanos) {
      this.runId = runId;
      this.startedNanos = startedNanos;
    }

    void done(Report report) {
      requestsDone++;
      report.records().forEach((place, count) -> records.put(place, records.getLong(place, 0L) + count));
    }

    void error(String where, Throwable e) {
      String message = Masking.phonesIn(String.valueOf(e.getMessage()));
      errors.add(new JsonObject().put("step", where).put("error", message));
      LOG.warn("anonymizer run {}: {} failed: {}", runId, where, message);
    }
  }
}
