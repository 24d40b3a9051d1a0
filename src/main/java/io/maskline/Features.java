package io.maskline;

import io.maskline.access.AccessApi;
import io.maskline.access.AuditLog;
import io.maskline.access.Authenticator;
import io.maskline.access.OrgKeys;
import io.maskline.anonymizer.AnonymizationApi;
import io.maskline.anonymizer.AnonymizationRequests;
import io.maskline.anonymizer.AnonymizeAndDelete;
import io.maskline.anonymizer.Anonymizer;
import io.maskline.anonymizer.AnonymizerVerticle;
import io.maskline.anonymizer.ErasureStore;
import io.maskline.anonymizer.ErasureStores;
import io.maskline.anonymizer.RecordingDeletions;
import io.maskline.api.HttpFeature;
import io.maskline.archive.ArchiveApi;
import io.maskline.archive.ArchiveLagMonitor;
import io.maskline.archive.ArchiveMaintenance;
import io.maskline.archive.ArchivePartitions;
import io.maskline.archive.ArchiveSearch;
import io.maskline.archive.ArchiveStream;
import io.maskline.archive.ArchiveWriter;
import io.maskline.archive.ArchiverVerticle;
import io.maskline.archive.DirectArchive;
import io.maskline.archive.OrgAttribution;
import io.maskline.binding.DurableSessionErasure;
import io.maskline.binding.NumberApi;
import io.maskline.binding.ProxyNumbers;
import io.maskline.binding.RecipientMemoryErasure;
import io.maskline.binding.SessionApi;
import io.maskline.binding.Sessions;
import io.maskline.config.CronSchedule;
import io.maskline.console.ConsolePages;
import io.maskline.console.ConsoleSessionApi;
import io.maskline.console.WebhookSimulator;
import io.maskline.inbound.DegradedEvents;
import io.maskline.inbound.InboundLedger;
import io.maskline.inbound.InboundLookup;
import io.maskline.mail.MailerVerticle;
import io.maskline.notification.NotificationApi;
import io.maskline.notification.NotificationArchive;
import io.maskline.notification.NotificationErasure;
import io.maskline.notification.NotificationSender;
import io.maskline.notification.Notifications;
import io.maskline.provider.twilio.NotificationStatusCallbacks;
import io.maskline.provider.twilio.TwilioMessages;
import io.maskline.ops.Health;
import io.maskline.ops.PeriodicVerticle;
import io.maskline.optout.OptOutErasure;
import io.maskline.optout.OptOuts;
import io.maskline.org.OrgApi;
import io.maskline.org.OrgFacts;
import io.maskline.org.Orgs;
import io.maskline.org.PlatformCredentials;
import io.maskline.platform.onfleet.OnfleetWebhooks;
import io.maskline.provider.twilio.TwilioRecordings;
import io.maskline.provider.twilio.TwilioWebhooks;
import io.maskline.provider.twilio.TwimlWriter;
import io.maskline.provider.twilio.VoicePrompts;
import io.maskline.storage.PartyKeys;
import io.maskline.storage.RedisDataWatch;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The list of what the gateway does: HTTP features per HTTP verticle; light periodic verticles next to them (one each
 * per pod); and background work (archiver, mailer, archive maintenance, anonymizer), built on the background Vert.x
 * instance's own event loop and clients ({@code background}), so that its batches never hold up a webhook's event loop.
 */
