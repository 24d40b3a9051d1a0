package io.maskline.api;

import io.maskline.support.TestGateway;
import io.maskline.support.Webhooks;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.maskline.support.Eventually.eventually;
import static io.maskline.support.ProblemAssert.assertProblem;
import static io.maskline.support.Sql.count;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.number;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/** Hostile and malformed input at the edge: refused with a clear problem, or archived without losing anything. */
class HostileInputTest {
  static TestGateway gw;
  static Webhooks webhooks;

  @BeforeAll
  static void start() {
    gw = TestGateway.start();
    webhooks = new Webhooks(gw);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  /** Text shifted between fields of a captured request signs the same; the fields' shapes give it away. */
  @Test
  void webhookFieldsMustHaveTheirShapes() {
    String proxy = number(gw, null);
    String from = phone();
    // "MessageSid=SMr" + "NumMedia=0" signs as "MessageSid=SMrNumMedia0": a valid signature, a sid of no shape.
    Map<String, String> shifted = new LinkedHashMap<>();
    shifted.put("MessageSid", "SMrNumMedia0");
    shifted.put("AccountSid", "ACtest");
    shifted.put("From", from);
    shifted.put("To", proxy);
    shifted.put("Body", "hello");
    assertProblem(webhooks.post("/webhooks/twilio/sms", shifted), 400, "VALIDATION_FAILED");
    Map<String, String> call = new LinkedHashMap<>();
    call.put("CallSid", "CA" + "0".repeat(31));
    call.put("AccountSid", "ACtest");
    call.put("From", from);
    call.put("To", proxy);
    assertProblem(webhooks.post("/webhooks/twilio/voice", call), 400, "VALIDATION_FAILED");
    // Another account's webhook, validly signed with our token, is not ours.
    Map<String, String> foreign = Webhooks.smsForm(Webhooks.messageSid(), from, proxy, "hello");
    foreign.put("AccountSid", "ACsomeoneelse");
    assertProblem(webhooks.post("/webhooks/twilio/sms", foreign), 403, "FORBIDDEN");
    // The real shapes pass.
    assertThat(webhooks.sms(from, proxy, "hello").statusCode()).isEqualTo(200);
  }

  /** Parameters beyond the limit were dropped before the signature check (so: 403); the form is refused whole. */
  @Test
  void tooManyFormParametersAreRefusedAsTooLarge() {
    Map<String, String> form = Webhooks.smsForm(Webhooks.messageSid(), phone(), number(gw, null), "hello");
    for (int i = 0; i < 260; i++) {
      form.put("Extra" + i, "x");
    }
    assertProblem(webhooks.post("/webhooks/twilio/sms", form), 413, "PAYLOAD_TOO_LARGE");
  }

  @Test
  void aNulByteInTheAdminApiIsABadRequest() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    assertProblem(gw.admin(HttpMethod.GET, "/v1/sessions/task%00x").send().await(), 400, "VALIDATION_FAILED");
    assertProblem(gw.admin(HttpMethod.GET, "/v1/anonymization-requests?orgId=" + orgId + "%00").send().await(), 400, "VALIDATION_FAILED");
    assertProblem(gw.admin(HttpMethod.PUT, "/v1/orgs/" + orgId).sendJsonObject(new JsonObject().put("name", "a\u0000b")
        .put("email", orgId + "@example.com")).await(), 400, "VALIDATION_FAILED");
    assertProblem(gw.admin(HttpMethod.POST, "/v1/sessions").sendJsonObject(new JsonObject().put("orgId", orgId).put("taskId", id("task"))
        .put("driverPhone", phone()).put("recipientPhone", phone()).put("variables", new JsonObject().put("note", "x\u0000"))).await(),
        400, "VALIDATION_FAILED");
    // Text that only spells the escape is text.
    HttpResponse<Buffer> spelled = gw.admin(HttpMethod.PUT, "/v1/orgs/" + orgId).sendJsonObject(new JsonObject().put("name", "a\\u0000b")
        .put("email", orgId + "@example.com")).await();
    assertThat(spelled.statusCode()).as(spelled.bodyAsString()).isEqualTo(200);
  }

  /** A NUL in a signed webhook's values is the provider's data: archived (NUL dropped), never dead-lettered. */
  @Test
  void aNulByteInAWebhookIsArchived() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String proxy = number(gw, orgId);
    String sid = Webhooks.messageSid();
    Map<String, String> form = Webhooks.smsForm(sid, phone(), proxy, "hel\u0000lo");
    assertThat(webhooks.post("/webhooks/twilio/sms", form).statusCode()).isEqualTo(200);
    Map<String, String> archived = Webhooks.awaitArchived(gw, sid, "interaction");
    assertThat(archived.get("body")).isEqualTo("hello");
    assertThat(archived.get("raw")).contains("hello").doesNotContain("\\u0000");
    eventually("nothing dead-lettered for it", java.time.Duration.ofSeconds(5), () -> count(gw.gateway.services().pg(),
        "SELECT count(*) FROM raw_events WHERE provider_sid = $1", sid) == 1);
  }

  @Test
  void phonesWithTrailingTextAreInvalid() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    for (String written : new String[] {"912 34 567 ext 5", "+47 912 34 567 x5", "91234567 call me", "91234567;ext=5"}) {
      assertProblem(gw.admin(HttpMethod.POST, "/v1/sessions").sendJsonObject(new JsonObject().put("orgId", orgId).put("taskId", id("task"))
          .put("driverPhone", written).put("recipientPhone", phone())).await(), 400, "INVALID_PHONE");
    }
    assertProblem(gw.admin(HttpMethod.PUT, "/v1/orgs/" + orgId).sendJsonObject(new JsonObject().put("name", "x")
        .put("adminPhone", "912 34 567 ext 5")).await(), 400, "INVALID_PHONE");
    // Separators of every kind are still fine.
    HttpResponse<Buffer> opened = gw.admin(HttpMethod.POST, "/v1/sessions").sendJsonObject(new JsonObject().put("orgId", orgId)
        .put("taskId", id("task")).put("driverPhone", "(+47) 912-34.567").put("recipientPhone", phone())).await();
    assertThat(opened.statusCode()).as(opened.bodyAsString()).isEqualTo(201);
  }

  @Test
  void aProxyNumberCannotBeAParty() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String proxy = number(gw, orgId);
    String shared = number(gw, null);
    for (String party : new String[] {proxy, shared}) {
      assertProblem(gw.admin(HttpMethod.POST, "/v1/sessions").sendJsonObject(new JsonObject().put("orgId", orgId).put("taskId", id("task"))
          .put("driverPhone", phone()).put("recipientPhone", party)).await(), 400, "VALIDATION_FAILED");
    }
  }

  @Test
  void anOrgNeedsAnEmailOrAnAdminPhone() {
    String orgId = id("org");
    assertProblem(gw.admin(HttpMethod.PUT, "/v1/orgs/" + orgId).sendJsonObject(new JsonObject().put("name", "nowhere")).await(),
        400, "VALIDATION_FAILED");
    HttpResponse<Buffer> phoneOnly = gw.admin(HttpMethod.PUT, "/v1/orgs/" + orgId).sendJsonObject(new JsonObject().put("name", "phone")
        .put("adminPhone", phone()).put("country", "NO")).await();
    assertThat(phoneOnly.statusCode()).as(phoneOnly.bodyAsString()).isEqualTo(200);
  }
}
