package io.maskline.archive;

import io.maskline.storage.Keys;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;


/** Archive stream events as the webhook and session code emit them (reads live in support/Sql and support/Eventually). */
public final class ArchiveEvents {
  private ArchiveEvents() {}

  /** A provider's form body, as the gateway puts it into an event: names and values in pairs, URL-encoded. */
  public static String form(String... namesAndValues) {
    StringBuilder form = new StringBuilder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      form.append(i == 0 ? "" : "&").append(URLEncoder.encode(namesAndValues[i], StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(namesAndValues[i + 1], StandardCharsets.UTF_8));
    }
    return form.toString();
  }

  public static String sid(String prefix) {
    return prefix + UUID.randomUUID().toString().replace("-", "");
  }

  public static Map<String, String> sms(String orgId, String sid, String taskId, String from, String proxy, String forwardedTo, String body, long at) {
    return new LinkedHashMap<>(new ArchiveEvent.Interaction(sid, orgId, taskId == null ? "" : taskId, "sms", from, proxy,
        forwardedTo == null ? "" : forwardedTo, body, at, "received", forwardedTo == null ? "none" : "counterpart",
        new JsonObject().put("order", "A-17").put("customer", "Kari Nordmann").encode(),
        form("MessageSid", sid, "AccountSid", "ACtest", "From", from, "To", proxy, "Body", body, "FromCity", "OSLO", "NumMedia", "0"))
        .fields());
  }

  public static Map<String, String> call(String orgId, String sid, String taskId, String from, String proxy, String forwardedTo, long at) {
    Map<String, String> e = sms(orgId, sid, taskId, from, proxy, forwardedTo, "", at);
    e.put("channel", "voice");
    e.put("status", "ringing");
    e.put("form", form("CallSid", sid, "AccountSid", "ACtest", "From", from, "To", proxy, "CallStatus", "ringing"));
    return e;
  }

  public static Map<String, String> status(String orgId, String sid, String channel, String status, Integer duration, long at) {
    return new LinkedHashMap<>(new ArchiveEvent.Status(sid, orgId, channel, status, at, duration == null ? null : duration.toString(),
        null, null, form(channel.equals("sms") ? "MessageSid" : "CallSid", sid, channel.equals("sms") ? "MessageStatus" : "CallStatus", status))
        .fields());
  }

  public static Map<String, String> recording(String orgId, String sid, String recordingSid, long at) {
    Map<String, String> e = status(orgId, sid, "voice", "completed", null, at);
    e.put("recordingSid", recordingSid);
    e.put("recordingUrl", "https://api.example.test/Recordings/" + recordingSid);
    return e;
  }

  public static Map<String, String> email(String orgId, String sid, String taskId, String to, String body, String relatedSid, long at) {
    return new LinkedHashMap<>(new ArchiveEvent.Email(sid, orgId, taskId == null ? "" : taskId, "noreply@maskline.local", to, body, at,
        "sent", relatedSid).fields());
  }

  public static String add(Redis redis, Map<String, String> fields) {
    Request xadd = Request.cmd(Command.XADD).arg(Keys.ARCHIVE_STREAM).arg("*");
    fields.forEach((name, value) -> xadd.arg(name).arg(value));
    return redis.send(xadd).await().toString();
  }

  public static void addAll(Redis redis, List<Map<String, String>> events) {
    List<Request> batch = new ArrayList<>();
    for (Map<String, String> fields : events) {
      Request xadd = Request.cmd(Command.XADD).arg(Keys.ARCHIVE_STREAM).arg("*");
      fields.forEach((name, value) -> xadd.arg(name).arg(value));
      batch.add(xadd);
    }
    redis.batch(batch).await();
  }

}
