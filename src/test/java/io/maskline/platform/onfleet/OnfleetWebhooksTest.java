package io.maskline.platform.onfleet;

import io.maskline.support.PlatformStub;
import io.maskline.support.SharedGateway;
import io.maskline.support.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static io.maskline.support.ProblemAssert.assertProblem;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.number;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/** Onfleet-style task webhooks, signed as Onfleet signs them, drive sessions; workers are looked up at a REST stub. */
class OnfleetWebhooksTest {
  static PlatformStub platform;
  @SharedGateway(settings = "platformStub") static TestGateway gw;

  static Map<String, String> platformStub() {
    platform = new PlatformStub();
    return Map.of("MASKLINE_ONFLEET_API_URL", platform.onfleetUrl());
  }

  @AfterAll
  static void stop() {
    platform.close();
  }

  /** An org with a dedicated number and Onfleet credentials; returns its webhook secret. */
  private static String onfleetOrg(String orgId) {
    String secret = HexFormat.of().formatHex(randomBytes(32));
    org(gw, orgId, new JsonObject().put("onfleetWebhookSecret", secret).put("onfleetApiKey", "key-" + orgId));
    number(gw, orgId);
    return secret;
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }

  /** A payload shaped as Onfleet sends it: the whole task under data.task. */
  static JsonObject payload(int triggerId, String triggerName, String taskId, long time, String recipient, JsonObject worker) {
    JsonObject task = new JsonObject()
        .put("id", taskId)
        .put("shortId", taskId.substring(0, 6))
        .put("worker", "wrk" + taskId)
        .put("recipients", new JsonArray().add(new JsonObject().put("id", "rcp1").put("name", "Rita").put("phone", recipient)))
        .put("metadata", new JsonArray()
            .add(new JsonObject().put("name", "orderRef").put("type", "string").put("value", "A-17").put("visibility", new JsonArray().add("api")))
            .add(new JsonObject().put("name", "boxes").put("type", "number").put("value", 3)));
    JsonObject data = new JsonObject().put("task", task);
    if (worker != null) {
      data.put("worker", worker);
    }
    return new JsonObject().put("taskId", taskId).put("time", time).put("triggerId", triggerId).put("triggerName", triggerName)
        .put("adminId", null).put("data", data).put("actionContext", new JsonObject().put("type", "WORKER").put("id", "wrk" + taskId));
  }

  static HttpResponse<Buffer> deliver(String orgId, String secret, JsonObject payload) {
    return deliverRaw(orgId, secret, payload.encode());
  }

  static HttpResponse<Buffer> deliverRaw(String orgId, String secret, String body) {
    byte[] raw = body.getBytes(StandardCharsets.UTF_8);
    return gw.http.post("/webhooks/onfleet/" + orgId)
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Onfleet-Signature", OnfleetSignature.sign(secret, raw))
        .sendBuffer(Buffer.buffer(raw)).await();
  }

  static JsonObject session(String taskId) {
    HttpResponse<Buffer> response = gw.admin(HttpMethod.GET, "/v1/sessions/" + taskId).send().await();
    return response.statusCode() == 200 ? response.bodyAsJsonObject() : null;
  }

  static String taskId() {
    return "tsk" + id("").substring(1) + "~x";
  }

