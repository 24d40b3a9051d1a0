package io.maskline.mail;

import io.maskline.storage.Keys;
import io.maskline.support.Mailbox;
import io.maskline.support.TcpProxy;
import io.maskline.support.TestGateway;
import io.maskline.support.TestServers;
import io.maskline.support.Webhooks;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.number;
import static io.maskline.support.TestData.openSession;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/** The durable mail outbox against a real SMTP server that goes away and comes back. Runs with no other gateway up. */
class MailOutboxTest {
  static final String EMPTY = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";
  @Test
  void smtpDownThenUpDeliversTheEmailExactlyOnce() throws Exception {
    Vertx proxyVertx = Vertx.vertx();
    TcpProxy smtp = new TcpProxy(proxyVertx, "127.0.0.1", TestServers.get().smtp.getSmtp().getPort());
    try (TestGateway mailGw = TestGateway.start(Map.of("MASKLINE_SMTP_PORT", Integer.toString(smtp.port()),
        "MASKLINE_MAIL_FIRST_RETRY_DELAY", "200ms"))) {
      Webhooks mailHooks = new Webhooks(mailGw);
      String orgId = id("org");
      String email = orgId + "@example.com";
      org(mailGw, orgId, new JsonObject().put("email", email));
      String proxy = number(mailGw, null);
      String recipient = phone();
      String taskId = id("task");
      assertThat(openSession(mailGw, orgId, taskId, phone(), recipient).statusCode()).isEqualTo(201);
      String shared = mailGw.admin(HttpMethod.GET, "/v1/sessions/" + taskId).send().await().bodyAsJsonObject().getString("proxyNumber");
      mailGw.admin(HttpMethod.DELETE, "/v1/sessions/" + taskId).send().await();
      assertThat(mailHooks.sms(recipient, shared, "while smtp is down").bodyAsString()).isEqualTo(EMPTY);
      Thread.sleep(1_500);
      assertThat(Mailbox.mailsTo(email)).isEmpty();
      assertThat(mailGw.gateway.services().metrics().get("maskline.mail.failed").counter().count()).isGreaterThanOrEqualTo(1);

      smtp.up().await();
      assertThat(Mailbox.awaitMail(email, 1)).hasSize(1);
      Thread.sleep(1_000);
      assertThat(Mailbox.mailsTo(email)).hasSize(1);
      assertThat(proxy).isNotBlank();
    } finally {
      proxyVertx.close().await();
    }
  }

  @Test
  void anEmailThatNeverGetsThroughIsDeadLetteredAndCounted() {
    Vertx proxyVertx = Vertx.vertx();
    TcpProxy smtp = new TcpProxy(proxyVertx, "127.0.0.1", TestServers.get().smtp.getSmtp().getPort());
    try (TestGateway mailGw = TestGateway.start(Map.of("MASKLINE_SMTP_PORT", Integer.toString(smtp.port()),
        "MASKLINE_MAIL_FIRST_RETRY_DELAY", "100ms", "MASKLINE_MAIL_MAX_ATTEMPTS", "2", "MASKLINE_MAIL_DEAD_LETTER_RETENTION", "50ms"))) {
      // A dead letter older than the retention: trimmed when the next one comes.
      String old = mailGw.gateway.services().redis().send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.XADD)
          .arg(io.maskline.storage.Keys.MAIL_DEAD_LETTERS).arg("*").arg("orgId").arg("old").arg("text").arg("an old one")).await().toString();
      Webhooks mailHooks = new Webhooks(mailGw);
      String orgId = id("org");
      org(mailGw, orgId, new JsonObject().put("email", orgId + "@example.com"));
      String proxy = number(mailGw, orgId);
      String recipient = phone();
      String taskId = id("task");
      openSession(mailGw, orgId, taskId, phone(), recipient);
      mailGw.admin(HttpMethod.DELETE, "/v1/sessions/" + taskId).send().await();
      // Dedicated number, but no admin phone: the org is emailed.
      String sid = Webhooks.messageSid();
      assertThat(mailHooks.sms(sid, recipient, proxy, "never delivered").bodyAsString()).isEqualTo(EMPTY);
      long deadline = System.currentTimeMillis() + 10_000;
      while (mailGw.gateway.services().metrics().get("maskline.mail.dead").counter().count() < 1 && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertThat(mailGw.gateway.services().metrics().get("maskline.mail.dead").counter().count()).isEqualTo(1);
      var dead = mailGw.gateway.services().redis().send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.XREVRANGE)
          .arg(io.maskline.storage.Keys.MAIL_DEAD_LETTERS).arg("+").arg("-").arg("COUNT").arg(50)).await();
      assertThat(dead.toString()).contains(sid).doesNotContain(old);
      Webhooks.awaitArchived(mailGw, sid, "email", e -> "dead".equals(e.get("status")));
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    } finally {
      proxyVertx.close().await();
    }
  }
}
