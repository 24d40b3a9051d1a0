package io.maskline.binding;

import io.maskline.access.Principal;
import io.maskline.api.ApiException;
import io.maskline.api.HttpFeature;
import io.maskline.org.OrgFacts;
import io.maskline.phone.PhoneNumbers;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** {@code POST/GET /v1/numbers}, {@code DELETE /v1/numbers/{number}}. */
public final class NumberApi implements HttpFeature {
  private final ProxyNumbers numbers;
  private final OrgFacts orgFacts;
  private final String defaultCountry;

  public NumberApi(ProxyNumbers numbers, OrgFacts orgFacts, String defaultCountry) {
    this.numbers = numbers;
    this.orgFacts = orgFacts;
    this.defaultCountry = defaultCountry;
  }

  @Override
  public void mountApi(RouterBuilder api) {
    api.getRoute("addNumber").addHandler(this::add);
    api.getRoute("listNumbers").addHandler(this::list);
    api.getRoute("removeNumber").addHandler(this::remove);
  }

  private void add(RoutingContext rc) {
    JsonObject body = rc.body().asJsonObject();
    String orgId = body.getString("orgId");
    Future<String> country = orgId == null
        ? Future.succeededFuture(defaultCountry)
        : orgFacts.forSession(orgId).map(facts -> facts
            .orElseThrow(() -> ApiException.notFound("org " + orgId + " does not exist"))
            .country());
    country
        .map(c -> PhoneNumbers.require("number", body.getString("number"), c))
        .compose(number -> numbers.add(number, orgId))
        .onSuccess(added -> rc.response().setStatusCode(201).putHeader("Content-Type", "application/json").end(added.toJson().encode()))
        .onFailure(rc::fail);
  }

  /** An org key lists its own org's dedicated numbers (OrgScope refuses another org's id). */
  private void list(RoutingContext rc) {
    String orgId = rc.queryParams().get("orgId");
    if (orgId == null && Principal.of(rc) instanceof Principal.OrgKey key) {
      orgId = key.orgId();
    }
    numbers.list(orgId)
        .onSuccess(found -> rc.json(ProxyNumbers.page(found)))
        .onFailure(rc::fail);
  }

  private void remove(RoutingContext rc) {
    String number = PhoneNumbers.require("number", rc.pathParam("number"), defaultCountry);
    numbers.remove(number)
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }
}
