package io.maskline.console;

import io.maskline.api.ApiException;
import io.maskline.api.ErrorCode;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;

import java.time.Clock;
import java.util.Set;

/**
 * Lets a console page call {@code /v1} with its session cookie instead of an Authorization header. The cookie holds
 * the credential the user signed in with; it is handed on as that bearer credential, so {@code /v1} keeps one
 * authentication path (the same key, role and org scoping as an API client). A request that changes state must
 * also carry the session's CSRF token in {@value #CSRF_HEADER}. A request with its own Authorization header ignores
 * the cookie.
 */
public final class ConsoleAuth implements AuthenticationHandler {
  public static final String CSRF_HEADER = "X-CSRF-Token";
  /** The session read from the cookie, for the console's own session operations. */
  static final String SESSION = "consoleSession";
  private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

  private final ConsoleCookie cookies;
  private final Clock clock;

  public ConsoleAuth(ConsoleCookie cookies, Clock clock) {
    this.cookies = cookies;
    this.clock = clock;
  }

  @Override
  public void handle(RoutingContext rc) {
    if (!rc.normalizedPath().startsWith("/v1/") || rc.request().getHeader("Authorization") != null) {
      rc.next();
      return;
    }
    Cookie cookie = rc.request().getCookie(ConsoleCookie.NAME);
    var session = cookie == null ? null : cookies.open(cookie.getValue()).filter(s -> !s.expired(clock.instant())).orElse(null);
    if (session == null) {
      rc.next(); // no (valid) session: the bearer check answers 401
      return;
    }
    if (!SAFE.contains(rc.request().method()) && !cookies.csrfMatches(session, rc.request().getHeader(CSRF_HEADER))) {
      rc.fail(new ApiException(ErrorCode.FORBIDDEN, "the " + CSRF_HEADER + " header is missing or is not this console session's"));
      return;
    }
    rc.put(SESSION, session);
    rc.request().headers().set("Authorization", "Bearer " + session.credential());
    rc.next();
  }
}
