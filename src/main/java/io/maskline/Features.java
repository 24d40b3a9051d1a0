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
import io.maskline.api.HttpFeature;
import io.maskline.archive.ArchiveApi;
import io.maskline.archive.ArchiveLagMonitor;
import io.maskline.archive.ArchiveMaintenance;
import io.maskline.archive.ArchivePartitions;
import io.maskline.archive.ArchiveSearch;
import io.maskline.archive.ArchiveStream;
import io.maskline.archive.ArchiveWriter;
import io.maskline.archive.ArchiverVerticle;
import io.maskline.binding.NumberApi;
import io.maskline.binding.ProxyNumbers;
import io.maskline.binding.RecipientMemoryErasure;
import io.maskline.binding.SessionApi;
import io.maskline.binding.Sessions;
import io.maskline.config.CronSchedule;
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
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** The list of what the gateway does: HTTP features per HTTP verticle, and background verticles (one each per pod). */
record Features(Authenticator authenticator, List<HttpFeature> http, List<Supplier<? extends Deployable>> background, Supplier<Future<?>> warmUp) {
  /** Archive events held in memory while Redis is down (about 2 KB each). */
  private static final int DEGRADED_BUFFER_CAPACITY = 10_000;

  static Features create(Vertx vertx, Services services, Health health) {
    var config = services.config();
    Orgs orgs = new Orgs(services.pg(), services.redis(), config.defaultCountry());
    OrgFacts orgFacts = new OrgFacts(services.redis());
    ProxyNumbers numbers = new ProxyNumbers(services.pg(), services.redis());
    OptOuts optOuts = new OptOuts(services.pg(), services.redis());
    Sessions sessions = new Sessions(services.redis(), config.sessions(), services.clock(), services.metrics());

    ArchiveStream archiveStream = new ArchiveStream(services.redis());
    ArchivePartitions archivePartitions = new ArchivePartitions(services.pg(), config.anonymizer().archiveRetentionMonths(), services.clock());
    ArchiveLagMonitor archiveLag = new ArchiveLagMonitor(archiveStream, services.clock(), services.metrics());
    health.addReadinessDetail("archive", archiveLag::readinessDetail);
    WebClient webClient = WebClient.create(vertx);
    TwilioRecordings recordings = new TwilioRecordings(vertx, webClient, config.twilio());
    PlatformCredentials credentials = new PlatformCredentials(services.pg());

    DegradedEvents degraded = new DegradedEvents(DEGRADED_BUFFER_CAPACITY, services.metrics());
    TwilioWebhooks webhooks = new TwilioWebhooks(new InboundLookup(services.webhookRedis(), config.guards()),
        new InboundLedger(services.webhookRedis()), optOuts,
        degraded, new TwimlWriter(VoicePrompts.defaults()), config, services.clock(), services.metrics());

    OrgKeys orgKeys = new OrgKeys(services.pg());
    AuditLog audit = new AuditLog(services.pg());
    Authenticator authenticator = new Authenticator(config.adminToken(), orgKeys);

    // Every store that keeps people: the anonymizer forgets them there and the residual scan counts what is left.
    List<ErasureStore> erasureStores = new ArrayList<>(ErasureStores.builtIn(services.redis(), recordings));
    erasureStores.add(new OptOutErasure(services.redis()));
    erasureStores.add(new RecipientMemoryErasure(services.redis()));
    erasureStores.add(new NotificationErasure());
    Notifications notifications = new Notifications(services.pg());
    NotificationArchive notificationArchive = new NotificationArchive(services.redis());
    TwilioMessages messages = new TwilioMessages(webClient, config.twilio());
    List<HttpFeature> http = List.of(
        new AccessApi(orgs, orgKeys, audit),
        new OrgApi(orgs, credentials, audit),
        new NumberApi(numbers, orgFacts, config.defaultCountry()),
        new SessionApi(sessions, orgFacts),
        webhooks,
        new OnfleetWebhooks(credentials, orgFacts, sessions, services.redis(), config.sessions().historyTtl(), webClient,
            config.onfleet().apiUrl(), services.metrics()),
        new NotificationApi(vertx, orgs, notifications, notificationArchive, optOuts::isOptedOut, messages, config.notifications().sender(),
            services.clock()),
        new NotificationStatusCallbacks(notifications, notificationArchive, config, services.clock()),
        new ArchiveApi(orgs, new ArchiveSearch(services.pg()), new AnonymizeAndDelete(services.pg(), recordings), audit),
        new AnonymizationApi(orgs, new AnonymizationRequests(services.pg(), services.clock()), services.pg(), erasureStores, config.defaultCountry(), audit));

    List<Supplier<? extends Deployable>> background = new ArrayList<>();
    // Every pod sweeps: closing is idempotent, and a lost close must not outlive the safety TTL by much.
    background.add(() -> new PeriodicVerticle("session-expiry", Duration.ofSeconds(30), () -> sessions.closeExpired(services.clock().instant())));
    background.add(() -> new PeriodicVerticle("degraded-events", Duration.ofSeconds(1),
        () -> degraded.pending() == 0 ? Future.succeededFuture() : degraded.flush(services.redis()),
        () -> degraded.pending() == 0 ? Future.succeededFuture() : degraded.flush(services.redis())));
    background.add(() -> new NotificationSender(notifications, notificationArchive, messages, config.notifications(),
        config.http().publicUrl().toString(), services.clock(), services.metrics()));
    background.add(() -> new MailerVerticle(services.redis(), services.mail(), config.mail(), services.clock(), services.metrics()));
    ArchiveWriter archiveWriter = new ArchiveWriter(services.pg());
    for (int i = 0; i < config.archive().consumers(); i++) {
      background.add(() -> new ArchiverVerticle(archiveStream, archiveWriter, archivePartitions, config.archive(), services.metrics()));
    }
    ArchiveMaintenance archiveMaintenance = new ArchiveMaintenance(archivePartitions, archiveWriter, archiveStream);
    background.add(() -> new PeriodicVerticle("archive-maintenance", Duration.ofSeconds(30), archiveMaintenance::run));
    background.add(() -> new PeriodicVerticle("archive-lag", Duration.ofSeconds(5), archiveLag::sample));
    Anonymizer anonymizer = new Anonymizer(vertx, services.pg(), erasureStores, archivePartitions::dropExpired,
        config.defaultCountry(), services.clock(), System.getenv().getOrDefault("HOSTNAME", "maskline"), services.metrics());
    background.add(() -> new AnonymizerVerticle(anonymizer, new CronSchedule(config.anonymizer().schedule()), config.anonymizer().timezone(),
        services.clock()));
    // Redis may have restarted empty: re-mirror orgs, numbers and opt-outs from Postgres before taking traffic.
    Supplier<Future<?>> warmUp = () -> orgs.mirrorAll().compose(n -> numbers.mirrorAll()).compose(n -> optOuts.mirrorAll())
        .onFailure(e -> org.slf4j.LoggerFactory.getLogger(Features.class).warn("re-mirroring orgs, numbers and opt-outs to Redis failed: {}", e.getMessage()))
        .otherwiseEmpty();
    return new Features(authenticator, http, List.copyOf(background), warmUp);
  }
}
