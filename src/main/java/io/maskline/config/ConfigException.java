package io.maskline.config;

/** A configuration value that stops the gateway from starting; the message names the key. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
