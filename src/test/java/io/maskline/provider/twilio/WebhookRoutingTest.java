package io.maskline.provider.twilio;

import com.icegreen.greenmail.util.GreenMailUtil;
import io.maskline.support.Mailbox;
import io.maskline.support.SharedGateway;
import io.maskline.support.TestGateway;
import io.maskline.support.TestServers;
import io.maskline.support.Webhooks;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Redis;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.number;
import static io.maskline.support.TestData.openSession;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/** Every routing rule of docs/ROUTING.md, end to end over HTTP, on both channels, with real Redis and SMTP. */
class WebhookRoutingTest {
  static final String EMPTY = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";
  @SharedGateway("MASKLINE_MAIL_FIRST_RETRY_DELAY=200ms") static TestGateway gw;
  static Webhooks hooks;

  @BeforeAll
  static void start() {
    hooks = new Webhooks(gw);
  }

  record Task(String orgId, String taskId, String proxy, String driver, String recipient, String adminPhone, String email) {}

  static Task task(JsonObject orgSettings, boolean dedicated) {
    return task(orgSettings, dedicated, new JsonObject());
  }

  static Task task(JsonObject orgSettings, boolean dedicated, JsonObject variables) {
    String orgId = id("org");
    String adminPhone = phone();
    String email = orgId + "@example.com";
    org(gw, orgId, new JsonObject().put("adminPhone", adminPhone).put("email", email).mergeIn(orgSettings));
    String proxy = number(gw, dedicated ? orgId : null);
    String driver = phone();
    String recipient = phone();
    String taskId = id("task");
    HttpResponse<Buffer> opened = openSession(gw, orgId, taskId, driver, recipient, variables);
    assertThat(opened.statusCode()).as(opened.bodyAsString()).isEqualTo(201);
    assertThat(opened.bodyAsJsonObject().getString("proxyNumber")).isEqualTo(dedicated ? proxy : opened.bodyAsJsonObject().getString("proxyNumber"));
    return new Task(orgId, taskId, opened.bodyAsJsonObject().getString("proxyNumber"), driver, recipient, adminPhone, email);
  }

  static void end(Task task) {
    assertThat(gw.admin(HttpMethod.DELETE, "/v1/sessions/" + task.taskId()).send().await().statusCode()).isEqualTo(204);
  }

  static String twiml(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/xml");
    return response.bodyAsString();
  }

  @Test
  void duringTaskSmsAndCallsReachTheCounterpartFromTheProxy() {
    Task t = task(new JsonObject(), true);
    assertThat(twiml(hooks.sms(t.driver(), t.proxy(), "On my way")))
        .contains("<Message to=\"" + t.recipient() + "\" from=\"" + t.proxy() + "\">On my way</Message>")
        .doesNotContain(t.driver());
    assertThat(twiml(hooks.sms(t.recipient(), t.proxy(), "Thanks")))
        .contains("<Message to=\"" + t.driver() + "\" from=\"" + t.proxy() + "\">Thanks</Message>")
        .doesNotContain(t.recipient());
    assertThat(twiml(hooks.call(t.recipient(), t.proxy())))
        .contains("<Dial callerId=\"" + t.proxy() + "\"", "<Number>" + t.driver() + "</Number>")
        .doesNotContain(t.recipient());
    assertThat(twiml(hooks.call(t.driver(), t.proxy()))).contains("<Number>" + t.recipient() + "</Number>").doesNotContain("record=");
  }

  @Test
  void recordedOrgsDialWithRecording() {
    Task t = task(new JsonObject().put("recordCalls", true), true);
    assertThat(twiml(hooks.call(t.driver(), t.proxy()))).contains("record=\"record-from-answer-dual\"");
  }

  @Test
  void recipientGoesToAdminWhenTheOrgRoutesRecipientsToAdmin() {
    Task t = task(new JsonObject().put("routeRecipientsToAdmin", true), true);
    assertThat(twiml(hooks.sms(t.recipient(), t.proxy(), "Where is it?")))
        .contains("<Message to=\"" + t.adminPhone() + "\" from=\"" + t.proxy() + "\">Where is it?</Message>");
    assertThat(twiml(hooks.call(t.recipient(), t.proxy()))).contains("<Number>" + t.adminPhone() + "</Number>");
    // The driver still reaches the recipient.
    assertThat(twiml(hooks.sms(t.driver(), t.proxy(), "Outside"))).contains("to=\"" + t.recipient() + "\"");
  }

