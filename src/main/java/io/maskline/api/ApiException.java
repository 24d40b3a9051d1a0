package io.maskline.api;

/** A domain failure that becomes one problem+json answer; thrown or failed into a Future anywhere below a handler. */
public final class ApiException extends RuntimeException {
  private final ErrorCode code;
  private final String field;

  public ApiException(ErrorCode code, String detail) {
    this(code, detail, null);
  }

  /** {@code field}: the body member or query parameter at fault, so a form can show the error next to it. */
  public ApiException(ErrorCode code, String detail, String field) {
    super(detail, null, false, false);
    this.code = code;
    this.field = field;
  }

  public ErrorCode code() {
    return code;
  }

  /** The input at fault, or null. */
  public String field() {
    return field;
  }

  public static ApiException notFound(String detail) {
    return new ApiException(ErrorCode.NOT_FOUND, detail);
  }

  public static ApiException invalid(String detail) {
    return new ApiException(ErrorCode.VALIDATION_FAILED, detail);
  }

  public static ApiException invalid(String field, String detail) {
    return new ApiException(ErrorCode.VALIDATION_FAILED, detail, field);
  }

  /** For {@code EmailAddresses.normalize(...).orElseThrow(...)}: the field names what was refused. */
  public static ApiException invalidEmail(String field) {
    return invalid(field, field + " is not a valid email address");
  }
}
