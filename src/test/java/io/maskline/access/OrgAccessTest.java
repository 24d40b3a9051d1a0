package io.maskline.access;

import io.maskline.archive.ArchiveEvents;
import io.maskline.support.OrgKeysForTests;
import io.maskline.support.SharedGateway;
import io.maskline.support.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

import static io.maskline.support.Eventually.eventually;
import static io.maskline.support.ProblemAssert.assertProblem;
import static io.maskline.support.Sql.rows;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.number;
import static io.maskline.support.TestData.openSession;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/** Org keys from creation to revocation, what each role may do in its own org, and the audit log it leaves. */
class OrgAccessTest {
  @SharedGateway("MASKLINE_CONSOLE_SIMULATOR=true") static TestGateway gw;

  @Test
  void aKeysSecretIsShownOnceStoredAsAHashAndStopsWorkingWhenRevoked() throws Exception {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    JsonObject key = OrgKeysForTests.create(gw, orgId, "admin");
    String secret = key.getString("secret");
    String prefix = key.getString("prefix");
    assertThat(prefix).matches("mlk_[0-9a-f]{12}");
    assertThat(secret).startsWith(prefix + ".").hasSize(prefix.length() + 1 + 43);
    assertThat(key.getMap()).containsEntry("orgId", orgId).containsEntry("role", "admin").containsEntry("createdBy", "platform");

    JsonArray listed = gw.admin(HttpMethod.GET, "/v1/orgs/" + orgId + "/keys").send().await().bodyAsJsonObject().getJsonArray("items");
    assertThat(listed).hasSize(1);
    assertThat(listed.getJsonObject(0).getString("prefix")).isEqualTo(prefix);
    assertThat(listed.encode()).doesNotContain(secret.substring(prefix.length() + 1));
    var stored = rows(gw.gateway.services().pg(), "SELECT * FROM org_keys WHERE prefix = $1", prefix).get(0);
    byte[] hash = stored.getBuffer("secret_hash").getBytes();
    assertThat(hash).isEqualTo(MessageDigest.getInstance("SHA-256").digest(secret.getBytes()));
    for (int i = 0; i < stored.size(); i++) {
      assertThat(String.valueOf(stored.getValue(i))).doesNotContain(secret.substring(prefix.length() + 1));
    }

    JsonObject me = OrgKeysForTests.as(gw, key, HttpMethod.GET, "/v1/me").send().await().bodyAsJsonObject();
    assertThat(me.getMap()).containsEntry("kind", "orgKey").containsEntry("orgId", orgId).containsEntry("role", "admin").containsEntry("keyPrefix", prefix);
    assertThat(gw.admin(HttpMethod.GET, "/v1/me").send().await().bodyAsJsonObject().getString("kind")).isEqualTo("platform");

    // Right prefix, wrong secret; a made-up key; no key at all.
    assertProblem(gw.http.get("/v1/me").bearerTokenAuthentication(prefix + "." + "A".repeat(43)).send().await(), 401, "UNAUTHORIZED");
    assertProblem(gw.http.get("/v1/me").bearerTokenAuthentication("mlk_000000000000.nothing").send().await(), 401, "UNAUTHORIZED");
    assertProblem(gw.http.get("/v1/me").send().await(), 401, "UNAUTHORIZED");

    assertThat(gw.admin(HttpMethod.DELETE, "/v1/orgs/" + orgId + "/keys/" + prefix).send().await().statusCode()).isEqualTo(204);
    assertProblem(OrgKeysForTests.as(gw, key, HttpMethod.GET, "/v1/me").send().await(), 401, "UNAUTHORIZED");
    assertProblem(gw.admin(HttpMethod.DELETE, "/v1/orgs/" + orgId + "/keys/" + prefix).send().await(), 404, "NOT_FOUND");
    assertProblem(gw.admin(HttpMethod.POST, "/v1/orgs/" + id("missing") + "/keys").sendJsonObject(new JsonObject().put("role", "admin")).await(), 404, "NOT_FOUND");
    assertProblem(gw.admin(HttpMethod.POST, "/v1/orgs/" + orgId + "/keys").sendJsonObject(new JsonObject().put("role", "owner")).await(), 400, "VALIDATION_FAILED");
  }

