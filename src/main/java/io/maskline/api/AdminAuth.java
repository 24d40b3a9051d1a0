package io.maskline.api;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Guards every {@code /v1/*} route with the platform bearer token, compared in constant time. */
public final class AdminAuth implements AuthenticationHandler {
  private static final String PREFIX = "Bearer ";
  private final byte[] token;

  public AdminAuth(String token) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(RoutingContext rc) {
    if (!rc.normalizedPath().startsWith("/v1/")) {
      rc.next();
      return;
    }
    String header = rc.request().getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
        && MessageDigest.isEqual(token, header.substring(PREFIX.length()).trim().getBytes(StandardCharsets.UTF_8))) {
      rc.next();
      return;
    }
    rc.response().putHeader("WWW-Authenticate", "Bearer");
    rc.fail(new ApiException(ErrorCode.UNAUTHORIZED, "a valid 'Authorization: Bearer' token is required"));
  }
}
