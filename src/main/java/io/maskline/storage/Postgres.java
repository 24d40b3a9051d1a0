package io.maskline.storage;

import io.maskline.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.flywaydb.core.Flyway;

import java.util.concurrent.TimeUnit;

/** Owns the Postgres pool and the schema: Flyway migrations run once at start, off the event loop. */
public final class Postgres {
  private Postgres() {}

  public static Pool pool(Vertx vertx, GatewayConfig.Postgres config) {
    return pool(vertx, config, config.poolSize(), "maskline-pg");
  }

  public static Pool pool(Vertx vertx, GatewayConfig.Postgres config, int maxSize, String name) {
    PgConnectOptions connect = PgConnectOptions.fromUri(config.url())
        .setCachePreparedStatements(true)
        .setReconnectAttempts(0);
    PoolOptions pool = new PoolOptions()
        .setMaxSize(maxSize)
        .setName(name)
        .setShared(true)
        .setConnectionTimeout(5)
        .setConnectionTimeoutUnit(TimeUnit.SECONDS)
        .setMaxWaitQueueSize(10_000);
    return PgBuilder.pool().with(pool).connectingTo(connect).using(vertx).build();
  }

  /** Blocking JDBC work on a worker thread; Flyway's own advisory lock serialises pods starting together. */
  public static Future<Integer> migrate(Vertx vertx, String url) {
    return vertx.executeBlocking(() -> {
      PgConnectOptions options = PgConnectOptions.fromUri(url);
      String jdbc = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
      return Flyway.configure()
          .dataSource(jdbc, options.getUser(), options.getPassword())
          .locations("classpath:db/migration")
          .load()
          .migrate()
          .migrationsExecuted;
    });
  }
}
