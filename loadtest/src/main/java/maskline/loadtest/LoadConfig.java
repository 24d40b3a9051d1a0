package maskline.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * All load-test parameters, read from system properties (Maven passes {@code -Dname=value}
 * through to the Gatling JVM; the bench programs are started with {@code java -Dname=value}).
 * Every getter documents its property name and default; README.md lists them all.
 */
public final class LoadConfig {

  private LoadConfig() {}

  public static String str(String name, String def) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank()) {
      return def;
    }
    return v.trim();
  }

  public static int integer(String name, int def) {
    return Integer.parseInt(str(name, Integer.toString(def)));
  }

  public static double dbl(String name, double def) {
    return Double.parseDouble(str(name, Double.toString(def)));
  }

  public static boolean bool(String name, boolean def) {
    return Boolean.parseBoolean(str(name, Boolean.toString(def)));
  }

  /** Seconds; accepts {@code 60}, {@code 60s}, {@code 5m}. */
  public static Duration duration(String name, String def) {
    String v = str(name, def).toLowerCase();
    if (v.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
    }
    if (v.endsWith("s")) {
      return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
    }
    if (v.endsWith("m")) {
      return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
    }
    return Duration.ofSeconds(Long.parseLong(v));
  }

  /** {@code -DbaseUrls=a,b,c} (round-robin per virtual user) or else {@code -DbaseUrl} (default http://127.0.0.1:8080). */
  public static List<String> baseUrls() {
    List<String> out = new ArrayList<>();
    String many = str("baseUrls", "");
    for (String s : many.split(",")) {
      if (!s.isBlank()) {
        out.add(stripSlash(s.trim()));
      }
    }
    if (out.isEmpty()) {
      out.add(stripSlash(str("baseUrl", "http://127.0.0.1:8080")));
    }
    return out;
  }

  /** Where the admin API is called for setup: {@code -DadminUrl}, default the first base URL. */
  public static String adminUrl() {
    return stripSlash(str("adminUrl", baseUrls().get(0)));
  }

  /** {@code -DadminToken}: MASKLINE_ADMIN_TOKEN of the gateway (platform token). */
  public static String adminToken() {
    return str("adminToken", "dev-admin-token");
  }

  /** {@code -DauthToken}: MASKLINE_TWILIO_AUTH_TOKEN of the gateway, the HMAC key. */
  public static String authToken() {
    return str("authToken", "dev-auth-token");
  }

  /**
   * {@code -DpublicUrl}: MASKLINE_PUBLIC_URL of the gateway, i.e. the URL the provider calls and the
   * gateway signs against. Default {@code http://localhost:8080}, the gateway's own default.
   * Must match the gateway exactly (scheme, host, port), not the URL this tool connects to.
   */
  public static String publicUrl() {
    return stripSlash(str("publicUrl", "http://localhost:8080"));
  }

  /** {@code -DaccountSid}: AccountSid sent in webhooks (MASKLINE_TWILIO_ACCOUNT_SID). */
  public static String accountSid() {
    return str("accountSid", "AC00000000000000000000000000000001");
  }

  public static String orgId() {
    return str("orgId", "loadtest");
  }

  static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
