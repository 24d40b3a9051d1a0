package io.maskline.anonymizer;

import io.maskline.optout.OptOuts;
import io.maskline.storage.Keys;
import io.maskline.support.SharedGateway;
import io.maskline.support.TestGateway;
import io.maskline.support.Webhooks;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.maskline.anonymizer.Forgetting.WAIT;
import static io.maskline.anonymizer.Forgetting.requestFor;
import static io.maskline.anonymizer.Forgetting.runAndWait;
import static io.maskline.support.Eventually.eventually;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.number;
import static io.maskline.support.TestData.openSession;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/** A forgotten recipient's opt-out, sticky number and admin-reply target go with the rest of them, in their org only. */
class RecipientMemoryForgettingTest {
  @SharedGateway static TestGateway gw;
  static Webhooks hooks;
  static Redis redis;
  static OptOuts optOuts;

  @BeforeAll
  static void start() {
    hooks = new Webhooks(gw);
    redis = gw.gateway.services().redis();
    optOuts = new OptOuts(gw.gateway.services().pg(), redis);
  }

  @Test
  void aForgottenRecipientsOptOutStickyNumberAndReplyTargetGo() {
    String orgA = id("org");
    String orgB = id("org");
    String adminA = phone();
    org(gw, orgA, new JsonObject().put("adminPhone", adminA));
    org(gw, orgB, new JsonObject());
    String numberA = number(gw, orgA);
    number(gw, orgB);
    String x = phone();

    String taskA = id("task");
    assertThat(openSession(gw, orgA, taskA, phone(), x).statusCode()).isEqualTo(201);
    assertThat(gw.admin(HttpMethod.DELETE, "/v1/sessions/" + taskA).send().await().statusCode()).isEqualTo(204);
    assertThat(hooks.sms(x, numberA, "Where is my parcel?").bodyAsString()).contains("to=\"" + adminA + "\"");
    assertThat(hooks.sms(x, numberA, "STOP").bodyAsString()).contains("unsubscribed");
    String taskB = id("task");
    String numberB = openSession(gw, orgB, taskB, phone(), x).bodyAsJsonObject().getString("proxyNumber");
    assertThat(hooks.sms(x, numberB, "stop").bodyAsString()).contains("unsubscribed");
    eventually("both opt-outs recorded", WAIT, () -> optOuts.isOptedOut(orgA, x).await() && optOuts.isOptedOut(orgB, x).await()
        && sismember(Keys.optOuts(orgA), x) && sismember(Keys.optOuts(orgB), x));
    eventually("the reply target is remembered", WAIT, () -> x.equals(get(Keys.replyTarget(numberA))));

    JsonObject request = requestFor(gw, orgA, x, null);
    JsonObject waiting = Forgetting.residue(gw, request.getString("id")).getJsonObject("stores");
    assertThat(waiting.getJsonObject("optOuts").getLong("optOuts")).isEqualTo(2L);
    assertThat(waiting.getJsonObject("recipientMemory").getLong("stickyNumbers")).isEqualTo(1L);
    assertThat(waiting.getJsonObject("recipientMemory").getLong("replyTargets")).isEqualTo(1L);

    JsonObject run = runAndWait(gw);
    assertThat(run.getString("status")).as(run.encodePrettily()).isEqualTo("done");

    // The archive's share of the residue is ArchiveErasure's to test (its events may still be on their way here).
    JsonObject after = Forgetting.residue(gw, request.getString("id")).getJsonObject("stores");
    assertThat(after.getJsonObject("optOuts").getLong("optOuts")).as(after.encodePrettily()).isZero();
    assertThat(after.getJsonObject("recipientMemory").getLong("stickyNumbers")).as(after.encodePrettily()).isZero();
    assertThat(after.getJsonObject("recipientMemory").getLong("replyTargets")).as(after.encodePrettily()).isZero();
    assertThat(optOuts.isOptedOut(orgA, x).await()).isFalse();
    assertThat(sismember(Keys.optOuts(orgA), x)).isFalse();
    assertThat(get(Keys.replyTarget(numberA))).isNull();
    assertThat(redis.send(Request.cmd(Command.HEXISTS).arg(Keys.stickyNumbers(orgA)).arg(x)).await().toInteger()).isZero();
    // Org B keeps what it knows of the same number: a request names one org.
    assertThat(optOuts.isOptedOut(orgB, x).await()).isTrue();
    assertThat(sismember(Keys.optOuts(orgB), x)).isTrue();
    assertThat(redis.send(Request.cmd(Command.HEXISTS).arg(Keys.stickyNumbers(orgB)).arg(x)).await().toInteger()).isOne();
  }

  private static String get(String key) {
    var value = redis.send(Request.cmd(Command.GET).arg(key)).await();
    return value == null ? null : value.toString();
  }

  private static boolean sismember(String key, String member) {
    return redis.send(Request.cmd(Command.SISMEMBER).arg(key).arg(member)).await().toInteger() == 1;
  }
}
