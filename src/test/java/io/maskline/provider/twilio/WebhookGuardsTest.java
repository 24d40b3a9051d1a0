package io.maskline.provider.twilio;

import com.twilio.security.RequestValidator;
import io.maskline.support.SharedGateway;
import io.maskline.support.TcpProxy;
import io.maskline.support.TestGateway;
import io.maskline.support.TestServers;
import io.maskline.storage.Keys;
import io.maskline.support.Webhooks;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.number;
import static io.maskline.support.TestData.openSession;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static io.maskline.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/** Signatures, bad input, abuse guards and dependency failures on the webhook path. */
class WebhookGuardsTest {
  static final String EMPTY = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";
  @SharedGateway({"MASKLINE_RATE_PER_PAIR=3", "MASKLINE_RATE_PER_CALLER=5", "MASKLINE_LOOP_GUARD=4"}) static TestGateway gw;
  static Webhooks hooks;

  @BeforeAll
  static void start() {
    hooks = new Webhooks(gw);
  }

  /** An open session on a fresh org's own number. */
  record ActiveSession(String proxy, String driver, String recipient) {}

  static ActiveSession activeSession() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String proxy = number(gw, orgId);
    String driver = phone();
    String recipient = phone();
    openSession(gw, orgId, id("task"), driver, recipient);
    return new ActiveSession(proxy, driver, recipient);
  }

  static Map<String, String> smsForm(String sid, String from, String to) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("MessageSid", sid);
    form.put("AccountSid", "ACtest");
    form.put("From", from);
    form.put("To", to);
    form.put("Body", "hello");
    return form;
  }

  @Test
  void aSignatureMadeByTwiliosOwnLibraryIsAccepted() throws Exception {
    Map<String, String> form = smsForm(Webhooks.messageSid(), phone(), phone());
    Method compute = RequestValidator.class.getDeclaredMethod("getValidationSignature", String.class, Map.class);
    compute.setAccessible(true);
    String signature = (String) compute.invoke(new RequestValidator(TestGateway.TWILIO_TOKEN), "http://localhost:" + gw.port + "/webhooks/twilio/sms", form);
    assertThat(new RequestValidator(TestGateway.TWILIO_TOKEN).validate("http://localhost:" + gw.port + "/webhooks/twilio/sms", form, signature)).isTrue();
    assertThat(hooks.post("/webhooks/twilio/sms", form, signature).statusCode()).isEqualTo(200);
  }

  @Test
  void badOrMissingSignaturesAreForbiddenAndNothingIsRoutedOrStored() {
    String sid = Webhooks.messageSid();
    Map<String, String> form = smsForm(sid, phone(), phone());
    String good = hooks.sign("/webhooks/twilio/sms", form);
    form.put("Body", "tampered");
    assertProblem(hooks.post("/webhooks/twilio/sms", form, good), 403, "FORBIDDEN");
    assertProblem(hooks.post("/webhooks/twilio/sms", form, null), 403, "FORBIDDEN");
    assertProblem(hooks.post("/webhooks/twilio/voice", form, "bm90IGEgc2lnbmF0dXJl"), 403, "FORBIDDEN");
    assertThat(Webhooks.archived(gw, sid)).isEmpty();
    // The sid was not claimed either: the genuine delivery still goes through.
    assertThat(hooks.post("/webhooks/twilio/sms", smsForm(sid, phone(), phone())).statusCode()).isEqualTo(200);
  }

  @Test
  void missingParametersOversizeAndWrongMediaTypeAreRejected() {
    Map<String, String> noFrom = smsForm(Webhooks.messageSid(), phone(), phone());
    noFrom.remove("From");
    assertProblem(hooks.post("/webhooks/twilio/sms", noFrom), 400, "VALIDATION_FAILED");
    Map<String, String> badTo = smsForm(Webhooks.messageSid(), phone(), "not-a-number");
    assertProblem(hooks.post("/webhooks/twilio/sms", badTo), 400, "VALIDATION_FAILED");
    Map<String, String> huge = smsForm(Webhooks.messageSid(), phone(), phone());
    huge.put("Body", "x".repeat(70 * 1024));
    assertProblem(hooks.post("/webhooks/twilio/sms", huge), 413, "PAYLOAD_TOO_LARGE");
    HttpResponse<Buffer> json = gw.http.post("/webhooks/twilio/sms").sendJsonObject(new JsonObject().put("From", phone())).await();
    assertProblem(json, 415, "UNSUPPORTED_MEDIA_TYPE");
    sleep(500);
    assertThat(Webhooks.archived(gw, noFrom.get("MessageSid"))).isEmpty();
  }

  @Test
  void aBodyThatIsNotUrlEncodingIsRefusedWithoutEchoingIt() {
    String sid = Webhooks.messageSid();
    String raw = "MessageSid=" + sid + "&From=%2B4791%zz&To=%2B4741000000&Body=hi";
    HttpResponse<Buffer> response = hooks.postRaw("/webhooks/twilio/sms", raw, "bm90IGEgc2lnbmF0dXJl");
    assertProblem(response, 400, "VALIDATION_FAILED");
    assertThat(response.bodyAsString()).doesNotContain("4791");
    sleep(300);
    assertThat(Webhooks.archived(gw, sid)).isEmpty();
  }

  @Test
  void aChunkedBodyIsCutOffAtTheLimitWithoutALengthToTrust() throws Exception {
    byte[] huge = ("MessageSid=" + Webhooks.messageSid() + "&Body=" + "x".repeat(70 * 1024)).getBytes(StandardCharsets.UTF_8);
    // An InputStream body of unknown length goes out chunked: no Content-Length for the gateway to check up front.
    java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port + "/webhooks/twilio/sms"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge)))
            .build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("PAYLOAD_TOO_LARGE");
  }

  @Test
  void aRawSemicolonBelongsToTheValueAsInAnHtmlForm() {
    ActiveSession session = activeSession();
    Map<String, String> form = smsForm(Webhooks.messageSid(), session.driver(), session.proxy());
    form.put("Body", "left at the door; ring twice");
    StringBuilder raw = new StringBuilder();
    form.forEach((name, value) -> raw.append(raw.length() == 0 ? "" : "&").append(name).append('=')
        .append(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("%3B", ";")));
    assertThat(raw).contains("door;+ring");
    HttpResponse<Buffer> response = hooks.postRaw("/webhooks/twilio/sms", raw.toString(), hooks.sign("/webhooks/twilio/sms", form));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsString()).contains("left at the door; ring twice").contains("to=\"" + session.recipient() + "\"");
  }

  @Test
  void aCallerFloodingOneProxyNumberIsRateLimited() {
    ActiveSession session = activeSession();
    for (int i = 0; i < 3; i++) {
      assertThat(hooks.call(session.driver(), session.proxy()).bodyAsString()).contains("<Dial");
    }
    String limited = Webhooks.callSid();
    double rejected = rejects();
    assertThat(hooks.call(limited, session.driver(), session.proxy()).bodyAsString()).doesNotContain("<Dial").contains("<Say>");
    assertThat(rejects()).isEqualTo(rejected + 1);
    assertThat(awaitEvent(limited)).containsEntry("routedTo", "none");
  }

  @Test
  void aCallerSpreadingOverManyNumbersIsRateLimitedToo() {
    String caller = phone();
    for (int i = 0; i < 5; i++) {
      assertThat(hooks.sms(caller, phone(), "spam").statusCode()).isEqualTo(200);
    }
    String sid = Webhooks.messageSid();
    double rejected = rejects();
    assertThat(hooks.sms(sid, caller, phone(), "spam").bodyAsString()).isEqualTo(EMPTY);
    assertThat(rejects()).isEqualTo(rejected + 1);
    assertThat(awaitEvent(sid)).containsEntry("routedTo", "none");
  }

  @Test
  void twoAutoRespondersTalkingInALoopAreStopped() {
    ActiveSession session = activeSession();
    // Alternate senders so neither hits the per-pair limit (3) before the loop guard (4 per pair of parties).
    assertThat(hooks.sms(session.driver(), session.proxy(), "auto 1").bodyAsString()).contains("<Message");
    assertThat(hooks.sms(session.recipient(), session.proxy(), "auto 2").bodyAsString()).contains("<Message");
    assertThat(hooks.sms(session.driver(), session.proxy(), "auto 3").bodyAsString()).contains("<Message");
    assertThat(hooks.sms(session.recipient(), session.proxy(), "auto 4").bodyAsString()).contains("<Message");
    String sid = Webhooks.messageSid();
    double rejected = rejects();
    assertThat(hooks.sms(sid, session.driver(), session.proxy(), "auto 5").bodyAsString()).isEqualTo(EMPTY);
    assertThat(rejects()).isEqualTo(rejected + 1);
    assertThat(awaitEvent(sid)).containsEntry("routedTo", "none").containsEntry("body", "auto 5");
  }


  @Test
  void aCapturedRequestReplayedAfterItsStoredAnswerExpiredIsNotForwardedAgain() {
    ActiveSession session = activeSession();
    String sid = Webhooks.messageSid();
    assertThat(hooks.sms(sid, session.driver(), session.proxy(), "once only").bodyAsString()).contains("<Message");
    awaitEvent(sid);
    // The 24 h stored answer is gone; the sid's replay marker is not.
    gw.gateway.services().redis().send(Request.cmd(Command.DEL).arg(Keys.sid(sid))).await();
    double duplicates = gw.gateway.services().metrics().counter("maskline.webhooks.duplicates").count();

    assertThat(hooks.sms(sid, session.driver(), session.proxy(), "once only").bodyAsString()).isEqualTo(EMPTY);
    assertThat(gw.gateway.services().metrics().counter("maskline.webhooks.duplicates").count()).isEqualTo(duplicates + 1);
    assertThat(Webhooks.archived(gw, sid)).singleElement().satisfies(row -> assertThat(row).containsEntry("routedTo", "counterpart"));
    long rawEvents = gw.gateway.services().pg().preparedQuery("SELECT count(*) FROM raw_events WHERE provider_sid = $1")
        .execute(Tuple.of(sid)).await().iterator().next().getLong(0);
    assertThat(rawEvents).isEqualTo(1);
  }

  @Test
  void withRedisDownWebhooksAnswerDegradedWithinASecondAndTheEventIsKept() {
    Vertx proxyVertx = Vertx.vertx();
    TestServers servers = TestServers.get();
    TcpProxy redis = new TcpProxy(proxyVertx, servers.redisHost(), servers.redisPort());
    redis.up().await();
    try (TestGateway redisGw = TestGateway.start(Map.of("MASKLINE_REDIS_URL", servers.redisUrlVia(redis.port())))) {
      Webhooks redisHooks = new Webhooks(redisGw);
      redis.down().await();
      String sid = Webhooks.messageSid();
      long started = System.nanoTime();
      HttpResponse<Buffer> sms = redisHooks.sms(sid, phone(), phone(), "during outage");
      long smsMs = (System.nanoTime() - started) / 1_000_000;
      started = System.nanoTime();
      HttpResponse<Buffer> call = redisHooks.call(phone(), phone());
      long callMs = (System.nanoTime() - started) / 1_000_000;
      assertThat(sms.statusCode()).isEqualTo(200);
      assertThat(sms.bodyAsString()).isEqualTo(EMPTY);
      assertThat(call.statusCode()).isEqualTo(200);
      assertThat(call.bodyAsString()).contains("<Say>").contains("<Hangup/>");
      assertThat(smsMs).isLessThan(1_000);
      assertThat(callMs).isLessThan(1_000);

      redis.up().await();
      assertThat(Webhooks.awaitArchived(redisGw, sid, "interaction"))
          .containsEntry("status", "degraded").containsEntry("body", "during outage");
    } finally {
      proxyVertx.close().await();
    }
  }

  static Map<String, String> awaitEvent(String sid) {
    return Webhooks.awaitArchived(gw, sid, "interaction");
  }

  /** Inbound interactions refused by a guard (rate or loop): the router's Reject decisions. */
  static double rejects() {
    var meters = gw.gateway.services().metrics().find("maskline.webhooks.routed").tag("decision", "Reject").counters();
    return meters.stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

}
