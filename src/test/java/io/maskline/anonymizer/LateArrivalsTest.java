package io.maskline.anonymizer;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The late-arrival rule on its own: what a callback for an anonymized record keeps, knowing only what the record kept. */
class LateArrivalsTest {
  static final String PERSON = "+4791234567";
  static final String DRIVER = "+4798765432";
  static final String PROXY = "+4740001234";
  // The record as the run left it: the person's side anonymized, the driver and the proxy number kept.
  static final LateArrivals.Anonymized KEPT = new LateArrivals.Anonymized(Arrays.asList("Anonymized", DRIVER, PROXY), false);
  static final LateArrivals.Anonymized CONTENT_DELETED = new LateArrivals.Anonymized(Arrays.asList("Anonymized", DRIVER, PROXY), true);

  @Test
  void partyFieldsKeepOnlyTheKeptPartiesAndTheirDetailsFollowThem() {
    JsonObject payload = new JsonObject().put("CallSid", "CA0123456789abcdef0123456789abcdef").put("From", PERSON).put("FromCity", "OSLO")
        .put("CallerName", "Jane Doe").put("Caller", PERSON).put("To", DRIVER).put("ToCity", "BERGEN").put("Called", "sip:jane@example.com")
        .put("ForwardedFrom", PROXY).put("CallStatus", "completed");
    assertThat(LateArrivals.scrub(payload, KEPT)).isEqualTo(new JsonObject().put("CallSid", "CA0123456789abcdef0123456789abcdef")
        .put("From", "Anonymized").put("FromCity", "Anonymized").put("CallerName", "Anonymized").put("Caller", "Anonymized")
        .put("To", DRIVER).put("ToCity", "BERGEN").put("Called", "Anonymized").put("ForwardedFrom", PROXY).put("CallStatus", "completed"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Unreachable destination handset +4791234567|Unreachable destination handset Anonymized",
      "ring 912 34 567 or 0047 912 34 567 or 004791234567|ring Anonymized or Anonymized or Anonymized",
      "national 91234567, dotted 912.34.567, grouped (+47) 91 23 45 67|national Anonymized, dotted Anonymized, grouped (Anonymized",
      "any number at all: +4591234567 or 4155550100|any number at all: Anonymized or Anonymized",
      "mail Jane.Doe@Example.com or jane@other.example|mail Anonymized or Anonymized",
      "the driver +4798765432 or 987 65 432 stays|the driver +4798765432 or 987 65 432 stays",
      "the proxy 0047 4000 1234 stays|the proxy 0047 4000 1234 stays",
      "short numbers stay: code 12345, 30 s|short numbers stay: code 12345, 30 s",
      "https://api.example.test/2010-04-01/Accounts/ACx/Recordings/RE0123456789abcdef|https://api.example.test/2010-04-01/Accounts/ACx/Recordings/RE0123456789abcdef",
  })
  void everyNumberAndEmailInOtherFieldsThatIsNotAKeptPartyBecomesAnonymized(String text, String expected) {
    JsonObject scrubbed = LateArrivals.scrub(new JsonObject().put("ErrorMessage", text), KEPT);
    assertThat(scrubbed.getString("ErrorMessage")).isEqualTo(expected);
  }

  @Test
  void timesStayAtAnyDepthAndNestedValuesAreRead() {
    JsonObject payload = new JsonObject().put("Timestamp", "Fri, 04 Dec 2026 17:28:34 +0000").put("RecordingStartTime", "2026-12-04T17:28:34Z")
        .put("Price", "-0.0075").put("NumMedia", 0)
        .put("Extra", new JsonArray().add("call 91234567").add(new JsonObject().put("who", "jane.doe@example.com")));
    assertThat(LateArrivals.scrub(payload, KEPT)).isEqualTo(payload.copy()
        .put("Extra", new JsonArray().add("call Anonymized").add(new JsonObject().put("who", "Anonymized"))));
  }

  @Test
  void contentGoesWhenTheRecordsContentWasDeleted() {
    JsonObject payload = new JsonObject().put("MessageSid", "SM0123456789abcdef0123456789abcdef").put("MessageStatus", "delivered")
        .put("Body", "my door code is 1234").put("MediaUrl0", "https://media.example.test/1").put("RecordingSid", "RE01")
        .put("RecordingUrl", "https://api.example.test/Recordings/RE01").put("TranscriptionText", "hello").put("SpeechResult", "yes");
    assertThat(LateArrivals.scrub(payload, CONTENT_DELETED).fieldNames()).containsExactlyInAnyOrder("MessageSid", "MessageStatus");
    // Without that choice the content stays, read like any other text.
    assertThat(LateArrivals.scrub(payload.copy().put("Body", "call me on 91234567"), KEPT).getString("Body")).isEqualTo("call me on Anonymized");
    assertThat(LateArrivals.scrub(payload, KEPT).getString("RecordingSid")).isEqualTo("RE01");
  }

  @Test
  void aRecordThatKeptAnEmailPartyKeepsItInText() {
    LateArrivals.Anonymized emailKept = new LateArrivals.Anonymized(List.of("org@example.com"), false);
    JsonObject payload = new JsonObject().put("to", "ORG@example.com").put("text", "from jane@example.com to Org@Example.com");
    assertThat(LateArrivals.scrub(payload, emailKept)).isEqualTo(new JsonObject().put("to", "ORG@example.com")
        .put("text", "from Anonymized to Org@Example.com"));
  }
}
