package io.maskline.anonymizer;

import io.maskline.phone.PhoneNumbers;
import io.vertx.core.json.JsonObject;

import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a provider payload that arrives after a run (a status or recording callback, docs/ANONYMIZER.md "Late
 * arrivals") keeps when its record was anonymized. The person is no longer known, so the rule works from what the
 * run left on the record, the parties it kept (the other party, the proxy number) and whether its content went:
 * <ul>
 *   <li>a party field ({@code From}, {@code To}, {@code Caller}, …) keeps a kept party, anything else becomes
 *       {@value IdentityMatcher#ANONYMIZED}; its details ({@code FromCity}, {@code CallerName}, …) follow it;</li>
 *   <li>content fields ({@code Body}, {@code MediaUrl*}, {@code Recording{Sid,Url}}, {@code Transcription*}, …,
 *       {@link ArchiveRedaction#isContent}) are dropped when the record's content was deleted;</li>
 *   <li>every other string, at any depth, loses every email address and every number run of 6 or more digits (the
 *       reading {@link IdentityMatcher} finds mentions with, so whatever the run could have recognised as the person
 *       goes) that is not a kept party in one of its written forms. Dates are not numbers: a value that is a whole
 *       date-time (RFC 1123, as the provider writes {@code Timestamp}; ISO-8601) and a run that is an ISO date
 *       ({@code 2010-04-01} in a provider URL) stay.</li>
 * </ul>
 */
public final class LateArrivals {
  private static final Set<String> PARTIES = Set.of("From", "To", "Caller", "Called", "ForwardedFrom", "from", "to", "driver", "recipient");
  private static final Pattern PARTY_DETAIL = Pattern.compile("(From|To|Caller|Called|ForwardedFrom)(City|State|Zip|Country|Name)");
  private static final Pattern ISO_DATE = Pattern.compile("(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])");
  private static final Pattern NON_DIGITS = Pattern.compile("[^0-9]");
  private static final List<DateTimeFormatter> DATE_TIMES = List.of(DateTimeFormatter.RFC_1123_DATE_TIME, DateTimeFormatter.ISO_OFFSET_DATE_TIME);

  private LateArrivals() {}

  /**
   * What the run left on a record: its parties that are not the person ({@code from}, {@code to}, proxy number; as
   * stored, "Anonymized" left out) and whether its bodies and recordings were deleted.
   */
  public record Anonymized(List<String> kept, boolean contentDeleted) {
    public Anonymized {
      kept = kept.stream().filter(value -> value != null && !value.equals(IdentityMatcher.ANONYMIZED)).toList();
    }
  }

  /** The payload as it may be archived for a record the run left as {@code record}. */
  public static JsonObject scrub(JsonObject payload, Anonymized record) {
    Kept kept = Kept.of(record.kept());
    JsonObject out = new JsonObject();
    for (Map.Entry<String, Object> field : payload) {
      String name = field.getKey();
      Object value = field.getValue();
      if (record.contentDeleted() && ArchiveRedaction.isContent(name)) {
        continue;
      }
      if (PARTIES.contains(name)) {
        out.put(name, kept.party(value) ? value : IdentityMatcher.ANONYMIZED);
        continue;
      }
      Matcher detail = PARTY_DETAIL.matcher(name);
      if (detail.matches()) {
        out.put(name, kept.party(payload.getValue(detail.group(1))) ? value : IdentityMatcher.ANONYMIZED);
        continue;
      }
      out.put(name, kept.redactJson(value));
    }
    return out;
  }

  /** The kept parties in every form they may be written in: numbers as digit strings, emails lower-cased. */
  private record Kept(Set<String> values, Set<String> digitForms, Set<String> emails) {
    static Kept of(List<String> parties) {
      Set<String> values = new HashSet<>();
      Set<String> digits = new HashSet<>();
      Set<String> emails = new HashSet<>();
      for (String party : parties) {
        values.add(party);
        if (party.indexOf('@') > 0) {
          emails.add(party.toLowerCase(Locale.ROOT));
        } else {
          digits.addAll(PhoneNumbers.digitForms(party));
        }
      }
      return new Kept(values, digits, emails);
    }

    boolean party(Object value) {
      return value instanceof String text && (values.contains(text.strip()) || emails.contains(text.strip().toLowerCase(Locale.ROOT)));
    }

    Object redactJson(Object value) {
      return JsonStrings.map(value, this::redact);
    }

    String redact(String text) {
      if (text.isEmpty() || isDateTime(text)) {
        return text;
      }
      return numbers(emails(text));
    }

    private String emails(String text) {
      if (text.indexOf('@') < 0) {
        return text;
      }
      Matcher email = IdentityMatcher.EMAIL.matcher(text);
      StringBuilder out = new StringBuilder(text.length());
      int copied = 0;
      while (email.find()) {
        if (!emails.contains(email.group().toLowerCase(Locale.ROOT))) {
          out.append(text, copied, email.start()).append(IdentityMatcher.ANONYMIZED);
          copied = email.end();
        }
      }
      return copied == 0 ? text : out.append(text, copied, text.length()).toString();
    }

    private String numbers(String text) {
      Matcher run = IdentityMatcher.NUMBER_RUN.matcher(text);
      StringBuilder out = null;
      int copied = 0;
      while (run.find()) {
        String digits = NON_DIGITS.matcher(run.group()).replaceAll("");
        if (digits.length() < IdentityMatcher.MIN_DIGITS || digitForms.contains(digits) || ISO_DATE.matcher(run.group()).matches()) {
          continue;
        }
        if (out == null) {
          out = new StringBuilder(text.length());
        }
        out.append(text, copied, run.start()).append(IdentityMatcher.ANONYMIZED);
        copied = run.end();
      }
      return out == null ? text : out.append(text, copied, text.length()).toString();
    }
  }

  /** A whole value that is a point in time: a provider timestamp, not text that could quote a number. */
  private static boolean isDateTime(String text) {
    if (text.length() > 40 || text.length() < 10) {
      return false;
    }
    for (DateTimeFormatter format : DATE_TIMES) {
      try {
        format.parse(text.strip());
        return true;
      } catch (DateTimeParseException notThisFormat) {
        // the next one
      }
    }
    return false;
  }
}
