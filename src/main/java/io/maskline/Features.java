package io.maskline;

import io.maskline.ops.Health;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.function.Supplier;

/** The list of what the gateway does: HTTP features per HTTP verticle, and background verticles (one each per pod). */
record Features(List<HttpFeature> http, List<Supplier<? extends Deployable>> background) {
  static Features create(Vertx vertx, Services services, Health health) {
    return new Features(List.of(), List.of());
  }
}
