package io.maskline.provider;

import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.List;
import java.util.Map;

/**
 * {@code application/x-www-form-urlencoded}, the body providers post webhooks in: one decoder for the webhook as it
 * arrives and for its payload when the archive turns it into JSON. Netty's {@link QueryStringDecoder} decodes a
 * form in one pass.
 */
public final class FormEncoding {
  /** More parameters than this are refused as a whole (413), never cut: a cut form fails its signature. */
  public static final int MAX_PARAMETERS = 256;

  private FormEncoding() {}

  /**
   * Parameters by name, names in the order received, every value of a repeated name kept.
   *
   * @throws IllegalArgumentException when the body is not valid URL encoding; Netty's message quotes the body, and
   *     with it phone numbers, so it is not for answers or logs
   */
  /** How many parameters the body holds ({@code &}-separated, empty ones not counted). */
  public static int parameterCount(String body) {
    int count = 0;
    int start = 0;
    while (start <= body.length()) {
      int end = body.indexOf('&', start);
      if (end < 0) end = body.length();
      if (end > start) count++;
      start = end + 1;
    }
    return count;
  }

  public static Map<String, List<String>> decode(String body) {
    // A raw ';' is part of a value, as in the HTML form encoding; only '&' separates parameters.
    return QueryStringDecoder.builder().hasPath(false).semicolonIsNormalChar(true).maxParams(MAX_PARAMETERS).build(body).parameters();
  }

  /** The parameters encoded again as a form body ({@code application/x-www-form-urlencoded}, UTF-8). */
  public static String encode(Map<String, List<String>> parameters) {
    StringBuilder body = new StringBuilder();
    parameters.forEach((name, values) -> values.forEach(value -> {
      if (body.length() > 0) body.append('&');
      body.append(java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8)).append('=')
          .append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
    }));
    return body.toString();
  }
}
