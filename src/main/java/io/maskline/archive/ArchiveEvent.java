package io.maskline.archive;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry of the archive stream: what its producers write and the archiver reads, with its field codec
 * ({@link #fields()} to the stream's flat strings, {@link #decode} back). Every Java producer builds one of these
 * records: the webhooks ({@link Interaction}, {@link Status}), the mailer ({@link Email}), the notification outbox
 * ({@link Notification}, {@link Status}), the degraded buffer.
 *
 * <p>Lua scripts write fields too, and {@code ArchiveEventTest} holds them to these names:
 * <ul>
 *   <li>{@code open_session.lua}: a {@link Session} with {@code kind action taskId orgId proxy driver recipient at
 *       variables};</li>
 *   <li>{@code close_session.lua}: a {@link Session} with {@code kind action taskId orgId proxy driver recipient at
 *       reason};</li>
 *   <li>{@code record_status.lua}: the {@code orgId} of a {@link Status} (the org its sid was routed for), put before
 *       the fields Java gives it.</li>
 * </ul>
 * Fields a record does not know are ignored when decoding (the raw payload of a session or email keeps them all).
 */
public sealed interface ArchiveEvent {

  /** Org the event belongs to; "" when unknown (a status routed for no org, an event buffered while Redis was away). */
  String orgId();

  /** Epoch millis of what happened. */
  long at();

  /** The stream entry's fields, in a stable order; null values are left out. */
  Map<String, String> fields();

  /**
   * An inbound SMS or call through a proxy number. {@code forwardedTo} is where it went (the counterpart, the admin
   * phone or the org's email; "" when nowhere), {@code form} the provider's form body as received.
   */
  record Interaction(String sid, String orgId, String taskId, String channel, String from, String proxy, String forwardedTo,
                     String body, long at, String status, String routedTo, String variables, String form) implements ArchiveEvent {
    @Override
    public Map<String, String> fields() {
      return new Fields("interaction").put("sid", sid).put("orgId", orgId).put("taskId", taskId).put("channel", channel)
          .put("from", from).put("proxy", proxy).put("forwardedTo", forwardedTo).put("body", body).put("at", at)
          .put("status", status).put("routedTo", routedTo).put("variables", variables).put("form", form).map;
    }
  }

  /**
   * A delivery, call or recording status callback. {@code orgId} is null when record_status.lua is to fill it in from
   * the sid's answer; a recording callback has {@code recordingSid} and a status prefixed {@code recording-}.
   * {@code durationSeconds} is the provider's text as given: the archiver parses it, and keeps an entry it cannot read.
   */
  record Status(String sid, String orgId, String channel, String status, long at, String durationSeconds,
                String recordingSid, String recordingUrl, String form) implements ArchiveEvent {
    /** The same callback for an org now known ("" when Redis could not say). */
    public Status withOrg(String org) {
      return new Status(sid, org, channel, status, at, durationSeconds, recordingSid, recordingUrl, form);
    }

    @Override
    public Map<String, String> fields() {
      return new Fields("status").put("orgId", orgId).put("sid", sid).put("channel", channel).put("status", status)
          .put("durationSeconds", durationSeconds).put("recordingSid", recordingSid).put("recordingUrl", recordingUrl)
          .put("at", at).put("form", form).map;
    }
  }

  /** A fallback email the mailer sent or gave up on ({@code status} sent|dead), tied to the inbound that caused it. */
  record Email(String sid, String orgId, String taskId, String from, String to, String body, long at, String status,
               String relatedSid) implements ArchiveEvent {
    @Override
    public Map<String, String> fields() {
      return new Fields("email").put("sid", sid).put("orgId", orgId).put("taskId", taskId).put("from", from).put("to", to)
          .put("body", body).put("at", at).put("status", status).put("relatedSid", relatedSid).map;
    }
  }

  /**
   * A trigger notification: an SMS sent to a recipient from the org's number or the platform sender ({@code sid} is the
   * notification's id), written again with every change; its later statuses are {@link Status} entries of the sid.
   */
  record Notification(String sid, String orgId, String taskId, String from, String to, String body, long at, String status)
      implements ArchiveEvent {
    @Override
    public Map<String, String> fields() {
      return new Fields("notification").put("sid", sid).put("orgId", orgId).put("taskId", taskId).put("from", from).put("to", to)
          .put("body", body).put("at", at).put("status", status).map;
    }
  }

  /** A session opened ({@code variables}) or closed ({@code reason} closed|expired); written by the session scripts. */
  record Session(String action, String taskId, String orgId, String proxy, String driver, String recipient, long at,
                 String variables, String reason) implements ArchiveEvent {
    @Override
    public Map<String, String> fields() {
      return new Fields("session").put("action", action).put("taskId", taskId).put("orgId", orgId).put("proxy", proxy)
          .put("driver", driver).put("recipient", recipient).put("at", at).put("variables", variables).put("reason", reason).map;
    }
  }

  /** Reads a stream entry's fields; throws {@link IllegalArgumentException} naming what is missing or unknown. */
  static ArchiveEvent decode(Map<String, String> fields) {
    String kind = required(fields, "kind");
    long at = Long.parseLong(required(fields, "at"));
    String orgId = fields.getOrDefault("orgId", "");
    return switch (kind) {
      case "interaction" -> new Interaction(required(fields, "sid"), orgId, fields.get("taskId"), channel(required(fields, "channel")),
          fields.get("from"), fields.get("proxy"), fields.get("forwardedTo"), fields.get("body"), at, fields.get("status"),
          fields.get("routedTo"), fields.get("variables"), fields.get("form"));
      case "status" -> new Status(required(fields, "sid"), orgId, fields.get("channel"), fields.get("status"), at,
          fields.get("durationSeconds"),
          fields.get("recordingSid"), fields.get("recordingUrl"), fields.get("form"));
      case "email" -> new Email(required(fields, "sid"), orgId, fields.get("taskId"), fields.get("from"), fields.get("to"),
          fields.get("body"), at, fields.get("status"), fields.get("relatedSid"));
      case "notification" -> new Notification(required(fields, "sid"), orgId, fields.get("taskId"), fields.get("from"), fields.get("to"),
          fields.get("body"), at, fields.get("status"));
      case "session" -> new Session(required(fields, "action"), required(fields, "taskId"), orgId, fields.get("proxy"),
          fields.get("driver"), fields.get("recipient"), at, fields.get("variables"), fields.get("reason"));
      default -> throw new IllegalArgumentException("unknown kind " + kind);
    };
  }

  private static String required(Map<String, String> fields, String name) {
    String value = fields.get(name);
    if (blank(value)) {
      throw new IllegalArgumentException("missing " + name);
    }
    return value;
  }

  private static String channel(String value) {
    if (!value.equals("sms") && !value.equals("voice")) {
      throw new IllegalArgumentException("unknown channel " + value);
    }
    return value;
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  /** Builds the flat field map: "kind" first, null values left out. */
  final class Fields {
    private final Map<String, String> map = new LinkedHashMap<>();

    private Fields(String kind) {
      map.put("kind", kind);
    }

    private Fields put(String name, Object value) {
      if (value != null) {
        map.put(name, value.toString());
      }
      return this;
    }
  }
}
