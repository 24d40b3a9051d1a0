package io.maskline.phone;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one email syntax check (docs/API.md: emails compare case-insensitively, so they are kept lower-case). Deliberately
 * simple: one @, no spaces, a dot in the domain; whether mail is deliverable is the SMTP relay's call.
 */
public final class EmailAddresses {
  private static final Pattern SYNTAX = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");

  private EmailAddresses() {}

  /** Stripped and lower-cased, or empty when it is not an email address. */
  public static Optional<String> normalize(String input) {
    if (input == null) {
      return Optional.empty();
    }
    String email = input.strip().toLowerCase(Locale.ROOT);
    return email.length() <= 254 && SYNTAX.matcher(email).matches() ? Optional.of(email) : Optional.empty();
  }

}
