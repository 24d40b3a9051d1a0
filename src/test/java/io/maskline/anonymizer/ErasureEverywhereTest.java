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

import jakarta.mail.internet.MimeMessage;
import java.util.List;
import java.util.Map;

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
 * down until the end, so the fallback email waits in the outbox during the run and is sent after it.
 */
class ErasureEverywhereTest {
  static Vertx vertx;
  static TcpProxy smtp;
  @SharedGateway(settings = "smtpProxy") static TestGateway gw;
  static Webhooks webhooks;
  static Redis redis;
  static Pool pg;

  /** SMTP reached through a proxy the test can cut. */
  static Map<String, String> smtpProxy() {
    vertx = Vertx.vertx();
    smtp = new TcpProxy(vertx, "127.0.0.1", TestServers.get().smtp.getSmtp().getPort());
    return Map.of("MASKLINE_SMTP_PORT", Integer.toString(smtp.port()), "MASKLINE_MAIL_FIRST_RETRY_DELAY", "1s");
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
    sent(webhooks.sms(late, x, proxy, "still there? call 00" + x.substring(1)));
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

    // SMTP comes back: the email about X's message, queued before the run, goes out and is archived without X.
    smtp.up().await();
    List<MimeMessage> mails = Mailbox.awaitMail(orgEmail, 1);
    assertThat(mails).hasSize(1);
    assertThat(Traces.names(String.valueOf(mails.get(0).getContent()), x, xEmail)).isFalse();
    eventually("the email is archived", WAIT, () ->
        count(pg, "SELECT count(*) FROM communications WHERE org_id = $1 AND channel = 'email'", orgId) == 1);
    assertThat(Traces.inPostgres(pg, x, xEmail)).isEmpty();
    assertThat(Traces.inRedis(redis, x, xEmail)).isEmpty();
  }

  @Test
  void aStatusCallbackArrivingAfterTheRunIsArchivedAnonymized() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String proxy = number(gw, orgId);
    String x = phone();
    String driver = phone();
    String task = id("task");
    open(orgId, task, driver, x, new JsonObject());
    String sid = Webhooks.messageSid();
    sent(webhooks.sms(sid, x, proxy, "left it at the door"));
    eventually("the message is archived", WAIT, () -> count(pg, "SELECT count(*) FROM communications WHERE provider_sid = $1", sid) == 1);
    requestFor(gw, orgId, x, null, "archive");
    assertThat(runAndWait(gw).getString("status")).isEqualTo("done");

    // Twilio's callback for the message, after the run: it names X as Twilio writes numbers.
    Map<String, String> form = new java.util.LinkedHashMap<>();
    form.put("MessageSid", sid);
    form.put("AccountSid", "ACtest");
    form.put("MessageStatus", "delivered");
    form.put("From", x);
    form.put("To", proxy);
    assertThat(webhooks.post("/webhooks/twilio/status", form).statusCode()).isEqualTo(200);
    String rawStatus = "SELECT payload::text FROM raw_events WHERE provider_sid = $1 AND kind = 'status'";
    eventually("the callback is archived", WAIT, () -> count(pg, rawStatus.replace("payload::text", "count(*)"), sid) == 1);
    String payload = pg.preparedQuery(rawStatus).execute(io.vertx.sqlclient.Tuple.of(sid)).await().iterator().next().getString(0);
    assertThat(Traces.names(payload, x, null)).as(payload).isFalse();
    assertThat(new JsonObject(payload).getMap()).containsEntry("From", "Anonymized").containsEntry("To", proxy)
        .containsEntry("MessageStatus", "delivered");
    eventually("the status reaches the record", WAIT, () -> count(pg,
        "SELECT count(*) FROM communications WHERE provider_sid = $1 AND status = 'delivered' AND from_addr = 'Anonymized'", sid) == 1);
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
