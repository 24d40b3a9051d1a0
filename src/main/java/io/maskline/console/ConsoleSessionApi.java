package io.maskline.console;

import io.maskline.api.HttpFeature;
import io.maskline.access.Principal;
import io.maskline.api.ApiException;
import io.maskline.api.ErrorCode;
import io.maskline.config.GatewayConfig;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

import java.time.Clock;
import java.time.Duration;

/**
 * {@code POST/GET/DELETE /v1/console/session}: a console sign-in exchanges a bearer credential (already accepted by
 * the bearer check in front of every {@code /v1} route) for a sealed session cookie, the page reads its CSRF token
 * and who it is, and signs out.
 */
public final class ConsoleSessionApi implements HttpFeature {
  private final ConsoleCookie cookies;
  private final Duration ttl;
  private final boolean secure;
  private final boolean simulator;
  private final Clock clock;

  public ConsoleSessionApi(GatewayConfig config, Clock clock) {
    this.cookies = ConsoleCookie.of(config);
    this.ttl = config.console().sessionTtl();
    this.secure = "https".equalsIgnoreCase(config.http().publicUrl().getScheme());
    this.simulator = config.console().simulator();
    this.clock = clock;
  }

  @Override
  public void mountApi(RouterBuilder api) {
    api.getRoute("createConsoleSession").addHandler(this::signIn);
    api.getRoute("getConsoleSession").addHandler(this::current);
    api.getRoute("deleteConsoleSession").addHandler(this::signOut);
  }

  private void signIn(RoutingContext rc) {
    if (rc.get(ConsoleAuth.SESSION) != null) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, "sign in with the credential in 'Authorization: Bearer', not with a console session");
    }
    String header = rc.request().getHeader("Authorization");
    String credential = header.substring(header.indexOf(' ') + 1).trim();
    ConsoleCookie.Session session = cookies.newSession(credential, clock.instant().plus(ttl));
    rc.response().addCookie(cookie(cookies.seal(session), ttl.toSeconds()));
    rc.response().setStatusCode(201).putHeader("Content-Type", "application/json").end(describe(rc, session).encode());
  }

  /** The session the cookie carries; asked with a bearer credential instead, only who is calling (no token, no expiry). */
  private void current(RoutingContext rc) {
    ConsoleCookie.Session session = rc.get(ConsoleAuth.SESSION);
    rc.json(session != null ? describe(rc, session)
        : new JsonObject().put("principal", principal(rc)).putNull("csrfToken").putNull("expiresAt").put("simulator", simulator));
  }

  private void signOut(RoutingContext rc) {
    rc.response().addCookie(cookie("", 0)).setStatusCode(204).end();
  }

  private JsonObject describe(RoutingContext rc, ConsoleCookie.Session session) {
    return new JsonObject()
        .put("principal", principal(rc))
        .put("csrfToken", cookies.csrfToken(session))
        .put("expiresAt", session.expiresAt().toString())
        .put("simulator", simulator);
  }

  /** Who signed in, as the bearer check resolved the credential: the platform (picks any org) or an org key. */
  private static JsonObject principal(RoutingContext rc) {
    return Principal.of(rc).toJson();
  }

  private Cookie cookie(String value, long maxAgeSeconds) {
    return Cookie.cookie(ConsoleCookie.NAME, value).setPath("/").setHttpOnly(true).setSecure(secure)
        .setSameSite(CookieSameSite.STRICT).setMaxAge(maxAgeSeconds);
  }
}
