package io.maskline.api;

import io.maskline.ops.RequestIds;
import io.maskline.phone.InvalidPhoneNumberException;
import io.maskline.phone.Masking;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.json.schema.JsonSchemaValidationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static net.logstash.logback.argument.StructuredArguments.kv;

/** The one failure handler: every error, from any route, leaves as {@code application/problem+json} with a stable code. */
public final class Problems {
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
  public static final String CONTENT_TYPE = "application/problem+json";

  private Problems() {}

  public static void handle(RoutingContext rc) {
    Throwable failure = rc.failure();
    ErrorCode code;
    String detail;
    String field = null;
    if (failure instanceof ApiException api) {
      code = api.code();
      detail = api.getMessage();
      field = api.field();
    } else if (failure instanceof InvalidPhoneNumberException phone) {
      code = ErrorCode.INVALID_PHONE;
      detail = phone.getMessage();
      field = phone.field();
    } else if (failure instanceof DecodeException) {
      code = ErrorCode.VALIDATION_FAILED;
      detail = "body is not valid JSON";
    } else if (failure instanceof java.io.IOException io && String.valueOf(io.getMessage()).contains("maximum capacity")) {
      // Netty's form decoder refusing an attribute over the limit.
      code = ErrorCode.PAYLOAD_TOO_LARGE;
      detail = code.title();
    } else if (failure instanceof HttpException http && validationCause(http) != null) {
      code = ErrorCode.VALIDATION_FAILED;
      detail = validationCause(http);
      field = validationField(http);
    } else if (failure instanceof HttpException http) {
      code = fromStatus(http.getStatusCode());
      detail = code.title();
    } else if (failure == null) {
      code = fromStatus(rc.statusCode());
      detail = code.title();
    } else if (dependencyUnavailable(failure)) {
      // Redis, Postgres or the provider's API down or too slow: the client may retry, nothing was half-done.
      code = ErrorCode.UNAVAILABLE;
      detail = "a service the gateway depends on did not answer; retry later";
      LOG.warn("request failed: dependency unavailable {} {} {}", kv("requestId", RequestIds.of(rc)), kv("path", rc.normalizedPath()),
          kv("error", String.valueOf(failure.getMessage())));
    } else {
      code = ErrorCode.INTERNAL_ERROR;
      detail = "unexpected error; see the gateway log with this request id";
      LOG.error("request failed {} {}", kv("requestId", RequestIds.of(rc)), kv("path", rc.normalizedPath()), failure);
    }
    send(rc, code, detail, field);
  }

  public static void send(RoutingContext rc, ErrorCode code, String detail) {
    send(rc, code, detail, null);
  }

  /** {@code field}: the input at fault (body member or query parameter), added to the problem when known. */
  public static void send(RoutingContext rc, ErrorCode code, String detail, String field) {
    if (rc.response().ended() || rc.response().headWritten()) {
      return;
    }
    JsonObject problem = new JsonObject()
        .put("type", "https://maskline.io/problems/" + code.name().toLowerCase().replace('_', '-'))
        .put("title", code.title())
        .put("status", code.status())
        .put("detail", Masking.phonesIn(detail))
        .put("code", code.name())
        .put("requestId", RequestIds.of(rc));
    if (field != null) {
      problem.put("field", field);
    }
    rc.response()
        .setStatusCode(code.status())
        .putHeader("Content-Type", CONTENT_TYPE)
        .end(problem.encode());
  }

  private static boolean dependencyUnavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException || t instanceof java.util.concurrent.TimeoutException
          || t instanceof io.vertx.sqlclient.ClosedConnectionException) {
        return true;
      }
    }
    return false;
  }

  private static String validationCause(HttpException http) {
    Throwable cause = http.getCause();
    if (cause instanceof ValidatorException validator) {
      String message = validator.getMessage();
      if (validator.getCause() instanceof JsonSchemaValidationException schema && schema.location() != null) {
        message = message + " at " + schema.location();
      }
      return message;
    }
    return null;
  }

  /** The top-level body member a schema error points at ({@code /adminPhone} → {@code adminPhone}), else null. */
  private static String validationField(HttpException http) {
    if (http.getCause() instanceof ValidatorException validator && validator.getCause() instanceof JsonSchemaValidationException schema
        && schema.location() != null) {
      String location = schema.location();
      String[] parts = location.replace("#", "").split("/");
      for (String part : parts) {
        if (!part.isEmpty()) {
          return part;
        }
      }
    }
    return null;
  }

  private static ErrorCode fromStatus(int status) {
    return switch (status) {
      case 400 -> ErrorCode.VALIDATION_FAILED;
      case 401 -> ErrorCode.UNAUTHORIZED;
      case 403 -> ErrorCode.FORBIDDEN;
      case 404 -> ErrorCode.NOT_FOUND;
      case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
      case 409 -> ErrorCode.CONFLICT;
      case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
      case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
      case 429 -> ErrorCode.RATE_LIMITED;
      case 503 -> ErrorCode.UNAVAILABLE;
      default -> ErrorCode.INTERNAL_ERROR;
    };
  }
}
