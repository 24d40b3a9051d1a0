package io.maskline.api;

/** A domain failure that becomes one problem+json answer; thrown or failed into a Future anywhere below a handler. */
public final class ApiException extends RuntimeException {
  private final ErrorCode code;

  public ApiException(ErrorCode code, String detail) {
    super(detail, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  public static ApiException notFound(String detail) {
    return new ApiException(ErrorCode.NOT_FOUND, detail);
  }

  public static ApiException invalid(String detail) {
    return new ApiException(ErrorCode.VALIDATION_FAILED, detail);
  }

  /** For {@code EmailAddresses.normalize(...).orElseThrow(...)}: the field names what was refused. */
  public static ApiException invalidEmail(String field) {
    return invalid(field + " is not a valid email address");
  }
}