  @Test
  void anAdminKeyRunsItsOrgAndTheAuditLogSaysWhoDidWhatWithoutANumber() {
    String orgId = id("org");
    String adminPhone = phone();
    org(gw, orgId, new JsonObject().put("adminPhone", adminPhone));
    JsonObject admin = OrgKeysForTests.create(gw, orgId, "admin");
    JsonObject viewer = OrgKeysForTests.create(gw, orgId, "viewer");
    String newAdminPhone = phone();

    HttpResponse<Buffer> put = OrgKeysForTests.as(gw, admin, HttpMethod.PUT, "/v1/orgs/" + orgId)
        .sendJsonObject(new JsonObject().put("name", "Renamed").put("adminPhone", newAdminPhone).put("routeRecipientsToAdmin", true).put("country", "NO")).await();
    assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(200);
    String person = phone();
    HttpResponse<Buffer> request = OrgKeysForTests.as(gw, admin, HttpMethod.POST, "/v1/anonymization-requests")
        .sendJsonObject(new JsonObject().put("orgId", orgId).put("phone", person).put("email", "kari@example.com")).await();
    assertThat(request.statusCode()).as(request.bodyAsString()).isEqualTo(201);
    HttpResponse<Buffer> deleted = OrgKeysForTests.as(gw, admin, HttpMethod.POST, "/v1/archive/anonymize-and-delete")
        .sendJsonObject(new JsonObject().put("orgId", orgId).put("ids", new JsonArray().add(424242))).await();
    assertThat(deleted.statusCode()).as(deleted.bodyAsString()).isEqualTo(200);
    assertThat(gw.admin(HttpMethod.DELETE, "/v1/orgs/" + orgId + "/keys/" + viewer.getString("prefix")).send().await().statusCode()).isEqualTo(204);

    HttpResponse<Buffer> page = OrgKeysForTests.as(gw, admin, HttpMethod.GET, "/v1/orgs/" + orgId + "/audit").send().await();
    assertThat(page.statusCode()).as(page.bodyAsString()).isEqualTo(200);
    List<JsonObject> entries = page.bodyAsJsonObject().getJsonArray("items").stream().map(JsonObject.class::cast).toList();
    assertThat(entries.stream().map(e -> e.getString("action") + " by " + e.getString("actor")).collect(Collectors.toList())).containsExactly(
        "key.revoked by platform",
        "archive.anonymized-and-deleted by " + admin.getString("prefix"),
        "anonymization.requested by " + admin.getString("prefix"),
        "org.settings-changed by " + admin.getString("prefix"),
        "key.created by platform",
        "key.created by platform",
        "org.created by platform");
    JsonObject settings = entries.get(3).getJsonObject("details");
    assertThat(settings.getJsonArray("changed").getList()).containsExactlyInAnyOrder("name", "email", "adminPhone", "routeRecipientsToAdmin");
    assertThat(settings.getJsonObject("values").getMap()).containsEntry("name", "Renamed").containsEntry("routeRecipientsToAdmin", true).doesNotContainKeys("adminPhone", "email");
    assertThat(entries.get(2).getJsonObject("details").getMap()).containsEntry("phone", true).containsEntry("email", true);
    assertThat(entries.get(0).getJsonObject("details").getMap()).containsEntry("keyPrefix", viewer.getString("prefix")).containsEntry("role", "viewer");
    String all = page.bodyAsString();
    for (String number : List.of(adminPhone, newAdminPhone, person)) {
      assertThat(all).doesNotContain(number).doesNotContain(number.substring(3));
    }
    assertThat(all).doesNotContain("kari@example.com");

    // Paging, newest first.
    JsonObject first = OrgKeysForTests.as(gw, admin, HttpMethod.GET, "/v1/orgs/" + orgId + "/audit?limit=4").send().await().bodyAsJsonObject();
    assertThat(first.getJsonArray("items")).hasSize(4);
    JsonObject second = OrgKeysForTests.as(gw, admin, HttpMethod.GET, "/v1/orgs/" + orgId + "/audit?limit=4&cursor=" + first.getString("next")).send().await().bodyAsJsonObject();
    assertThat(second.getJsonArray("items")).hasSize(3);
    assertThat(second.getString("next")).isNull();
  }

