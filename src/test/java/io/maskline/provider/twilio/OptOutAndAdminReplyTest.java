package io.maskline.provider.twilio;

import io.maskline.optout.OptOuts;
import io.maskline.storage.Keys;
import io.maskline.support.SharedGateway;
import io.maskline.support.TestGateway;
import io.maskline.support.Webhooks;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.maskline.support.Eventually.eventually;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.number;
import static io.maskline.support.TestData.openSession;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/** Opt-out keywords, HELP and the admin's replies on the org's own number, end to end over HTTP with real Redis and Postgres. */
class OptOutAndAdminReplyTest {
  static final String EMPTY = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";
  static final ReplyTexts TEXTS = ReplyTexts.defaults();
  @SharedGateway static TestGateway gw;
  static Webhooks hooks;
  static OptOuts optOuts;

  @BeforeAll
  static void start() {
    hooks = new Webhooks(gw);
    optOuts = new OptOuts(gw.gateway.services().pg(), gw.gateway.services().redis());
  }

  record Org(String orgId, String name, String email, String adminPhone, String number) {}

  static Org org(JsonObject settings) {
    String orgId = id("org");
    String adminPhone = phone();
    String name = "Parcel & Co " + orgId;
    JsonObject saved = io.maskline.support.TestData.org(gw, orgId, new JsonObject().put("name", name).put("adminPhone", adminPhone).mergeIn(settings));
    return new Org(orgId, name, saved.getString("email"), adminPhone, number(gw, orgId));
  }

  static String task(Org org, String driver, String recipient) {
    String taskId = id("task");
    HttpResponse<Buffer> opened = openSession(gw, org.orgId(), taskId, driver, recipient);
    assertThat(opened.statusCode()).as(opened.bodyAsString()).isEqualTo(201);
    return taskId;
  }

  static void end(String taskId) {
    assertThat(gw.admin(HttpMethod.DELETE, "/v1/sessions/" + taskId).send().await().statusCode()).isEqualTo(204);
  }

  static String twiml(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsString();
  }

  /** Recorded in Postgres and in the hot path's mirror. */
  static boolean optedOut(String orgId, String phone) {
    return optOuts.isOptedOut(orgId, phone).await() && mirrored(orgId, phone);
  }

  static boolean optedIn(String orgId, String phone) {
    return !optOuts.isOptedOut(orgId, phone).await() && !mirrored(orgId, phone);
  }

