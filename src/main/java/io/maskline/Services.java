package io.maskline;

import io.maskline.api.AdminApiContract;
import io.maskline.config.GatewayConfig;
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
 */
public record Services(
    GatewayConfig config,
    Redis redis,
    Redis webhookRedis,
    Pool pg,
    MailClient mail,
    PrometheusMeterRegistry metrics,
    AdminApiContract api,
    Clock clock) {

  /** Clients for this configuration; none connects until first used. */
  static Services create(Vertx vertx, GatewayConfig config, PrometheusMeterRegistry metrics, AdminApiContract contract) {
    return new Services(config, RedisClients.create(vertx, config.redis()),
        new PipelinedRedis(RedisClients.create(vertx, config.redis()), config.redis().timeout()), Postgres.pool(vertx, config.postgres()),
        MailClient.createShared(vertx, mailConfig(config.smtp()), "maskline-mail"), metrics, contract, Clock.systemUTC());
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
        MailClient.createShared(background, mailConfig(config.smtp()), "maskline-mail"), metrics, api, clock);
  }

  private static MailConfig mailConfig(GatewayConfig.Smtp smtp) {
    MailConfig mail = new MailConfig()
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
