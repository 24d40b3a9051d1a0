package io.maskline;

import io.maskline.api.AdminApiContract;
import io.maskline.config.GatewayConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.mail.MailClient;

import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;

import java.time.Clock;

/** The shared, thread-safe clients every verticle works with; created once per process by {@link Gateway}. */
public record Services(
    GatewayConfig config,
    Redis redis,
    Pool pg,
    MailClient mail,
    PrometheusMeterRegistry metrics,
    AdminApiContract api,
    Clock clock) {}
