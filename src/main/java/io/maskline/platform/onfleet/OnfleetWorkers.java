package io.maskline.platform.onfleet;

import io.maskline.api.ApiException;
import io.maskline.api.ErrorCode;
import io.vertx.core.Future;
import io.vertx.ext.web.client.WebClient;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;

/**
 * Looks a worker's phone up through Onfleet's REST API: {@code GET {apiUrl}/workers/{workerId}} with the org's API
 * key as the basic-auth user (empty password), as Onfleet expects.
 */
final class OnfleetWorkers {
  private static final long TIMEOUT_MS = 10_000;

  private final WebClient client;
  private final String apiUrl;

  OnfleetWorkers(WebClient client, URI apiUrl) {
    this.client = client;
    this.apiUrl = apiUrl.toString().replaceAll("/+$", "");
  }

  /**
   * The worker's phone as Onfleet holds it. A worker Onfleet does not know or refuses to show is a {@code 409} (asking
   * again will not help until the org's data is fixed); Onfleet unreachable or failing is a {@code 503}, so Onfleet
   * delivers the webhook again later.
   */
  Future<String> phone(String apiKey, String workerId) {
    if (apiKey == null) {
      return Future.failedFuture(new ApiException(ErrorCode.CONFLICT,
          "the webhook names worker " + workerId + " without a phone, and the org has no onfleetApiKey to look it up"));
    }
    return client.getAbs(apiUrl + "/workers/" + URLEncoder.encode(workerId, StandardCharsets.UTF_8))
        .basicAuthentication(apiKey, "")
        .timeout(TIMEOUT_MS)
        .send()
        .recover(e -> Future.failedFuture(new TimeoutException("Onfleet API did not answer: " + e.getMessage())))
        .map(response -> {
          int status = response.statusCode();
          if (status >= 500 || status == 429) {
            throw new ApiException(ErrorCode.UNAVAILABLE, "Onfleet API answered " + status + " looking up worker " + workerId);
          }
          if (status != 200) {
            throw new ApiException(ErrorCode.CONFLICT, "Onfleet API answered " + status + " looking up worker " + workerId);
          }
          Object phone;
          try {
            phone = response.bodyAsJsonObject().getValue("phone");
          } catch (RuntimeException notJson) {
            throw new ApiException(ErrorCode.CONFLICT, "Onfleet API answered no worker for " + workerId);
          }
          if (!(phone instanceof String text) || text.isBlank()) {
            throw new ApiException(ErrorCode.CONFLICT, "Onfleet has no phone for worker " + workerId);
          }
          return text;
        });
  }
}
