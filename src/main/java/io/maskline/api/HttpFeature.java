package io.maskline.api;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** A feature's HTTP surface: admin operations bound by OpenAPI operationId, and plain routes (webhooks). */
public interface HttpFeature {
  /** Webhook paths read their own body (the provider's form); the HTTP verticle keeps its BodyHandler off them. */
  String WEBHOOK_PATH_PREFIX = "/webhooks/";

  default void mountApi(RouterBuilder api) {}

  default void mountRoutes(Router router) {}
}
