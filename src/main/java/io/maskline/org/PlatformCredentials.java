package io.maskline.org;

import io.maskline.api.ApiException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.HexFormat;
import java.util.Optional;

/**
 * An org's delivery-platform credentials (Onfleet webhook secret and API key). Write-only through the API: they are
 * stored as given, read only by the Onfleet feature, and shown to the API as "set or not".
 * In {@code PUT /v1/orgs/{orgId}} a field left out keeps its value (a client that read the org cannot send it back),
 * {@code null} or {@code ""} clears it.
 */
public final class PlatformCredentials {
  private static final String UPSERT = """
      INSERT INTO org_platform_credentials (org_id, onfleet_webhook_secret, onfleet_api_key)
      VALUES ($1, CASE WHEN $2 THEN $3 END, CASE WHEN $4 THEN $5 END)
      ON CONFLICT (org_id) DO UPDATE SET
        onfleet_webhook_secret = CASE WHEN $2 THEN $3 ELSE org_platform_credentials.onfleet_webhook_secret END,
        onfleet_api_key = CASE WHEN $4 THEN $5 ELSE org_platform_credentials.onfleet_api_key END,
        updated_at = now()""";
  private static final String SELECT = "SELECT onfleet_webhook_secret, onfleet_api_key FROM org_platform_credentials WHERE org_id = $1";
  private static final String OF_ORG = """
      SELECT c.onfleet_webhook_secret, c.onfleet_api_key
      FROM orgs o LEFT JOIN org_platform_credentials c ON c.org_id = o.org_id WHERE o.org_id = $1""";
  static final String WEBHOOK_SECRET = "onfleetWebhookSecret";
  static final String API_KEY = "onfleetApiKey";

  private final Pool pg;

  public PlatformCredentials(Pool pg) {
    this.pg = pg;
  }

  /** The Onfleet credentials of an org; null where not set. */
  public record Onfleet(String webhookSecret, String apiKey) {
    static final Onfleet NONE = new Onfleet(null, null);

    /** What the API shows instead of the values. */
    public JsonObject presence() {
      return new JsonObject().put(WEBHOOK_SECRET + "Set", webhookSecret != null).put(API_KEY + "Set", apiKey != null);
    }
  }

  /** The org's Onfleet credentials, or empty when no such org exists. */
  public Future<Optional<Onfleet>> onfleetOfOrg(String orgId) {
    return pg.preparedQuery(OF_ORG).execute(Tuple.of(orgId)).map(rows -> {
      if (rows.size() == 0) {
        return Optional.empty();
      }
      var row = rows.iterator().next();
      return Optional.of(new Onfleet(row.getString("onfleet_webhook_secret"), row.getString("onfleet_api_key")));
    });
  }

  public Future<Onfleet> onfleet(String orgId) {
    return pg.preparedQuery(SELECT).execute(Tuple.of(orgId)).map(rows -> {
      if (rows.size() == 0) {
        return Onfleet.NONE;
      }
      var row = rows.iterator().next();
      return new Onfleet(row.getString("onfleet_webhook_secret"), row.getString("onfleet_api_key"));
    });
  }

  /** Applies the credential fields of an org body (validated first); returns what is stored afterwards. */
  public Future<Onfleet> update(String orgId, JsonObject body) {
    Optional<String> secret = given(body, WEBHOOK_SECRET);
    Optional<String> apiKey = given(body, API_KEY);
    boolean secretGiven = body.containsKey(WEBHOOK_SECRET);
    boolean keyGiven = body.containsKey(API_KEY);
    if (!secretGiven && !keyGiven) {
      return onfleet(orgId);
    }
    return pg.preparedQuery(UPSERT)
        .execute(Tuple.of(orgId, secretGiven, secret.orElse(null), keyGiven, apiKey.orElse(null)))
        .compose(done -> onfleet(orgId));
  }

  /** Refuses credential fields that could never work, before anything of the org is written. */
  public static void validate(JsonObject body) {
    given(body, WEBHOOK_SECRET).ifPresent(secret -> {
      // Onfleet signs with the secret's bytes, i.e. the hex string decoded: a secret that is not hex cannot verify.
      if (secret.length() % 2 != 0 || !secret.chars().allMatch(HexFormat::isHexDigit)) {
        throw ApiException.invalid(WEBHOOK_SECRET + " must be the hex string Onfleet shows");
      }
    });
    given(body, API_KEY);
  }

  private static Optional<String> given(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String text)) {
      throw ApiException.invalid(field + " must be a string");
    }
    return text.isBlank() ? Optional.empty() : Optional.of(text.strip());
  }
}
