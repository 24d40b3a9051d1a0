package io.maskline.support;

import io.maskline.provider.twilio.TwilioSignature;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Posts provider webhooks to a test gateway, signed as Twilio signs them, and reads what they left in Redis. */
public final class Webhooks {
  private final GatewayEndpoint gw;
  private final TwilioSignature signer = new TwilioSignature(TestGateway.TWILIO_TOKEN);

  public Webhooks(GatewayEndpoint gw) {
    this.gw = gw;
  }

  public static String messageSid() {
    return "SM" + UUID.randomUUID().toString().replace("-", "");
  }

  public static String callSid() {
    return "CA" + UUID.randomUUID().toString().replace("-", "");
  }

  public HttpResponse<Buffer> sms(String from, String to, String body) {
    return sms(messageSid(), from, to, body);
  }

  public HttpResponse<Buffer> sms(String sid, String from, String to, String body) {
    return post("/webhooks/twilio/sms", smsForm(sid, from, to, body));
  }

  /** An inbound SMS's form as Twilio posts it, in Twilio's order; modifiable, for tests that tamper with it. */
  public static Map<String, String> smsForm(String sid, String from, String to, String body) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("MessageSid", sid);
    form.put("AccountSid", "ACtest");
    form.put("From", from);
    form.put("To", to);
    form.put("Body", body);
    form.put("NumMedia", "0");
    return form;
  }

  public HttpResponse<Buffer> call(String from, String to) {
    return call(callSid(), from, to);
  }

  public HttpResponse<Buffer> call(String sid, String from, String to) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("CallSid", sid);
    form.put("AccountSid", "ACtest");
    form.put("From", from);
    form.put("To", to);
    form.put("CallStatus", "ringing");
    form.put("Direction", "inbound");
    return post("/webhooks/twilio/voice", form);
  }

  public HttpResponse<Buffer> post(String path, Map<String, String> form) {
    return post(path, form, sign(path, form));
  }

  public String sign(String path, Map<String, String> form) {
    Map<String, List<String>> params = new HashMap<>();
    form.forEach((k, v) -> params.put(k, List.of(v)));
    return signer.sign("http://localhost:" + gw.port() + path, params);
  }

  public HttpResponse<Buffer> post(String path, Map<String, String> form, String signature) {
    MultiMap body = MultiMap.caseInsensitiveMultiMap();
    form.forEach(body::add);
    var request = gw.http().post(path);
    if (signature != null) {
      request.putHeader(TwilioSignature.HEADER, signature);
    }
    return request.sendForm(body).await();
  }

  /** A body sent exactly as given (for encodings a form encoder would not produce), with this signature header. */
  public HttpResponse<Buffer> postRaw(String path, String rawBody, String signature) {
    return gw.http().post(path)
        .putHeader("Content-Type", "application/x-www-form-urlencoded")
        .putHeader(TwilioSignature.HEADER, signature)
        .sendBuffer(Buffer.buffer(rawBody)).await();
  }

  /**
   * What the archive holds for this sid in Postgres, once the archiver wrote it: the interaction row (with its
   * status updates merged in) and any email row reporting it, each as a map of the archive event's field names.
   */
  public static List<Map<String, String>> archived(TestGateway gw, String sid) {
    var rows = gw.gateway.services().pg().preparedQuery("""
            SELECT c.channel, c.direction, c.org_id, c.task_id, c.from_addr, c.to_addr, c.proxy_number, c.body, c.status,
                   c.routed_to, c.duration_seconds, c.recording_sid, c.related_sid, c.variables::text AS variables,
                   (SELECT r.payload::text FROM raw_events r WHERE r.provider_sid = c.provider_sid AND r.kind = 'interaction' LIMIT 1) AS raw
            FROM communications c WHERE c.provider_sid = $1 OR c.related_sid = $1""")
        .execute(io.vertx.sqlclient.Tuple.of(sid)).await();
    List<Map<String, String>> found = new ArrayList<>();
    for (var row : rows) {
      Map<String, String> map = new LinkedHashMap<>();
      map.put("kind", "email".equals(row.getString("channel")) ? "email" : "interaction");
      map.put("channel", row.getString("channel"));
      map.put("orgId", valueOf(row.getString("org_id")));
      map.put("taskId", valueOf(row.getString("task_id")));
      map.put("from", valueOf(row.getString("from_addr")));
      map.put("forwardedTo", valueOf(row.getString("to_addr")));
      map.put("proxy", valueOf(row.getString("proxy_number")));
      map.put("body", valueOf(row.getString("body")));
      map.put("status", valueOf(row.getString("status")));
      map.put("routedTo", valueOf(row.getString("routed_to")));
      map.put("durationSeconds", row.getInteger("duration_seconds") == null ? "" : row.getInteger("duration_seconds").toString());
      map.put("recordingSid", valueOf(row.getString("recording_sid")));
      map.put("relatedSid", valueOf(row.getString("related_sid")));
      map.put("raw", valueOf(row.getString("raw")));
      map.put("variables", valueOf(row.getString("variables")));
      found.add(map);
    }
    return found;
  }

  /** Polls until the archive holds a row of this kind for the sid (the archiver works asynchronously). */
  public static Map<String, String> awaitArchived(TestGateway gw, String sid, String kind) {
    return awaitArchived(gw, sid, kind, row -> true);
  }

  public static Map<String, String> awaitArchived(TestGateway gw, String sid, String kind, java.util.function.Predicate<Map<String, String>> ready) {
    long deadline = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < deadline) {
      var hit = archived(gw, sid).stream().filter(e -> kind.equals(e.get("kind")) && ready.test(e)).findFirst();
      if (hit.isPresent()) {
        return hit.get();
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("no archived " + kind + " for " + sid + ": " + archived(gw, sid));
  }

  private static String valueOf(String value) {
    return value == null ? "" : value;
  }
}
