package io.maskline.api;

/** The stable {@code code} of every problem+json answer (docs/API.md "Errors"), with its HTTP status and title. */
public enum ErrorCode {
  VALIDATION_FAILED(400, "Request is not valid"),
  INVALID_PHONE(400, "Phone number is not valid"),
  UNAUTHORIZED(401, "Missing or invalid bearer token"),
  FORBIDDEN(403, "Forbidden"),
  NOT_FOUND(404, "Not found"),
  METHOD_NOT_ALLOWED(405, "Method not allowed"),
  CONFLICT(409, "Conflict"),
  POOL_EXHAUSTED(409, "No free proxy number"),
  AMBIGUOUS_TASK_ID(409, "Task id is used by more than one org"),
  RECIPIENT_OPTED_OUT(409, "Recipient opted out"),
  NO_SENDER_NUMBER(409, "No sender number"),
  PAYLOAD_TOO_LARGE(413, "Payload too large"),
  UNSUPPORTED_MEDIA_TYPE(415, "Unsupported media type"),
  RATE_LIMITED(429, "Rate limited"),
  INTERNAL_ERROR(500, "Internal error"),
  UNAVAILABLE(503, "Service unavailable");

  private final int status;
  private final String title;

  ErrorCode(int status, String title) {
    this.status = status;
    this.title = title;
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }
}
