package io.maskline.phone;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a number is at home, as proxy-number allocation prefers it: its country and, within the North American
 * Numbering Plan (country code 1), its area code. Each is a tag naming a sub-pool of proxy numbers
 * ({@code area:1212}, {@code region:NO}), most specific first.
 */
public final class Locality {
  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
  private static final int NANP = 1;

  private Locality() {}

  /** The tags of an E.164 number, most specific first; none for a number libphonenumber cannot place. */
  public static List<String> tags(String e164) {
    PhoneNumber number;
    try {
      number = UTIL.parse(e164, null);
    } catch (NumberParseException e) {
      return List.of();
    }
    List<String> tags = new ArrayList<>(2);
    if (number.getCountryCode() == NANP) {
      String national = UTIL.getNationalSignificantNumber(number);
      if (national.length() == 10) {
        tags.add("area:1" + national.substring(0, 3));
      }
    }
    String region = UTIL.getRegionCodeForNumber(number);
    if (region != null && !region.equals("ZZ")) {
      tags.add("region:" + region);
    }
    return List.copyOf(tags);
  }
}
