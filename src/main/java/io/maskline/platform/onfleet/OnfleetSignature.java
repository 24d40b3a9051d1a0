package io.maskline.platform.onfleet;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Onfleet's webhook signature: {@code X-Onfleet-Signature} is the hex HMAC-SHA512 of the raw request body, keyed with
 * the org's webhook secret <em>hex-decoded</em> (the secret is shown as hex; its bytes are the key).
 */
public final class OnfleetSignature {
  public static final String HEADER = "X-Onfleet-Signature";
  private static final String ALGORITHM = "HmacSHA512";

  private OnfleetSignature() {}

  public static String sign(String secretHex, byte[] body) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(HexFormat.of().parseHex(secretHex), ALGORITHM));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(ALGORITHM + " is not available", e);
    }
  }

  /** Constant-time compare of the given signature (hex, any case) with the body's; a malformed one never verifies. */
  public static boolean verify(String secretHex, byte[] body, String given) {
    if (secretHex == null || given == null) {
      return false;
    }
    byte[] expected;
    byte[] actual;
    try {
      expected = HexFormat.of().parseHex(sign(secretHex, body));
      actual = HexFormat.of().parseHex(given.strip());
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(expected, actual);
  }
}
