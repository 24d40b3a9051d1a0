package io.maskline.notification;

import io.maskline.optout.OptOuts;
import io.maskline.support.OrgKeysForTests;
import io.maskline.support.PlatformStub;
import io.maskline.support.SharedGateway;
import io.maskline.support.TestGateway;
import io.maskline.support.Webhooks;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static io.maskline.support.Eventually.eventually;
import static io.maskline.support.ProblemAssert.assertProblem;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.number;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Trigger notifications end to end: the API, the durable outbox sending through a Twilio REST stub (form body, basic
 * auth, StatusCallback as Twilio expects), retries and dead letters, signed status callbacks, the archive.
 */
class NotificationsTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static PlatformStub provider;
  @SharedGateway(settings = "providerStub") static TestGateway gw;

  static Map<String, String> providerStub() {
    provider = new PlatformStub();
    return Map.of("MASKLINE_TWILIO_API_URL", provider.twilioUrl(),
        "MASKLINE_NOTIFICATIONS_FIRST_RETRY_DELAY", "100ms", "MASKLINE_NOTIFICATIONS_MAX_ATTEMPTS", "3");
  }

  @AfterAll
  static void stop() {
    provider.close();
  }

  static HttpResponse<Buffer> notify(TestGateway gateway, String orgId, String to, String body, String key) {
    return gateway.admin(HttpMethod.POST, "/v1/notifications")
        .sendJsonObject(new JsonObject().put("orgId", orgId).put("to", to).put("body", body).put("taskId", "task-1").put("idempotencyKey", key))
        .await();
  }

  static JsonObject get(TestGateway gateway, String id) {
    HttpResponse<Buffer> got = gateway.admin(HttpMethod.GET, "/v1/notifications/" + id).send().await();
    assertThat(got.statusCode()).as(got.bodyAsString()).isEqualTo(200);
    return got.bodyAsJsonObject();
  }

  static JsonObject awaitStatus(TestGateway gateway, String id, String status) {
    JsonObject[] last = new JsonObject[1];
    eventually("notification " + id + " is " + status, WAIT, () -> status.equals((last[0] = get(gateway, id)).getString("status")));
    return last[0];
  }

  @Test
  void aNotificationIsSentFromTheOrgsDedicatedNumberAsTwilioExpectsIt() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String dedicated = number(gw, orgId);
    String to = phone();
    HttpResponse<Buffer> queued = notify(gw, orgId, to, "Your parcel arrives at 14:00", id("key"));
    assertThat(queued.statusCode()).as(queued.bodyAsString()).isEqualTo(202);
    JsonObject notification = queued.bodyAsJsonObject();
    assertThat(notification.getString("status")).isIn("queued", "accepted");
    assertThat(notification.getString("from")).isEqualTo(dedicated);
    String id = notification.getString("id");

    JsonObject accepted = awaitStatus(gw, id, "accepted");
    assertThat(accepted.getString("providerSid")).startsWith("SM");
    assertThat(accepted.getInteger("attempts")).isEqualTo(1);
    assertThat(provider.messagesTo(to)).singleElement().satisfies(sent -> {
      assertThat(sent.path()).isEqualTo("/twilio/2010-04-01/Accounts/ACtest/Messages.json");
      assertThat(sent.basicAuth()).isEqualTo("ACtest:" + TestGateway.TWILIO_TOKEN);
      assertThat(sent.form().get("From")).isEqualTo(dedicated);
      assertThat(sent.form().get("Body")).isEqualTo("Your parcel arrives at 14:00");
      assertThat(sent.form().get("StatusCallback")).isEqualTo("http://localhost:" + gw.port + "/webhooks/twilio/notifications/" + id + "/status");
    });
  }

  @Test
  void theSameIdempotencyKeyAnswersTheFirstNotificationAndSendsOnce() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    number(gw, orgId);
    String to = phone();
    String key = id("key");
    String id = notify(gw, orgId, to, "hello", key).bodyAsJsonObject().getString("id");
    HttpResponse<Buffer> again = notify(gw, orgId, to, "hello", key);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject().getString("id")).isEqualTo(id);
    assertProblem(notify(gw, orgId, to, "another text", key), 409, "CONFLICT");
    awaitStatus(gw, id, "accepted");
    assertThat(provider.messagesTo(to)).hasSize(1);
    // The key is per org: another org may use it.
    String other = id("org");
    org(gw, other, new JsonObject());
    number(gw, other);
    assertThat(notify(gw, other, to, "hello", key).statusCode()).isEqualTo(202);
  }

  @Test
  void failedSendsAreRetriedWithBackoffUntilTheProviderTakesThem() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    number(gw, orgId);
    String to = phone();
    provider.answerMessages(503, 500);
    String id = notify(gw, orgId, to, "retry me", id("key")).bodyAsJsonObject().getString("id");
    JsonObject accepted = awaitStatus(gw, id, "accepted");
    assertThat(accepted.getInteger("attempts")).isEqualTo(3);
    assertThat(accepted.getString("error")).isNull();
    assertThat(provider.messagesTo(to)).hasSize(3);
  }

  @Test
  void aNotificationThatNeverGetsThroughIsDeadLetteredAndOneRefusedForGoodAtOnce() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    number(gw, orgId);
    double deadBefore = gw.gateway.services().metrics().get("maskline.notifications.dead").counter().count();
    String to = phone();
    provider.answerMessages(500, 500, 500);
    String id = notify(gw, orgId, to, "never", id("key")).bodyAsJsonObject().getString("id");
    JsonObject dead = awaitStatus(gw, id, "dead");
    assertThat(dead.getInteger("attempts")).isEqualTo(3);
    assertThat(dead.getString("error")).contains("500");
    assertThat(provider.messagesTo(to)).hasSize(3);

    String refusedTo = phone();
    provider.answerMessages(400);
    String refused = notify(gw, orgId, refusedTo, "bad number", id("key")).bodyAsJsonObject().getString("id");
    JsonObject refusedDead = awaitStatus(gw, refused, "dead");
    assertThat(refusedDead.getInteger("attempts")).isEqualTo(1);
    assertThat(refusedDead.getString("error")).contains("400");
    assertThat(gw.gateway.services().metrics().get("maskline.notifications.dead").counter().count()).isEqualTo(deadBefore + 2);
  }

  @Test
  void signedStatusCallbacksMoveTheNotificationForwardOnly() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    number(gw, orgId);
    String id = notify(gw, orgId, phone(), "track me", id("key")).bodyAsJsonObject().getString("id");
    String sid = awaitStatus(gw, id, "accepted").getString("providerSid");
    Webhooks hooks = new Webhooks(gw);
    String path = "/webhooks/twilio/notifications/" + id + "/status";
    assertThat(hooks.post(path, Map.of("MessageSid", sid, "MessageStatus", "sent")).statusCode()).isEqualTo(204);
    assertThat(get(gw, id).getString("status")).isEqualTo("sent");
    assertThat(hooks.post(path, Map.of("MessageSid", sid, "MessageStatus", "delivered")).statusCode()).isEqualTo(204);
    // A late "sent" (and a repeat) changes nothing.
    assertThat(hooks.post(path, Map.of("MessageSid", sid, "MessageStatus", "sent")).statusCode()).isEqualTo(204);
    assertThat(hooks.post(path, Map.of("MessageSid", sid, "MessageStatus", "delivered")).statusCode()).isEqualTo(204);
    assertThat(get(gw, id).getString("status")).isEqualTo("delivered");

    assertProblem(hooks.post(path, Map.of("MessageSid", sid, "MessageStatus", "failed"), "bad-signature"), 403, "FORBIDDEN");
    assertThat(get(gw, id).getString("status")).isEqualTo("delivered");
    String unknown = "/webhooks/twilio/notifications/NT" + "0".repeat(32) + "/status";
    assertProblem(hooks.post(unknown, Map.of("MessageSid", sid, "MessageStatus", "sent")), 404, "NOT_FOUND");
  }

  @Test
  void everyNotificationIsArchivedAndSearchableWithItsLatestStatus() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String dedicated = number(gw, orgId);
    String to = phone();
    String id = notify(gw, orgId, to, "archived text", id("key")).bodyAsJsonObject().getString("id");
    String sid = awaitStatus(gw, id, "accepted").getString("providerSid");
    new Webhooks(gw).post("/webhooks/twilio/notifications/" + id + "/status", Map.of("MessageSid", sid, "MessageStatus", "delivered"));
    JsonObject[] record = new JsonObject[1];
    eventually("the notification is archived as delivered", WAIT, () -> {
      var items = gw.admin(HttpMethod.GET, "/v1/archive?orgId=" + orgId + "&phone=" + URLEncoder.encode(to, StandardCharsets.UTF_8))
          .send().await().bodyAsJsonObject().getJsonArray("items");
      record[0] = items.isEmpty() ? null : items.getJsonObject(0);
      return record[0] != null && "delivered".equals(record[0].getString("status"));
    });
    assertThat(record[0].getString("sid")).isEqualTo(id);
    assertThat(record[0].getString("channel")).isEqualTo("sms");
    assertThat(record[0].getString("direction")).isEqualTo("outbound");
    assertThat(record[0].getString("from")).isEqualTo(dedicated);
    assertThat(record[0].getString("to")).isEqualTo(to);
    assertThat(record[0].getString("body")).isEqualTo("archived text");
    assertThat(record[0].getString("taskId")).isEqualTo("task-1");
    assertThat(record[0].getString("routedTo")).isEqualTo("notification");
  }

  @Test
  void badRequestsAreRefusedWithStableCodes() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    assertProblem(notify(gw, id("nobody"), phone(), "x", id("key")), 404, "NOT_FOUND");
    assertProblem(notify(gw, orgId, "123456", "x", id("key")), 400, "INVALID_PHONE");
    assertProblem(gw.admin(HttpMethod.POST, "/v1/notifications")
        .sendJsonObject(new JsonObject().put("orgId", orgId).put("to", phone()).put("body", "no key")).await(), 400, "VALIDATION_FAILED");
    assertProblem(gw.admin(HttpMethod.GET, "/v1/notifications/NT" + "0".repeat(32)).send().await(), 404, "NOT_FOUND");
    // No dedicated number and no platform sender configured.
    assertProblem(notify(gw, orgId, phone(), "x", id("key")), 409, "NO_SENDER_NUMBER");
  }

  @Test
  void withoutADedicatedNumberThePlatformSenderSends() {
    String sender = "+4790000001";
    try (TestGateway withSender = TestGateway.start(Map.of("MASKLINE_TWILIO_API_URL", provider.twilioUrl(),
        "MASKLINE_NOTIFICATIONS_SENDER", sender))) {
      String orgId = id("org");
      org(withSender, orgId, new JsonObject());
      String to = phone();
      HttpResponse<Buffer> queued = notify(withSender, orgId, to, "from the platform", id("key"));
      assertThat(queued.statusCode()).as(queued.bodyAsString()).isEqualTo(202);
      assertThat(queued.bodyAsJsonObject().getString("from")).isEqualTo(sender);
      awaitStatus(withSender, queued.bodyAsJsonObject().getString("id"), "accepted");
      assertThat(provider.messagesTo(to)).singleElement().satisfies(sent -> assertThat(sent.form().get("From")).isEqualTo(sender));
    }
  }

  @Test
  void aRecipientWhoTextedStopIsRefusedAndStartLetsThemBackIn() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String dedicated = number(gw, orgId);
    String to = phone();
    Webhooks hooks = new Webhooks(gw);
    OptOuts optOuts = new OptOuts(gw.gateway.services().pg(), gw.gateway.services().redis());
    hooks.sms(to, dedicated, "STOP");
    eventually("the opt-out is recorded", WAIT, () -> optOuts.isOptedOut(orgId, to).await());
    assertProblem(notify(gw, orgId, to, "hi", id("key")), 409, "RECIPIENT_OPTED_OUT");
    assertThat(provider.messagesTo(to)).isEmpty();
    hooks.sms(to, dedicated, "START");
    eventually("the opt-in is recorded", WAIT, () -> !optOuts.isOptedOut(orgId, to).await());
    HttpResponse<Buffer> back = notify(gw, orgId, to, "welcome back", id("key"));
    assertThat(back.statusCode()).as(back.bodyAsString()).isEqualTo(202);
    awaitStatus(gw, back.bodyAsJsonObject().getString("id"), "accepted");
    assertThat(provider.messagesTo(to)).hasSize(1);
  }

  @Test
  void anonymizingTheRecipientErasesTheirNotificationsAndTheResidualScanCountsThem() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    number(gw, orgId);
    String to = phone();
    String national = to.substring(3);
    String id = notify(gw, orgId, to, "Reply to " + national + " if you are not home", id("key")).bodyAsJsonObject().getString("id");
    awaitStatus(gw, id, "accepted");
    HttpResponse<Buffer> created = gw.admin(HttpMethod.POST, "/v1/anonymization-requests")
        .sendJsonObject(new JsonObject().put("orgId", orgId).put("phone", to)).await();
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    String requestId = created.bodyAsJsonObject().getString("id");
    JsonObject before = gw.admin(HttpMethod.GET, "/v1/anonymization-requests/" + requestId + "/residue").send().await().bodyAsJsonObject();
    assertThat(before.getJsonObject("stores").getJsonObject("notifications").getLong("notifications")).isEqualTo(2L);

    String runId = gw.admin(HttpMethod.POST, "/v1/anonymizer/runs").send().await().bodyAsJsonObject().getString("runId");
    eventually("the anonymizer run ends", WAIT, () -> !"running".equals(
        gw.admin(HttpMethod.GET, "/v1/anonymizer/runs/" + runId).send().await().bodyAsJsonObject().getString("status")));
    JsonObject erased = get(gw, id);
    assertThat(erased.getString("to")).isEqualTo("Anonymized");
    assertThat(erased.getString("body")).isEqualTo("Reply to Anonymized if you are not home");
    assertThat(erased.getBoolean("anonymized")).isTrue();
    JsonObject after = gw.admin(HttpMethod.GET, "/v1/anonymization-requests/" + requestId + "/residue").send().await().bodyAsJsonObject();
    assertThat(after.getJsonObject("stores").getJsonObject("notifications").getLong("notifications")).isZero();
  }

  @Test
  void anOrgsAdminKeySendsForItsOwnOrgAndSeesNoOtherOrgsNotifications() {
    String orgA = id("org");
    String orgB = id("org");
    org(gw, orgA, new JsonObject());
    org(gw, orgB, new JsonObject());
    number(gw, orgA);
    number(gw, orgB);
    JsonObject adminA = OrgKeysForTests.create(gw, orgA, "admin");
    HttpResponse<Buffer> own = OrgKeysForTests.as(gw, adminA, HttpMethod.POST, "/v1/notifications")
        .sendJsonObject(new JsonObject().put("orgId", orgA).put("to", phone()).put("body", "hi").put("idempotencyKey", id("key"))).await();
    assertThat(own.statusCode()).as(own.bodyAsString()).isEqualTo(202);
    assertThat(OrgKeysForTests.as(gw, adminA, HttpMethod.GET, "/v1/notifications/" + own.bodyAsJsonObject().getString("id")).send().await()
        .statusCode()).isEqualTo(200);
    String ofB = notify(gw, orgB, phone(), "for B", id("key")).bodyAsJsonObject().getString("id");
    assertProblem(OrgKeysForTests.as(gw, adminA, HttpMethod.GET, "/v1/notifications/" + ofB).send().await(), 404, "NOT_FOUND");
    assertProblem(OrgKeysForTests.as(gw, adminA, HttpMethod.POST, "/v1/notifications")
        .sendJsonObject(new JsonObject().put("orgId", orgB).put("to", phone()).put("body", "x").put("idempotencyKey", id("key"))).await(),
        404, "NOT_FOUND");
  }
}
