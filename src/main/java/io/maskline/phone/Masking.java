package io.maskline.phone;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks personal identifiers for logs and for done anonymization requests: most digits/characters become {@code *}
 * ({@code +4791234567} → {@code +47******67}, {@code jane@example.com} → {@code j***@*******.com}).
 */
public final class Masking {
  /** A separator inside a written number, as is or URL-encoded (a path or query names "0412%20345%20678"). */
  private static final String SEPARATOR = "(?:[ .\\-()]|%20|%2[Dd]|%28|%29|%2[Ee])";
  /** Phone-like runs: optional + (or %2B) or 00, then 7+ digits possibly split by single separators. */
  private static final Pattern PHONE_LIKE =
      Pattern.compile("(?<![\\w*%])(\\+|%2[Bb]|00)?\\d(?:" + SEPARATOR + "?\\d){6,18}(?!\\w)");
  /** Email addresses, the @ as is or URL-encoded; the top-level domain has letters ("java.base@17.0.15" is a module). */
  private static final Pattern EMAIL_LIKE =
      Pattern.compile("[A-Za-z0-9._%+\\-]+(?:@|%40)[A-Za-z0-9\\-]+(?:\\.[A-Za-z0-9\\-]+)*\\.[A-Za-z]{2,}(?![A-Za-z0-9])");
  /**
   * Ids that look like numbers but name no one, never masked: UUIDs (request ids, run ids) and Redis stream ids
   * ({@code 1733312345678-0}: milliseconds and a sequence).
   */
  private static final Pattern NOT_A_NUMBER =
      Pattern.compile("[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|(?<![\\w+])\\d{13}-\\d+(?![\\w-])");

  private Masking() {}

  public static String phone(String number) {
    if (number == null) {
      return null;
    }
    int keepHead = number.startsWith("+") ? 3 : Math.min(2, number.length());
    int keepTail = 2;
    if (number.length() <= keepHead + keepTail) {
      return "*".repeat(number.length());
    }
    StringBuilder masked = new StringBuilder(number.length());
    masked.append(number, 0, keepHead);
    for (int i = keepHead; i < number.length() - keepTail; i++) {
      masked.append(Character.isDigit(number.charAt(i)) ? '*' : number.charAt(i));
    }
    return masked.append(number, number.length() - keepTail, number.length()).toString();
  }

  public static String email(String email) {
    if (email == null) {
      return null;
    }
    int at = email.indexOf('@');
    if (at < 1) {
      return "*".repeat(email.length());
    }
    String local = email.substring(0, at);
    String domain = email.substring(at + 1);
    int dot = domain.lastIndexOf('.');
    String host = dot < 0 ? domain : domain.substring(0, dot);
    String tld = dot < 0 ? "" : domain.substring(dot);
    return local.charAt(0) + "*".repeat(local.length() - 1) + "@" + "*".repeat(host.length()) + tld;
  }

  /** Masks every phone-like run inside free text (log lines, exception messages), URL-encoded ones too. */
  public static String phonesIn(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    Matcher matcher = PHONE_LIKE.matcher(text);
    if (!matcher.find()) {
      return text;
    }
    List<int[]> ids = notNumbers(text);
    StringBuilder out = new StringBuilder(text.length());
    int copied = 0;
    do {
      if (!inside(ids, matcher.start(), matcher.end())) {
        out.append(text, copied, matcher.start()).append(phone(matcher.group()));
        copied = matcher.end();
      }
    } while (matcher.find());
    return out.append(text, copied, text.length()).toString();
  }

  /** {@link #phonesIn} and every email address (a log line's path, a value): what a log may not show. */
  public static String identifiersIn(String text) {
    String masked = phonesIn(text);
    if (masked == null || (masked.indexOf('@') < 0 && !masked.contains("%40"))) {
      return masked;
    }
    Matcher matcher = EMAIL_LIKE.matcher(masked);
    StringBuilder out = new StringBuilder(masked.length());
    int copied = 0;
    while (matcher.find()) {
      String found = matcher.group().replace("%40", "@");
      out.append(masked, copied, matcher.start()).append(email(found));
      copied = matcher.end();
    }
    return out.append(masked, copied, masked.length()).toString();
  }

  private static List<int[]> notNumbers(String text) {
    List<int[]> spans = new ArrayList<>();
    Matcher id = NOT_A_NUMBER.matcher(text);
    while (id.find()) {
      spans.add(new int[] {id.start(), id.end()});
    }
    return spans;
  }

  private static boolean inside(List<int[]> spans, int start, int end) {
    for (int[] span : spans) {
      if (start < span[1] && end > span[0]) return true;
    }
    return false;
  }
}
