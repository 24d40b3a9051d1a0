package maskline.loadtest;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Computes {@code X-Twilio-Signature} as Twilio does for form POSTs:
 * Base64(HMAC-SHA1(authToken, url + for each POST parameter sorted by name: name + value)),
 * where url is the public URL the provider called (MASKLINE_PUBLIC_URL + path + query).
 * Thread-safe (one Mac per thread).
 */
public final class TwilioSigner {

  private final byte[] key;
  private final ThreadLocal<Mac> mac;

  public TwilioSigner(String authToken) {
    this.key = authToken.getBytes(StandardCharsets.UTF_8);
    this.mac = ThreadLocal.withInitial(this::newMac);
  }

  private Mac newMac() {
    try {
      Mac m = Mac.getInstance("HmacSHA1");
      m.init(new SecretKeySpec(key, "HmacSHA1"));
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 unavailable", e);
    }
  }

  /**
   * @param url    full URL as the provider called it (public base URL + path [+ ?query])
   * @param params decoded POST parameters (names unique, as in Twilio webhooks)
   */
  public String sign(String url, Map<String, String> params) {
    StringBuilder data = new StringBuilder(url.length() + 64 * params.size()).append(url);
    // Twilio sorts by parameter name in plain string order (String.compareTo).
    for (Map.Entry<String, String> e : new TreeMap<>(params).entrySet()) {
      data.append(e.getKey()).append(e.getValue());
    }
    byte[] digest = mac.get().doFinal(data.toString().getBytes(StandardCharsets.UTF_8));
    return Base64.getEncoder().encodeToString(digest);
  }
}
