package maskline.baseline;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;

/**
 * One pipelined Redis connection of an event loop, reopened 100 ms after it fails: the cheapest way Vert.x talks to
 * Redis, shared by the baseline servers. {@link #current()} is {@code null} while it is being reopened.
 */
final class PipelinedConnection {
  private final Vertx vertx;
  private final Redis redis;
  private RedisConnection connection;

  PipelinedConnection(Vertx vertx, Redis redis) {
    this.vertx = vertx;
    this.redis = redis;
  }

  Future<RedisConnection> connect() {
    return redis.connect().onSuccess(c -> {
      connection = c;
      c.exceptionHandler(err -> reconnect(c));
      c.endHandler(v -> reconnect(c));
    });
  }

  RedisConnection current() {
    return connection;
  }

  private void reconnect(RedisConnection broken) {
    if (connection == broken) {
      connection = null;
      vertx.setTimer(100, id -> connect().onFailure(err -> reconnect(null)));
    }
  }
}
