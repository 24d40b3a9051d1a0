package io.maskline.anonymizer;

import io.maskline.support.OrgKeysForTests;
import io.maskline.support.SharedGateway;
import io.maskline.support.TestGateway;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.maskline.support.Sql.count;
import static io.maskline.support.Sql.rows;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/** The audit log is one of the anonymizer's stores: what the API writes there names no one; anything that did is erased. */
class AuditLogErasureTest {
  @SharedGateway static TestGateway gw;
  static Pool pg;

  @BeforeAll
  static void start() {
    pg = gw.gateway.services().pg();
  }

  @Test
  void theAuditLogKeepsNoOneAndWhatNamesSomeoneIsRedactedByTheRun() {
    String orgId = id("org");
    String person = phone();
    org(gw, orgId, new JsonObject().put("adminPhone", person));
    JsonObject admin = OrgKeysForTests.create(gw, orgId, "admin");
    assertThat(OrgKeysForTests.as(gw, admin, HttpMethod.PUT, "/v1/orgs/" + orgId).sendJsonObject(new JsonObject()
        .put("name", "Renamed").put("adminPhone", phone()).put("email", "ops@example.com").put("country", "NO")).await().statusCode()).isEqualTo(200);
    JsonObject request = Forgetting.requestFor(gw, orgId, person, "ops@example.com");
    long written = count(pg, "SELECT count(*) FROM audit_log WHERE org_id = $1", orgId);
    assertThat(written).isEqualTo(4);

    JsonObject clean = Forgetting.residue(gw, request.getString("id"));
    assertThat(clean.getJsonObject("stores").getJsonObject("auditLog").getLong(AuditLogErasure.AUDIT_ENTRIES)).isZero();

    // An entry naming the person, in a national written form inside text: as a careless future action might write.
    String national = person.substring(3);
    rows(pg, "INSERT INTO audit_log (org_id, actor, action, details) VALUES ($1, 'platform', 'org.settings-changed', $2)",
        orgId, new JsonObject().put("note", "called " + national.substring(0, 3) + " " + national.substring(3) + " about it"));
    assertThat(Forgetting.residue(gw, request.getString("id")).getJsonObject("stores").getJsonObject("auditLog")
        .getLong(AuditLogErasure.AUDIT_ENTRIES)).isEqualTo(1L);

    Forgetting.runAndWait(gw);
    JsonObject done = Forgetting.requestById(gw, orgId, request.getString("id"));
    assertThat(done.getString("status")).isEqualTo("DONE");
    JsonObject after = Forgetting.residue(gw, request.getString("id"));
    assertThat(after.getJsonObject("stores").getJsonObject("auditLog").getLong(AuditLogErasure.AUDIT_ENTRIES)).isZero();
    String stored = rows(pg, "SELECT string_agg(details::text, ' ') AS all FROM audit_log WHERE org_id = $1", orgId).get(0).getString("all");
    assertThat(stored).doesNotContain(national.substring(3)).contains("Anonymized").contains("Renamed");
    assertThat(count(pg, "SELECT count(*) FROM audit_log WHERE org_id = $1", orgId)).isEqualTo(written + 1);
  }
}