  @Test
  void aViewerReadsSettingsSessionsAndTheArchiveWithoutBodiesOrRecordings() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String proxy = number(gw, orgId);
    String taskId = id("task");
    String driver = phone();
    assertThat(openSession(gw, orgId, taskId, driver, phone()).statusCode()).isEqualTo(201);
    String sid = ArchiveEvents.sid("SM");
    ArchiveEvents.add(gw.gateway.services().redis(), ArchiveEvents.sms(orgId, sid, taskId, driver, proxy, null, "gate code 4411", System.currentTimeMillis()));
    JsonObject viewer = OrgKeysForTests.create(gw, orgId, "viewer");
    JsonObject admin = OrgKeysForTests.create(gw, orgId, "admin");
    eventually("the record is archived", Duration.ofSeconds(10), () ->
        gw.admin(HttpMethod.GET, "/v1/archive?orgId=" + orgId).send().await().bodyAsJsonObject().getJsonArray("items").size() == 1);

    JsonObject asViewer = OrgKeysForTests.as(gw, viewer, HttpMethod.GET, "/v1/archive?orgId=" + orgId).send().await().bodyAsJsonObject();
    JsonObject record = asViewer.getJsonArray("items").getJsonObject(0);
    assertThat(record.getString("sid")).isEqualTo(sid);
    assertThat(record.getString("body")).isNull();
    assertThat(asViewer.encode()).doesNotContain("4411");
    JsonObject asAdmin = OrgKeysForTests.as(gw, admin, HttpMethod.GET, "/v1/archive?orgId=" + orgId).send().await().bodyAsJsonObject();
    assertThat(asAdmin.getJsonArray("items").getJsonObject(0).getString("body")).isEqualTo("gate code 4411");

