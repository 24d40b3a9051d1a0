package io.maskline.anonymizer;

import io.maskline.storage.Keys;
import io.maskline.support.Mailbox;
import io.maskline.support.SharedGateway;
import io.maskline.support.TcpProxy;
import io.maskline.support.TestGateway;
import io.maskline.support.TestServers;
import io.maskline.support.Traces;
import io.maskline.support.Webhooks;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.maskline.support.Sql;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import jakarta.mail.Header;
import jakarta.mail.internet.MimeMessage;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.maskline.anonymizer.Forgetting.WAIT;
import static io.maskline.anonymizer.Forgetting.requestFor;
import static io.maskline.anonymizer.Forgetting.residue;
import static io.maskline.anonymizer.Forgetting.runAndWait;
import static io.maskline.support.Eventually.eventually;
import static io.maskline.support.Sql.count;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.number;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * "After Done, nothing of this person remains": every store Maskline owns, end to end, checked by the product's
 * residual scan and by a tester's dump of every Redis key and every Postgres row. SMTP sits behind a proxy that is
 * down until the end, so the fallback email waits in the outbox during the run and is sent after it. What arrives
 * after the run for a record it anonymized (late callbacks, a late recording) keeps nothing of the person either.
 */
class ErasureEverywhereTest {
  static Vertx vertx;
  static TcpProxy smtp;
  static HttpServer provider;
  static final List<String> recordingDeletes = new CopyOnWriteArrayList<>();
  @SharedGateway(settings = "servers") static TestGateway gw;
  static Webhooks webhooks;
  static Redis redis;
  static Pool pg;

  /**
   * SMTP reached through a proxy the test can cut; the provider's REST API as a stub that records recording
   * deletions and refuses the first five attempts for a recording whose sid starts with "REflaky".
   */
  static Map<String, String> servers() {
    vertx = Vertx.vertx();
    smtp = new TcpProxy(vertx, "127.0.0.1", TestServers.get().smtp.getSmtp().getPort());
    provider = vertx.createHttpServer().requestHandler(request -> {
      String path = request.path();
      String call = request.method() + " " + path.substring(path.lastIndexOf('/') + 1).replace(".json", "");
      recordingDeletes.add(call);
      boolean refused = call.startsWith("DELETE REflaky") && recordingDeletes.stream().filter(call::equals).count() <= 5;
      request.response().setStatusCode(refused ? 500 : 204).end();
    }).listen(0, "127.0.0.1").await();
    return Map.of("MASKLINE_SMTP_PORT", Integer.toString(smtp.port()), "MASKLINE_MAIL_FIRST_RETRY_DELAY", "1s",
        "MASKLINE_TWILIO_API_URL", "http://127.0.0.1:" + provider.actualPort());
  }

