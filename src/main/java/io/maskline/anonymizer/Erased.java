package io.maskline.anonymizer;

import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * What forgetting a person changed in one store: {@code records} per place (counted into the run, the request's
 * report and {@code maskline_anonymizer_records_total{store}}) and any further {@code details} for the report
 * (e.g. recordings the provider would not delete).
 */
public record Erased(Map<String, Integer> records, JsonObject details) {
  public static Erased of(Map<String, Integer> records) {
    return new Erased(records, new JsonObject());
  }

  public static Erased nothing() {
    return new Erased(Map.of(), new JsonObject());
  }
}
