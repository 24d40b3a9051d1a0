package io.maskline.anonymizer;

import io.maskline.access.AuditLog;
import io.maskline.access.Principal;
import io.maskline.api.ApiException;
import io.maskline.api.ErrorCode;
import io.maskline.api.HttpFeature;
import io.maskline.config.CronSchedule;
import io.maskline.config.GatewayConfig;
import io.maskline.org.Orgs;
import io.maskline.phone.EmailAddresses;
import io.maskline.phone.PhoneNumbers;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.sqlclient.Pool;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code POST/GET /v1/anonymization-requests}, {@code POST /v1/anonymizer/runs} (asks this pod's
 * {@link AnonymizerVerticle} over the event bus), {@code GET /v1/anonymizer/runs/{runId}} and {@code GET /v1/anonymizer/schedule}.
 */
public final class AnonymizationApi implements HttpFeature {
  private static final long RUN_ASK_TIMEOUT_MS = 10_000;

  private final Orgs orgs;
  private final AnonymizationRequests requests;
  private final Pool pg;
  private final List<ErasureStore> stores;
  private final String defaultCountry;
  private final AuditLog audit;
  private final GatewayConfig.Anonymizer schedule;
  private final Clock clock;

  public AnonymizationApi(Orgs orgs, AnonymizationRequests requests, Pool pg, List<ErasureStore> stores, String defaultCountry, AuditLog audit,
                          GatewayConfig.Anonymizer schedule, Clock clock) {
    this.orgs = orgs;
    this.requests = requests;
    this.pg = pg;
    this.stores = List.copyOf(stores);
    this.defaultCountry = defaultCountry;
    this.audit = audit;
    this.schedule = schedule;
    this.clock = clock;
  }

  @Override
  public void mountApi(RouterBuilder api) {
    api.getRoute("createAnonymizationRequest").addHandler(this::create);
    api.getRoute("listAnonymizationRequests").addHandler(this::list);
    api.getRoute("getAnonymizationResidue").addHandler(this::residue);
    api.getRoute("startAnonymizerRun").addHandler(this::startRun);
    api.getRoute("getAnonymizerRun").addHandler(this::getRun);
    api.getRoute("getAnonymizerSchedule").addHandler(this::schedule);
  }

  private void create(RoutingContext rc) {
    JsonObject body = rc.body().asJsonObject();
    String orgId = body.getString("orgId");
    String phone = blankToNull(body.getString("phone"));
    String email = blankToNull(body.getString("email"));
    if (phone == null && email == null) {
      throw ApiException.invalid("phone", "phone or email (or both) is required");
    }
    if (email != null) {
      email = EmailAddresses.normalize(email).orElseThrow(() -> ApiException.invalidEmail("email"));
    }
    List<String> scope = scope(body.getJsonArray("scope"));
    boolean deleteContent = body.getBoolean("deleteRecordingsAndBodies", false);
    String address = email;
    Principal who = Principal.of(rc);
    orgs.require(orgId)
        .map(org -> phone == null ? null : PhoneNumbers.require("phone", phone, orgs.countryOf(org)))
        .compose(number -> requests.create(orgId, number, address, scope, deleteContent))
        .compose(created -> audit.record(who, orgId, AuditLog.Action.ANONYMIZATION_REQUESTED, auditDetails(created)).map(created))
        .onSuccess(created -> rc.response().setStatusCode(201).putHeader("Content-Type", "application/json").end(created.toJson().encode()))
        .onFailure(rc::fail);
  }

  // Query parameters are checked here, not by the contract (see HttpVerticle: numeric-looking values).
  private void list(RoutingContext rc) {
    String orgId = Orgs.requireIdParameter(rc.queryParams().get("orgId"));
    orgs.require(orgId)
        .compose(org -> requests.list(orgId))
        .onSuccess(found -> rc.json(new JsonObject().put("items", new JsonArray(found.stream().map(AnonymizationRequest::toJson).toList()))))
        .onFailure(rc::fail);
  }

