package io.maskline.phone;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks personal identifiers for logs and for done anonymization requests: most digits/characters become {@code *}
 * ({@code +4791234567} → {@code +47******67}, {@code jane@example.com} → {@code j***@*******.com}).
 */
public final class Masking {
  /** Phone-like runs: optional + or 00, then 7+ digits possibly split by single separators. */
  private static final Pattern PHONE_LIKE = Pattern.compile("(?<![\\w*])(\\+|00)?\\d(?:[ .\\-()]?\\d){6,18}(?!\\w)");

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

  /** Masks every phone-like run inside free text (log lines, exception messages). */
  public static String phonesIn(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    Matcher matcher = PHONE_LIKE.matcher(text);
    if (!matcher.find()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    do {
      matcher.appendReplacement(out, Matcher.quoteReplacement(phone(matcher.group())));
    } while (matcher.find());
    matcher.appendTail(out);
    return out.toString();
  }
}
