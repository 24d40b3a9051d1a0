package io.maskline.org;

import io.maskline.api.ApiException;
import io.maskline.phone.PhoneNumbers;
import io.maskline.storage.Keys;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Orgs live in Postgres; their routing facts are mirrored to Redis on every write (and re-mirrored at start-up, as
 * Redis may have lost them) so the webhook path never reads Postgres.
 */
public final class Orgs {
  private static final String UPSERT = """
      INSERT INTO orgs (org_id, name, email, admin_phone, admin_phone_accepts_sms, anonymize, route_recipients_to_admin, record_calls, country, number_selection)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
      ON CONFLICT (org_id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, admin_phone = EXCLUDED.admin_phone,
        admin_phone_accepts_sms = EXCLUDED.admin_phone_accepts_sms, anonymize = EXCLUDED.anonymize,
        route_recipients_to_admin = EXCLUDED.route_recipients_to_admin, record_calls = EXCLUDED.record_calls,
        country = EXCLUDED.country, number_selection = EXCLUDED.number_selection, updated_at = now()""";
  private static final String SELECT = "SELECT * FROM orgs";
  private static final Pattern ID = Pattern.compile("^[A-Za-z0-9._-]{1,64}$");

  private final Pool pg;
  private final Redis redis;
  private final String defaultCountry;

  public Orgs(Pool pg, Redis redis, String defaultCountry) {
    this.pg = pg;
    this.redis = redis;
    this.defaultCountry = defaultCountry;
  }

  public Future<Org> put(Org org) {
    return pg.preparedQuery(UPSERT)
        .execute(Tuple.of(org.orgId(), org.name(), org.email(), org.adminPhone(), org.adminPhoneAcceptsSms(), org.anonymize(),
            org.routeRecipientsToAdmin(), org.recordCalls(), org.country(), org.numberSelection().value()))
        .compose(done -> mirror(org))
        .map(org);
  }

  public Future<Optional<Org>> get(String orgId) {
    return pg.preparedQuery(SELECT + " WHERE org_id = $1").execute(Tuple.of(orgId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(fromRow(rows.iterator().next())));
  }

  /** Every org, by id. */
  public Future<java.util.List<Org>> list() {
    return pg.query(SELECT + " ORDER BY org_id").execute().map(rows -> {
      java.util.List<Org> found = new java.util.ArrayList<>();
      rows.forEach(row -> found.add(fromRow(row)));
      return found;
    });
  }

  /** The org, or a {@code 404 NOT_FOUND} failure. */
  public Future<Org> require(String orgId) {
    return get(orgId).map(found -> found.orElseThrow(() -> ApiException.notFound("org " + orgId + " does not exist")));
  }

  /** An org id given as a query parameter (checked here, not by the contract: see HttpVerticle), else {@code 400}. */
  public static String requireIdParameter(String orgId) {
    if (orgId == null || !ID.matcher(orgId).matches()) {
      throw ApiException.invalid("orgId is required (letters, digits, . _ -; up to 64)");
    }
    return orgId;
  }

  /** The country an org's national numbers are read in. */
  public String countryOf(Org org) {
    return org.country() != null ? org.country() : defaultCountry;
  }

  /** Re-mirrors every org to Redis; run at start-up so a Redis that lost its data routes again. */
  public Future<Integer> mirrorAll() {
    return pg.query(SELECT).execute().compose(rows -> {
      java.util.List<Request> writes = new java.util.ArrayList<>();
      rows.forEach(row -> writes.add(mirrorRequest(fromRow(row))));
      // One pipelined batch, not a round trip per org: start-up time must not grow with the number of orgs.
      return writes.isEmpty() ? Future.succeededFuture(0) : redis.batch(writes).map(done -> writes.size());
    });
  }

  private Future<Void> mirror(Org org) {
    return redis.send(mirrorRequest(org)).mapEmpty();
  }

  private Request mirrorRequest(Org org) {
    return Request.cmd(Command.HSET).arg(Keys.org(org.orgId()))
        .arg("email").arg(nullToEmpty(org.email()))
        .arg("adminPhone").arg(nullToEmpty(org.adminPhone()))
        .arg("adminPhoneAcceptsSms").arg(flag(org.adminPhoneAcceptsSms()))
        .arg("anonymize").arg(flag(org.anonymize()))
        .arg("routeRecipientsToAdmin").arg(flag(org.routeRecipientsToAdmin()))
        .arg("recordCalls").arg(flag(org.recordCalls()))
        .arg("country").arg(countryOf(org))
        .arg("name").arg(nullToEmpty(org.name()))
        .arg("numberSelection").arg(org.numberSelection().value());
  }

  static Org fromRow(Row row) {
    return new Org(row.getString("org_id"), row.getString("name"), row.getString("email"), row.getString("admin_phone"),
        row.getBoolean("admin_phone_accepts_sms"), row.getBoolean("anonymize"), row.getBoolean("route_recipients_to_admin"),
        row.getBoolean("record_calls"), row.getString("country"), NumberSelection.of(row.getString("number_selection")));
  }

  /** Normalizes the admin phone in the org's country; null stays null. */
  public Org normalized(Org org) {
    String phone = org.adminPhone() == null || org.adminPhone().isBlank() ? null
        : PhoneNumbers.require("adminPhone", org.adminPhone(), countryOf(org));
    return new Org(org.orgId(), org.name(), org.email(), phone, org.adminPhoneAcceptsSms(), org.anonymize(),
        org.routeRecipientsToAdmin(), org.recordCalls(), org.country(), org.numberSelection());
  }

  private static String flag(boolean value) {
    return value ? "1" : "0";
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }
}