  /**
   * Counted now while the request waits; once done, the count its run made (the identity is gone by then).
   * Another org's request is answered as missing.
   */
  private void residue(RoutingContext rc) {
    String text = rc.pathParam("requestId");
    UUID id = uuid(text, "no anonymization request ");
    Principal who = Principal.of(rc);
    requests.get(id, defaultCountry)
        .map(found -> found.filter(pending -> who.sees(pending.request().orgId())))
        .compose(found -> found.map(this::residue).orElseGet(() -> Future.failedFuture(ApiException.notFound("no anonymization request " + text))))
        .onSuccess(rc::json)
        .onFailure(rc::fail);
  }

  private Future<JsonObject> residue(AnonymizationRequests.Pending pending) {
    AnonymizationRequest request = pending.request();
    JsonObject answer = new JsonObject().put("requestId", request.id().toString()).put("status", request.status().name());
    if (request.status() == AnonymizationRequest.Status.DONE) {
      JsonObject residue = request.report() == null ? null : request.report().getJsonObject("residue");
      JsonObject stores = residue == null ? new JsonObject() : residue;
      return Future.succeededFuture(answer.put("counted", "run").put("total", Anonymizer.residueTotal(stores)).put("stores", stores));
    }
    return pg.withConnection(conn -> Anonymizer.residue(stores,
            new Erasure(conn, request, IdentityMatcher.of(request.phone(), request.email(), pending.country()))))
        .map(stores -> answer.put("counted", "now").put("total", Anonymizer.residueTotal(stores)).put("stores", stores));
  }

  private void startRun(RoutingContext rc) {
    rc.vertx().eventBus().<JsonObject>request(AnonymizerVerticle.ADDRESS, new JsonObject(),
            new DeliveryOptions().setSendTimeout(RUN_ASK_TIMEOUT_MS))
        .map(Message::body)
        .onSuccess(run -> rc.response().setStatusCode(202).putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("runId", run.getString("runId")).put("status", AnonymizerRun.RUNNING)
                .put("started", run.getBoolean("started")).encode()))
        .onFailure(e -> rc.fail(e instanceof ReplyException reply && reply.failureCode() == AnonymizerVerticle.NO_RUN_RECORDED
            ? new ApiException(ErrorCode.CONFLICT, reply.getMessage())
            : e));
  }

  private void getRun(RoutingContext rc) {
    String text = rc.pathParam("runId");
    UUID runId = uuid(text, "no anonymizer run ");
    Anonymizer.get(pg, runId)
        .onSuccess(run -> run.ifPresentOrElse(found -> rc.json(found.toJson()), () -> rc.fail(ApiException.notFound("no anonymizer run " + text))))
        .onFailure(rc::fail);
  }

  /** When the scheduled run comes next: computed from the same cron expression and zone the scheduler uses. */
  private void schedule(RoutingContext rc) {
    ZonedDateTime now = clock.instant().atZone(schedule.timezone());
    String next = new CronSchedule(schedule.schedule()).untilNext(now).map(until -> now.plus(until).toInstant().toString()).orElse(null);
    rc.json(new JsonObject().put("schedule", schedule.schedule()).put("timezone", schedule.timezone().getId()).put("nextRunAt", next));
  }

  /** Which identities were given, never their values: the audit log must not be one more place to erase. */
  private static JsonObject auditDetails(AnonymizationRequest created) {
    return new JsonObject().put("requestId", created.id().toString()).put("phone", created.phone() != null)
        .put("email", created.email() != null).put("scope", new JsonArray(created.scope()))
        .put("deleteRecordingsAndBodies", created.deleteRecordingsAndBodies());
  }

  /** {@code ["archive"]} (the default) or {@code ["archive", "raw"]}. */
  private static List<String> scope(JsonArray given) {
    if (given == null || given.isEmpty()) {
      return List.of(AnonymizationRequest.SCOPE_ARCHIVE);
    }
    List<String> scope = new ArrayList<>();
    given.forEach(item -> {
      if (!scope.contains(item)) scope.add(String.valueOf(item));
    });
    if (!scope.contains(AnonymizationRequest.SCOPE_ARCHIVE) || !List.of(AnonymizationRequest.SCOPE_ARCHIVE, AnonymizationRequest.SCOPE_RAW).containsAll(scope)) {
      throw ApiException.invalid("scope", "scope must be [\"archive\"] or [\"archive\", \"raw\"]");
    }
    return scope;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  /** An id in a path: what is not a UUID names nothing there, so it is answered as not found. */
  private static UUID uuid(String text, String notFound) {
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound(notFound + text);
    }
  }
}
