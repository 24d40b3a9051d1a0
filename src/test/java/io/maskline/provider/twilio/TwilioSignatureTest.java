package io.maskline.provider.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import com.twilio.security.RequestValidator;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Checked against Twilio's own Java helper library, which is what the provider's signatures match. */
class TwilioSignatureTest {

  static final String TOKEN = "12345678901234567890123456789012";
  static final String SMS_URL = "https://gw.example.com/webhooks/twilio/sms";

  final TwilioSignature signature = new TwilioSignature(TOKEN);
  final RequestValidator twilio = new RequestValidator(TOKEN);

  /** A request as Twilio would send it; every parameter single-valued so Twilio's validator can take it. */
  record Request(String name, String url, Map<String, List<String>> params) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Request> requests() {
    return Stream.of(
        new Request("sms webhook", SMS_URL, smsParams("On my way")),
        new Request("query string", SMS_URL + "?org=acme&retry=1&empty=", smsParams("Hi")),
        new Request("explicit non-default port", "https://gw.example.com:8443/webhooks/twilio/voice", voiceParams()),
        new Request("plain http with port", "http://localhost:8080/webhooks/twilio/status",
            params("CallSid", "CA0123456789abcdef0123456789abcdef", "CallStatus", "completed", "CallDuration", "42")),
        new Request("unicode body", SMS_URL, smsParams("Hei på deg 🚚 — ñandú, 你好, ¿qué tal?")),
        new Request("markup and spaces in body", SMS_URL, smsParams("a & b = c+d <x> \"q\" 100% \r\n ok")),
        new Request("empty values", SMS_URL,
            params("Body", "", "From", "+4792222222", "MediaUrl0", "", "NumMedia", "0", "To", "+4740000001")),
        new Request("names sorted case-sensitively", SMS_URL, params("body", "x", "To", "y", "AccountSid", "z", "_a", "w")),
        new Request("no parameters", SMS_URL, Map.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void computesTheSameSignatureAsTwilio(Request request) throws Exception {
    assertThat(signature.sign(request.url(), request.params())).isEqualTo(twilioSignature(request.url(), request.params()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void acceptsWhatTwilioSigned(Request request) throws Exception {
    String signed = twilioSignature(request.url(), request.params());
    assertThat(signature.verify(request.url(), request.params(), signed)).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void twilioAcceptsWhatWeSign(Request request) {
    String ours = signature.sign(request.url(), request.params());
    assertThat(twilio.validate(request.url(), single(request.params()), ours)).isTrue();
  }

  @Test
  void acceptsTheDefaultPortSpelledOrLeftOut() throws Exception {
    Map<String, List<String>> params = smsParams("hi");
    String[][] spellings = {
      {"https://gw.example.com/webhooks/twilio/sms?x=1", "https://gw.example.com:443/webhooks/twilio/sms?x=1"},
      {"http://gw.example.com/webhooks/twilio/sms", "http://gw.example.com:80/webhooks/twilio/sms"},
    };
    for (String[] pair : spellings) {
      for (int signedAs = 0; signedAs < 2; signedAs++) {
        String signed = twilioSignature(pair[signedAs], params);
        String received = pair[1 - signedAs];
        assertThat(signature.verify(received, params, signed)).as("signed %s, received %s", pair[signedAs], received).isTrue();
        assertThat(twilio.validate(received, single(params), signed)).as("Twilio agrees").isTrue();
      }
    }
  }

  @Test
  void acceptsAPortLeftOutOfTheSignatureAsTwilioDoes() throws Exception {
    Map<String, List<String>> params = voiceParams();
    String signed = twilioSignature("https://gw.example.com/webhooks/twilio/voice", params);
    String received = "https://gw.example.com:8443/webhooks/twilio/voice";
    assertThat(twilio.validate(received, single(params), signed)).isTrue();
    assertThat(signature.verify(received, params, signed)).isTrue();
  }

  @Test
  void rejectsASignatureForAnotherPort() throws Exception {
    Map<String, List<String>> params = voiceParams();
    String signed = twilioSignature("https://gw.example.com:9443/webhooks/twilio/voice", params);
    assertThat(signature.verify("https://gw.example.com:8443/webhooks/twilio/voice", params, signed)).isFalse();
    assertThat(signature.verify("https://gw.example.com/webhooks/twilio/voice", params, signed)).isFalse();
  }

  @Test
  void keepsAPercentEncodedQueryByteForByteInEveryPortVariant() {
    // Twilio's Java validator rebuilds its port-added variant with java.net.URI, which decodes %26
    // to '&' and %2B to '+'; we change only the port, so both spellings still match.
    String query = "?note=a%26b&to=%2B4792222222";
    String withoutPort = "https://gw.example.com/webhooks/twilio/sms" + query;
    String withPort = "https://gw.example.com:443/webhooks/twilio/sms" + query;
    Map<String, List<String>> params = params("To", "+4740000001", "From", "+4792222222", "Body", "hi");
    String fields = "Body" + "hi" + "From" + "+4792222222" + "To" + "+4740000001";

    String signedWithoutPort = hmacBase64(TOKEN, withoutPort + fields);
    assertThat(signature.sign(withoutPort, params)).isEqualTo(signedWithoutPort);
    assertThat(signature.verify(withoutPort, params, signedWithoutPort)).isTrue();
    assertThat(signature.verify(withPort, params, signedWithoutPort)).isTrue();

    String signedWithPort = hmacBase64(TOKEN, withPort + fields);
    assertThat(signature.verify(withoutPort, params, signedWithPort)).isTrue();
    assertThat(signature.verify(withPort, params, signedWithPort)).isTrue();
  }

  @Test
  void repeatedParametersAreSignedWithTheirValuesSorted() {
    Map<String, List<String>> params = new LinkedHashMap<>();
    params.put("To", List.of("+4740000001"));
    params.put("MediaUrl", List.of("https://m.example/b", "https://m.example/a", ""));
    params.put("Body", List.of("hi"));
    String expected =
        hmacBase64(TOKEN, SMS_URL + "Bodyhi" + "MediaUrl" + "MediaUrlhttps://m.example/a" + "MediaUrlhttps://m.example/b"
            + "To+4740000001");

    assertThat(signature.sign(SMS_URL, params)).isEqualTo(expected);
    assertThat(signature.verify(SMS_URL, params, expected)).isTrue();

    Map<String, List<String>> reordered = new LinkedHashMap<>(params);
    reordered.put("MediaUrl", List.of("", "https://m.example/a", "https://m.example/b"));
    assertThat(signature.verify(SMS_URL, reordered, expected)).isTrue();

    Map<String, List<String>> oneLess = new LinkedHashMap<>(params);
    oneLess.put("MediaUrl", List.of("https://m.example/a", "https://m.example/b"));
    assertThat(signature.verify(SMS_URL, oneLess, expected)).isFalse();
  }

  @Test
  void rejectsATamperedRequest() throws Exception {
    Map<String, List<String>> params = smsParams("On my way");
    String url = SMS_URL + "?org=acme";
    String signed = twilioSignature(url, params);
    assertThat(signature.verify(url, params, signed)).isTrue();

    assertThat(signature.verify(url, with(params, "Body", "On my way!"), signed)).as("changed value").isFalse();
    assertThat(signature.verify(url, with(params, "From", "+4799999999"), signed)).as("changed sender").isFalse();
    assertThat(signature.verify(url, with(params, "Extra", ""), signed)).as("added parameter").isFalse();
    Map<String, List<String>> dropped = new LinkedHashMap<>(params);
    dropped.remove("Body");
    assertThat(signature.verify(url, dropped, signed)).as("dropped parameter").isFalse();
    assertThat(signature.verify(SMS_URL + "?org=other", params, signed)).as("changed query").isFalse();
    assertThat(signature.verify(SMS_URL, params, signed)).as("dropped query").isFalse();
    assertThat(signature.verify("https://gw.example.com/webhooks/twilio/voice?org=acme", params, signed))
        .as("changed path").isFalse();
    assertThat(signature.verify("http://gw.example.com/webhooks/twilio/sms?org=acme", params, signed))
        .as("changed scheme").isFalse();
    assertThat(new TwilioSignature("another-token-0123456789abcdef01").verify(url, params, signed))
        .as("other auth token").isFalse();
    String flipped = (signed.charAt(0) == 'A' ? "B" : "A") + signed.substring(1);
    assertThat(signature.verify(url, params, flipped)).as("altered signature").isFalse();
  }

  @ParameterizedTest(name = "signature \"{0}\"")
  @ValueSource(strings = {"", " ", "not-base64!", "AAAA"})
  void rejectsAMissingOrMalformedSignature(String bad) {
    assertThat(signature.verify(SMS_URL, smsParams("hi"), bad)).isFalse();
  }

  @Test
  void rejectsAnAbsentSignature() {
    assertThat(signature.verify(SMS_URL, smsParams("hi"), null)).isFalse();
  }

  @Test
  void webhookUrlJoinsThePublicBaseAndTheRequestUri() {
    assertThat(TwilioSignature.webhookUrl("https://gw.example.com", "/webhooks/twilio/sms?x=1"))
        .isEqualTo("https://gw.example.com/webhooks/twilio/sms?x=1");
    assertThat(TwilioSignature.webhookUrl("https://gw.example.com/", "/webhooks/twilio/sms"))
        .isEqualTo("https://gw.example.com/webhooks/twilio/sms");
    assertThat(TwilioSignature.webhookUrl("http://localhost:8080", "webhooks/twilio/voice"))
        .isEqualTo("http://localhost:8080/webhooks/twilio/voice");
  }

  @Test
  void portVariantsTouchOnlyThePort() {
    assertThat(TwilioSignature.portVariants("https://gw.example.com/a:b?c=d:e"))
        .containsExactly("https://gw.example.com/a:b?c=d:e", "https://gw.example.com:443/a:b?c=d:e");
    assertThat(TwilioSignature.portVariants("http://user:pw@gw.example.com:8080?q"))
        .containsExactly("http://user:pw@gw.example.com:8080?q", "http://user:pw@gw.example.com?q");
    assertThat(TwilioSignature.portVariants("https://[2001:db8::1]/x"))
        .containsExactly("https://[2001:db8::1]/x", "https://[2001:db8::1]:443/x");
  }

  // --- fixtures ---------------------------------------------------------------------------------

  /** Twilio's own computation; private in its library, so reached by reflection. */
  static String twilioSignature(String url, Map<String, List<String>> params) throws Exception {
    Method compute = RequestValidator.class.getDeclaredMethod("getValidationSignature", String.class, Map.class);
    compute.setAccessible(true);
    return (String) compute.invoke(new RequestValidator(TOKEN), url, single(params));
  }

  static Map<String, String> single(Map<String, List<String>> params) {
    Map<String, String> single = new LinkedHashMap<>();
    params.forEach((name, values) -> single.put(name, values.get(0)));
    return single;
  }

  static String hmacBase64(String token, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static Map<String, List<String>> params(String... namesAndValues) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      params.put(namesAndValues[i], List.of(namesAndValues[i + 1]));
    }
    return params;
  }

  static Map<String, List<String>> smsParams(String body) {
    return params(
        "MessageSid", "SM0123456789abcdef0123456789abcdef",
        "AccountSid", "AC0123456789abcdef0123456789abcdef",
        "From", "+4792222222",
        "To", "+4740000001",
        "Body", body,
        "NumMedia", "0");
  }

  static Map<String, List<String>> voiceParams() {
    return params(
        "CallSid", "CA0123456789abcdef0123456789abcdef",
        "AccountSid", "AC0123456789abcdef0123456789abcdef",
        "From", "+4791111111",
        "To", "+4740000001",
        "CallStatus", "ringing",
        "Direction", "inbound");
  }

  static Map<String, List<String>> with(Map<String, List<String>> params, String name, String value) {
    Map<String, List<String>> changed = new LinkedHashMap<>(params);
    changed.put(name, List.of(value));
    return changed;
  }
}
