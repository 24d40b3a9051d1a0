package io.maskline.api;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;
import java.util.Map;

/**
 * Refuses a NUL byte anywhere in an admin request (path, query, JSON value or name) with {@code 400
 * VALIDATION_FAILED}: Postgres cannot store one in text, and the request would otherwise end in a 500 halfway.
 * Webhooks are not checked here: a provider's value is archived with NUL dropped (the archive's form decoding).
 */
public final class NulBytes implements Handler<RoutingContext> {
  private static final String JSON_NUL = "\\u0000";

  @Override
  public void handle(RoutingContext rc) {
    String uri = rc.request().uri();
    if (uri.startsWith(HttpFeature.WEBHOOK_PATH_PREFIX)) {
      rc.next();
      return;
    }
    if (uri.indexOf('\0') >= 0 || uri.toLowerCase(Locale.ROOT).contains("%00")) {
      rc.fail(ApiException.invalid("the path or query holds a NUL byte"));
      return;
    }
    Buffer body = rc.body() == null ? null : rc.body().buffer();
    if (body != null && body.length() > 0 && hasNul(body)) {
      rc.fail(ApiException.invalid("the JSON body holds a NUL byte"));
      return;
    }
    rc.next();
  }

  private static boolean hasNul(Buffer body) {
    String text = body.toString();
    if (text.indexOf('\0') >= 0) {
      return true;
    }
    // The escape may be a backslash and "u0000" written as text ("\\u0000"): only the parsed values tell.
    if (!text.contains(JSON_NUL)) {
      return false;
    }
    try {
      return hasNul(Json.decodeValue(text));
    } catch (RuntimeException notJson) {
      return false;
    }
  }

  private static boolean hasNul(Object value) {
    if (value instanceof String text) {
      return text.indexOf('\0') >= 0;
    }
    if (value instanceof JsonObject object) {
      for (Map.Entry<String, Object> field : object) {
        if (field.getKey().indexOf('\0') >= 0 || hasNul(field.getValue())) return true;
      }
    }
    if (value instanceof JsonArray array) {
      for (Object item : array) {
        if (hasNul(item)) return true;
      }
    }
    return false;
  }
}
