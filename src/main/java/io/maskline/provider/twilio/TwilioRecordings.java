package io.maskline.provider.twilio;

import io.maskline.anonymizer.Recordings;
import io.maskline.config.GatewayConfig;
import io.maskline.ops.Backoff;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Deletes call recordings at the provider:
 * {@code DELETE {apiUrl}/2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}.json} with basic auth.
 * Retries server errors, throttling and network failures with exponential backoff; a 404 means the recording is
 * already gone, which is what was asked. The outcome always says what happened, so a caller can report failures.
 */
public final class TwilioRecordings implements Recordings {
  private static final int ATTEMPTS = 4;
  private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), false);
  private static final long TIMEOUT_MS = 10_000;

  private final Vertx vertx;
  private final WebClient client;
  private final GatewayConfig.Twilio config;

  public TwilioRecordings(Vertx vertx, WebClient client, GatewayConfig.Twilio config) {
    this.vertx = vertx;
    this.client = client;
    this.config = config;
  }

  @Override
  public Future<Deletion> delete(String recordingSid) {
    if (config.accountSid() == null || config.authToken() == null) {
      return Future.succeededFuture(new Deletion(recordingSid, false, 0, "twilio.accountSid and twilio.authToken are not configured"));
    }
    return BACKOFF.retry(vertx, ATTEMPTS, attempt -> attempt(recordingSid, attempt),
        outcome -> !outcome.deleted() && retryable(outcome.error()));
  }

  private Future<Deletion> attempt(String recordingSid, int attempt) {
    String url = config.apiUrl().toString().replaceAll("/+$", "") + "/2010-04-01/Accounts/" + encode(config.accountSid())
        + "/Recordings/" + encode(recordingSid) + ".json";
    return client.deleteAbs(url)
        .basicAuthentication(config.accountSid(), config.authToken())
        .timeout(TIMEOUT_MS)
        .send()
        .map(response -> {
          int status = response.statusCode();
          if (status / 100 == 2 || status == 404) {
            return new Deletion(recordingSid, true, attempt, null);
          }
          return new Deletion(recordingSid, false, attempt, "provider answered " + status);
        })
        .otherwise(e -> new Deletion(recordingSid, false, attempt, String.valueOf(e.getMessage())));
  }

  /** 4xx other than throttling will not change by asking again (bad credentials, bad sid). */
  private static boolean retryable(String error) {
    if (error == null || !error.startsWith("provider answered ")) {
      return true;
    }
    int status = Integer.parseInt(error.substring("provider answered ".length()));
    return status >= 500 || status == 429;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
