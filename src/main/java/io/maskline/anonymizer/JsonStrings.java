package io.maskline.anonymizer;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.function.UnaryOperator;

/** A JSON value with every string value (never a key) put through one function: how a payload is redacted. */
final class JsonStrings {
  private JsonStrings() {}

  static Object map(Object value, UnaryOperator<String> strings) {
    if (value instanceof String text) {
      return strings.apply(text);
    }
    if (value instanceof JsonObject object) {
      JsonObject out = new JsonObject();
      object.forEach(field -> out.put(field.getKey(), map(field.getValue(), strings)));
      return out;
    }
    if (value instanceof JsonArray array) {
      JsonArray out = new JsonArray();
      array.forEach(item -> out.add(map(item, strings)));
      return out;
    }
    return value;
  }
}
