package io.maskline.access;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Who is calling: the platform (the admin token, every org) or an org key (one org, one role). Resolved once per
 * request by {@link Authenticator} and kept on the routing context for the handlers below.
 */
public sealed interface Principal {
  String CONTEXT_KEY = "maskline.principal";
  String PLATFORM_ACTOR = "platform";

  /** The platform token: sees and changes every org. */
  record Platform() implements Principal {
    @Override
    public boolean sees(String orgId) {
      return true;
    }

    @Override
    public String actor() {
      return PLATFORM_ACTOR;
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("kind", "platform").put("actor", actor());
    }
  }

  /** An org key: sees only {@code orgId}; {@code keyPrefix} is its public name (audit, lists). */
  record OrgKey(String orgId, OrgRole role, String keyPrefix) implements Principal {
    @Override
    public boolean sees(String orgId) {
      return this.orgId.equals(orgId);
    }

    @Override
    public String actor() {
      return keyPrefix;
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("kind", "orgKey").put("actor", actor()).put("orgId", orgId).put("role", role.wireName())
          .put("keyPrefix", keyPrefix);
    }
  }

  Principal PLATFORM = new Platform();

  /** Whether this principal may see the org at all; an org it may not see is answered as if it did not exist. */
  boolean sees(String orgId);

  /** Who did it, as the audit log writes it: {@code platform} or the key's prefix. */
  String actor();

  JsonObject toJson();

  /** The request's principal; only routes behind {@code AdminAuth} have one. */
  static Principal of(RoutingContext rc) {
    Principal principal = rc.get(CONTEXT_KEY);
    if (principal == null) {
      throw new IllegalStateException("no principal on " + rc.normalizedPath() + ": the route is not behind AdminAuth");
    }
    return principal;
  }

  /** Puts the principal on the request; {@code AdminAuth} honours one already there (e.g. from a console session). */
  static void attach(RoutingContext rc, Principal principal) {
    rc.put(CONTEXT_KEY, principal);
  }

  /** The viewer role of an org key; the platform and admin keys are not. */
  default boolean readOnly() {
    return this instanceof OrgKey key && key.role() == OrgRole.VIEWER;
  }
}