  @Test
  void recipientAfterTaskOnADedicatedNumberReachesTheAdminPhone() {
    Task t = task(new JsonObject(), true);
    end(t);
    assertThat(twiml(hooks.sms(t.recipient(), t.proxy(), "Forgot my parcel")))
        .contains("<Message to=\"" + t.adminPhone() + "\" from=\"" + t.proxy() + "\">Forgot my parcel</Message>")
        .doesNotContain(t.driver());
    assertThat(twiml(hooks.call(t.recipient(), t.proxy())))
        .contains("<Dial callerId=\"" + t.proxy() + "\"", "<Number>" + t.adminPhone() + "</Number>");
  }

  @Test
  void recipientAfterTaskIsEmailedWhenTheAdminPhoneTakesNoSms() throws Exception {
    Task t = task(new JsonObject().put("adminPhoneAcceptsSms", false), true);
    end(t);
    HttpResponse<Buffer> sms = hooks.sms(t.recipient(), t.proxy(), "Can you come back?");
    assertThat(twiml(sms)).isEqualTo(EMPTY);
    MimeMessage mail = Mailbox.awaitMail(t.email(), 1).get(0);
    String text = GreenMailUtil.getBody(mail);
    assertThat(text).contains("Can you come back?", t.taskId(), t.proxy(), t.recipient());
    // Voice still reaches the admin phone: "accepts SMS" only concerns messages.
    assertThat(twiml(hooks.call(t.recipient(), t.proxy()))).contains("<Number>" + t.adminPhone() + "</Number>");
  }

  @Test
  void recipientAfterTaskOnTheSharedPoolEmailsTheOrgFoundFromHistory() throws Exception {
    Task t = task(new JsonObject(), false);
    end(t);
    assertThat(twiml(hooks.sms(t.recipient(), t.proxy(), "Hello again"))).isEqualTo(EMPTY);
    String call = twiml(hooks.call(t.recipient(), t.proxy()));
    assertThat(call).contains("<Say>").contains("<Hangup/>").doesNotContain("<Dial");
    List<MimeMessage> mails = Mailbox.awaitMail(t.email(), 2);
    String all = GreenMailUtil.getBody(mails.get(0)) + GreenMailUtil.getBody(mails.get(1));
    assertThat(all).contains("Hello again").contains("Missed call").contains(t.taskId());
  }

  @Test
  void driverAfterTaskGetsOnlyANotice() {
    Task t = task(new JsonObject(), true);
    end(t);
    assertThat(twiml(hooks.sms(t.driver(), t.proxy(), "Still there?"))).isEqualTo(EMPTY);
    assertThat(twiml(hooks.call(t.driver(), t.proxy()))).contains("<Say>").contains("<Hangup/>").doesNotContain(t.recipient());
  }

  @Test
  void aStrangerOnADedicatedNumberFollowsThatOrgsRules() {
    Task t = task(new JsonObject(), true);
    String stranger = phone();
    assertThat(twiml(hooks.sms(stranger, t.proxy(), "Is this the shop?"))).contains("to=\"" + t.adminPhone() + "\"");
    assertThat(twiml(hooks.call(stranger, t.proxy()))).contains("<Number>" + t.adminPhone() + "</Number>");
  }

  @Test
  void nothingKnownGivesANoticeAndIsArchivedAsUnrouted() {
    String sid = Webhooks.messageSid();
    String unknownProxy = phone();
    assertThat(twiml(hooks.sms(sid, phone(), unknownProxy, "hi"))).isEqualTo(EMPTY);
    assertThat(twiml(hooks.call(phone(), unknownProxy))).contains("<Say>").contains("<Hangup/>");
    Map<String, String> event = awaitArchived(sid, "interaction");
    assertThat(event).containsEntry("routedTo", "none").containsEntry("orgId", "").containsEntry("body", "hi");
  }

