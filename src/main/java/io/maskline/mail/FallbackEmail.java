package io.maskline.mail;

import io.maskline.phone.Masking;
import io.maskline.routing.Channel;
import io.maskline.routing.EmailReason;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The email an org gets when a recipient could not be put through: who, when, the message or a missed-call note,
 * the task and the proxy number. Built at webhook time and queued in the mail outbox as plain fields.
 */
public record FallbackEmail(String orgId, String to, String subject, String text, String taskId, String relatedSid) {
  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z");

  public static FallbackEmail compose(String orgId, String to, EmailReason reason, Channel channel, String caller, String proxy,
                                      String body, String taskId, String sid, Instant at, ZoneId zone, boolean maskCaller) {
    String who = maskCaller ? Masking.phone(caller) : caller;
    boolean call = channel == Channel.VOICE;
    String subject = (call ? "Missed call from " : "Message from ") + who + (taskId.isEmpty() ? "" : " (task " + taskId + ")");
    StringBuilder text = new StringBuilder()
        .append(call ? "A recipient called and could not be put through.\n\n" : "A recipient sent a message that could not be delivered by phone.\n\n")
        .append("From:         ").append(who).append('\n')
        .append("When:         ").append(WHEN.format(at.atZone(zone))).append('\n')
        .append("Proxy number: ").append(proxy).append('\n')
        .append("Task:         ").append(taskId.isEmpty() ? "unknown" : taskId).append('\n')
        .append("Why email:    ").append(explain(reason)).append("\n\n");
    if (call) {
      text.append("Missed call - no message was left.\n");
    } else {
      text.append("Message:\n").append(body).append('\n');
    }
    return new FallbackEmail(orgId, to, subject, text.toString(), taskId, sid);
  }

  private static String explain(EmailReason reason) {
    return switch (reason) {
      case MESSAGE_AFTER_TASK -> "the task had ended";
      case MISSED_CALL_AFTER_TASK -> "the task had ended";
      case RECIPIENT_TO_ADMIN_NO_SMS -> "your admin phone does not accept SMS";
      case RECIPIENT_TO_ADMIN_NO_PHONE_MESSAGE, RECIPIENT_TO_ADMIN_NO_PHONE_CALL -> "no admin phone is set";
    };
  }

  /** The outbox entry (a Redis stream entry: flat strings). */
  public Map<String, String> toFields() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("orgId", orgId);
    fields.put("to", to == null ? "" : to);
    fields.put("subject", subject);
    fields.put("text", text);
    fields.put("taskId", taskId);
    fields.put("relatedSid", relatedSid);
    return fields;
  }

  public static FallbackEmail fromFields(Map<String, String> fields) {
    String to = fields.getOrDefault("to", "");
    return new FallbackEmail(fields.get("orgId"), to.isEmpty() ? null : to, fields.get("subject"), fields.get("text"),
        fields.getOrDefault("taskId", ""), fields.getOrDefault("relatedSid", ""));
  }
}
