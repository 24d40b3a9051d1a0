package io.maskline.phone;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Normalizes phone input to E.164 with libphonenumber. Accepted as docs/API.md says: E.164, {@code 00} + country code,
 * or a national number read in the given country; separators are ignored.
 */
public final class PhoneNumbers {
  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
  private static final java.util.regex.Pattern WRITTEN_NUMBER = java.util.regex.Pattern.compile("[0-9+ ().\\-/]+");

  private PhoneNumbers() {}

  /** The E.164 form, or empty when the input is not a valid number. */
  public static Optional<String> normalize(String input, String country) {
    if (input == null || input.isBlank() || input.length() > 40) {
      return Optional.empty();
    }
    String text = input.strip();
    // Digits, '+' and separators only: libphonenumber would read "0412 345 678 ext 5" or "… call me" as a number.
    if (!WRITTEN_NUMBER.matcher(text).matches()) {
      return Optional.empty();
    }
    // "00" is the international prefix in most of the world; read it as "+" whatever the org's country.
    if (text.startsWith("00")) {
      text = "+" + text.substring(2);
    }
    try {
      PhoneNumber number = UTIL.parse(text, country);
      return UTIL.isValidNumber(number) ? Optional.of(UTIL.format(number, PhoneNumberUtil.PhoneNumberFormat.E164)) : Optional.empty();
    } catch (NumberParseException e) {
      return Optional.empty();
    }
  }

  /**
   * A number as the provider sends it: already E.164 in practice, taken as is without a libphonenumber parse (the
   * webhook hot path); anything else goes through {@link #normalize}.
   */
  public static Optional<String> fromProvider(String input, String country) {
    return isE164(input) ? Optional.of(input) : normalize(input, country);
  }

  private static boolean isE164(String text) {
    if (text == null || text.length() < 8 || text.length() > 16 || text.charAt(0) != '+' || text.charAt(1) == '0') {
      return false;
    }
    for (int i = 1; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** Normalizes or throws {@link InvalidPhoneNumberException} naming the field. */
  public static String require(String field, String input, String country) {
    return normalize(input, country).orElseThrow(() -> new InvalidPhoneNumberException(field));
  }

  /**
   * The digit strings a person may write this E.164 number as, separators left out: with its country code
   * ({@code 4791234567}, {@code 004791234567}) and, when {@code country} dials it nationally, its national forms
   * ({@code 91234567}, or {@code 07911123456} with a trunk prefix). Forms under 6 digits are left out: too many
   * unrelated digit runs would match them.
   */
  public static Set<String> digitForms(String e164, String country) {
    PhoneNumber number;
    try {
      number = UTIL.parse(e164, null);
    } catch (NumberParseException e) {
      throw new IllegalArgumentException("not an E.164 number", e);
    }
    String national = UTIL.getNationalSignificantNumber(number);
    String international = number.getCountryCode() + national;
    Set<String> forms = new LinkedHashSet<>();
    forms.add(international);
    forms.add("00" + international);
    if (country != null && UTIL.getCountryCodeForRegion(country) == number.getCountryCode()) {
      forms.add(national);
      forms.add(UTIL.format(number, PhoneNumberUtil.PhoneNumberFormat.NATIONAL).replaceAll("[^0-9]", ""));
    }
    forms.removeIf(form -> form.length() < 6);
    return forms;
  }

  /**
   * {@link #digitForms(String, String)} read in the number's own country, so its national forms are always among them;
   * empty when the text is not an E.164 number.
   */
  public static Set<String> digitForms(String e164) {
    try {
      PhoneNumber number = UTIL.parse(e164, null);
      return digitForms(e164, UTIL.getRegionCodeForNumber(number));
    } catch (NumberParseException | IllegalArgumentException e) {
      return Set.of();
    }
  }

  public static boolean isSupportedCountry(String country) {
    return country != null && UTIL.getSupportedRegions().contains(country);
  }
}
