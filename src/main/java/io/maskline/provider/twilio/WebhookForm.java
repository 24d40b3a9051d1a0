package io.maskline.provider.twilio;

import io.maskline.api.ApiException;
import io.maskline.api.ErrorCode;
import io.maskline.provider.FormEncoding;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A webhook's {@code application/x-www-form-urlencoded} parameters, names in the order received, and its body as
 * received (the archive keeps it as the raw payload).
 *
 * <p>Webhooks read their own body instead of going through vertx-web's BodyHandler: that one hands every form body to
 * Netty's multipart decoder, which signals its end of data with an exception per request and was the largest single
 * cost of a webhook after the sockets (docs/PERFORMANCE.md). A form is one line of {@code name=value} pairs
 * ({@link FormEncoding}).
 */
record WebhookForm(Map<String, List<String>> parameters, String body) {

  /** The first value of {@code name}, or null. */
  String get(String name) {
    List<String> values = parameters.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** Reads the body, at most {@code limitBytes} (413 beyond, rest of the body drained), and decodes it. */
  static Future<WebhookForm> read(HttpServerRequest request, long limitBytes) {
    String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
    if (contentType == null || !contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      return Future.failedFuture(new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "webhooks are application/x-www-form-urlencoded"));
    }
    long declared = declaredLength(request);
    if (declared > limitBytes) {
      return Future.failedFuture(tooLarge(limitBytes));
    }
    Promise<WebhookForm> form = Promise.promise();
    Buffer body = Buffer.buffer(declared > 0 ? (int) declared : 512);
    request.handler(chunk -> {
      if (body.length() + chunk.length() > limitBytes) {
        form.tryFail(tooLarge(limitBytes));
      } else if (!form.future().isComplete()) {
        body.appendBuffer(chunk);
      }
    });
    request.exceptionHandler(form::tryFail);
    request.endHandler(end -> {
      if (!form.future().isComplete()) {
        try {
          form.complete(decode(body.toString(StandardCharsets.UTF_8)));
        } catch (ApiException e) {
          form.fail(e);
        }
      }
    });
    request.resume();
    return form.future();
  }

  static WebhookForm decode(String body) {
    if (FormEncoding.parameterCount(body) > FormEncoding.MAX_PARAMETERS) {
      throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "more than " + FormEncoding.MAX_PARAMETERS + " form parameters");
    }
    try {
      return new WebhookForm(FormEncoding.decode(body), body);
    } catch (IllegalArgumentException e) {
      // Netty's message quotes the body, and with it phone numbers: not for the answer or the logs.
      throw new ApiException(ErrorCode.VALIDATION_FAILED, "the form body is not valid URL encoding");
    }
  }

  private static long declaredLength(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null) {
      return -1;
    }
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static ApiException tooLarge(long limitBytes) {
    return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "a webhook body is at most " + limitBytes + " bytes");
  }
}