record Features(Authenticator authenticator, List<HttpFeature> http, List<Supplier<? extends Deployable>> periodic,
                List<Supplier<? extends Deployable>> background, Supplier<Future<?>> warmUp) {
  /** Archive events held in memory while Redis is down (about 2 KB each). */
  private static final int DEGRADED_BUFFER_CAPACITY = 10_000;
  /** How soon a Redis that lost its data is noticed and restored. */
  private static final Duration REDIS_DATA_CHECK = Duration.ofSeconds(2);
  private static final Logger LOG = LoggerFactory.getLogger(Features.class);

  static Features create(Vertx vertx, Services services, Vertx backgroundVertx, Services background, Health health) {
    var config = services.config();
    Orgs orgs = new Orgs(services.pg(), services.redis(), config.defaultCountry());
    OrgFacts orgFacts = new OrgFacts(services.redis());
    ProxyNumbers numbers = new ProxyNumbers(services.pg(), services.redis());
    OptOuts optOuts = new OptOuts(services.pg(), services.redis());
    Sessions sessions = new Sessions(services.redis(), services.partyKeys(), services.pg(), config.sessions(), services.clock(), services.metrics());

    ArchiveLagMonitor archiveLag = new ArchiveLagMonitor(new ArchiveStream(services.redis()), services.clock(), services.metrics());
    health.addReadinessDetail("archive", archiveLag::readinessDetail);
    WebClient webClient = WebClient.create(vertx);
    TwilioRecordings recordings = new TwilioRecordings(vertx, webClient, config.twilio());
    PlatformCredentials credentials = new PlatformCredentials(services.pg());

    DegradedEvents degraded = new DegradedEvents(DEGRADED_BUFFER_CAPACITY, services.metrics());
    TwilioWebhooks webhooks = new TwilioWebhooks(new InboundLookup(services.webhookRedis(), services.partyKeys(), config.guards()),
        new InboundLedger(services.webhookRedis(), config.guards().replayMarkerTtl()), optOuts,
        degraded, new TwimlWriter(VoicePrompts.defaults()), config, services.clock(), services.metrics());

    OrgKeys orgKeys = new OrgKeys(services.pg());
    AuditLog audit = new AuditLog(services.pg());
    Authenticator authenticator = new Authenticator(config.adminToken(), orgKeys);

    // Every store that keeps people: the anonymizer forgets them there and the residual scan counts what is left.
    List<ErasureStore> erasureStores = erasureStores(services.redis(), services.partyKeys(), recordings);
    Notifications notifications = new Notifications(services.pg());
    NotificationArchive notificationArchive = new NotificationArchive(services.redis());
    TwilioMessages messages = new TwilioMessages(webClient, config.twilio());
    ArchiveSearch archiveSearch = new ArchiveSearch(services.pg());
    List<HttpFeature> http = List.of(
        new AccessApi(orgs, orgKeys, audit),
        new OrgApi(orgs, credentials, audit),
        new NumberApi(numbers, orgFacts, config.defaultCountry()),
        new SessionApi(sessions, orgFacts, numbers),
        webhooks,
        new OnfleetWebhooks(credentials, orgFacts, sessions, services.redis(), config.sessions().historyTtl(), webClient,
            config.onfleet().apiUrl(), services.metrics()),
        new NotificationApi(vertx, orgs, notifications, notificationArchive, optOuts::isOptedOut, messages, config.notifications().sender(),
            services.clock()),
        new NotificationStatusCallbacks(notifications, notificationArchive, config, services.clock()),
        new ArchiveApi(orgs, archiveSearch, new AnonymizeAndDelete(services.pg(), recordings), audit),
        new AnonymizationApi(orgs, new AnonymizationRequests(services.pg(), services.clock()), services.pg(), erasureStores, config.defaultCountry(), audit,
            config.anonymizer(), services.clock()),
        new ConsolePages(),
        new ConsoleSessionApi(config, services.clock()),
        new WebhookSimulator(vertx, orgs, archiveSearch, numbers, config));

    List<Supplier<? extends Deployable>> periodic = new ArrayList<>();
    // Every pod sweeps: closing is idempotent, and a lost close must not outlive the safety TTL by much.
    periodic.add(() -> new PeriodicVerticle("session-expiry", Duration.ofSeconds(30), () -> sessions.closeExpired(services.clock().instant())));
    // At shutdown the buffer goes to Postgres directly: Redis may still be away, and the process will not wait for it.
    DirectArchive directArchive = new DirectArchive(new OrgAttribution(services.pg(), config.sessions().historyTtl()),
        new ArchivePartitions(services.pg(), config.anonymizer().archiveRetentionMonths(), services.clock()), new ArchiveWriter(services.pg()));
    // Flushed through the hot path's client, which fails a command past the Redis budget: a flush sent to a frozen
    // Redis would otherwise hold its batch forever, past the shutdown drain (docs/RELIABILITY.md).
    periodic.add(() -> new PeriodicVerticle("degraded-events", Duration.ofSeconds(1),
        () -> degraded.pending() == 0 ? Future.succeededFuture() : degraded.flush(services.webhookRedis()),
        () -> degraded.pending() == 0 ? Future.succeededFuture() : degraded.drain(directArchive::write)
            .onSuccess(count -> LOG.info("buffered archive events written to Postgres at shutdown {}", kv("count", count)))
            .recover(e -> degraded.flush(services.webhookRedis()))
            .onComplete(done -> {
              if (degraded.pending() > 0) {
                LOG.error("buffered archive events lost at shutdown: neither Postgres nor Redis took them {}", kv("count", degraded.pending()));
              }
            })));
    periodic.add(() -> new PeriodicVerticle("archive-lag", Duration.ofSeconds(5), archiveLag::sample));

    List<Supplier<? extends Deployable>> backgroundWork = new ArrayList<>();
    // The notification outbox is sent from the background side; the API wakes it through the relayed event bus address.
    backgroundWork.add(() -> new NotificationSender(new Notifications(background.pg()), new NotificationArchive(background.redis()),
        new TwilioMessages(WebClient.create(backgroundVertx), config.twilio()), config.notifications(), config.http().publicUrl().toString(),
        background.clock(), background.metrics()));
    backgroundWork.add(() -> new MailerVerticle(background.redis(), background.mail(), config.mail(), background.clock(), background.metrics()));
    ArchiveStream archiveStream = new ArchiveStream(background.redis());
    ArchivePartitions archivePartitions = new ArchivePartitions(background.pg(), config.anonymizer().archiveRetentionMonths(), background.clock());
    ArchiveWriter archiveWriter = new ArchiveWriter(background.pg());
    OrgAttribution attribution = new OrgAttribution(background.pg(), config.sessions().historyTtl());
    for (int i = 0; i < config.archive().consumers(); i++) {
      backgroundWork.add(() -> new ArchiverVerticle(archiveStream, archiveWriter, attribution, archivePartitions, config.archive(),
          background.metrics()));
    }
    ArchiveMaintenance archiveMaintenance = new ArchiveMaintenance(archivePartitions, archiveWriter, archiveStream);
    backgroundWork.add(() -> new PeriodicVerticle("archive-maintenance", Duration.ofSeconds(30), archiveMaintenance::run));
    TwilioRecordings backgroundRecordings = new TwilioRecordings(backgroundVertx, WebClient.create(backgroundVertx), config.twilio());
    Anonymizer anonymizer = new Anonymizer(backgroundVertx, background.pg(), erasureStores(background.redis(), background.partyKeys(), backgroundRecordings),
        archivePartitions::dropExpired, config.defaultCountry(), background.clock(), System.getenv().getOrDefault("HOSTNAME", "maskline"),
        background.metrics());
    backgroundWork.add(() -> new AnonymizerVerticle(anonymizer, new CronSchedule(config.anonymizer().schedule()), config.anonymizer().timezone(),
        background.clock()));
    // Recordings that came after their record's recordings were deleted: deleted at the provider, retried until gone.
    RecordingDeletions lateRecordings = new RecordingDeletions(background.pg(), backgroundRecordings, background.metrics());
    backgroundWork.add(() -> new PeriodicVerticle("late-recordings", Duration.ofSeconds(5), lateRecordings::deleteDue));
    // Redis may have restarted empty: re-mirror orgs, numbers and opt-outs from Postgres before taking traffic, and
    // restore sessions when the installation marker says Redis lost its data (naming people's keys anew when Redis
    // holds another key layout); watched again every few seconds.
    RedisDataWatch redisData = new RedisDataWatch(services.redis(), services.partyKeys(),
        () -> orgs.mirrorAll().compose(n -> numbers.mirrorAll()).compose(n -> optOuts.mirrorAll()),
        rebuild -> sessions.adoptLegacy().compose(adopted -> sessions.restoreAll(rebuild)), services.clock(),
        System.getenv().getOrDefault("HOSTNAME", "maskline"), services.metrics());
    health.addReadinessCheck("redisData", redisData::readiness);
    periodic.add(() -> new PeriodicVerticle("redis-data-watch", REDIS_DATA_CHECK, redisData::check));
    Supplier<Future<?>> warmUp = () -> redisData.startUp()
        .onFailure(e -> LOG.warn("re-mirroring Redis from Postgres failed at start-up, the watch retries {}", kv("error", String.valueOf(e.getMessage()))))
        .otherwiseEmpty();
    return new Features(authenticator, http, List.copyOf(periodic), List.copyOf(backgroundWork), warmUp);
  }

  /**
   * Every store that keeps people, on the given clients: the API's residual scan uses the HTTP side's, the anonymizer
   * the background's; one list, so that a store added here is forgotten and counted alike.
   */
  private static List<ErasureStore> erasureStores(io.vertx.redis.client.Redis redis, PartyKeys partyKeys, TwilioRecordings recordings) {
    List<ErasureStore> stores = new ArrayList<>(ErasureStores.builtIn(redis, partyKeys, recordings));
    stores.add(new OptOutErasure(redis));
    stores.add(new RecipientMemoryErasure(redis));
    stores.add(new DurableSessionErasure());
    stores.add(new NotificationErasure());
    return List.copyOf(stores);
  }
}
