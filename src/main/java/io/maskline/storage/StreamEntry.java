package io.maskline.storage;

import java.util.Map;

/** One entry of a Redis stream: its id ({@code 1700000000000-0}) and flat field/value pairs. */
public record StreamEntry(String id, Map<String, String> fields) {
  public String field(String name) {
    return fields.get(name);
  }
}