  @BeforeAll
  static void start() {
    webhooks = new Webhooks(gw);
    redis = gw.gateway.services().redis();
    pg = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(TestServers.get().pgUrl)).using(vertx).build();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void everyStoreForgetsThePersonAndNothingIsLeft() throws Exception {
    String orgId = id("org");
    String orgEmail = orgId + "@example.com";
    org(gw, orgId, new JsonObject().put("email", orgEmail));
    String proxy = number(gw, orgId);
    String x = phone();
    String xEmail = id("x") + "@Example.com";
    String driver1 = phone();
    String driver2 = phone();

    // Two tasks on the same number: the history entry (P, X) points to the second only.
    String task1 = id("task");
    open(orgId, task1, driver1, x, new JsonObject().put("customerPhone", "0047 " + spaced(x)).put("mail", xEmail.toUpperCase()));
    sent(webhooks.sms(x, proxy, "ring me on " + spaced(x) + " or " + xEmail));
    sent(webhooks.sms(driver1, proxy, "I will call " + x.substring(3)));
    close(task1);
    String task2 = id("task");
    open(orgId, task2, driver2, x, new JsonObject());
    sent(webhooks.call(driver2, proxy));
    close(task2);
    // After the tasks: X's message goes to the org by email; SMTP is down, so it waits in the outbox.
    String late = Webhooks.messageSid();
    sent(webhooks.sms(late, x, proxy, "still there? call 00" + x.substring(1) + ", " + spaced(x) + ", " + x.substring(3) + " or "
        + xEmail.toUpperCase()));
    eventually("the fallback email is pending in the outbox", WAIT, () -> xlen(Keys.MAIL_STREAM) > 0
        && redis.send(Request.cmd(Command.XRANGE).arg(Keys.MAIL_STREAM).arg("-").arg("+")).await().toString().contains(late));
    // Dead letters naming X, of this org.
    xadd(Keys.MAIL_DEAD_LETTERS, "orgId", orgId, "to", orgEmail, "subject", "Message", "text", "From " + x + ": hi", "reason", "smtp");
    xadd(Keys.ARCHIVE_DEAD_LETTERS, "entryId", "1-1", "error", "bad", "kind", "interaction", "orgId", orgId, "from", x,
        "form", "From=%2B" + x.substring(1) + "&Body=call+" + spaced(x).replace(' ', '+'));
    eventually("the tasks are archived", WAIT, () ->
        count(pg, "SELECT count(*) FROM communications WHERE org_id = $1 AND channel <> 'email'", orgId) == 4);
    assertThat(Traces.inRedis(redis, x, xEmail)).isNotEmpty();

    JsonObject request = requestFor(gw, orgId, x, xEmail, "archive", "raw");
    JsonObject waiting = residue(gw, request.getString("id")).getJsonObject("stores").getJsonObject("redis");
    assertThat(waiting.getLong("sessions")).as(waiting.encode()).isGreaterThanOrEqualTo(4L);
    assertThat(waiting.getLong("answers")).as(waiting.encode()).isPositive();
    assertThat(waiting.getLong("streamEntries")).as(waiting.encode()).isGreaterThanOrEqualTo(3L);

    JsonObject run = runAndWait(gw);
    assertThat(run.getString("status")).as(run.encodePrettily()).isEqualTo("done");
    JsonObject after = residue(gw, request.getString("id"));
    assertThat(after.getLong("total")).as(after.encodePrettily()).isZero();
    JsonObject report = Forgetting.requestById(gw, orgId, request.getString("id")).getJsonObject("report");
    // The session the history entry points to may be changed by either Redis store, whichever comes first.
    assertThat(report.getInteger("sessions") + report.getInteger("closedSessions")).as(report.encode()).isGreaterThanOrEqualTo(2);
    assertThat(report.getInteger("sessions")).as(report.encode()).isPositive();
    assertThat(report.getInteger("answers")).as(report.encode()).isPositive();
    assertThat(report.getInteger("streamEntries")).as(report.encode()).isEqualTo(3);

    // Every session X took part in, not only the one the history entry points to; variables too.
    for (String task : List.of(task1, task2)) {
      String shown = gw.admin(HttpMethod.GET, "/v1/sessions/" + task).send().await().bodyAsString();
      assertThat(Traces.names(shown, x, xEmail)).as(shown).isFalse();
    }
    assertThat(Traces.inRedis(redis, x, xEmail)).isEmpty();

    // SMTP comes back: the email about X's message, queued before the run, goes out and is archived without X:
    // not in its subject, its headers, its text or the message as it went over the wire.
    smtp.up().await();
    List<MimeMessage> mails = Mailbox.awaitMail(orgEmail, 1);
    assertThat(mails).hasSize(1);
    MimeMessage mail = mails.get(0);
    assertThat(mail.getSubject()).startsWith("Message from Anonymized");
    assertThat(String.valueOf(mail.getContent())).contains("still there? call Anonymized, Anonymized, Anonymized or Anonymized");
    for (String part : everything(mail)) {
      assertThat(Traces.names(part, x, xEmail)).as(part).isFalse();
    }
    eventually("the email is archived", WAIT, () ->
        count(pg, "SELECT count(*) FROM communications WHERE org_id = $1 AND channel = 'email'", orgId) == 1);
    assertThat(Traces.inPostgres(pg, x, xEmail)).isEmpty();
    assertThat(Traces.inRedis(redis, x, xEmail)).isEmpty();
  }

  @Test
  void callbacksArrivingAfterTheRunKeepNothingOfThePerson() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String proxy = number(gw, orgId);
    String x = phone();
    String xEmail = id("x") + "@example.com";
    String driver = phone();
    String task = id("task");
    open(orgId, task, driver, x, new JsonObject());
    String sms = Webhooks.messageSid();
    sent(webhooks.sms(sms, x, proxy, "left it at the door"));
    String call = Webhooks.callSid();
    sent(webhooks.call(call, x, proxy));
    close(task);
    eventually("the message and the call are archived", WAIT, () ->
        count(pg, "SELECT count(*) FROM communications WHERE provider_sid = ANY($1)", (Object) new String[] {sms, call}) == 2);
    JsonObject request = requestFor(gw, orgId, x, xEmail, "archive", "raw");
    assertThat(runAndWait(gw).getString("status")).isEqualTo("done");

