package maskline.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TwilioSignerTest {

  /**
   * Expected values were checked with Twilio's own {@code com.twilio.security.RequestValidator}
   * (twilio-java 10.9.2): it accepts each of these signatures for this URL and these parameters.
   */
  @Test
  void matchesTwilioValidatorVectors() {
    TwilioSigner signer = new TwilioSigner("s3cret");
    assertEquals("K81kweAJBQ1Nd3vHdumShCH0Uj8=", signer.sign("https://gw.example.com/webhooks/twilio/voice",
        decode("AccountSid=AC1&ApiVersion=2010-04-01&CallSid=CA71bb54d8d101b5b9c34d0bff90150280&CallStatus=ringing"
            + "&Called=%2B4741000009&CalledCountry=NO&Caller=%2B4790000081&CallerCountry=NO&Direction=inbound"
            + "&From=%2B4790000081&FromCountry=NO&To=%2B4741000009&ToCountry=NO")));
    assertEquals("29DqaMgXaDdZOce6/De91TZYPaM=", signer.sign("https://gw.example.com/webhooks/twilio/sms",
        decode("ToCountry=NO&SmsMessageSid=SM257d3d65cab9830a64dd85e3ddf455b4&NumMedia=0"
            + "&SmsSid=SM257d3d65cab9830a64dd85e3ddf455b4&SmsStatus=received&Body=Ok+%F0%9F%91%8D&FromCountry=NO"
            + "&To=%2B4741000019&NumSegments=1&MessageSid=SM257d3d65cab9830a64dd85e3ddf455b4"
            + "&AccountSid=AC00000000000000000000000000000001&From=%2B4790002119&ApiVersion=2010-04-01")));
    assertEquals("AvQC8CA/HmgERNyhoxrizvzhgME=", signer.sign("https://gw.example.com/webhooks/twilio/sms",
        decode("ToCountry=NO&SmsMessageSid=SM0ce1a214e14e53209f52b73fba487441&NumMedia=0"
            + "&SmsSid=SM0ce1a214e14e53209f52b73fba487441&SmsStatus=received"
            + "&Body=Kode+til+porten+er+4711+%26+2.+etasje&FromCountry=NO&To=%2B4741000060&NumSegments=1"
            + "&MessageSid=SM0ce1a214e14e53209f52b73fba487441&AccountSid=AC00000000000000000000000000000001"
            + "&From=%2B4745001560&ApiVersion=2010-04-01")));
  }

  @Test
  void signatureDependsOnUrlTokenAndEveryParameter() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("From", "+4790000001");
    p.put("To", "+4741000001");
    String base = new TwilioSigner("t").sign("http://localhost:8080/webhooks/twilio/sms", p);
    assertNotEquals(base, new TwilioSigner("u").sign("http://localhost:8080/webhooks/twilio/sms", p));
    assertNotEquals(base, new TwilioSigner("t").sign("http://127.0.0.1:8080/webhooks/twilio/sms", p));
    p.put("Body", "x");
    assertNotEquals(base, new TwilioSigner("t").sign("http://localhost:8080/webhooks/twilio/sms", p));
  }

  @Test
  void everyGeneratedWebhookVerifiesAndHasFreshSids() {
    Fixture f = new Fixture(200, 20, 50, 20, "org", "run").deterministic();
    TwilioSigner signer = new TwilioSigner("tok");
    WebhookMix mix = new WebhookMix(f, signer, "https://gw.example.com/", "AC1", 80, 8, 5, 7, 30, 500, 42);
    Set<String> fresh = new HashSet<>();
    Map<String, String> formBySid = new HashMap<>();
    int duplicates = 0;
    for (int i = 0; i < 5000; i++) {
      WebhookRequest r = mix.next();
      Map<String, String> params = decode(r.form());
      assertEquals(r.signature(), signer.sign("https://gw.example.com" + r.path(), params), r.name());
      String sid = params.get(r.channel().equals("sms") ? "MessageSid" : "CallSid");
      assertEquals(r.sid(), sid);
      assertTrue(sid.matches((r.channel().equals("sms") ? "SM" : "CA") + "[0-9a-f]{32}"), sid);
      assertTrue(params.get("From").matches("\\+47[49]\\d{7}"), params.get("From"));
      assertTrue(params.get("To").matches("\\+4741\\d{6}"), params.get("To"));
      if (r.name().endsWith("duplicate")) {
        duplicates++;
        assertEquals(formBySid.get(sid), r.form(), "a duplicate is byte-identical to its original");
      } else {
        assertTrue(fresh.add(sid), "fresh Sid " + sid);
        formBySid.put(sid, r.form());
      }
    }
    assertTrue(duplicates > 200 && duplicates < 500, "about 7 % duplicates: " + duplicates);
  }

  @Test
  void deterministicFixtureNeverPutsADriverTwiceOnOneNumber() {
    Fixture f = Fixture.fromProperties(10_000).deterministic();
    Set<String> pairs = new HashSet<>();
    for (Binding b : f.active()) {
      assertTrue(pairs.add(b.proxy() + b.driver()), "driver twice on " + b.proxy());
      assertTrue(pairs.add(b.proxy() + b.recipient()));
    }
    for (Binding b : f.closed()) {
      assertFalse(pairs.contains(b.proxy() + b.driver()), "closed driver shadowed by an active binding");
      assertFalse(pairs.contains(b.proxy() + b.recipient()));
    }
  }

  private static Map<String, String> decode(String form) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String kv : form.split("&")) {
      String[] x = kv.split("=", 2);
      m.put(URLDecoder.decode(x[0], StandardCharsets.UTF_8), URLDecoder.decode(x[1], StandardCharsets.UTF_8));
    }
    return m;
  }
}
