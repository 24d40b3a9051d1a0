package io.maskline.anonymizer;

import io.maskline.phone.PhoneNumbers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The number and/or email address of one anonymization request, and every way it shows in archive values: as a
 * party ({@code from}/{@code to}, stored normalized) and as a mention inside free text and variable values, where a
 * number may be written with or without country code and with separators ({@code +47 912 34 567}, {@code 0047…},
 * {@code 91234567} in the org's country).
 *
 * <p>Free text is read in <em>number runs</em>: digit groups joined by at most two separators. A mention is any
 * window of consecutive groups of a run whose digits are one of the number's {@linkplain PhoneNumbers#digitForms
 * forms}. The SQL function {@code identity_tokens} (V3 migration) indexes exactly these windows (6–17 digits) and
 * lower-cased email addresses, so {@link #tokens()} finds the candidate rows through a GIN index and this class
 * decides, exactly, what changes.
 */
public final class IdentityMatcher {
  /** What a person's number, email or mention becomes in the archive. */
  public static final String ANONYMIZED = "Anonymized";
  static final int MIN_DIGITS = 6;
  static final int MAX_DIGITS = 17;

  // Keep in step with identity_tokens() in V3__anonymization.sql (ASCII classes: the same in any database locale).
  static final Pattern NUMBER_RUN =
      Pattern.compile("(?<![A-Za-z0-9_+])\\+?[0-9]+(?:[ .()/\\-]{1,2}[0-9]+)*(?![A-Za-z0-9_])");
  private static final Pattern DIGITS = Pattern.compile("[0-9]+");
  static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+\\-]+@[A-Za-z0-9\\-]+(?:\\.[A-Za-z0-9\\-]+)+");

  private final String phone;
  private final String email;
  private final Set<String> digitForms;

  private IdentityMatcher(String phone, String email, Set<String> digitForms) {
    this.phone = phone;
    this.email = email;
    this.digitForms = digitForms;
  }

  /**
   * @param phone   E.164 or null
   * @param email   any case, or null
   * @param country the org's country: national forms of a number of that country count as mentions
   */
  public static IdentityMatcher of(String phone, String email, String country) {
    if (phone == null && email == null) {
      throw new IllegalArgumentException("a phone number or an email address is required");
    }
    return new IdentityMatcher(phone, email == null ? null : email.toLowerCase(Locale.ROOT),
        phone == null ? Set.of() : PhoneNumbers.digitForms(phone, country));
  }

  /** The values a record stores in {@code from}/{@code to} for this person. */
  public List<String> parties() {
    List<String> parties = new ArrayList<>(2);
    if (phone != null) parties.add(phone);
    if (email != null) parties.add(email);
    return parties;
  }

  public boolean isParty(String value) {
    return value != null && (value.equals(phone) || value.equals(email));
  }

  /** The {@code identity_tokens} keys any mention of this person produces. */
  public List<String> tokens() {
    Set<String> tokens = new LinkedHashSet<>(digitForms);
    if (email != null) tokens.add(email);
    return List.copyOf(tokens);
  }

  /** The text with every mention replaced by {@value #ANONYMIZED}; the same instance when there is none. */
  public String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = digitForms.isEmpty() ? text : redactNumbers(text, null);
    return email == null ? out : redactEmails(out, null);
  }

  /** How many times the person shows in the text: mentions of the number in any written form, the email in any case. */
  public int count(String text) {
    if (text == null || text.isEmpty()) {
      return 0;
    }
    int[] found = new int[1];
    String out = digitForms.isEmpty() ? text : redactNumbers(text, found);
    if (email != null) redactEmails(out, found);
    return found[0];
  }

  /** {@link #count(String)} over every string of a JSON value (object, array, string); keys are not read. */
  public int countJson(Object value) {
    if (value instanceof String text) {
      return count(text);
    }
    int found = 0;
    if (value instanceof JsonObject object) {
      for (Map.Entry<String, Object> field : object) {
        found += countJson(field.getValue());
      }
    } else if (value instanceof JsonArray array) {
      for (Object item : array) {
        found += countJson(item);
      }
    }
    return found;
  }

  /** A JSON value (object, array, string, other) with mentions redacted in every string, keys left alone. */
  public Object redactJson(Object value) {
    return JsonStrings.map(value, this::redact);
  }

  private String redactNumbers(String text, int[] found) {
    Matcher run = NUMBER_RUN.matcher(text);
    StringBuilder out = null;
    int copied = 0;
    while (run.find()) {
      List<int[]> groups = groups(run);
      int i = 0;
      while (i < groups.size()) {
        int last = longestMentionFrom(text, groups, i);
        if (last < 0) {
          i++;
          continue;
        }
        int start = i == 0 && text.charAt(run.start()) == '+' ? run.start() : groups.get(i)[0];
        if (found != null) found[0]++;
        if (out == null) {
          out = new StringBuilder(text.length());
        }
        out.append(text, copied, start).append(ANONYMIZED);
        copied = groups.get(last)[1];
        i = last + 1;
      }
    }
    return out == null ? text : out.append(text, copied, text.length()).toString();
  }

  /** Index of the last group of the longest window starting at group {@code first} that is one of the forms, or -1. */
  private int longestMentionFrom(String text, List<int[]> groups, int first) {
    StringBuilder digits = new StringBuilder();
    int found = -1;
    for (int j = first; j < groups.size(); j++) {
      digits.append(text, groups.get(j)[0], groups.get(j)[1]);
      if (digits.length() > MAX_DIGITS) {
        break;
      }
      if (digits.length() >= MIN_DIGITS && digitForms.contains(digits.toString())) {
        found = j;
      }
    }
    return found;
  }

  private static List<int[]> groups(Matcher run) {
    List<int[]> groups = new ArrayList<>();
    Matcher digits = DIGITS.matcher(run.group());
    while (digits.find()) {
      groups.add(new int[] {run.start() + digits.start(), run.start() + digits.end()});
    }
    return groups;
  }

  private String redactEmails(String text, int[] found) {
    if (text.indexOf('@') < 0) {
      return text;
    }
    Matcher matcher = EMAIL.matcher(text);
    StringBuilder out = null;
    int copied = 0;
    while (matcher.find()) {
      if (matcher.group().toLowerCase(Locale.ROOT).equals(email)) {
        if (found != null) found[0]++;
        if (out == null) {
          out = new StringBuilder(text.length());
        }
        out.append(text, copied, matcher.start()).append(ANONYMIZED);
        copied = matcher.end();
      }
    }
    return out == null ? text : out.append(text, copied, text.length()).toString();
  }
}