    // Twilio's callbacks after the run: they name X as Twilio writes numbers, and quote X's number and email in
    // fields that are not parties.
    Map<String, String> status = new LinkedHashMap<>();
    status.put("MessageSid", sms);
    status.put("AccountSid", "ACtest");
    status.put("MessageStatus", "undelivered");
    status.put("ErrorCode", "30005");
    status.put("ErrorMessage", "Unknown destination handset 0047 " + spaced(x) + " (" + xEmail.toUpperCase() + ")");
    status.put("From", x);
    status.put("FromCity", "OSLO");
    status.put("To", proxy);
    sent(webhooks.post("/webhooks/twilio/status", status));
    String recording = "RE" + id("rec").replaceAll("[^a-z0-9]", "");
    Map<String, String> recorded = recordingCallback(call, recording, "call me back on " + x.substring(3));
    sent(webhooks.post("/webhooks/twilio/status", recorded));
    eventually("the callbacks are archived and applied", WAIT, () ->
        count(pg, "SELECT count(*) FROM raw_events WHERE provider_sid = ANY($1) AND kind = 'status'", (Object) new String[] {sms, call}) == 2
            && count(pg, "SELECT count(*) FROM communications WHERE provider_sid = $1 AND status = 'undelivered'", sms) == 1
            && count(pg, "SELECT count(*) FROM communications WHERE provider_sid = $1 AND recording_sid = $2", call, recording) == 1);

