package io.maskline.binding;

import io.maskline.support.SharedGateway;
import io.maskline.support.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static io.maskline.support.TestData.clearSharedPool;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.number;
import static io.maskline.support.TestData.openSession;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static io.maskline.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

class SessionApiTest {
  @SharedGateway static TestGateway gw;

  @Test
  void orgIsStoredWithDefaultsAndNormalizedAdminPhone() {
    String orgId = id("org");
    HttpResponse<Buffer> put = gw.admin(HttpMethod.PUT, "/v1/orgs/" + orgId)
        .sendJsonObject(new JsonObject().put("name", "Acme").put("email", "Ops@Acme.Example").put("adminPhone", "912 34 567").put("country", "no")).await();
    assertThat(put.statusCode()).isEqualTo(200);
    JsonObject org = gw.admin(HttpMethod.GET, "/v1/orgs/" + orgId).send().await().bodyAsJsonObject();
    assertThat(org.getString("adminPhone")).isEqualTo("+4791234567");
    assertThat(org.getString("email")).isEqualTo("ops@acme.example");
    assertThat(org.getBoolean("anonymize")).isTrue();
    assertThat(org.getBoolean("adminPhoneAcceptsSms")).isTrue();
    assertThat(org.getBoolean("routeRecipientsToAdmin")).isFalse();
    assertThat(org.getBoolean("recordCalls")).isFalse();
    assertProblem(gw.admin(HttpMethod.GET, "/v1/orgs/" + id("missing")).send().await(), 404, "NOT_FOUND");
  }

  @Test
  void badOrgInputIsRejectedWithTheRightCode() {
    String orgId = id("org");
    assertProblem(gw.admin(HttpMethod.PUT, "/v1/orgs/" + orgId)
        .sendJsonObject(new JsonObject().put("name", "A").put("adminPhone", "12")).await(), 400, "INVALID_PHONE");
    assertProblem(gw.admin(HttpMethod.PUT, "/v1/orgs/" + orgId)
        .sendJsonObject(new JsonObject().put("name", "A").put("email", "not-an-email")).await(), 400, "VALIDATION_FAILED");
    assertProblem(gw.admin(HttpMethod.PUT, "/v1/orgs/" + orgId)
        .sendJsonObject(new JsonObject().put("name", "A").put("country", "ZZ")).await(), 400, "VALIDATION_FAILED");
    assertProblem(gw.admin(HttpMethod.PUT, "/v1/orgs/" + orgId)
        .sendJsonObject(new JsonObject().put("nme", "typo")).await(), 400, "VALIDATION_FAILED");
    assertProblem(gw.admin(HttpMethod.PUT, "/v1/orgs/" + orgId).putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{not json")).await(), 400, "VALIDATION_FAILED");
    assertProblem(gw.admin(HttpMethod.GET, "/v1/orgs/" + orgId).send().await(), 404, "NOT_FOUND");
  }

  @Test
  void numbersAreListedWithActiveSessionsAndDuplicatesConflict() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String p = number(gw, orgId);
    assertProblem(gw.admin(HttpMethod.POST, "/v1/numbers").sendJsonObject(new JsonObject().put("number", p).put("orgId", orgId)).await(), 409, "CONFLICT");
    assertThat(openSession(gw, orgId, id("task"), phone(), phone()).statusCode()).isEqualTo(201);
    JsonObject listed = gw.admin(HttpMethod.GET, "/v1/numbers?orgId=" + orgId).send().await().bodyAsJsonObject();
    assertThat(listed.getJsonArray("items")).hasSize(1);
    assertThat(listed.getJsonArray("items").getJsonObject(0).getMap())
        .containsEntry("number", p).containsEntry("orgId", orgId).containsEntry("activeSessions", 1);
    assertProblem(gw.admin(HttpMethod.POST, "/v1/numbers").sendJsonObject(new JsonObject().put("number", "abc")).await(), 400, "INVALID_PHONE");
    assertProblem(gw.admin(HttpMethod.POST, "/v1/numbers").sendJsonObject(new JsonObject().put("number", phone()).put("orgId", id("nobody"))).await(), 404, "NOT_FOUND");
  }

  @Test
  void sessionAnswerGivesEachPartyTheProxyAndIsIdempotent() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String p = number(gw, orgId);
    String taskId = id("task");
    String driver = phone();
    String recipient = phone();
    HttpResponse<Buffer> opened = gw.admin(HttpMethod.POST, "/v1/sessions").sendJsonObject(new JsonObject()
        .put("orgId", orgId).put("taskId", taskId).put("driverPhone", driver).put("recipientPhone", recipient)
        .put("variables", new JsonObject().put("order", "A-17"))).await();
    assertThat(opened.statusCode()).isEqualTo(201);
    JsonObject session = opened.bodyAsJsonObject();
    assertThat(session.getString("proxyNumber")).isEqualTo(p);
    assertThat(session.getBoolean("anonymized")).isTrue();
    assertThat(session.getJsonObject("driver").getMap()).containsEntry("phone", driver).containsEntry("dials", p);
    assertThat(session.getJsonObject("recipient").getMap()).containsEntry("phone", recipient).containsEntry("dials", p);
    assertThat(session.getJsonObject("variables").getString("order")).isEqualTo("A-17");

    HttpResponse<Buffer> again = openSession(gw, orgId, taskId, driver, recipient);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject().getString("proxyNumber")).isEqualTo(p);
    assertProblem(openSession(gw, orgId, taskId, driver, phone()), 409, "CONFLICT");

