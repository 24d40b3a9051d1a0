package io.maskline.console;

import io.vertx.core.json.JsonObject;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The console's session cookie: the bearer credential the user signed in with, its expiry and a nonce, sealed with
 * AES-GCM under a key every pod derives from the same secret. Nothing is stored server-side, so any pod reads any
 * cookie, and a revoked key stops working at once because each request still presents the credential to the bearer
 * check. The CSRF token is an HMAC of the nonce: the page fetches it, a cross-site form cannot.
 */
public final class ConsoleCookie {
  public static final String NAME = "maskline_console";
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64_DECODE = Base64.getUrlDecoder();

  private final SecretKeySpec sealKey;
  private final byte[] csrfKey;
  private final SecureRandom random = new SecureRandom();

  /** One signed-in console user, as the cookie carries it. */
  public record Session(String credential, Instant expiresAt, String nonce) {
    public boolean expired(Instant now) {
      return !now.isBefore(expiresAt);
    }
  }

  public ConsoleCookie(String secret) {
    byte[] root = secret.getBytes(StandardCharsets.UTF_8);
    this.sealKey = new SecretKeySpec(hmac(root, "maskline console seal"), "AES");
    this.csrfKey = hmac(root, "maskline console csrf");
  }

  /** The deployment's cookie sealer: {@code console.secret}, else derived from the admin token every pod shares. */
  public static ConsoleCookie of(io.maskline.config.GatewayConfig config) {
    String secret = config.console().secret() != null ? config.console().secret() : "admin-token:" + config.adminToken();
    return new ConsoleCookie(secret);
  }

  public Session newSession(String credential, Instant expiresAt) {
    byte[] nonce = new byte[16];
    random.nextBytes(nonce);
    return new Session(credential, expiresAt, B64.encodeToString(nonce));
  }

  public String seal(Session session) {
    byte[] plain = new JsonObject().put("c", session.credential()).put("e", session.expiresAt().getEpochSecond()).put("n", session.nonce())
        .encode().getBytes(StandardCharsets.UTF_8);
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, sealKey, new GCMParameterSpec(TAG_BITS, iv));
      byte[] sealed = cipher.doFinal(plain);
      return B64.encodeToString(ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /** The session in a cookie value, empty when it was not sealed with this secret, was altered, or is malformed. */
  public Optional<Session> open(String value) {
    try {
      byte[] bytes = B64_DECODE.decode(value);
      if (bytes.length <= IV_BYTES) {
        return Optional.empty();
      }
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, sealKey, new GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES));
      JsonObject json = new JsonObject(new String(cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES), StandardCharsets.UTF_8));
      return Optional.of(new Session(json.getString("c"), Instant.ofEpochSecond(json.getLong("e")), json.getString("n")));
    } catch (GeneralSecurityException | RuntimeException e) { // altered, foreign or malformed: no session
      return Optional.empty();
    }
  }

  public String csrfToken(Session session) {
    return B64.encodeToString(hmac(csrfKey, session.nonce()));
  }

  public boolean csrfMatches(Session session, String given) {
    return given != null && MessageDigest.isEqual(csrfToken(session).getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] hmac(byte[] key, String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