    assertThat(OrgKeysForTests.as(gw, viewer, HttpMethod.GET, "/v1/orgs/" + orgId).send().await().statusCode()).isEqualTo(200);
    assertThat(OrgKeysForTests.as(gw, viewer, HttpMethod.GET, "/v1/sessions/" + taskId).send().await().bodyAsJsonObject().getString("orgId")).isEqualTo(orgId);
    JsonObject numbers = OrgKeysForTests.as(gw, viewer, HttpMethod.GET, "/v1/numbers").send().await().bodyAsJsonObject();
    assertThat(numbers.getJsonArray("items").stream().map(n -> ((JsonObject) n).getString("number")).toList()).containsExactly(proxy);
    JsonObject orgs = OrgKeysForTests.as(gw, viewer, HttpMethod.GET, "/v1/orgs").send().await().bodyAsJsonObject();
    assertThat(orgs.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("orgId")).toList()).containsExactly(orgId);
    assertProblem(OrgKeysForTests.as(gw, viewer, HttpMethod.DELETE, "/v1/sessions/" + taskId).send().await(), 403, "FORBIDDEN");
    assertProblem(OrgKeysForTests.as(gw, viewer, HttpMethod.GET, "/v1/orgs/" + orgId + "/audit").send().await(), 403, "FORBIDDEN");
    assertThat(OrgKeysForTests.as(gw, admin, HttpMethod.DELETE, "/v1/sessions/" + taskId).send().await().statusCode()).isEqualTo(204);
  }

  @Test
  void anOrgKeyCannotVouchForAnotherOrgWithItsOwnIdElsewhereInTheRequest() {
    String orgA = id("orgA");
    String orgB = id("orgB");
    org(gw, orgA, new JsonObject());
    org(gw, orgB, new JsonObject());
    JsonObject adminA = OrgKeysForTests.create(gw, orgA, "admin");
    assertProblem(OrgKeysForTests.as(gw, adminA, HttpMethod.POST, "/v1/anonymization-requests?orgId=" + orgA)
        .sendJsonObject(new JsonObject().put("orgId", orgB).put("phone", phone())).await(), 404, "NOT_FOUND");
    assertProblem(OrgKeysForTests.as(gw, adminA, HttpMethod.GET, "/v1/archive?orgId=" + orgA + "&orgId=" + orgB).send().await(), 404, "NOT_FOUND");
    assertProblem(OrgKeysForTests.as(gw, adminA, HttpMethod.GET, "/v1/orgs/" + orgB + "?orgId=" + orgA).send().await(), 404, "NOT_FOUND");
    assertThat(gw.admin(HttpMethod.GET, "/v1/anonymization-requests?orgId=" + orgB).send().await().bodyAsJsonObject().getJsonArray("items")).isEmpty();
  }

  @Test
  void theSimulatorTakesAnOrgKeyOnlyToItsOwnOrgsNumbers() {
    String orgA = id("orgA");
    String orgB = id("orgB");
    org(gw, orgA, new JsonObject());
    org(gw, orgB, new JsonObject().put("adminPhone", phone()));
    String proxyA = number(gw, orgA);
    String proxyB = number(gw, orgB);
    String driver = phone();
    String taskB = id("task");
    assertThat(openSession(gw, orgB, taskB, driver, phone()).statusCode()).isEqualTo(201);
    JsonObject adminA = OrgKeysForTests.create(gw, orgA, "admin");

    HttpResponse<Buffer> toB = OrgKeysForTests.as(gw, adminA, HttpMethod.POST, "/v1/simulator/inbound")
        .sendJsonObject(new JsonObject().put("channel", "sms").put("from", driver).put("to", proxyB).put("body", "hello")).await();
    assertProblem(toB, 404, "NOT_FOUND");
    assertThat(toB.bodyAsString()).doesNotContain(orgB);
    assertThat(gw.admin(HttpMethod.GET, "/v1/archive?orgId=" + orgB).send().await().bodyAsJsonObject().getJsonArray("items")).isEmpty();

    HttpResponse<Buffer> toA = OrgKeysForTests.as(gw, adminA, HttpMethod.POST, "/v1/simulator/inbound")
        .sendJsonObject(new JsonObject().put("channel", "sms").put("orgId", orgA).put("from", phone()).put("to", proxyA).put("body", "hello")).await();
    assertThat(toA.statusCode()).as(toA.bodyAsString()).isEqualTo(200);
  }

  @Test
  void aTaskIdTakenByAnotherOrgIsTheOrgsOwnSessionNeverTheOtherOrgs() {
    String orgA = id("orgA");
    String orgB = id("orgB");
    org(gw, orgA, new JsonObject().put("anonymize", false));
    org(gw, orgB, new JsonObject().put("anonymize", false));
    String taskId = id("task");
    String driver = phone();
    String recipient = phone();
    assertThat(openSession(gw, orgB, taskId, driver, recipient).statusCode()).isEqualTo(201);
    JsonObject adminA = OrgKeysForTests.create(gw, orgA, "admin");
    // Sessions are keyed by (org, task): org A's task of the same id is a session of its own.
    String driverA = phone();
    HttpResponse<Buffer> open = OrgKeysForTests.as(gw, adminA, HttpMethod.POST, "/v1/sessions").sendJsonObject(new JsonObject()
        .put("orgId", orgA).put("taskId", taskId).put("driverPhone", driverA).put("recipientPhone", recipient)).await();
    assertThat(open.statusCode()).as(open.bodyAsString()).isEqualTo(201);
    assertThat(open.bodyAsString()).doesNotContain(orgB).doesNotContain(driver);
    // An org key means its own org: no ?orgId= needed, and org B's session is never shown or closed.
    JsonObject read = OrgKeysForTests.as(gw, adminA, HttpMethod.GET, "/v1/sessions/" + taskId).send().await().bodyAsJsonObject();
    assertThat(read.getString("orgId")).isEqualTo(orgA);
    assertThat(OrgKeysForTests.as(gw, adminA, HttpMethod.DELETE, "/v1/sessions/" + taskId).send().await().statusCode()).isEqualTo(204);
    assertThat(gw.admin(HttpMethod.GET, "/v1/sessions/" + taskId + "?orgId=" + orgB).send().await().bodyAsJsonObject().getString("status"))
        .isEqualTo("open");
    assertProblem(OrgKeysForTests.as(gw, adminA, HttpMethod.GET, "/v1/sessions/" + taskId + "?orgId=" + orgB).send().await(), 404, "NOT_FOUND");
  }
}
