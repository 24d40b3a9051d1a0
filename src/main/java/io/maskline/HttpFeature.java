package io.maskline;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** A feature's HTTP surface: admin operations bound by OpenAPI operationId, and plain routes (webhooks). */
public interface HttpFeature {
  default void mountApi(RouterBuilder api) {}

  default void mountRoutes(Router router) {}
}
