package io.maskline.support;

import io.maskline.binding.Keys;
import io.maskline.provider.twilio.TwilioSignature;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Posts provider webhooks to a test gateway, signed as Twilio signs them, and reads what they left in Redis. */
public final class Webhooks {
  private final TestGateway gw;
  private final TwilioSignature signer = new TwilioSignature(TestGateway.TWILIO_TOKEN);

  public Webhooks(TestGateway gw) {
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
    Map<String, String> form = new LinkedHashMap<>();
    form.put("MessageSid", sid);
    form.put("AccountSid", "ACtest");
    form.put("From", from);
    form.put("To", to);
    form.put("Body", body);
    form.put("NumMedia", "0");
    return post("/webhooks/twilio/sms", form);
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
    return signer.sign("http://localhost:" + gw.port + path, params);
  }

  public HttpResponse<Buffer> post(String path, Map<String, String> form, String signature) {
    MultiMap body = MultiMap.caseInsensitiveMultiMap();
    form.forEach(body::add);
    var request = gw.http.post(path);
    if (signature != null) {
      request.putHeader(TwilioSignature.HEADER, signature);
    }
    return request.sendForm(body).await();
  }

  /** Archive stream entries carrying this sid (newest first). */
  public static List<Map<String, String>> archived(Redis redis, String sid) {
    Response recent = redis.send(Request.cmd(Command.XREVRANGE).arg(Keys.ARCHIVE_STREAM).arg("+").arg("-").arg("COUNT").arg(2000)).await();
    List<Map<String, String>> found = new ArrayList<>();
    for (Response entry : recent) {
      Response fields = entry.get(1);
      Map<String, String> map = new LinkedHashMap<>();
      for (int i = 0; i < fields.size(); i += 2) {
        map.put(fields.get(i).toString(), fields.get(i + 1).toString());
      }
      if (sid.equals(map.get("sid")) || sid.equals(map.get("relatedSid"))) {
        found.add(map);
      }
    }
    return found;
  }
}
