package io.maskline.access;

import io.maskline.api.ApiException;
import io.maskline.api.HttpFeature;
import io.maskline.org.Orgs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/**
 * {@code GET /v1/me}, {@code POST/GET /v1/orgs/{orgId}/keys}, {@code DELETE /v1/orgs/{orgId}/keys/{keyPrefix}} and
 * {@code GET /v1/orgs/{orgId}/audit}. Who may call which is in the contract ({@link Access}), enforced by {@link OrgScope}.
 */
public final class AccessApi implements HttpFeature {
  private static final int DEFAULT_AUDIT_LIMIT = 50;
  private static final int MAX_AUDIT_LIMIT = 500;

  private final Orgs orgs;
  private final OrgKeys keys;
  private final AuditLog audit;

  public AccessApi(Orgs orgs, OrgKeys keys, AuditLog audit) {
    this.orgs = orgs;
    this.keys = keys;
    this.audit = audit;
  }

  @Override
  public void mountApi(RouterBuilder api) {
    api.getRoute("whoAmI").addHandler(this::whoAmI);
    api.getRoute("createOrgKey").addHandler(this::createKey);
    api.getRoute("listOrgKeys").addHandler(this::listKeys);
    api.getRoute("revokeOrgKey").addHandler(this::revokeKey);
    api.getRoute("listAuditEntries").addHandler(this::listAudit);
  }

  private void whoAmI(RoutingContext rc) {
    rc.json(Principal.of(rc).toJson());
  }

  private void createKey(RoutingContext rc) {
    String orgId = rc.pathParam("orgId");
    OrgRole role = OrgRole.parse(rc.body().asJsonObject().getString("role"));
    Principal who = Principal.of(rc);
    orgs.require(orgId)
        .compose(org -> keys.create(orgId, role, who.actor()))
        .compose(created -> audit.record(who, orgId, AuditLog.Action.KEY_CREATED, keyDetails(created.key())).map(created))
        .onSuccess(created -> rc.response().setStatusCode(201).putHeader("Content-Type", "application/json")
            .putHeader("Cache-Control", "no-store").end(created.toJson().encode()))
        .onFailure(rc::fail);
  }

  private void listKeys(RoutingContext rc) {
    String orgId = rc.pathParam("orgId");
    orgs.require(orgId)
        .compose(org -> keys.list(orgId))
        .onSuccess(found -> rc.json(new JsonObject().put("items", new JsonArray(found.stream().map(OrgKeys.OrgKeyInfo::toJson).toList()))))
        .onFailure(rc::fail);
  }

  private void revokeKey(RoutingContext rc) {
    String orgId = rc.pathParam("orgId");
    String prefix = rc.pathParam("keyPrefix");
    Principal who = Principal.of(rc);
    keys.revoke(orgId, prefix)
        .compose(revoked -> revoked
            .map(key -> audit.record(who, orgId, AuditLog.Action.KEY_REVOKED, keyDetails(key)))
            .orElseThrow(() -> ApiException.notFound("org " + orgId + " has no key " + prefix)))
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  // Query parameters are checked here, not by the contract (see HttpVerticle: numeric-looking values).
  private void listAudit(RoutingContext rc) {
    String orgId = rc.pathParam("orgId");
    int limit = parse("limit", rc.queryParams().get("limit"), DEFAULT_AUDIT_LIMIT);
    if (limit < 1 || limit > MAX_AUDIT_LIMIT) {
      throw ApiException.invalid("limit must be a whole number from 1 to " + MAX_AUDIT_LIMIT);
    }
    String cursor = rc.queryParams().get("cursor");
    Long before;
    try {
      before = cursor == null || cursor.isBlank() ? null : Long.parseLong(cursor.strip());
    } catch (NumberFormatException e) {
      throw ApiException.invalid("cursor must be the 'next' of a previous page");
    }
    orgs.require(orgId)
        .compose(org -> audit.page(orgId, limit, before))
        .onSuccess(page -> rc.json(page.toJson()))
        .onFailure(rc::fail);
  }

  private static JsonObject keyDetails(OrgKeys.OrgKeyInfo key) {
    return new JsonObject().put("keyPrefix", key.prefix()).put("role", key.role().wireName());
  }

  private static int parse(String name, String value, int fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw ApiException.invalid(name + " must be a whole number");
    }
  }
}
