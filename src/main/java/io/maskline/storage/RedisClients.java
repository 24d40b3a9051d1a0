package io.maskline.storage;

import io.maskline.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisClusterTransactions;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;

import java.util.Arrays;

/** Builds the pooled Redis client: standalone, Sentinel or Cluster, chosen by {@code redis.mode}. */
public final class RedisClients {
  private RedisClients() {}

  public static Redis create(Vertx vertx, GatewayConfig.Redis config) {
    RedisOptions options = new RedisOptions()
        .setType(switch (config.mode()) {
          case STANDALONE -> RedisClientType.STANDALONE;
          case SENTINEL -> RedisClientType.SENTINEL;
          case CLUSTER -> RedisClientType.CLUSTER;
        })
        .setMaxPoolSize(config.poolSize())
        .setMaxPoolWaiting(10_000)
        .setMaxWaitingHandlers(100_000)
        .setPoolRecycleTimeout(15_000)
        // A dead Redis must fail fast: the webhook path answers a degraded TwiML within a second.
        .setNetClientOptions(new NetClientOptions().setConnectTimeout((int) config.timeout().toMillis()).setTcpNoDelay(true).setTcpKeepAlive(true));
    Arrays.stream(config.url().split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(options::addConnectionString);
    if (config.mode() == GatewayConfig.RedisMode.CLUSTER) {
      // Every key carries the {ml} hash tag, so a MULTI/EXEC (the webhook commit) always lands on one node.
      options.setClusterTransactions(RedisClusterTransactions.SINGLE_NODE);
    }
    if (config.mode() == GatewayConfig.RedisMode.SENTINEL) {
      options.setMasterName(config.masterName()).setRole(RedisRole.MASTER);
    }
    return Redis.createClient(vertx, options);
  }
}
