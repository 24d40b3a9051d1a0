package io.maskline.provider.twilio;

import io.maskline.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.client.WebClient;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Sends an SMS through the provider's Messages resource, as Twilio expects it:
 * {@code POST {apiUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json}, a form body ({@code To}, {@code From},
 * {@code Body}, {@code StatusCallback}), basic auth with the account sid and auth token. One attempt per call: the
 * caller's outbox decides about retries, told by {@link Outcome} whether asking again can help.
 */
public final class TwilioMessages {
  private static final long TIMEOUT_MS = 20_000;

  private final WebClient client;
  private final GatewayConfig.Twilio config;

  public TwilioMessages(WebClient client, GatewayConfig.Twilio config) {
    this.client = client;
    this.config = config;
  }

  public boolean configured() {
    return config.accountSid() != null && config.authToken() != null;
  }

  /** The provider's answer to one send. */
  public sealed interface Outcome {}

  /** Taken: the provider's message sid and its first status. */
  public record Accepted(String sid, String status) implements Outcome {}

  /** Not taken; {@code retryable} when asking again later may succeed (network, 5xx, throttling). */
  public record Refused(String error, boolean retryable) implements Outcome {}

  public Future<Outcome> send(String from, String to, String body, String statusCallback) {
    if (!configured()) {
      return Future.succeededFuture(new Refused("twilio.accountSid and twilio.authToken are not configured", false));
    }
    String url = config.apiUrl().toString().replaceAll("/+$", "") + "/2010-04-01/Accounts/"
        + URLEncoder.encode(config.accountSid(), StandardCharsets.UTF_8) + "/Messages.json";
    MultiMap form = MultiMap.caseInsensitiveMultiMap()
        .add("To", to)
        .add("From", from)
        .add("Body", body)
        .add("StatusCallback", statusCallback);
    return client.postAbs(url)
        .basicAuthentication(config.accountSid(), config.authToken())
        .timeout(TIMEOUT_MS)
        .sendForm(form)
        .<Outcome>map(response -> {
          int status = response.statusCode();
          if (status / 100 == 2) {
            var json = response.bodyAsJsonObject();
            String sid = json == null ? null : json.getString("sid");
            return sid == null ? new Refused("provider answered " + status + " without a sid", true)
                : new Accepted(sid, json.getString("status", "queued"));
          }
          return new Refused("provider answered " + status + detail(response.bodyAsString()), status >= 500 || status == 429);
        })
        .otherwise(e -> new Refused("provider not reached: " + e.getMessage(), true));
  }

  private static String detail(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    try {
      var json = new io.vertx.core.json.JsonObject(body);
      return ": " + json.getValue("code", "") + " " + json.getString("message", "");
    } catch (RuntimeException notJson) {
      return "";
    }
  }
}
