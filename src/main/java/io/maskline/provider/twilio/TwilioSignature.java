package io.maskline.provider.twilio;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code X-Twilio-Signature} scheme for form-encoded webhooks: Base64(HMAC-SHA1(auth token, URL
 * followed by every POST parameter name and value, sorted by name)). Parameters come as a plain
 * {@code Map<String, List<String>>} so this stays free of Vert.x and testable on its own.
 */
public final class TwilioSignature {

  public static final String HEADER = "X-Twilio-Signature";

  private static final String HMAC_SHA1 = "HmacSHA1";
  private static final Comparator<String[]> BY_NAME_THEN_VALUE =
      Comparator.<String[], String>comparing(pair -> pair[0]).thenComparing(pair -> pair[1]);

  private final SecretKeySpec key;
  // Mac is not thread-safe; HTTP verticles run on several event loops, each keeps one initialised Mac.
  private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

  public TwilioSignature(String authToken) {
    Objects.requireNonNull(authToken, "authToken");
    if (authToken.isEmpty()) {
      throw new IllegalArgumentException("the Twilio auth token is empty");
    }
    this.key = new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), HMAC_SHA1);
  }

  /**
   * The URL Twilio signed: the configured public base URL (MASKLINE_PUBLIC_URL) and the request's
   * path and query exactly as received ({@code request.uri()}). Behind a load balancer the pod sees
   * another host and scheme than the one Twilio called, so the request's own URL would never match.
   */
  public static String webhookUrl(String publicBaseUrl, String pathAndQuery) {
    String base = publicBaseUrl;
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return pathAndQuery.startsWith("/") ? base + pathAndQuery : base + "/" + pathAndQuery;
  }

  /** The signature of a request to {@code url} with these POST parameters (null values count as ""). */
  public String sign(String url, Map<String, List<String>> params) {
    Objects.requireNonNull(url, "url");
    return sign(url, canonical(params));
  }

  /**
   * Whether {@code signature} is Twilio's for this request. Twilio has signed the same URL both with
   * and without an explicit port, so, like its own RequestValidator, both spellings are accepted.
   */
  public boolean verify(String url, Map<String, List<String>> params, String signature) {
    if (url == null || signature == null || signature.isEmpty()) {
      return false;
    }
    byte[] given = signature.getBytes(StandardCharsets.UTF_8);
    byte[] data = canonical(params);
    for (String variant : portVariants(url)) {
      // Constant-time compare: a timing side channel must not reveal how much of a guess was right. Stopping at the
      // first spelling that matches tells an attacker nothing: both spellings are public.
      if (MessageDigest.isEqual(sign(variant, data).getBytes(StandardCharsets.US_ASCII), given)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The signed parameter part, built once per request whatever the number of URL spellings: every name followed by
   * its value, ordered by name and, for a repeated name, by value, as Twilio's validators do (the order in which a
   * form decoder hands us the values must not matter).
   */
  private static byte[] canonical(Map<String, List<String>> params) {
    if (params == null || params.isEmpty()) {
      return new byte[0];
    }
    List<String[]> pairs = new ArrayList<>(params.size() + 4);
    params.forEach((name, values) -> {
      if (values != null) {
        values.forEach(value -> pairs.add(new String[] {name, value == null ? "" : value}));
      }
    });
    pairs.sort(BY_NAME_THEN_VALUE);
    StringBuilder data = new StringBuilder(512);
    for (String[] pair : pairs) {
      data.append(pair[0]).append(pair[1]);
    }
    return data.toString().getBytes(StandardCharsets.UTF_8);
  }

  private String sign(String url, byte[] canonicalParams) {
    // doFinal resets the Mac for its next use on the same thread.
    Mac mac = macs.get();
    mac.update(url.getBytes(StandardCharsets.UTF_8));
    return Base64.getEncoder().encodeToString(mac.doFinal(canonicalParams));
  }

  /**
   * The URL as received plus its other spelling: with the scheme's default port added when it has
   * none, or with its port removed when it has one (Twilio's RequestValidator strips any port). The
   * rest of the URL is kept byte for byte; re-encoding the query would break valid signatures.
   */
  static List<String> portVariants(String url) {
    int schemeEnd = url.indexOf("://");
    if (schemeEnd < 0) {
      return List.of(url);
    }
    int hostStart = schemeEnd + 3;
    int authorityEnd = hostStart;
    while (authorityEnd < url.length() && "/?#".indexOf(url.charAt(authorityEnd)) < 0) {
      authorityEnd++;
    }
    String authority = url.substring(hostStart, authorityEnd);
    int portColon = authority.lastIndexOf(':');
    // A colon inside user info or an IPv6 literal is no port separator.
    boolean hasPort = portColon > authority.lastIndexOf('@') && portColon > authority.lastIndexOf(']');
    String head = url.substring(0, hostStart);
    String tail = url.substring(authorityEnd);
    if (hasPort) {
      return List.of(url, head + authority.substring(0, portColon) + tail);
    }
    String scheme = url.substring(0, schemeEnd);
    String defaultPort = scheme.equalsIgnoreCase("https") ? ":443" : ":80";
    return List.of(url, head + authority + defaultPort + tail);
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(HMAC_SHA1);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is missing from this JVM", e);
    }
  }
}
