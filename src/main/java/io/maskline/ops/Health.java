package io.maskline.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;

import java.util.function.Supplier;

/**
 * {@code /health/live}: the event loop answers. {@code /health/ready}: 200 only while Redis and Postgres answer;
 * 503 names the failing check. More readiness details (archive lag) are registered by the features that own them.
 */
public final class Health {
  private static final long CHECK_TIMEOUT_MS = 1_000;

  private final HealthChecks readiness;
  private final HealthChecks liveness;

  public Health(Vertx vertx, Redis redis, Pool pg) {
    // Answering at all proves the event loop turns; the check exists so the answer is 200 with a body, not 204.
    this.liveness = HealthChecks.create(vertx).register("eventLoop", promise -> promise.tryComplete(Status.OK()));
    this.readiness = HealthChecks.create(vertx)
        .register("redis", CHECK_TIMEOUT_MS, promise -> redis.send(Request.cmd(Command.PING))
            .onSuccess(pong -> promise.tryComplete(Status.OK()))
            .onFailure(e -> promise.tryComplete(Status.KO(new JsonObject().put("error", String.valueOf(e.getMessage()))))))
        .register("postgres", CHECK_TIMEOUT_MS, promise -> pg.query("SELECT 1").execute()
            .onSuccess(rows -> promise.tryComplete(Status.OK()))
            .onFailure(e -> promise.tryComplete(Status.KO(new JsonObject().put("error", String.valueOf(e.getMessage()))))));
  }

  /**
   * A readiness detail that never fails readiness on its own (e.g. archive lag). Checks complete with tryComplete: one
   * that answers after its timeout (a loaded pod) must not turn the readiness answer into a 500.
   */
  public void addReadinessDetail(String name, Supplier<Future<JsonObject>> detail) {
    readiness.register(name, CHECK_TIMEOUT_MS, promise -> detail.get()
        .onSuccess(data -> promise.tryComplete(Status.OK(data)))
        .onFailure(e -> promise.tryComplete(Status.OK(new JsonObject().put("error", String.valueOf(e.getMessage()))))));
  }

  public void mount(Router router) {
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(liveness));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(readiness));
  }
}