  @Test
  void validationHandshakeAnswersTheCheckValueAsPlainText() {
    String orgId = id("org");
    onfleetOrg(orgId);
    HttpResponse<Buffer> answer = gw.http.get("/webhooks/onfleet/" + orgId + "?check=abc123XYZ").send().await();
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.getHeader("Content-Type")).startsWith("text/plain");
    assertThat(answer.bodyAsString()).isEqualTo("abc123XYZ");
    assertProblem(gw.http.get("/webhooks/onfleet/" + id("nobody") + "?check=abc").send().await(), 404, "NOT_FOUND");
  }

  @Test
  void taskStartedWithTheWorkerInThePayloadOpensTheSessionWithMetadataAsVariables() {
    String orgId = id("org");
    String secret = onfleetOrg(orgId);
    String taskId = taskId();
    String driver = phone();
    String recipient = phone();
    HttpResponse<Buffer> started = deliver(orgId, secret, payload(0, "taskStarted", taskId, 1_700_000_000_000L, recipient,
        new JsonObject().put("id", "w1").put("phone", driver)));
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(200);
    assertThat(started.bodyAsJsonObject().getString("outcome")).isEqualTo("opened");
    JsonObject session = session(taskId);
    assertThat(session.getString("status")).isEqualTo("open");
    assertThat(session.getString("orgId")).isEqualTo(orgId);
    assertThat(session.getJsonObject("driver").getString("phone")).isEqualTo(driver);
    assertThat(session.getJsonObject("recipient").getString("phone")).isEqualTo(recipient);
    assertThat(session.getJsonObject("variables").getMap()).isEqualTo(Map.of("orderRef", "A-17", "boxes", "3"));
    assertThat(platform.workerLookups("wrk" + taskId)).isEmpty();
  }

  @Test
  void aWorkerWithoutPhoneIsLookedUpWithTheOrgsApiKeyAsBasicAuthUser() {
    String orgId = id("org");
    String secret = onfleetOrg(orgId);
    String taskId = taskId();
    String driver = phone();
    platform.worker("wrk" + taskId, driver);
    JsonObject payload = payload(0, "taskStarted", taskId, 1_700_000_000_000L, phone(), null).put("workerId", "wrk" + taskId);
    assertThat(deliver(orgId, secret, payload).bodyAsJsonObject().getString("outcome")).isEqualTo("opened");
    assertThat(session(taskId).getJsonObject("driver").getString("phone")).isEqualTo(driver);
    assertThat(platform.workerLookups("wrk" + taskId)).singleElement()
        .satisfies(lookup -> assertThat(lookup.basicAuth()).isEqualTo("key-" + orgId + ":"));

    // Without workerId, data.task.worker names the worker.
    String second = taskId();
    platform.worker("wrk" + second, phone());
    assertThat(deliver(orgId, secret, payload(0, "taskStarted", second, 1_700_000_000_000L, phone(), null)).bodyAsJsonObject()
        .getString("outcome")).isEqualTo("opened");
    assertThat(platform.workerLookups("wrk" + second)).as(platform.received.toString()).hasSize(1);
  }

  @Test
  void completedFailedAndDeletedCloseTheSessionAndOtherTriggersAreIgnored() {
    String orgId = id("org");
    String secret = onfleetOrg(orgId);
    int[][] closers = {{3}, {4}, {8}};
    for (int[] closer : closers) {
      String taskId = taskId();
      deliver(orgId, secret, payload(0, "taskStarted", taskId, 1_000, phone(), new JsonObject().put("phone", phone())));
      HttpResponse<Buffer> eta = deliver(orgId, secret, payload(1, "taskEta", taskId, 1_500, phone(), null).put("etaSeconds", 60));
      assertThat(eta.bodyAsJsonObject().getString("outcome")).isEqualTo("ignored");
      assertThat(session(taskId).getString("status")).isEqualTo("open");
      HttpResponse<Buffer> ended = deliver(orgId, secret, payload(closer[0], "taskEnded", taskId, 2_000, phone(), null));
      assertThat(ended.bodyAsJsonObject().getString("outcome")).isEqualTo("closed");
      assertThat(session(taskId).getString("status")).isEqualTo("closed");
    }
  }

  @Test
  void repeatedDeliveriesChangeNothing() {
    String orgId = id("org");
    String secret = onfleetOrg(orgId);
    String taskId = taskId();
    JsonObject started = payload(0, "taskStarted", taskId, 1_000, phone(), new JsonObject().put("phone", phone()));
    assertThat(deliver(orgId, secret, started).bodyAsJsonObject().getString("outcome")).isEqualTo("opened");
    JsonObject first = session(taskId);
    assertThat(deliver(orgId, secret, started).bodyAsJsonObject().getString("outcome")).isEqualTo("already-open");
    assertThat(session(taskId)).isEqualTo(first);
    JsonObject completed = payload(3, "taskCompleted", taskId, 2_000, phone(), null);
    assertThat(deliver(orgId, secret, completed).bodyAsJsonObject().getString("outcome")).isEqualTo("closed");
    JsonObject closed = session(taskId);
    assertThat(deliver(orgId, secret, completed).bodyAsJsonObject().getString("outcome")).isEqualTo("already-closed");
    // The started delivered again after the end reopens nothing.
    assertThat(deliver(orgId, secret, started).bodyAsJsonObject().getString("outcome")).isEqualTo("ended-before-start");
    assertThat(session(taskId)).isEqualTo(closed);
  }

  @Test
  void aCompletedThatArrivesBeforeItsStartedLeavesNoSessionOpen() {
    String orgId = id("org");
    String secret = onfleetOrg(orgId);
    String taskId = taskId();
    assertThat(deliver(orgId, secret, payload(3, "taskCompleted", taskId, 2_000, phone(), null)).bodyAsJsonObject().getString("outcome"))
        .isEqualTo("no-session");
    HttpResponse<Buffer> late = deliver(orgId, secret, payload(0, "taskStarted", taskId, 1_000, phone(), new JsonObject().put("phone", phone())));
    assertThat(late.bodyAsJsonObject().getString("outcome")).isEqualTo("ended-before-start");
    assertThat(session(taskId)).isNull();
  }

  @Test
  void aBadSignatureIsRefusedAndChangesNothing() {
    String orgId = id("org");
    String secret = onfleetOrg(orgId);
    String taskId = taskId();
    String body = payload(0, "taskStarted", taskId, 1_000, phone(), new JsonObject().put("phone", phone())).encode();
    // Signed with the secret's text as key instead of its hex-decoded bytes: what a wrong implementation would do.
    String textKeyed = OnfleetSignature.sign(HexFormat.of().formatHex(secret.getBytes(StandardCharsets.UTF_8)), body.getBytes(StandardCharsets.UTF_8));
    assertProblem(gw.http.post("/webhooks/onfleet/" + orgId).putHeader("Content-Type", "application/json")
        .putHeader("X-Onfleet-Signature", textKeyed).sendBuffer(Buffer.buffer(body)).await(), 401, "UNAUTHORIZED");
    assertProblem(gw.http.post("/webhooks/onfleet/" + orgId).putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body)).await(), 401, "UNAUTHORIZED");
    // Signed for another body.
    assertProblem(gw.http.post("/webhooks/onfleet/" + orgId).putHeader("Content-Type", "application/json")
        .putHeader("X-Onfleet-Signature", OnfleetSignature.sign(secret, (body + " ").getBytes(StandardCharsets.UTF_8)))
        .sendBuffer(Buffer.buffer(body)).await(), 401, "UNAUTHORIZED");
    assertThat(session(taskId)).isNull();
    // The same body, rightly signed, goes through.
    assertThat(deliverRaw(orgId, secret, body).statusCode()).isEqualTo(200);
  }

  @Test
  void unknownOrgIs404AndMalformedBodiesAre400WithNothingApplied() {
    String secret = HexFormat.of().formatHex(randomBytes(16));
    assertProblem(deliver(id("nobody"), secret, payload(0, "taskStarted", taskId(), 1_000, phone(), null)), 404, "NOT_FOUND");

    String orgId = id("org");
    String orgSecret = onfleetOrg(orgId);
    assertProblem(deliverRaw(orgId, orgSecret, "{not json"), 400, "VALIDATION_FAILED");
    assertProblem(deliverRaw(orgId, orgSecret, "[1,2]"), 400, "VALIDATION_FAILED");
    String taskId = taskId();
    JsonObject noTime = payload(0, "taskStarted", taskId, 1_000, phone(), new JsonObject().put("phone", phone()));
    noTime.remove("time");
    assertProblem(deliver(orgId, orgSecret, noTime), 400, "VALIDATION_FAILED");
    JsonObject noRecipient = payload(0, "taskStarted", taskId, 1_000, phone(), new JsonObject().put("phone", phone()));
    noRecipient.getJsonObject("data").getJsonObject("task").put("recipients", new JsonArray());
    assertProblem(deliver(orgId, orgSecret, noRecipient), 400, "VALIDATION_FAILED");
    assertProblem(deliver(orgId, orgSecret, payload(0, "taskStarted", taskId, 1_000, "12", new JsonObject().put("phone", phone()))),
        400, "INVALID_PHONE");
    assertThat(session(taskId)).isNull();
    // A close without time records nothing: a later start still opens.
    JsonObject closeNoTime = payload(3, "taskCompleted", taskId, 1, phone(), null);
    closeNoTime.remove("time");
    assertProblem(deliver(orgId, orgSecret, closeNoTime), 400, "VALIDATION_FAILED");
    assertThat(deliver(orgId, orgSecret, payload(0, "taskStarted", taskId, 1_000, phone(), new JsonObject().put("phone", phone())))
        .bodyAsJsonObject().getString("outcome")).isEqualTo("opened");
  }

  @Test
  void aWorkerOnfleetDoesNotKnowOpensNothing() {
    String orgId = id("org");
    String secret = onfleetOrg(orgId);
    String taskId = taskId();
    assertProblem(deliver(orgId, secret, payload(0, "taskStarted", taskId, 1_000, phone(), null)), 409, "CONFLICT");
    assertThat(session(taskId)).isNull();
  }

  @Test
  void credentialsAreWriteOnlyAndKeptWhenLeftOut() {
    String orgId = id("org");
    String secret = onfleetOrg(orgId);
    JsonObject shown = gw.admin(HttpMethod.GET, "/v1/orgs/" + orgId).send().await().bodyAsJsonObject();
    assertThat(shown.encode()).doesNotContain(secret).doesNotContain("key-" + orgId);
    assertThat(shown.getBoolean("onfleetWebhookSecretSet")).isTrue();
    assertThat(shown.getBoolean("onfleetApiKeySet")).isTrue();
    // A PUT without them (e.g. the org as read back) keeps them.
    JsonObject again = org(gw, orgId, new JsonObject().put("name", "Renamed"));
    assertThat(again.getBoolean("onfleetWebhookSecretSet")).isTrue();
    assertThat(deliver(orgId, secret, payload(1, "taskEta", taskId(), 1_000, phone(), null)).statusCode()).isEqualTo(200);
    // null clears; a secret that is not hex is refused.
    JsonObject cleared = org(gw, orgId, new JsonObject().putNull("onfleetApiKey"));
    assertThat(cleared.getBoolean("onfleetApiKeySet")).isFalse();
    assertThat(cleared.getBoolean("onfleetWebhookSecretSet")).isTrue();
    assertProblem(gw.admin(HttpMethod.PUT, "/v1/orgs/" + orgId)
        .sendJsonObject(new JsonObject().put("name", "X").put("onfleetWebhookSecret", "not hex")).await(), 400, "VALIDATION_FAILED");
  }
  @Test
  void aStartedAndACompletedRacingEachOtherLeaveNoSessionOpen() {
    String orgId = id("org");
    String secret = onfleetOrg(orgId);
    java.util.List<String> tasks = new java.util.ArrayList<>();
    java.util.List<io.vertx.core.Future<?>> deliveries = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String taskId = taskId();
      tasks.add(taskId);
      for (JsonObject payload : java.util.List.of(
          payload(0, "taskStarted", taskId, 1_000, phone(), new JsonObject().put("phone", phone())),
          payload(3, "taskCompleted", taskId, 2_000, phone(), null))) {
        byte[] raw = payload.encode().getBytes(StandardCharsets.UTF_8);
        deliveries.add(gw.http.post("/webhooks/onfleet/" + orgId).putHeader("Content-Type", "application/json")
            .putHeader("X-Onfleet-Signature", OnfleetSignature.sign(secret, raw)).sendBuffer(Buffer.buffer(raw)));
      }
    }
    io.vertx.core.Future.join(deliveries).await();
    for (String taskId : tasks) {
      JsonObject session = session(taskId);
      assertThat(session == null || session.getString("status").equals("closed")).as(taskId + ": " + session).isTrue();
    }
  }
}
