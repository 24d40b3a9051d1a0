package io.maskline.binding;

import io.maskline.access.Principal;
import io.maskline.api.ApiException;
import io.maskline.api.ErrorCode;
import io.maskline.api.HttpFeature;
import io.maskline.org.OrgFacts;
import io.maskline.phone.PhoneNumbers;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code POST/GET /v1/sessions}, {@code GET/DELETE /v1/sessions/{taskId}}. */
public final class SessionApi implements HttpFeature {
  private static final int DEFAULT_LIST_LIMIT = 100;
  private static final int MAX_LIST_LIMIT = 500;
  private final Sessions sessions;
  private final OrgFacts orgFacts;
  private final ProxyNumbers numbers;

  public SessionApi(Sessions sessions, OrgFacts orgFacts, ProxyNumbers numbers) {
    this.sessions = sessions;
    this.orgFacts = orgFacts;
    this.numbers = numbers;
  }

  @Override
  public void mountApi(RouterBuilder api) {
    api.getRoute("openSession").addHandler(this::open);
    api.getRoute("listSessions").addHandler(this::list);
    api.getRoute("getSession").addHandler(this::get);
    api.getRoute("closeSession").addHandler(this::close);
  }

  private void open(RoutingContext rc) {
    JsonObject body = rc.body().asJsonObject();
    String orgId = body.getString("orgId");
    Map<String, String> variables = new HashMap<>();
    body.getJsonObject("variables", new JsonObject()).forEach(e -> variables.put(e.getKey(), String.valueOf(e.getValue())));
    orgFacts.forSession(orgId)
        .map(found -> found.orElseThrow(() -> ApiException.notFound("org " + orgId + " does not exist")))
        .compose(org -> {
          String driver = PhoneNumbers.require("driverPhone", body.getString("driverPhone"), org.country());
          String recipient = PhoneNumbers.require("recipientPhone", body.getString("recipientPhone"), org.country());
          if (driver.equals(recipient)) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "driverPhone and recipientPhone must differ");
          }
          // A proxy number as a party would route the pool to itself: traffic in a loop, or to nobody.
          return numbers.anyIsProxy(List.of(driver, recipient)).compose(proxy -> proxy
              ? Future.failedFuture(new ApiException(ErrorCode.VALIDATION_FAILED, "driverPhone and recipientPhone must not be proxy numbers of the pool"))
              : sessions.open(new Sessions.OpenRequest(orgId, body.getString("taskId"), driver, recipient, variables, org.anonymize())));
        })
        .onSuccess(opened -> rc.response()
            .setStatusCode(opened.created() ? 201 : 200)
            .putHeader("Content-Type", "application/json")
            .end(opened.session().toJson().encode()))
        .onFailure(rc::fail);
  }

  // Query parameters are checked here, not by the contract (see HttpVerticle: numeric-looking values).
  private void list(RoutingContext rc) {
    String orgId = io.maskline.org.Orgs.requireIdParameter(rc.queryParams().get("orgId"));
    int limit = limit(rc.queryParams().get("limit"));
    orgFacts.forSession(orgId)
        .map(found -> found.orElseThrow(() -> ApiException.notFound("org " + orgId + " does not exist")))
        .compose(org -> sessions.listOpen(orgId, limit))
        .onSuccess(open -> rc.json(new JsonObject().put("items", new io.vertx.core.json.JsonArray(open.stream().map(Session::toMaskedJson).toList()))))
        .onFailure(rc::fail);
  }

  private static int limit(String given) {
    if (given == null || given.isBlank()) {
      return DEFAULT_LIST_LIMIT;
    }
    try {
      int limit = Integer.parseInt(given.strip());
      if (limit >= 1 && limit <= MAX_LIST_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiException.invalid("limit", "limit must be a whole number from 1 to " + MAX_LIST_LIMIT);
  }

  private void get(RoutingContext rc) {
    String taskId = rc.pathParam("taskId");
    sessions.get(taskId)
        .map(found -> found.filter(session -> Principal.of(rc).sees(session.orgId())))
        .onSuccess(found -> found.ifPresentOrElse(
            session -> rc.json(session.toJson()),
            () -> rc.fail(ApiException.notFound("no session for task " + taskId))))
        .onFailure(rc::fail);
  }

  private void close(RoutingContext rc) {
    String taskId = rc.pathParam("taskId");
    // Another org's session is answered as missing, and left open.
    sessions.get(taskId)
        .compose(found -> found.isPresent() && Principal.of(rc).sees(found.get().orgId()) ? sessions.close(taskId) : Future.succeededFuture(false))
        .onSuccess(known -> {
          if (known) {
            rc.response().setStatusCode(204).end();
          } else {
            rc.fail(ApiException.notFound("no session for task " + taskId));
          }
        })
        .onFailure(rc::fail);
  }
}
