package io.maskline.org;

import io.maskline.HttpFeature;
import io.maskline.api.ApiException;
import io.maskline.api.ErrorCode;
import io.maskline.phone.EmailAddresses;
import io.maskline.phone.PhoneNumbers;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

import java.util.Locale;

/** {@code PUT/GET /v1/orgs/{orgId}}. */
public final class OrgApi implements HttpFeature {
  private final Orgs orgs;
  private final PlatformCredentials credentials;

  public OrgApi(Orgs orgs, PlatformCredentials credentials) {
    this.orgs = orgs;
    this.credentials = credentials;
  }

  @Override
  public void mountApi(RouterBuilder api) {
    api.getRoute("putOrg").addHandler(this::put);
    api.getRoute("getOrg").addHandler(this::get);
  }

  private void put(RoutingContext rc) {
    String orgId = rc.pathParam("orgId");
    JsonObject body = rc.body().asJsonObject();
    String country = body.getString("country");
    if (country != null) {
      country = country.toUpperCase(Locale.ROOT);
      if (!PhoneNumbers.isSupportedCountry(country)) {
        throw new ApiException(ErrorCode.VALIDATION_FAILED, "country must be an ISO 3166 alpha-2 code with a numbering plan");
      }
    }
    String givenEmail = body.getString("email");
    String email = givenEmail == null || givenEmail.isBlank() ? null : EmailAddresses.require("email", givenEmail);
    Org org = orgs.normalized(new Org(orgId, body.getString("name"), email, body.getString("adminPhone"),
        body.getBoolean("adminPhoneAcceptsSms", true), body.getBoolean("anonymize", true),
        body.getBoolean("routeRecipientsToAdmin", false), body.getBoolean("recordCalls", false), country));
    PlatformCredentials.validate(body);
    orgs.put(org)
        .compose(saved -> credentials.update(orgId, body).map(stored -> saved.toJson().mergeIn(stored.presence())))
        .onSuccess(rc::json)
        .onFailure(rc::fail);
  }

  private void get(RoutingContext rc) {
    String orgId = rc.pathParam("orgId");
    orgs.require(orgId)
        .compose(org -> credentials.onfleet(orgId).map(stored -> org.toJson().mergeIn(stored.presence())))
        .onSuccess(rc::json)
        .onFailure(rc::fail);
  }
}
