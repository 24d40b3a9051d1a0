package io.maskline.config;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Locale;

/**
 * The gateway's whole configuration, typed and validated once at start. Built from
 * {@code conf/application.yaml} overlaid with {@code MASKLINE_*} environment variables (see {@link ConfigLoader}).
 * A null {@code redis.url} / {@code pg.url} means "start embedded servers", which only dev runs and tests do.
 */
public record GatewayConfig(
    Http http,
    Redis redis,
    Postgres postgres,
    Smtp smtp,
    Mail mail,
    Twilio twilio,
    String adminToken,
    String defaultCountry,
    Sessions sessions,
    Guards guards,
    Anonymizer anonymizer,
    Archive archive,
    Onfleet onfleet,
    Notifications notifications,
    Console console) {

  public enum RedisMode { STANDALONE, SENTINEL, CLUSTER }

  /**
   * {@code instances} 0 means one HTTP verticle per core. {@code accessLogWebhookSample}: provider webhooks answered
   * fine are access-logged one in this many (1 = every one).
   */
  public record Http(int port, int instances, URI publicUrl, Duration shutdownDrain, int bodyLimitBytes, int accessLogWebhookSample) {
    public int effectiveInstances() {
      return instances > 0 ? instances : Runtime.getRuntime().availableProcessors();
    }
  }

  /**
   * {@code url} may list several comma-separated endpoints (Sentinel, Cluster). {@code keySecret}: the secret people
   * are named by in key names ({@code storage/PartyKeys}); null: the installation's own, kept in Postgres.
   */
  public record Redis(String url, RedisMode mode, String masterName, int poolSize, Duration timeout, String keySecret) {
    /** Neither the URL (it may hold a password) nor the key secret. */
    @Override
    public String toString() {
      return "Redis[mode=" + mode + ", masterName=" + masterName + ", poolSize=" + poolSize + ", timeout=" + timeout
          + ", keySecret=" + (keySecret == null ? "installation's" : "configured") + "]";
    }
  }

  public record Postgres(String url, int poolSize) {}

  public record Smtp(String host, int port, String username, String password, boolean startTls) {}

  /** {@code deadLetterRetention}: how long an email that could not be sent is kept for a person to look at. */
  public record Mail(String from, int maxAttempts, Duration firstRetryDelay, boolean maskCaller, Duration deadLetterRetention,
                     Duration sendTimeout) {}

  public record Twilio(String accountSid, String authToken, URI apiUrl) {}

  public record Sessions(Duration safetyTtl, Duration historyTtl) {}

  /** {@code replayMarkerTtl}: how long a sid stays known as answered after its stored answer (24 h) is gone. */
  public record Guards(int ratePerPair, int ratePerCaller, int loopGuard, Duration replayMarkerTtl) {}

  public record Anonymizer(String schedule, ZoneId timezone, int archiveRetentionMonths) {}

  /**
   * {@code consumers}: archiver loops per pod (batches in flight at once; 0 when another deployment archives); {@code claimIdle}: how long an entry may sit
   * unacknowledged with a consumer before another takes it over.
   */
  /** {@code batchInterval}: once the stream is drained, a consumer waits this long before reading again (paced batches). */
  public record Archive(int batchSize, int consumers, Duration claimIdle, Duration batchInterval) {}

  /** The Onfleet REST API (worker look-ups for task webhooks that carry no worker phone). */
  public record Onfleet(URI apiUrl) {}

  /**
   * Trigger notifications: {@code sender} is the platform's sender number (E.164) for orgs without a dedicated number,
   * null when none is configured; sends are tried up to {@code maxAttempts} times, the backoff doubling from
   * {@code firstRetryDelay}.
   */
  public record Notifications(String sender, int maxAttempts, Duration firstRetryDelay) {}

  /**
   * The admin console: how long a sign-in lasts, the secret its session cookies are sealed with (null: derived from
   * the admin token, so every pod of a deployment agrees), and whether the dev-only webhook simulator is served.
   */
  public record Console(Duration sessionTtl, String secret, boolean simulator) {}

  public static GatewayConfig from(JsonObject merged) {
    Settings s = new Settings(merged);
    return new GatewayConfig(
        new Http(
            s.integer("http.port", 8080, 0, 65535),
            s.integer("http.instances", 0, 0, 256),
            s.httpUrl("publicUrl", "http://localhost:8080"),
            s.duration("http.shutdownDrain", Duration.ofSeconds(10)),
            64 * 1024,
            s.integer("http.accessLogWebhookSample", 100, 1, 1_000_000)),
        new Redis(
            s.string("redis.url", null),
            s.choice("redis.mode", RedisMode.STANDALONE, RedisMode.class),
            s.string("redis.masterName", "mymaster"),
            s.integer("redis.poolSize", 32, 1, 1024),
            s.duration("redis.timeout", Duration.ofMillis(800)),
            s.parse("redis.keySecret", null, GatewayConfig::keySecret)),
        new Postgres(s.string("pg.url", null), s.integer("pg.poolSize", 16, 1, 512)),
        new Smtp(
            s.string("smtp.host", "localhost"),
            s.integer("smtp.port", 25, 1, 65535),
            s.string("smtp.username", null),
            s.string("smtp.password", null),
            s.bool("smtp.startTls", false)),
        new Mail(
            s.parse("mail.from", "noreply@maskline.local", GatewayConfig::email),
            s.integer("mail.maxAttempts", 8, 1, 100),
            s.duration("mail.firstRetryDelay", Duration.ofSeconds(2)),
            s.bool("mail.maskCaller", false),
            s.duration("mail.deadLetterRetention", Duration.ofDays(30)),
            s.duration("mail.sendTimeout", Duration.ofSeconds(20))),
        new Twilio(
            s.string("twilio.accountSid", null),
            s.string("twilio.authToken", null),
            s.httpUrl("twilio.apiUrl", "https://api.twilio.com")),
        s.string("admin.token", null),
        s.parse("defaultCountry", "US", GatewayConfig::regionCode),
        new Sessions(
            s.duration("session.safetyTtl", Duration.ofHours(24)),
            s.duration("session.historyTtl", Duration.ofDays(30))),
        new Guards(
            s.integer("rate.perPair", 30, 1, 1_000_000),
            s.integer("rate.perCaller", 120, 1, 1_000_000),
            s.integer("loopGuard", 20, 1, 1_000_000),
            s.duration("replayMarkerTtl", Duration.ofDays(30))),
        new Anonymizer(
            s.parse("anonymizer.schedule", "0 0 2 * * ?", CronSchedule::validate),
            s.zone("timezone", "UTC"),
            s.integer("archive.retentionMonths", 24, 1, 1200)),
        new Archive(
            s.integer("archive.batchSize", 1000, 1, 10_000),
            s.integer("archive.consumers", 2, 0, 16),
            s.duration("archive.claimIdle", Duration.ofSeconds(30)),
            s.duration("archive.batchInterval", Duration.ofMillis(250))),
        new Onfleet(s.httpUrl("onfleet.apiUrl", "https://onfleet.com/api/v2")),
        new Notifications(
            s.parse("notifications.sender", null, GatewayConfig::e164),
            s.integer("notifications.maxAttempts", 8, 1, 100),
            s.duration("notifications.firstRetryDelay", Duration.ofSeconds(2))),
        new Console(
            s.duration("console.sessionTtl", Duration.ofHours(8)),
            s.string("console.secret", null),
            s.bool("console.simulator", false)));
  }

  /** Outside dev and tests every external dependency and secret must be given explicitly. */
  public GatewayConfig requireProductionSettings() {
    if (redis.url() == null) throw Settings.invalid("redis.url", "is required (embedded Redis is for dev runs and tests only)", null);
    if (postgres.url() == null) throw Settings.invalid("pg.url", "is required (embedded Postgres is for dev runs and tests only)", null);
    if (twilio.authToken() == null) throw Settings.invalid("twilio.authToken", "is required", null);
    if (adminToken == null) throw Settings.invalid("admin.token", "is required", null);
    if (adminToken.length() < 16) throw Settings.invalid("admin.token", "must be at least 16 characters", null);
    if (console.secret() != null && console.secret().length() < 32) throw Settings.invalid("console.secret", "must be at least 32 characters", null);
    return this;
  }

  public GatewayConfig withServices(String redisUrl, String pgUrl) {
    return new GatewayConfig(http, new Redis(redisUrl, redis.mode(), redis.masterName(), redis.poolSize(), redis.timeout(), redis.keySecret()),
        new Postgres(pgUrl, postgres.poolSize()), smtp, mail, twilio, adminToken, defaultCountry, sessions, guards, anonymizer, archive, onfleet, notifications,
        console);
  }

  private static String regionCode(String text) {
    String upper = text.toUpperCase(Locale.ROOT);
    if (!PhoneNumberUtil.getInstance().getSupportedRegions().contains(upper)) {
      throw new IllegalArgumentException("must be an ISO 3166 alpha-2 country code with a phone numbering plan");
    }
    return upper;
  }

  private static String keySecret(String text) {
    if (text.length() < 32) {
      throw new IllegalArgumentException("must be at least 32 characters");
    }
    return text;
  }

  private static String e164(String text) {
    return io.maskline.phone.PhoneNumbers.normalize(text, "US").filter(text::equals)
        .orElseThrow(() -> new IllegalArgumentException("must be a phone number in E.164 (+15551234567)"));
  }

  private static String email(String text) {
    return io.maskline.phone.EmailAddresses.normalize(text).orElseThrow(() -> new IllegalArgumentException("must be an email address"));
  }

  /** Secrets are masked so the config can be logged at start. */
  @Override
  public String toString() {
    return "GatewayConfig[http=" + http + ", redis.mode=" + redis.mode() + ", redis.configured=" + (redis.url() != null)
        + ", pg.configured=" + (postgres.url() != null) + ", smtp=" + smtp.host() + ":" + smtp.port()
        + ", twilio.apiUrl=" + twilio.apiUrl() + ", defaultCountry=" + defaultCountry + ", sessions=" + sessions
        + ", guards=" + guards + ", anonymizer=" + anonymizer + ", archive=" + archive + ", onfleet.apiUrl=" + onfleet.apiUrl()
        + ", notifications=" + notifications + ", console.sessionTtl=" + console.sessionTtl() + ", console.simulator=" + console.simulator() + "]";
  }
}
