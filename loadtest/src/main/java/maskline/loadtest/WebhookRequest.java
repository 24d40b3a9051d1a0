package maskline.loadtest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One signed provider webhook, ready to send.
 *
 * @param name      request name for reports, e.g. {@code "sms forward"}, {@code "voice duplicate"}
 * @param channel   {@code sms} or {@code voice}
 * @param path      {@code /webhooks/twilio/sms} or {@code /webhooks/twilio/voice}
 * @param form      application/x-www-form-urlencoded body, exactly the bytes that were signed
 * @param signature X-Twilio-Signature value
 * @param sid       MessageSid or CallSid
 * @param caller    From
 * @param expect    what a forward should answer ({@code "<Message"} / {@code "<Dial"}), null when not checked
 */
public record WebhookRequest(String name, String channel, String path, String form, String signature,
                             String sid, String caller, String expect) {

  /** The same webhook again (a provider retry): identical body and signature. */
  public WebhookRequest asDuplicate() {
    return new WebhookRequest(channel + " duplicate", channel, path, form, signature, sid, caller, expect);
  }

  /** As a Gatling feeder record. */
  public Map<String, Object> toRecord() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("channel", channel);
    m.put("path", path);
    m.put("form", form);
    m.put("sig", signature);
    m.put("sid", sid);
    m.put("caller", caller);
    m.put("expect", expect == null ? "" : expect);
    return m;
  }
}
