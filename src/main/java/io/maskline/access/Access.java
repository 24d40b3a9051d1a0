package io.maskline.access;

import io.vertx.openapi.contract.Operation;

import java.util.Locale;

/**
 * Who may call an operation, declared per operation in the contract as {@code x-maskline-access}: {@code viewer}
 * (any key of the org), {@code admin} (admin keys of the org) or {@code platform} (the platform token only).
 * An operation that declares nothing is {@code platform}: new operations are closed until someone opens them.
 */
public enum Access {
  VIEWER, ADMIN, PLATFORM;

  public static final String EXTENSION = "x-maskline-access";

  public static Access of(Operation operation) {
    Object declared = operation.getExtensions().get(EXTENSION);
    if (declared == null) {
      return PLATFORM;
    }
    return valueOf(String.valueOf(declared).toUpperCase(Locale.ROOT));
  }
}