    assertThat(gw.admin(HttpMethod.GET, "/v1/sessions/" + taskId).send().await().bodyAsJsonObject().getString("status")).isEqualTo("open");
    assertThat(gw.admin(HttpMethod.DELETE, "/v1/sessions/" + taskId).send().await().statusCode()).isEqualTo(204);
    assertThat(gw.admin(HttpMethod.DELETE, "/v1/sessions/" + taskId).send().await().statusCode()).isEqualTo(204);
    JsonObject closed = gw.admin(HttpMethod.GET, "/v1/sessions/" + taskId).send().await().bodyAsJsonObject();
    assertThat(closed.getString("status")).isEqualTo("closed");
    assertThat(closed.getString("closedAt")).isNotNull();
    assertProblem(gw.admin(HttpMethod.GET, "/v1/sessions/" + id("none")).send().await(), 404, "NOT_FOUND");
    assertProblem(gw.admin(HttpMethod.DELETE, "/v1/sessions/" + id("none")).send().await(), 404, "NOT_FOUND");
  }

  @Test
  void onfleetStyleTaskIdsWithATildeOpenReadAndClose() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    number(gw, orgId);
    // Onfleet's task ids contain '~' (e.g. kc8SS1tzuZ~jqjlebKGrUmpe); the API takes the ids its task webhooks take.
    String taskId = id("kc8SS1tzuZ") + "~jqjlebKGrUmpe";
    assertThat(openSession(gw, orgId, taskId, phone(), phone()).statusCode()).isEqualTo(201);
    assertThat(gw.admin(HttpMethod.GET, "/v1/sessions/" + taskId).send().await().bodyAsJsonObject().getString("status")).isEqualTo("open");
    assertThat(gw.admin(HttpMethod.DELETE, "/v1/sessions/" + taskId).send().await().statusCode()).isEqualTo(204);
    assertThat(gw.admin(HttpMethod.GET, "/v1/sessions/" + taskId).send().await().bodyAsJsonObject().getString("status")).isEqualTo("closed");
  }

  @Test
  void anonymizeOffGivesEachPartyTheOthersRealNumberAndNoProxy() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject().put("anonymize", false));
    String driver = phone();
    String recipient = phone();
    HttpResponse<Buffer> opened = openSession(gw, orgId, id("task"), driver, recipient);
    assertThat(opened.statusCode()).isEqualTo(201);
    JsonObject session = opened.bodyAsJsonObject();
    assertThat(session.getValue("proxyNumber")).isNull();
    assertThat(session.getBoolean("anonymized")).isFalse();
    assertThat(session.getJsonObject("driver").getString("dials")).isEqualTo(recipient);
    assertThat(session.getJsonObject("recipient").getString("dials")).isEqualTo(driver);
  }

  @Test
  void nationalDoubleZeroAndE164InputsNormaliseToTheSameNumber() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    number(gw, orgId);
    String recipient = phone();
    String national = recipient.substring(3, 6) + " " + recipient.substring(6, 8) + " " + recipient.substring(8);
    String[] forms = {recipient, "00" + recipient.substring(1), national, "+47 (" + recipient.substring(3, 6) + ") " + recipient.substring(6)};
    for (String form : forms) {
      HttpResponse<Buffer> opened = openSession(gw, orgId, id("task"), phone(), form);
      assertThat(opened.statusCode()).as(form).isIn(201, 409);
      if (opened.statusCode() == 201) {
        assertThat(opened.bodyAsJsonObject().getJsonObject("recipient").getString("phone")).as(form).isEqualTo(recipient);
      }
    }
    assertProblem(openSession(gw, orgId, id("task"), "123", phone()), 400, "INVALID_PHONE");
  }

  @Test
  void dedicatedPoolFirstThenSharedPoolThenExhausted() {
    clearSharedPool(gw);
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String dedicated = number(gw, orgId);
    String shared = number(gw, null);
    String driver = phone();
    JsonObject first = openSession(gw, orgId, id("task"), driver, phone()).bodyAsJsonObject();
    JsonObject second = openSession(gw, orgId, id("task"), driver, phone()).bodyAsJsonObject();
    assertThat(first.getString("proxyNumber")).isEqualTo(dedicated);
    assertThat(second.getString("proxyNumber")).isEqualTo(shared);
    HttpResponse<Buffer> third = openSession(gw, orgId, id("task"), driver, phone());
    assertProblem(third, 409, "POOL_EXHAUSTED");
    // A different driver can still share both numbers: a number serves many sessions with disjoint participants.
    assertThat(openSession(gw, orgId, id("task"), phone(), phone()).statusCode()).isEqualTo(201);
    assertThat(gw.gateway.services().metrics().get("maskline.sessions.pool.exhausted").counter().count()).isGreaterThanOrEqualTo(1);
    clearSharedPool(gw);
  }

  @Test
  void removedNumberTakesNoNewSessionsButOpenOnesRunOn() {
    clearSharedPool(gw);
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String p = number(gw, orgId);
    String taskId = id("task");
    assertThat(openSession(gw, orgId, taskId, phone(), phone()).statusCode()).isEqualTo(201);
    HttpResponse<Buffer> removed = gw.admin(HttpMethod.DELETE, "/v1/numbers/" + p).send().await();
    assertThat(removed.statusCode()).as(removed.bodyAsString()).isEqualTo(204);
    assertProblem(openSession(gw, orgId, id("task"), phone(), phone()), 409, "POOL_EXHAUSTED");
    assertThat(gw.admin(HttpMethod.GET, "/v1/sessions/" + taskId).send().await().bodyAsJsonObject().getString("proxyNumber")).isEqualTo(p);
    assertThat(gw.admin(HttpMethod.DELETE, "/v1/sessions/" + taskId).send().await().statusCode()).isEqualTo(204);
    assertProblem(gw.admin(HttpMethod.DELETE, "/v1/numbers/" + p).send().await(), 404, "NOT_FOUND");
  }

  @Test
  void variablesAreLimitedToThirtyTwoStrings() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    JsonObject many = new JsonObject();
    IntStream.range(0, 33).forEach(i -> many.put("k" + i, "v"));
    assertProblem(gw.admin(HttpMethod.POST, "/v1/sessions").sendJsonObject(new JsonObject().put("orgId", orgId).put("taskId", id("t"))
        .put("driverPhone", phone()).put("recipientPhone", phone()).put("variables", many)).await(), 400, "VALIDATION_FAILED");
    assertProblem(gw.admin(HttpMethod.POST, "/v1/sessions").sendJsonObject(new JsonObject().put("orgId", orgId).put("taskId", id("t"))
        .put("driverPhone", phone()).put("recipientPhone", phone()).put("variables", new JsonObject().put("n", 5))).await(), 400, "VALIDATION_FAILED");
    String same = phone();
    assertProblem(openSession(gw, orgId, id("t"), same, same), 400, "VALIDATION_FAILED");
  }


  @Test
  void twoOrgsMayUseTheSameTaskIdAndTheOrgDisambiguates() {
    String orgA = id("org");
    String orgB = id("org");
    org(gw, orgA, new JsonObject());
    org(gw, orgB, new JsonObject());
    String numberA = number(gw, orgA);
    String numberB = number(gw, orgB);
    String taskId = id("task");
    String driverA = phone();
    String driverB = phone();
    HttpResponse<Buffer> openedA = openSession(gw, orgA, taskId, driverA, phone());
    HttpResponse<Buffer> openedB = openSession(gw, orgB, taskId, driverB, phone());
    assertThat(openedA.statusCode()).as(openedA.bodyAsString()).isEqualTo(201);
    assertThat(openedB.statusCode()).as(openedB.bodyAsString()).isEqualTo(201);
    assertThat(openedA.bodyAsJsonObject().getString("proxyNumber")).isEqualTo(numberA);
    assertThat(openedB.bodyAsJsonObject().getString("proxyNumber")).isEqualTo(numberB);

    assertProblem(gw.admin(HttpMethod.GET, "/v1/sessions/" + taskId).send().await(), 409, "AMBIGUOUS_TASK_ID");
    assertProblem(gw.admin(HttpMethod.DELETE, "/v1/sessions/" + taskId).send().await(), 409, "AMBIGUOUS_TASK_ID");
    assertProblem(gw.admin(HttpMethod.GET, "/v1/sessions/" + taskId + "?orgId=no%20such").send().await(), 400, "VALIDATION_FAILED");
    JsonObject a = gw.admin(HttpMethod.GET, "/v1/sessions/" + taskId + "?orgId=" + orgA).send().await().bodyAsJsonObject();
    assertThat(a.getString("orgId")).isEqualTo(orgA);
    assertThat(a.getJsonObject("driver").getString("phone")).isEqualTo(driverA);

    assertThat(gw.admin(HttpMethod.DELETE, "/v1/sessions/" + taskId + "?orgId=" + orgB).send().await().statusCode()).isEqualTo(204);
    assertThat(gw.admin(HttpMethod.GET, "/v1/sessions/" + taskId + "?orgId=" + orgB).send().await().bodyAsJsonObject().getString("status"))
        .isEqualTo("closed");
    assertThat(gw.admin(HttpMethod.GET, "/v1/sessions/" + taskId + "?orgId=" + orgA).send().await().bodyAsJsonObject().getString("status"))
        .isEqualTo("open");
    assertProblem(gw.admin(HttpMethod.GET, "/v1/sessions/" + taskId + "?orgId=" + id("org")).send().await(), 404, "NOT_FOUND");
  }

  @Test
  void aUniqueTaskIdNeedsNoOrgAndTheSessionIsDurableInPostgres() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String p = number(gw, orgId);
    String taskId = id("task");
    String driver = phone();
    String recipient = phone();
    assertThat(openSession(gw, orgId, taskId, driver, recipient, new JsonObject().put("order", "B-2")).statusCode()).isEqualTo(201);
    var row = gw.gateway.services().pg().preparedQuery(
            "SELECT proxy_number, pool, driver_phone, recipient_phone, variables->>'order' AS ord, closed_at FROM sessions WHERE org_id = $1 AND task_id = $2")
        .execute(io.vertx.sqlclient.Tuple.of(orgId, taskId)).await().iterator().next();
    assertThat(row.getString("proxy_number")).isEqualTo(p);
    assertThat(row.getString("pool")).isEqualTo("org");
    assertThat(row.getString("driver_phone")).isEqualTo(driver);
    assertThat(row.getString("recipient_phone")).isEqualTo(recipient);
    assertThat(row.getString("ord")).isEqualTo("B-2");
    assertThat(row.getValue("closed_at")).isNull();

    assertThat(gw.admin(HttpMethod.GET, "/v1/sessions/" + taskId).send().await().bodyAsJsonObject().getString("proxyNumber")).isEqualTo(p);
    assertThat(gw.admin(HttpMethod.DELETE, "/v1/sessions/" + taskId).send().await().statusCode()).isEqualTo(204);
    assertThat(gw.gateway.services().pg().preparedQuery("SELECT close_reason FROM sessions WHERE org_id = $1 AND task_id = $2")
        .execute(io.vertx.sqlclient.Tuple.of(orgId, taskId)).await().iterator().next().getString("close_reason")).isEqualTo("closed");
  }
}
