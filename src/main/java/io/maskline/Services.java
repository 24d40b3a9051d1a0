package io.maskline;

import io.maskline.api.AdminApiContract;
import io.maskline.config.GatewayConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.mail.MailClient;

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
    Clock clock) {}
