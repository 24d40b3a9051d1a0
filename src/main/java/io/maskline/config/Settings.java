package io.maskline.config;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Typed reads over the merged configuration. Each setting has a YAML path ({@code http.port}) and an
 * environment variable derived from it by one rule ({@code MASKLINE_HTTP_PORT}); the variable wins.
 * Every failed read names both, so a bad value stops start-up with one clear line.
 */
final class Settings {
  private final JsonObject merged;

  Settings(JsonObject merged) {
    this.merged = merged;
  }

  /** {@code twilio.authToken} → {@code MASKLINE_TWILIO_AUTH_TOKEN}. */
  static String envName(String path) {
    return "MASKLINE_" + path.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /** The raw value, environment first, then YAML; null when neither sets it or it is blank. */
  String raw(String path) {
    Object value = merged.getValue(envName(path));
    if (value == null) {
      value = yaml(path);
    }
    if (value == null) {
      return null;
    }
    String text = value.toString().trim();
    return text.isEmpty() ? null : text;
  }

  private Object yaml(String path) {
    Object node = merged;
    for (String part : path.split("\\.")) {
      if (!(node instanceof JsonObject object)) {
        return null;
      }
      node = object.getValue(part);
    }
    return node instanceof JsonObject ? null : node;
  }

  String string(String path, String fallback) {
    String value = raw(path);
    return value == null ? fallback : value;
  }

  String requiredString(String path) {
    String value = raw(path);
    if (value == null) {
      throw invalid(path, "is required", null);
    }
    return value;
  }

  int integer(String path, int fallback, int min, int max) {
    return parse(path, fallback, text -> {
      int value = Integer.parseInt(text);
      if (value < min || value > max) {
        throw new IllegalArgumentException("must be between " + min + " and " + max);
      }
      return value;
    });
  }

  boolean bool(String path, boolean fallback) {
    return parse(path, fallback, text -> switch (text.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> throw new IllegalArgumentException("must be true or false");
    });
  }

  Duration duration(String path, Duration fallback) {
    return parse(path, fallback, text -> {
      Duration value = text.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(text)) : parseUnit(text);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException("must be positive");
      }
      return value;
    });
  }

  /** Accepts ISO-8601 ({@code PT30S}) or a number with a unit: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 24h}, {@code 30d}. */
  private static Duration parseUnit(String text) {
    if (text.toUpperCase(Locale.ROOT).startsWith("P")) {
      return Duration.parse(text.toUpperCase(Locale.ROOT));
    }
    var matcher = java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)").matcher(text);
    if (!matcher.matches()) {
      throw new IllegalArgumentException("must be a duration such as 30s, 5m, 24h or PT30S");
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }

  URI httpUrl(String path, String fallback) {
    return parse(path, URI.create(fallback), text -> {
      URI uri = URI.create(text);
      if (uri.getScheme() == null || !Set.of("http", "https").contains(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("must be an absolute http(s) URL");
      }
      return uri;
    });
  }

  ZoneId zone(String path, String fallback) {
    return parse(path, ZoneId.of(fallback), ZoneId::of);
  }

  <E extends Enum<E>> E choice(String path, E fallback, Class<E> type) {
    return parse(path, fallback, text -> Enum.valueOf(type, text.toUpperCase(Locale.ROOT)));
  }

  <T> T parse(String path, T fallback, Function<String, T> parser) {
    String text = raw(path);
    if (text == null) {
      return fallback;
    }
    try {
      return parser.apply(text);
    } catch (RuntimeException e) {
      throw invalid(path, e.getMessage(), text);
    }
  }

  /** Secrets are never echoed back: the message says which key, not what it held. */
  static ConfigException invalid(String path, String problem, String value) {
    String shown = value == null || isSecret(path) ? "" : " (got '" + value + "')";
    return new ConfigException("Invalid configuration " + envName(path) + " / " + path + ": " + problem + shown);
  }

  static boolean isSecret(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    return lower.contains("token") || lower.contains("password") || lower.contains("secret") || lower.endsWith(".url");
  }
}
