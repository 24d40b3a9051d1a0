package io.maskline.org;

import io.maskline.access.AuditLog;
import io.maskline.access.Principal;
import io.maskline.api.ApiException;
import io.maskline.api.HttpFeature;
import io.maskline.phone.EmailAddresses;
import io.maskline.phone.PhoneNumbers;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** {@code GET /v1/orgs}, {@code PUT/GET /v1/orgs/{orgId}}. */
public final class OrgApi implements HttpFeature {
  // Settings the audit log may show with their new value; the admin phone, email and credentials appear by name only.
  private static final Set<String> AUDITED_WITH_VALUE = Set.of("name", "adminPhoneAcceptsSms", "anonymize", "routeRecipientsToAdmin", "recordCalls", "country");
  private static final List<String> CREDENTIAL_FIELDS = List.of("onfleetWebhookSecret", "onfleetApiKey");

  private final Orgs orgs;
  private final PlatformCredentials credentials;
  private final AuditLog audit;

  public OrgApi(Orgs orgs, PlatformCredentials credentials, AuditLog audit) {
    this.orgs = orgs;
    this.credentials = credentials;
    this.audit = audit;
  }

  @Override
  public void mountApi(RouterBuilder api) {
    api.getRoute("listOrgs").addHandler(this::list);
    api.getRoute("putOrg").addHandler(this::put);
    api.getRoute("getOrg").addHandler(this::get);
  }

  /** The platform sees every org, an org key its own. */
  private void list(RoutingContext rc) {
    Future<List<Org>> found = Principal.of(rc) instanceof Principal.OrgKey key
        ? orgs.get(key.orgId()).map(org -> org.map(List::of).orElse(List.of()))
        : orgs.list();
    found.onSuccess(list -> rc.json(new JsonObject().put("items", new JsonArray(list.stream().map(Org::toJson).toList()))))
        .onFailure(rc::fail);
  }

  private void put(RoutingContext rc) {
    String orgId = rc.pathParam("orgId");
    JsonObject body = rc.body().asJsonObject();
    String country = body.getString("country");
    if (country != null) {
      country = country.toUpperCase(Locale.ROOT);
      if (!PhoneNumbers.isSupportedCountry(country)) {
        throw ApiException.invalid("country", "country must be an ISO 3166 alpha-2 code with a numbering plan");
      }
    }
    String givenEmail = body.getString("email");
    String email = givenEmail == null || givenEmail.isBlank() ? null : EmailAddresses.normalize(givenEmail).orElseThrow(() -> ApiException.invalidEmail("email"));
    Org org = orgs.normalized(new Org(orgId, body.getString("name"), email, body.getString("adminPhone"),
        body.getBoolean("adminPhoneAcceptsSms", true), body.getBoolean("anonymize", true),
        body.getBoolean("routeRecipientsToAdmin", false), body.getBoolean("recordCalls", false), country,
        NumberSelection.of(body.getString("numberSelection"))));
    if (org.email() == null && org.adminPhone() == null) {
      // Post-task traffic goes to the admin phone or the org's email: with neither it would go nowhere.
      throw ApiException.invalid("an org needs an email or an adminPhone (or both)");
    }
    PlatformCredentials.validate(body);
    List<String> credentialsGiven = CREDENTIAL_FIELDS.stream().filter(body::containsKey).toList();
    Principal who = Principal.of(rc);
    orgs.get(orgId)
        .compose(before -> orgs.put(org)
            .compose(saved -> credentials.update(orgId, body).map(stored -> saved.toJson().mergeIn(stored.presence())))
            .compose(answer -> audited(who, before, org, credentialsGiven).map(answer)))
        .onSuccess(rc::json)
        .onFailure(rc::fail);
  }

  private Future<Org> audited(Principal who, Optional<Org> before, Org after, List<String> credentialsGiven) {
    if (before.isEmpty()) {
      JsonObject created = changes(new JsonObject(), after.toJson());
      credentialsGiven.forEach(created.getJsonArray("changed")::add);
      return audit.record(who, after.orgId(), AuditLog.Action.ORG_CREATED, created).map(after);
    }
    JsonObject changed = changes(before.get().toJson(), after.toJson());
    credentialsGiven.forEach(changed.getJsonArray("changed")::add);
    return changed.getJsonArray("changed").isEmpty() ? Future.succeededFuture(after)
        : audit.record(who, after.orgId(), AuditLog.Action.ORG_SETTINGS_CHANGED, changed).map(after);
  }

  /** {@code {"changed": [names], "values": {name: new value}}}, values only for settings that identify no one. */
  private static JsonObject changes(JsonObject before, JsonObject after) {
    JsonArray changed = new JsonArray();
    JsonObject values = new JsonObject();
    for (String field : after.fieldNames()) {
      if (!field.equals("orgId") && !Objects.equals(before.getValue(field), after.getValue(field))) {
        changed.add(field);
        if (AUDITED_WITH_VALUE.contains(field)) {
          values.put(field, after.getValue(field));
        }
      }
    }
    return new JsonObject().put("changed", changed).put("values", values);
  }

  private void get(RoutingContext rc) {
    String orgId = rc.pathParam("orgId");
    orgs.require(orgId)
        .compose(org -> credentials.onfleet(orgId).map(stored -> org.toJson().mergeIn(stored.presence())))
        .onSuccess(rc::json)
        .onFailure(rc::fail);
  }
}
