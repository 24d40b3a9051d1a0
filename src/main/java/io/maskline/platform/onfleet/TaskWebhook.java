package io.maskline.platform.onfleet;

import io.maskline.api.ApiException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The fields of an Onfleet task webhook that drive a session, read as Onfleet sends them:
 * {@code taskId}, {@code triggerId} ({@code triggerName} for logs), {@code time} (epoch ms),
 * {@code data.task.recipients[0].phone}, {@code data.task.metadata} (→ session variables), and the worker as
 * {@code data.worker.phone} when present, else its id ({@code workerId}, else {@code data.task.worker}) to look up.
 * Pure: parsing only, phones as given (normalized by the caller in the org's country).
 */
public record TaskWebhook(String taskId, int triggerId, String triggerName, long time, String recipientPhone,
                          String workerPhone, String workerId, Map<String, String> variables) {
  /** As many variables as a session takes, each value at most this long (see SessionInput in openapi.yaml). */
  static final int MAX_VARIABLES = 32;
  static final int MAX_VARIABLE_LENGTH = 1000;
  private static final Pattern TASK_ID = Pattern.compile("^[A-Za-z0-9._:~-]{1,128}$");

  public TaskAction action() {
    return TaskAction.of(triggerId);
  }

  /** The payload, or a {@code 400 VALIDATION_FAILED} naming what is missing; fields an action needs are required. */
  public static TaskWebhook parse(Buffer body) {
    JsonObject json;
    try {
      json = new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw ApiException.invalid("body is not a JSON object");
    }
    Integer triggerId = integer(json, "triggerId");
    if (triggerId == null) {
      throw ApiException.invalid("triggerId is required");
    }
    TaskAction action = TaskAction.of(triggerId);
    String triggerName = json.getValue("triggerName") instanceof String name ? name : "";
    if (action == TaskAction.IGNORE) {
      return new TaskWebhook(text(json, "taskId"), triggerId, triggerName, 0, null, null, null, Map.of());
    }
    String taskId = text(json, "taskId");
    if (taskId == null || !TASK_ID.matcher(taskId).matches()) {
      throw ApiException.invalid("taskId is required (letters, digits, . _ : ~ -; up to 128)");
    }
    Object time = json.getValue("time");
    if (!(time instanceof Number millis) || millis.longValue() <= 0) {
      throw ApiException.invalid("time (epoch milliseconds) is required");
    }
    if (action == TaskAction.CLOSE) {
      return new TaskWebhook(taskId, triggerId, triggerName, millis.longValue(), null, null, null, Map.of());
    }
    JsonObject data = object(json, "data");
    JsonObject task = data == null ? null : object(data, "task");
    if (task == null) {
      throw ApiException.invalid("data.task is required for " + describe(triggerId, triggerName));
    }
    JsonArray recipients = task.getValue("recipients") instanceof JsonArray list ? list : null;
    JsonObject recipient = recipients == null || recipients.isEmpty() || !(recipients.getValue(0) instanceof JsonObject first) ? null : first;
    String recipientPhone = recipient == null ? null : text(recipient, "phone");
    if (recipientPhone == null) {
      throw ApiException.invalid("data.task.recipients[0].phone is required");
    }
    JsonObject worker = object(data, "worker");
    String workerPhone = worker == null ? null : text(worker, "phone");
    String workerId = text(json, "workerId");
    if (workerId == null) {
      workerId = text(task, "worker");
    }
    if (workerPhone == null && workerId == null) {
      throw ApiException.invalid("the worker is missing: data.worker.phone, workerId or data.task.worker is required");
    }
    return new TaskWebhook(taskId, triggerId, triggerName, millis.longValue(), recipientPhone, workerPhone, workerId, variables(task));
  }

  /** {@code metadata} is a list of {@code {name, type, value, visibility}}; each becomes name → value as text. */
  private static Map<String, String> variables(JsonObject task) {
    Map<String, String> variables = new LinkedHashMap<>();
    if (!(task.getValue("metadata") instanceof JsonArray metadata)) {
      return variables;
    }
    for (Object item : metadata) {
      if (variables.size() >= MAX_VARIABLES) {
        break;
      }
      if (item instanceof JsonObject field && field.getValue("name") instanceof String name && !name.isBlank()
          && field.getValue("value") != null) {
        Object value = field.getValue("value");
        String text = value instanceof JsonObject || value instanceof JsonArray ? value.toString() : String.valueOf(value);
        variables.put(name, text.length() > MAX_VARIABLE_LENGTH ? text.substring(0, MAX_VARIABLE_LENGTH) : text);
      }
    }
    return variables;
  }

  String describe() {
    return describe(triggerId, triggerName);
  }

  private static String describe(int triggerId, String triggerName) {
    return triggerName.isEmpty() ? "trigger " + triggerId : triggerName + " (" + triggerId + ")";
  }

  private static Integer integer(JsonObject json, String field) {
    return json.getValue(field) instanceof Number number && number.doubleValue() == number.intValue() ? number.intValue() : null;
  }

  private static String text(JsonObject json, String field) {
    return json.getValue(field) instanceof String value && !value.isBlank() ? value.strip() : null;
  }

  private static JsonObject object(JsonObject json, String field) {
    return json.getValue(field) instanceof JsonObject value ? value : null;
  }
}
