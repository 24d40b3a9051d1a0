package io.maskline;

import io.maskline.api.AdminApiContract;
import io.maskline.config.GatewayConfig;
import io.maskline.storage.PartyKeys;
import io.maskline.storage.PipelinedRedis;
import io.maskline.storage.Postgres;
import io.maskline.storage.RedisClients;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.StartTLSOptions;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;

import java.time.Clock;

/**
 * The shared, thread-safe clients every verticle works with; created once per process by {@link Gateway}.
 * {@code webhookRedis} is the webhook hot path's: pipelined connections per event loop, see {@link io.maskline.storage.PipelinedRedis}.
 * {@code partyKeys} names people in Redis key names; its secret is loaded once the schema is there ({@link Gateway}).
 */
public record Services(
    GatewayConfig config,
    Redis redis,
    Redis webhookRedis,
    Pool pg,
    MailClient mail,
    PartyKeys partyKeys,
    PrometheusMeterRegistry metrics,
    AdminApiContract api,
    Clock clock) {

  /** Clients for this configuration; none connects until first used. */
  static Services create(Vertx vertx, GatewayConfig config, PrometheusMeterRegistry metrics, AdminApiContract contract) {
    return new Services(config, RedisClients.create(vertx, config.redis()),
        new PipelinedRedis(RedisClients.create(vertx, config.redis()), config.redis().timeout()), Postgres.pool(vertx, config.postgres()),
        MailClient.createShared(vertx, mailConfig(config.smtp(), config.mail().sendTimeout()), "maskline-mail"),
        PartyKeys.configured(config.redis().keySecret()), metrics, contract, Clock.systemUTC());
  }

  /**
   * Clients of their own for the background Vert.x instance (archiver, mailer, anonymizer): their connections live on
   * its event loop, so a batch's encoding and decoding happen there too, never on a webhook's event loop. A small
   * Postgres pool: the archiver's loops, maintenance and the anonymizer.
   */
  Services forBackground(Vertx background) {
    Redis backgroundRedis = RedisClients.create(background, config.redis());
    return new Services(config, backgroundRedis, backgroundRedis,
        Postgres.pool(background, config.postgres(), Math.min(config.postgres().poolSize(), config.archive().consumers() + 3), "maskline-pg-background"),
        MailClient.createShared(background, mailConfig(config.smtp(), config.mail().sendTimeout()), "maskline-mail"), partyKeys, metrics, api, clock);
  }

  private static MailConfig mailConfig(GatewayConfig.Smtp smtp, java.time.Duration sendTimeout) {
    MailConfig mail = new MailConfig()
        // A silent server: the connection is closed after this long without traffic, which fails the send. The send
        // fails for real (not merely stops being waited for), so its retry can never race a late delivery of it.
        .setIdleTimeout((int) sendTimeout.toMillis())
        .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
        .setHostname(smtp.host())
        .setPort(smtp.port())
        .setStarttls(smtp.startTls() ? StartTLSOptions.REQUIRED : StartTLSOptions.OPTIONAL)
        .setKeepAlive(true)
        .setMaxPoolSize(4)
        .setConnectTimeout(5_000);
    if (smtp.username() != null) {
      mail.setUsername(smtp.username()).setPassword(smtp.password());
    }
    return mail;
  }
}
