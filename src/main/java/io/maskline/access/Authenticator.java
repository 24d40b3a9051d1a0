package io.maskline.access;

import io.maskline.api.ApiException;
import io.maskline.api.ErrorCode;
import io.vertx.core.Future;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The one place a credential becomes a {@link Principal}: the platform token (compared in constant time) or a live
 * org key. Used by the {@code /v1} bearer check and by anything else that signs people in (the console).
 */
public final class Authenticator {
  private final byte[] platformToken;
  private final OrgKeys keys;

  public Authenticator(String platformToken, OrgKeys keys) {
    this.platformToken = platformToken.getBytes(StandardCharsets.UTF_8);
    this.keys = keys;
  }

  /** The principal, or a failed future with {@code 401 UNAUTHORIZED} when the credential is neither. */
  public Future<Principal> authenticate(String credential) {
    if (credential == null || credential.isBlank()) {
      return Future.failedFuture(unauthorized());
    }
    String given = credential.strip();
    if (MessageDigest.isEqual(platformToken, given.getBytes(StandardCharsets.UTF_8))) {
      return Future.succeededFuture(Principal.PLATFORM);
    }
    return keys.find(given).compose(found -> found.<Future<Principal>>map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(unauthorized())));
  }

  private static ApiException unauthorized() {
    return new ApiException(ErrorCode.UNAUTHORIZED, "a valid 'Authorization: Bearer' token is required");
  }
}