    assertThat(latePayload(sms)).isEqualTo(new JsonObject().put("MessageSid", sms).put("AccountSid", "ACtest")
        .put("MessageStatus", "undelivered").put("ErrorCode", "30005").put("ErrorMessage", "Unknown destination handset Anonymized (Anonymized)")
        .put("From", "Anonymized").put("FromCity", "Anonymized").put("To", proxy));
    // The request kept content: the recording is the record's, its callback only loses the mention.
    assertThat(latePayload(call).getString("TranscriptionText")).isEqualTo("call me back on Anonymized");
    assertThat(latePayload(call).getString("RecordingUrl")).isEqualTo(recorded.get("RecordingUrl"));
    assertThat(count(pg, "SELECT count(*) FROM raw_events WHERE provider_sid = ANY($1) AND kind = 'status' AND anonymized",
        (Object) new String[] {sms, call})).isEqualTo(2);
    assertThat(recordingDeletes).doesNotContain("DELETE " + recording);
    nothingLeft(request, x, xEmail);
  }

  @Test
  void aRecordWhoseContentWentGetsNoLateContentAndALateRecordingIsDeletedNotAttached() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String proxy = number(gw, orgId);
    String x = phone();
    String xEmail = id("x") + "@example.com";
    String driver = phone();
    String task = id("task");
    open(orgId, task, driver, x, new JsonObject());
    String sms = Webhooks.messageSid();
    sent(webhooks.sms(sms, x, proxy, "the door code is 4711"));
    String call = Webhooks.callSid();
    sent(webhooks.call(call, x, proxy));
    close(task);
    eventually("the message and the call are archived", WAIT, () ->
        count(pg, "SELECT count(*) FROM communications WHERE provider_sid = ANY($1)", (Object) new String[] {sms, call}) == 2);
    JsonObject request = Forgetting.request(gw, new JsonObject().put("orgId", orgId).put("phone", x).put("email", xEmail)
        .put("scope", new JsonArray().add("archive").add("raw")).put("deleteRecordingsAndBodies", true));
    assertThat(runAndWait(gw).getString("status")).isEqualTo("done");
    // The run left its choice on the records, in the statement that anonymized them.
    assertThat(count(pg, "SELECT count(*) FROM communications WHERE provider_sid = ANY($1) AND anonymized AND content_deleted AND body IS NULL",
        (Object) new String[] {sms, call})).isEqualTo(2);

    // After the run: a status callback quoting the message and its media, and the call's recording, which the
    // provider refuses to delete at first.
    Map<String, String> status = new LinkedHashMap<>();
    status.put("MessageSid", sms);
    status.put("AccountSid", "ACtest");
    status.put("MessageStatus", "delivered");
    status.put("Body", "the door code is 4711, call " + x);
    status.put("NumMedia", "1");
    status.put("MediaUrl0", "https://api.twilio.com/2010-04-01/Accounts/ACtest/Messages/" + sms + "/Media/ME1");
    status.put("From", x);
    status.put("To", proxy);
    sent(webhooks.post("/webhooks/twilio/status", status));
    String recording = "REflaky" + id("rec").replaceAll("[^a-z0-9]", "");
    sent(webhooks.post("/webhooks/twilio/status", recordingCallback(call, recording, "the door code is 4711")));
    eventually("the callbacks are archived", WAIT, () ->
        count(pg, "SELECT count(*) FROM raw_events WHERE provider_sid = ANY($1) AND kind = 'status'", (Object) new String[] {sms, call}) == 2);

    assertThat(latePayload(sms)).isEqualTo(new JsonObject().put("MessageSid", sms).put("AccountSid", "ACtest")
        .put("MessageStatus", "delivered").put("NumMedia", "1").put("From", "Anonymized").put("To", proxy));
    assertThat(latePayload(call).fieldNames()).containsExactlyInAnyOrder("CallSid", "AccountSid", "RecordingStatus", "RecordingDuration");
    // The provider refused five times (a sweep's four attempts, then one more): the deletion was retried, not lost.
    eventually("the late recording is deleted at the provider", WAIT, () ->
        recordingDeletes.stream().filter(("DELETE " + recording)::equals).count() == 6
            && count(pg, "SELECT count(*) FROM recording_deletions WHERE recording_sid = $1", recording) == 0);
    // Never on the record, nowhere in the archive.
    assertThat(count(pg, "SELECT count(*) FROM communications WHERE provider_sid = $1 AND recording_sid IS NULL AND recording_url IS NULL", call))
        .isEqualTo(1);
    assertThat(count(pg, "SELECT count(*) FROM raw_events WHERE provider_sid = ANY($1) AND (payload::text LIKE $2 OR payload::text LIKE '%4711%')",
        new String[] {sms, call}, "%" + recording + "%")).isZero();
    nothingLeft(request, x, xEmail);
  }

  /** The stored residual scan of the request is 0, and a dump of every Postgres table and every Redis key finds nothing. */
  private static void nothingLeft(JsonObject request, String x, String xEmail) {
    JsonObject residue = residue(gw, request.getString("id"));
    assertThat(residue.getLong("total")).as(residue.encodePrettily()).isZero();
    assertThat(Traces.inPostgres(pg, x, xEmail)).isEmpty();
    assertThat(Traces.inRedis(redis, x, xEmail)).isEmpty();
  }

  /** The raw payload of the sid's (one) status callback, as archived. */
  private static JsonObject latePayload(String sid) {
    return new JsonObject(Sql.rows(pg, "SELECT payload::text FROM raw_events WHERE provider_sid = $1 AND kind = 'status'", sid).get(0).getString(0));
  }

  /** A recording callback as Twilio posts it, with a transcription. */
  private static Map<String, String> recordingCallback(String callSid, String recordingSid, String transcription) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("CallSid", callSid);
    form.put("AccountSid", "ACtest");
    form.put("RecordingSid", recordingSid);
    form.put("RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/ACtest/Recordings/" + recordingSid);
    form.put("RecordingStatus", "completed");
    form.put("RecordingDuration", "7");
    form.put("TranscriptionText", transcription);
    return form;
  }

  /** A delivered email as a reader sees it and as it went over the wire: subject, every header, its text, its raw MIME. */
  private static List<String> everything(MimeMessage mail) throws Exception {
    List<String> parts = new ArrayList<>();
    parts.add(mail.getSubject());
    for (Enumeration<Header> headers = mail.getAllHeaders(); headers.hasMoreElements(); ) {
      Header header = headers.nextElement();
      parts.add(header.getName() + ": " + header.getValue());
    }
    parts.add(String.valueOf(mail.getContent()));
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    mail.writeTo(wire);
    parts.add(wire.toString(StandardCharsets.UTF_8));
    return parts;
  }

  private static void open(String orgId, String taskId, String driver, String recipient, JsonObject variables) {
    HttpResponse<Buffer> opened = gw.admin(HttpMethod.POST, "/v1/sessions").sendJsonObject(new JsonObject()
        .put("orgId", orgId).put("taskId", taskId).put("driverPhone", driver).put("recipientPhone", recipient).put("variables", variables)).await();
    assertThat(opened.statusCode()).as(opened.bodyAsString()).isEqualTo(201);
  }

  private static void close(String taskId) {
    assertThat(gw.admin(HttpMethod.DELETE, "/v1/sessions/" + taskId).send().await().statusCode()).isEqualTo(204);
  }

  private static void sent(HttpResponse<Buffer> webhook) {
    assertThat(webhook.statusCode()).as(webhook.bodyAsString()).isEqualTo(200);
  }

  private static long xlen(String stream) {
    return redis.send(Request.cmd(Command.XLEN).arg(stream)).await().toLong();
  }

  private static void xadd(String stream, String... namesAndValues) {
    Request add = Request.cmd(Command.XADD).arg(stream).arg("*");
    for (String part : namesAndValues) add.arg(part);
    redis.send(add).await();
  }

  /** "+4791234567" as a Norwegian writes it: "912 34 567". */
  private static String spaced(String e164) {
    String national = e164.substring(3);
    return national.substring(0, 3) + " " + national.substring(3, 5) + " " + national.substring(5);
  }
}
