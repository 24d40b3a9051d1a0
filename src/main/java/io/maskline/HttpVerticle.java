package io.maskline;

import io.maskline.access.Authenticator;
import io.maskline.access.OrgScope;
import io.maskline.api.AdminAuth;
import io.maskline.api.ErrorCode;
import io.maskline.api.HttpFeature;
import io.maskline.api.NulBytes;
import io.maskline.api.Problems;
import io.maskline.console.ConsoleAuth;
import io.maskline.console.ConsoleCookie;
import io.maskline.ops.Health;
import io.maskline.ops.RequestIds;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.PlatformHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One instance per core. Builds the router: request id and body limit first, the admin API from the OpenAPI
 * contract (bearer-guarded, org-scoped, validated), then operations and webhook routes; every failure goes through {@link Problems}.
 */
public final class HttpVerticle extends VerticleBase {
  private final Services services;
  private final Health health;
  private final Authenticator authenticator;
  private final List<HttpFeature> features;
  private final Future<Void> openWhen;
  private HttpServer server;

  /** {@code openWhen}: what must be ready before the port opens (schema, background work, Redis re-mirrored). */
  public HttpVerticle(Services services, Health health, Authenticator authenticator, List<HttpFeature> features, Future<Void> openWhen) {
    this.services = services;
    this.health = health;
    this.authenticator = authenticator;
    this.features = features;
    this.openWhen = openWhen;
  }

  @Override
  public Future<?> start() {
    var config = services.config();
    RouterBuilder api = RouterBuilder.create(vertx, services.api().contract(), RequestExtractor.withBodyHandler())
        .rootHandler(new RequestIds(config.http().accessLogWebhookSample()))
        .rootHandler(bodiesExceptWebhooks(BodyHandler.create(false).setBodyLimit(config.http().bodyLimitBytes())))
        .rootHandler(new ConsoleAuth(ConsoleCookie.of(config), services.clock()))
        .rootHandler(new AdminAuth(authenticator))
        .rootHandler(new NulBytes())
        .rootHandler(new OrgScope(services.api().contract()));
    // AdminAuth (who) and OrgScope (which org, which role) guard all of /v1, before validation; the contract's
    // security schemes are documentation only.
    api.getRoutes().forEach(route -> route.setDoSecurity(false));
    // vertx-openapi 5.0 reads path/query values such as "+4791234567" or "12345" as JSON numbers and then refuses
    // them as "not a string"; operations without a body check their parameters in the handler instead.
    api.getRoutes().stream().filter(route -> route.getOperation().getRequestBody() == null).forEach(route -> route.setDoValidation(false));
    features.forEach(feature -> feature.mountApi(api));
    Router router = api.createRouter();

    health.mount(router);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(services.metrics()));
    router.get("/openapi.yaml").handler(rc -> rc.response()
        .putHeader("Content-Type", "application/yaml")
        .end(services.api().document()));
    features.forEach(feature -> feature.mountRoutes(router));

    router.route().failureHandler(Problems::handle);
    router.errorHandler(404, rc -> Problems.send(rc, ErrorCode.NOT_FOUND, "no route for " + rc.request().method() + " " + rc.normalizedPath()));
    router.errorHandler(405, rc -> Problems.send(rc, ErrorCode.METHOD_NOT_ALLOWED, rc.request().method() + " is not allowed on " + rc.normalizedPath()));

    HttpServerOptions options = new HttpServerOptions()
        .setPort(config.http().port())
        .setCompressionSupported(false)
        .setTcpNoDelay(true)
        .setMaxFormAttributeSize(config.http().bodyLimitBytes())
        .setIdleTimeout(60);
    // Back on this verticle's own context before listening: the server's connections belong to the context it was
    // created on, and each HTTP verticle must serve on its own event loop.
    Promise<HttpServer> listening = Promise.promise();
    openWhen.onComplete(ready -> context.runOnContext(v -> {
      if (ready.failed()) {
        listening.fail(ready.cause());
      } else {
        vertx.createHttpServer(options).requestHandler(router).listen().onSuccess(s -> server = s).onComplete(listening);
      }
    }));
    return listening.future();
  }

  /** The BodyHandler for every route but the webhooks, which read and decode their own form ({@code WebhookForm}). */
  private static PlatformHandler bodiesExceptWebhooks(BodyHandler bodies) {
    return rc -> {
      if (rc.request().path().startsWith(HttpFeature.WEBHOOK_PATH_PREFIX)) {
        rc.next();
      } else {
        bodies.handle(rc);
      }
    };
  }

  /** Stops accepting, lets in-flight requests finish within the drain time. */
  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(services.config().http().shutdownDrain().toMillis(), TimeUnit.MILLISECONDS);
  }
}
