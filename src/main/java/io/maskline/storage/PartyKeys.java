package io.maskline.storage;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Who a Redis key is about, without saying who. The keys that belong to a person (routes, post-task history, in-use
 * sets, guards: {@link Keys}) name them by a {@link Token}, an HMAC-SHA256 of their E.164 number under the
 * installation's secret, never by the number: a dump of Redis (RDB, {@code SCAN}, {@code MONITOR}, a replica) does
 * not tell who talked to whom, and once a person's keys are deleted no key name points to them. The Lua scripts get
 * tokens as arguments and never see the secret.
 *
 * <p>The secret is the installation's, the same on every pod: configured ({@code MASKLINE_REDIS_KEY_SECRET}), or
 * generated at the first start and kept in Postgres ({@link #load}). It is never logged.
 */
public final class PartyKeys {
  /**
   * 16 of HMAC-SHA256's 32 bytes: two people of one installation share a token only by chance, about one in 2^64
   * even among billions of numbers, and a key name stays short (it is repeated in every route, history and guard key).
   * Written in lower-case hex: nothing in it that the anonymizer's reading of numbers takes for a separator.
   */
  static final int TOKEN_BYTES = 16;
  private static final String ALGORITHM = "HmacSHA256";
  private static final int GENERATED_SECRET_BYTES = 32;
  private static final String NAME = "redis-keys";
  private static final String INSERT = "INSERT INTO installation_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING";
  private static final String SELECT = "SELECT secret FROM installation_secrets WHERE name = $1";

  /** A person as Redis key names show them: 32 hex digits. */
  public record Token(String hex) {}

  private volatile SecretKeySpec secret;
  // A Mac is not thread-safe and costs a key schedule to set up: one per thread, made once (event loops are few).
  private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

  private PartyKeys(byte[] secret) {
    this.secret = secret == null ? null : new SecretKeySpec(secret, ALGORITHM);
  }

  /** Keys under a configured secret (its UTF-8 bytes), or, when null, the installation's once {@link #load loaded}. */
  public static PartyKeys configured(String secret) {
    return new PartyKeys(secret == null ? null : secret.getBytes(StandardCharsets.UTF_8));
  }

  /** Keys under a secret of these bytes (tests, benchmarks). */
  public static PartyKeys of(byte[] secret) {
    return new PartyKeys(secret.clone());
  }

  /**
   * Reads the installation's secret from Postgres, first generating and storing one if there is none (insert if
   * absent, then read: pods starting together all read the one that was stored). Nothing to do when configured.
   */
  public Future<Void> load(Pool pg) {
    if (secret != null) {
      return Future.succeededFuture();
    }
    byte[] generated = new byte[GENERATED_SECRET_BYTES];
    new SecureRandom().nextBytes(generated);
    return pg.preparedQuery(INSERT).execute(Tuple.of(NAME, Buffer.buffer(generated)))
        .compose(inserted -> pg.preparedQuery(SELECT).execute(Tuple.of(NAME)))
        .map(rows -> {
          Row row = rows.iterator().next();
          // Loaded once per process: every thread's Mac is made after this, from this secret.
          secret = new SecretKeySpec(row.getBuffer("secret").getBytes(), ALGORITHM);
          return null;
        });
  }

  /** The token of a person's number (E.164): one HMAC, about 0.3 µs (a webhook computes one, for its caller). */
  public Token token(String e164) {
    byte[] mac = macs.get().doFinal(e164.getBytes(StandardCharsets.UTF_8));
    return new Token(HexFormat.of().formatHex(mac, 0, TOKEN_BYTES));
  }

  /**
   * Which secret names the keys, without telling it (an HMAC of a text no phone number has): Redis keeps it beside
   * its installation marker, so that keys named under another secret are noticed ({@link RedisDataWatch}).
   */
  public String fingerprint() {
    return token("key layout").hex().substring(0, 16);
  }

  private Mac newMac() {
    SecretKeySpec key = secret;
    if (key == null) {
      throw new IllegalStateException("the installation's Redis key secret is not loaded yet");
    }
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
