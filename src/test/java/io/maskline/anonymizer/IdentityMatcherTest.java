package io.maskline.anonymizer;

import io.maskline.phone.PhoneNumbers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdentityMatcherTest {
  static final IdentityMatcher NORWEGIAN = IdentityMatcher.of("+4791234567", "Jane.Doe@Example.com", "NO");

  @Test
  void numberIsWrittenWithCountryCodeEverywhereAndNationallyOnlyInItsOwnCountry() {
    assertThat(PhoneNumbers.digitForms("+4791234567", "NO")).containsExactlyInAnyOrder("4791234567", "004791234567", "91234567");
    assertThat(PhoneNumbers.digitForms("+4791234567", "SE")).containsExactlyInAnyOrder("4791234567", "004791234567");
    // A trunk prefix is part of how a national number is written.
    assertThat(PhoneNumbers.digitForms("+447911123456", "GB")).contains("447911123456", "7911123456", "07911123456");
    // North America shares +1: a Canadian number is dialled nationally from the US.
    assertThat(PhoneNumbers.digitForms("+14165550123", "US")).contains("4165550123");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "call me at +4791234567 please|call me at Anonymized please",
      "call me at +47 912 34 567.|call me at Anonymized.",
      "0047 91 23 45 67 or 91234567|Anonymized or Anonymized",
      "(+47) 912-34-567|(Anonymized",
      "numbers 91234567 98765432|numbers Anonymized 98765432",
      "+4791234567,+4791234567|Anonymized,Anonymized",
      "a different number +4591234567 stays|a different number +4591234567 stays",
      "inside a sid SM91234567ab or 191234567 stays|inside a sid SM91234567ab or 191234567 stays",
      "mail JANE.DOE@example.COM or x.jane.doe@example.com|mail Anonymized or x.jane.doe@example.com",
      "no mention at all|no mention at all",
  })
  void mentionsInFreeTextBecomeAnonymized(String text, String expected) {
    assertThat(NORWEGIAN.redact(text)).isEqualTo(expected);
  }

  @Test
  void textWithoutMentionIsReturnedAsIs() {
    String text = "see you at 10:30";
    assertThat(NORWEGIAN.redact(text)).isSameAs(text);
    assertThat(NORWEGIAN.redact(null)).isNull();
  }

  @Test
  void jsonValuesAreRedactedAtAnyDepthAndKeysAreKept() {
    JsonObject payload = new JsonObject()
        .put("From", "+4791234567")
        .put("+4791234567", "key stays")
        .put("Body", "ring 912 34 567")
        .put("NumMedia", 0)
        .put("nested", new JsonObject().put("list", new JsonArray().add("jane.doe@example.com").add("other")));
    assertThat(NORWEGIAN.redactJson(payload)).isEqualTo(new JsonObject()
        .put("From", "Anonymized")
        .put("+4791234567", "key stays")
        .put("Body", "ring Anonymized")
        .put("NumMedia", 0)
        .put("nested", new JsonObject().put("list", new JsonArray().add("Anonymized").add("other"))));
  }

  @Test
  void partiesAndTokensAreTheNormalizedForms() {
    assertThat(NORWEGIAN.parties()).containsExactly("+4791234567", "jane.doe@example.com");
    assertThat(NORWEGIAN.isParty("+4791234567")).isTrue();
    assertThat(NORWEGIAN.isParty("Anonymized")).isFalse();
    assertThat(NORWEGIAN.tokens()).containsExactlyInAnyOrder("4791234567", "004791234567", "91234567", "jane.doe@example.com");
    assertThat(IdentityMatcher.of(null, "a@b.io", "NO").tokens()).containsExactly("a@b.io");
    assertThatThrownBy(() -> IdentityMatcher.of(null, null, "NO")).isInstanceOf(IllegalArgumentException.class);
  }
}
