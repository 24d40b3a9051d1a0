package io.maskline.api;

import io.maskline.access.Authenticator;
import io.maskline.access.Principal;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;

/**
 * Guards every {@code /v1/*} route: the bearer credential (platform token or org key) becomes the request's
 * {@link Principal}. A principal already on the request (put there by another sign-in, e.g. a console session) is kept.
 */
public final class AdminAuth implements AuthenticationHandler {
  private static final String PREFIX = "Bearer ";
  private final Authenticator authenticator;

  public AdminAuth(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  public void handle(RoutingContext rc) {
    if (!rc.normalizedPath().startsWith("/v1/") || rc.get(Principal.CONTEXT_KEY) != null) {
      rc.next();
      return;
    }
    String header = rc.request().getHeader("Authorization");
    String credential = header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length()) ? header.substring(PREFIX.length()) : null;
    authenticator.authenticate(credential)
        .onSuccess(principal -> {
          Principal.attach(rc, principal);
          rc.next();
        })
        .onFailure(e -> {
          if (e instanceof ApiException api && api.code() == ErrorCode.UNAUTHORIZED) {
            rc.response().putHeader("WWW-Authenticate", "Bearer");
          }
          rc.fail(e);
        });
  }
}