  @Test
  void everyInteractionIsArchivedWithWhatItWasRoutedTo() {
    Task t = task(new JsonObject().put("routeRecipientsToAdmin", true), true);
    String sid = Webhooks.messageSid();
    twiml(hooks.sms(sid, t.recipient(), t.proxy(), "to admin"));
    Map<String, String> event = awaitArchived(sid, "interaction");
    assertThat(event).containsEntry("orgId", t.orgId()).containsEntry("taskId", t.taskId()).containsEntry("routedTo", "admin")
        .containsEntry("forwardedTo", t.adminPhone()).containsEntry("from", t.recipient()).containsEntry("proxy", t.proxy())
        .containsEntry("channel", "sms");
    assertThat(new JsonObject(event.get("raw")).getString("Body")).isEqualTo("to admin");
  }

  @Test
  void xmlSpecialCharactersInBodiesAreEscaped() {
    Task t = task(new JsonObject(), true);
    assertThat(twiml(hooks.sms(t.driver(), t.proxy(), "5 < 6 & \"yes\" <Hangup/>")))
        .contains(">5 &lt; 6 &amp; &quot;yes&quot; &lt;Hangup/&gt;</Message>");
  }

  @Test
  void aRetriedWebhookGetsTheSameAnswerAndIsForwardedArchivedAndEmailedOnce() throws Exception {
    Task t = task(new JsonObject(), false);
    end(t);
    String sid = Webhooks.messageSid();
    String first = twiml(hooks.sms(sid, t.recipient(), t.proxy(), "once only"));
    // The provider retries seconds later, once the first answer is recorded (the archive event is committed with it);
    // a retry racing the first delivery's commit gets "no forwarding" instead, by design.
    awaitArchived(sid, "interaction");
    String second = twiml(hooks.sms(sid, t.recipient(), t.proxy(), "once only"));
    assertThat(second).isEqualTo(first);
    Mailbox.awaitMail(t.email(), 1);
    Thread.sleep(500);
    assertThat(Mailbox.awaitMail(t.email(), 1)).hasSize(1);
    awaitArchived(sid, "interaction");
    assertThat(Webhooks.archived(gw, sid).stream().filter(e -> "interaction".equals(e.get("kind")))).hasSize(1);

    Task live = task(new JsonObject(), true);
    String callSid = Webhooks.callSid();
    String firstCall = twiml(hooks.call(callSid, live.driver(), live.proxy()));
    awaitArchived(callSid, "interaction");
    assertThat(firstCall).isEqualTo(twiml(hooks.call(callSid, live.driver(), live.proxy())));
  }

  @Test
  void statusCallbacksAreArchivedWithTheirOrg() {
    Task t = task(new JsonObject(), true);
    String callSid = Webhooks.callSid();
    twiml(hooks.call(callSid, t.driver(), t.proxy()));
    awaitArchived(callSid, "interaction");
    HttpResponse<Buffer> status = hooks.post("/webhooks/twilio/status", Map.of("CallSid", callSid, "AccountSid", "ACtest",
        "CallStatus", "completed", "CallDuration", "42"));
    assertThat(twiml(status)).isEqualTo(EMPTY);
    HttpResponse<Buffer> recording = hooks.post("/webhooks/twilio/status", Map.of("CallSid", callSid, "AccountSid", "ACtest",
        "RecordingSid", "RE123", "RecordingUrl", "https://api.twilio.com/rec/RE123", "RecordingStatus", "completed"));
    assertThat(recording.statusCode()).isEqualTo(200);
    // Status callbacks are merged into the call's archive row.
    Map<String, String> call = Webhooks.awaitArchived(gw, callSid, "interaction",
        row -> "42".equals(row.get("durationSeconds")) && "RE123".equals(row.get("recordingSid")));
    assertThat(call).containsEntry("orgId", t.orgId()).containsEntry("channel", "voice");
  }


  @Test
  void sessionVariablesAreArchivedWithEachInteraction() {
    Task t = task(new JsonObject(), true, new JsonObject().put("order", "A-17"));
    String sid = Webhooks.messageSid();
    twiml(hooks.sms(sid, t.driver(), t.proxy(), "on my way"));
    assertThat(new JsonObject(awaitArchived(sid, "interaction").get("variables")).getString("order")).isEqualTo("A-17");
  }

  static Map<String, String> awaitArchived(String sid, String kind) {
    return Webhooks.awaitArchived(gw, sid, kind);
  }
}
