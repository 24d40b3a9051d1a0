package io.maskline.access;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Org API keys in Postgres. A key reads {@code mlk_<12 hex>.<43 base64url>}: the part before the dot is its prefix
 * (its public name, the primary key), the rest 256 random bits. Only SHA-256 of the whole key is stored. A fast hash
 * is enough because the secret is random, not chosen by a person: 256 bits cannot be guessed however fast each guess
 * is, so a slow password hash (bcrypt, argon2) would only add tens of milliseconds of CPU to every API call.
 */
public final class OrgKeys {
  public static final String PREFIX_START = "mlk_";
  private static final int ID_BYTES = 6;
  private static final int SECRET_BYTES = 32;
  private static final String INSERT =
      "INSERT INTO org_keys (prefix, org_id, role, secret_hash, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING created_at";
  private static final String SELECT = "SELECT prefix, org_id, role, created_at, created_by FROM org_keys";
  private static final String FIND_HASH = "SELECT org_id, role, secret_hash FROM org_keys WHERE prefix = $1";
  private static final String DELETE = "DELETE FROM org_keys WHERE org_id = $1 AND prefix = $2 RETURNING prefix, org_id, role, created_at, created_by";

  private final Pool pg;
  private final SecureRandom random = new SecureRandom();

  public OrgKeys(Pool pg) {
    this.pg = pg;
  }

  /** A key as listed: never its secret. */
  public record OrgKeyInfo(String prefix, String orgId, OrgRole role, OffsetDateTime createdAt, String createdBy) {
    public JsonObject toJson() {
      return new JsonObject().put("prefix", prefix).put("orgId", orgId).put("role", role.wireName())
          .put("createdAt", createdAt.toInstant().toString()).put("createdBy", createdBy);
    }
  }

  /** A new key with its secret, the only time the secret exists outside the caller. */
  public record CreatedKey(OrgKeyInfo key, String secret) {
    public JsonObject toJson() {
      return key.toJson().put("secret", secret);
    }
  }

  public Future<CreatedKey> create(String orgId, OrgRole role, String createdBy) {
    byte[] id = new byte[ID_BYTES];
    byte[] secretBytes = new byte[SECRET_BYTES];
    random.nextBytes(id);
    random.nextBytes(secretBytes);
    String prefix = PREFIX_START + HexFormat.of().formatHex(id);
    String secret = prefix + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
    return pg.preparedQuery(INSERT).execute(Tuple.of(prefix, orgId, role.wireName(), hash(secret), createdBy))
        .map(rows -> new CreatedKey(new OrgKeyInfo(prefix, orgId, role, rows.iterator().next().getOffsetDateTime("created_at"), createdBy), secret));
  }

  public Future<List<OrgKeyInfo>> list(String orgId) {
    return pg.preparedQuery(SELECT + " WHERE org_id = $1 ORDER BY created_at, prefix").execute(Tuple.of(orgId))
        .map(rows -> {
          List<OrgKeyInfo> keys = new java.util.ArrayList<>();
          rows.forEach(row -> keys.add(info(row)));
          return keys;
        });
  }

  /** Deletes the key at once: the next request with it is refused. Empty when the org has no such key. */
  public Future<Optional<OrgKeyInfo>> revoke(String orgId, String prefix) {
    return pg.preparedQuery(DELETE).execute(Tuple.of(orgId, prefix))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(info(rows.iterator().next())));
  }

  /** The org key this credential is, compared in constant time; empty when it is not a live key. */
  public Future<Optional<Principal.OrgKey>> find(String credential) {
    int dot = credential.indexOf('.');
    if (!credential.startsWith(PREFIX_START) || dot < 0) {
      return Future.succeededFuture(Optional.empty());
    }
    String prefix = credential.substring(0, dot);
    return pg.preparedQuery(FIND_HASH).execute(Tuple.of(prefix)).map(rows -> {
      if (rows.size() == 0) {
        return Optional.empty();
      }
      Row row = rows.iterator().next();
      byte[] stored = row.getBuffer("secret_hash").getBytes();
      return MessageDigest.isEqual(stored, hash(credential))
          ? Optional.of(new Principal.OrgKey(row.getString("org_id"), OrgRole.parse(row.getString("role")), prefix))
          : Optional.empty();
    });
  }

  private static OrgKeyInfo info(Row row) {
    return new OrgKeyInfo(row.getString("prefix"), row.getString("org_id"), OrgRole.parse(row.getString("role")),
        row.getOffsetDateTime("created_at"), row.getString("created_by"));
  }

  static byte[] hash(String credential) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(credential.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