  static boolean mirrored(String orgId, String phone) {
    return gw.gateway.services().redis().send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.SISMEMBER)
        .arg(io.maskline.storage.Keys.optOuts(orgId)).arg(phone)).await().toInteger() == 1;
  }

  static String replyTarget(String number) {
    var value = gw.gateway.services().redis().send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.GET)
        .arg(io.maskline.storage.Keys.replyTarget(number))).await();
    return value == null ? null : value.toString();
  }

  static String escaped(String text) {
    return text.replace("&", "&amp;");
  }

  @Test
  void stopOptsTheRecipientOutOfTheOrgsTrafficUntilStart() {
    Org org = org(new JsonObject());
    String driver = phone();
    String recipient = phone();
    task(org, driver, recipient);

    assertThat(twiml(hooks.sms(recipient, org.number(), "  Stop ")))
        .contains("<Message>" + escaped(TEXTS.optedOut().formatted(org.name())) + "</Message>")
        .doesNotContain(driver);
    eventually("opt-out recorded", Duration.ofSeconds(10), () -> optedOut(org.orgId(), recipient));

    assertThat(twiml(hooks.sms(recipient, org.number(), "Are you close?"))).as("the recipient's messages stop").isEqualTo(EMPTY);
    assertThat(twiml(hooks.call(recipient, org.number()))).as("and their calls")
        .contains("<Say>" + TEXTS.callerOptedOutVoice() + "</Say>").doesNotContain(driver);
    assertThat(twiml(hooks.sms(driver, org.number(), "Outside now"))).as("the driver's message is not delivered; the driver is told")
        .contains("<Message>" + TEXTS.recipientOptedOutSms() + "</Message>").doesNotContain(recipient);
    assertThat(twiml(hooks.call(driver, org.number()))).as("the driver can still call about the delivery")
        .contains("<Number>" + recipient + "</Number>");

    assertThat(twiml(hooks.sms(recipient, org.number(), "UNSTOP")))
        .contains("<Message>" + escaped(TEXTS.optedIn().formatted(org.name())) + "</Message>");
    eventually("opt-in recorded", Duration.ofSeconds(10), () -> optedIn(org.orgId(), recipient));
    assertThat(twiml(hooks.sms(driver, org.number(), "Outside now"))).contains("<Message to=\"" + recipient + "\"");
  }

  @Test
  void anOptOutHoldsForTheOrgsNextTasksAndAfterThem() {
    Org org = org(new JsonObject());
    String recipient = phone();
    String first = task(org, phone(), recipient);
    assertThat(twiml(hooks.sms(recipient, org.number(), "QUIT"))).contains("unsubscribed");
    eventually("opt-out recorded", Duration.ofSeconds(10), () -> optedOut(org.orgId(), recipient));
    end(first);

    assertThat(twiml(hooks.sms(recipient, org.number(), "One more thing"))).as("not to the admin after the task").isEqualTo(EMPTY);
    String driver = phone();
    task(org, driver, recipient);
    assertThat(twiml(hooks.sms(driver, org.number(), "Your parcel"))).contains(TEXTS.recipientOptedOutSms());
  }

  @Test
  void helpNamesTheOrgAndItsContactNeverAPhone() {
    Org org = org(new JsonObject());
    String recipient = phone();
    task(org, phone(), recipient);
    assertThat(twiml(hooks.sms(recipient, org.number(), "help")))
        .contains("<Message>" + escaped(TEXTS.help().formatted(org.name(), org.email())) + "</Message>")
        .doesNotContain(org.adminPhone());
  }

  @Test
  void theAdminsReplyGoesBackToTheLastRecipientWhoReachedThemMasked() {
    Org org = org(new JsonObject());
    String earlier = phone();
    String latest = phone();
    end(task(org, phone(), earlier));
    end(task(org, phone(), latest));
    assertThat(twiml(hooks.sms(earlier, org.number(), "Wrong parcel"))).contains("<Message to=\"" + org.adminPhone() + "\"");
    eventually("the earlier one is remembered", Duration.ofSeconds(10), () -> earlier.equals(replyTarget(org.number())));
    assertThat(twiml(hooks.sms(latest, org.number(), "Left at the door?"))).contains("<Message to=\"" + org.adminPhone() + "\"");

    eventually("the reply target is remembered", Duration.ofSeconds(10), () -> latest.equals(replyTarget(org.number())));
    assertThat(twiml(hooks.sms(org.adminPhone(), org.number(), "Anything else?")))
        .isEqualTo("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message to=\"" + latest + "\" from=\"" + org.number()
            + "\">Anything else?</Message></Response>");
    assertThat(twiml(hooks.call(org.adminPhone(), org.number())))
        .contains("<Dial callerId=\"" + org.number() + "\"", "<Number>" + latest + "</Number>")
        .doesNotContain(org.adminPhone());
  }

  @Test
  void theAdminWithNobodyToReplyToIsToldAndNeverReachesTheirOwnPhone() {
    Org org = org(new JsonObject());
    assertThat(twiml(hooks.sms(org.adminPhone(), org.number(), "Hello?")))
        .contains("<Message>" + TEXTS.nobodyToReplyToSms() + "</Message>").doesNotContain(org.adminPhone());
    assertThat(twiml(hooks.call(org.adminPhone(), org.number())))
        .contains("<Say>" + TEXTS.nobodyToReplyToVoice() + "</Say>").doesNotContain(org.adminPhone());
  }

  @Test
  void theAdminsReplyToAnOptedOutRecipientIsNotDelivered() {
    Org org = org(new JsonObject());
    String recipient = phone();
    end(task(org, phone(), recipient));
    assertThat(twiml(hooks.sms(recipient, org.number(), "Where is it?"))).contains("to=\"" + org.adminPhone() + "\"");
    assertThat(twiml(hooks.sms(recipient, org.number(), "STOP"))).contains("unsubscribed");
    eventually("opt-out recorded", Duration.ofSeconds(10), () -> optedOut(org.orgId(), recipient) && recipient.equals(replyTarget(org.number())));
    assertThat(twiml(hooks.sms(org.adminPhone(), org.number(), "It is on its way"))).contains(TEXTS.recipientOptedOutSms());
  }

  @Test
  void aRecipientWhoIsTheOrgsAdminIsNeverRoutedToTheirOwnPhone() {
    Org org = org(new JsonObject().put("routeRecipientsToAdmin", true));
    String driver = phone();
    task(org, driver, org.adminPhone());
    assertThat(twiml(hooks.sms(org.adminPhone(), org.number(), "Test"))).isEqualTo(EMPTY);
    assertThat(twiml(hooks.call(org.adminPhone(), org.number()))).doesNotContain("<Dial");
    assertThat(twiml(hooks.sms(driver, org.number(), "Hi"))).contains("to=\"" + org.adminPhone() + "\"");
  }
}
