package io.maskline.anonymizer;

import io.maskline.storage.Keys;
import io.maskline.storage.PartyKeys;
import io.maskline.support.SharedGateway;
import io.maskline.support.TestGateway;
import io.maskline.support.Webhooks;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.maskline.anonymizer.Forgetting.requestFor;
import static io.maskline.anonymizer.Forgetting.residue;
import static io.maskline.anonymizer.Forgetting.runAndWait;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.number;
import static io.maskline.support.TestData.openSession;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Forget means forget" for Redis key names: a dump of every key name after sessions, webhooks and every guard never
 * shows a party's number in any written form, the guards still work under the parties' tokens, and the anonymizer
 * finds, counts and removes a person's keys by their token.
 */
class KeyNamesTest {
  static final String EMPTY = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";
  @SharedGateway({"MASKLINE_RATE_PER_PAIR=3", "MASKLINE_RATE_PER_CALLER=5", "MASKLINE_LOOP_GUARD=4"}) static TestGateway gw;
  static Webhooks hooks;
  static Redis redis;

  @BeforeAll
  static void start() {
    hooks = new Webhooks(gw);
    redis = gw.gateway.services().redis();
  }

  @Test
  void noKeyNameHoldsAPartysNumberAndThePersonsKeysAreFoundAndForgottenByToken() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String proxy = number(gw, orgId);
    String driver = phone();
    String recipient = phone();
    String flooder = phone();
    String task = id("task");
    assertThat(openSession(gw, orgId, task, driver, recipient).statusCode()).isEqualTo(201);
    double rejected = rejects();

    // The loop guard (4 per pair of parties a minute), alternating so that neither sender hits the per-pair limit.
    for (int i = 0; i < 2; i++) {
      assertThat(hooks.sms(driver, proxy, "auto").bodyAsString()).contains("<Message").contains("to=\"" + recipient + "\"");
      assertThat(hooks.sms(recipient, proxy, "auto").bodyAsString()).contains("<Message").contains("to=\"" + driver + "\"");
    }
    assertThat(hooks.sms(driver, proxy, "auto").bodyAsString()).isEqualTo(EMPTY);
    assertThat(rejects()).isEqualTo(rejected + 1);
    // The per-pair limit (3 a minute): the recipient's third contact goes through, the fourth does not.
    assertThat(hooks.call(recipient, proxy).bodyAsString()).contains("<Dial");
    assertThat(hooks.call(recipient, proxy).bodyAsString()).doesNotContain("<Dial");
    assertThat(rejects()).isEqualTo(rejected + 2);
    // The per-caller limit (5 a minute across numbers).
    for (int i = 0; i < 5; i++) {
      assertThat(hooks.sms(flooder, phone(), "spam").statusCode()).isEqualTo(200);
    }
    assertThat(hooks.sms(flooder, phone(), "spam").bodyAsString()).isEqualTo(EMPTY);
    assertThat(rejects()).isEqualTo(rejected + 3);
    PartyKeys.Token d = gw.token(driver);
    PartyKeys.Token r = gw.token(recipient);
    assertThat(exists(Keys.loop(proxy, d, r), Keys.rate(proxy, r), Keys.rate(r), Keys.rate(gw.token(flooder)), Keys.route(proxy, r),
        Keys.busy(d))).isEqualTo(6);

    close(task);
    assertThat(exists(Keys.history(proxy, d), Keys.history(proxy, r))).isEqualTo(2);
    assertThat(exists(Keys.route(proxy, d), Keys.route(proxy, r), Keys.busy(d), Keys.busy(r))).isZero();

    // After a task: post-task routing finds it through the history named by the caller's token.
    String laterDriver = phone();
    String laterRecipient = phone();
    String later = id("task");
    assertThat(openSession(gw, orgId, later, laterDriver, laterRecipient).bodyAsJsonObject().getString("proxyNumber")).isEqualTo(proxy);
    close(later);
    String afterTask = Webhooks.messageSid();
    assertThat(hooks.sms(afterTask, laterRecipient, proxy, "forgot my keys").statusCode()).isEqualTo(200);
    assertThat(Webhooks.awaitArchived(gw, afterTask, "interaction")).containsEntry("taskId", later).doesNotContainEntry("routedTo", "none");

    List<String> names = keyNames();
    for (String party : List.of(driver, recipient, flooder, laterDriver, laterRecipient)) {
      for (String form : writtenForms(party)) {
        assertThat(names).as("key names holding %s", form).noneMatch(name -> name.contains(form));
      }
    }

    // The anonymizer finds the recipient's keys by their token: history, guards, and forgets them.
    JsonObject request = requestFor(gw, orgId, recipient, null, "archive", "raw");
    JsonObject waiting = residue(gw, request.getString("id")).getJsonObject("stores");
    assertThat(waiting.getJsonObject("redisHistory").getLong("historyEntries")).isEqualTo(1L);
    assertThat(waiting.getJsonObject("redis").getLong("guardKeys")).as(waiting.encode()).isGreaterThanOrEqualTo(3L);
    JsonObject run = runAndWait(gw);
    assertThat(run.getString("status")).as(run.encodePrettily()).isEqualTo("done");
    JsonObject after = residue(gw, request.getString("id"));
    assertThat(after.getLong("total")).as(after.encodePrettily()).isZero();
    assertThat(keyNames()).noneMatch(name -> name.contains(r.hex()));
    assertThat(valuesNaming(r.hex())).isEmpty();
    // The driver keeps their history; the org's closed session no longer names the recipient in any form.
    assertThat(exists(Keys.history(proxy, d))).isEqualTo(1);
    HttpResponse<Buffer> shown = gw.admin(HttpMethod.GET, "/v1/sessions/" + task).send().await();
    assertThat(shown.bodyAsJsonObject().getJsonObject("recipient").getString("phone")).isEqualTo(IdentityMatcher.ANONYMIZED);
  }

  @Test
  void twoGatewaysOnOnePostgresNameAPersonAlikeAndRouteEachOthersSessions() {
    try (TestGateway other = TestGateway.start()) {
      String someone = phone();
      assertThat(other.token(someone)).isEqualTo(gw.token(someone));
      String orgId = id("org");
      org(gw, orgId, new JsonObject());
      String proxy = number(gw, orgId);
      String driver = phone();
      String recipient = phone();
      assertThat(openSession(gw, orgId, id("task"), driver, recipient).statusCode()).isEqualTo(201);
      assertThat(new Webhooks(other).sms(recipient, proxy, "via the other pod").bodyAsString()).contains("to=\"" + driver + "\"");
    }
  }

  /** A number as it may be written: E.164 and the anonymizer's forms (digits, 00-form, national). */
  static List<String> writtenForms(String phone) {
    List<String> forms = new ArrayList<>(IdentityMatcher.of(phone, null, "NO").tokens());
    forms.add(phone);
    assertThat(forms).contains(phone.substring(1), "00" + phone.substring(1), phone.substring(3));
    return forms;
  }

  /** Every key name in Redis (SCAN, as a dump would list them). */
  static List<String> keyNames() {
    List<String> names = new ArrayList<>();
    String cursor = "0";
    do {
      Response step = redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("COUNT").arg(1000)).await();
      cursor = step.get(0).toString();
      step.get(1).forEach(name -> names.add(name.toString()));
    } while (!cursor.equals("0"));
    return names;
  }

  /** The strings, hashes and sets whose value holds the text. */
  static List<String> valuesNaming(String text) {
    List<String> found = new ArrayList<>();
    for (String key : keyNames()) {
      Response value = switch (redis.send(Request.cmd(Command.TYPE).arg(key)).await().toString()) {
        case "string" -> redis.send(Request.cmd(Command.GET).arg(key)).await();
        case "hash" -> redis.send(Request.cmd(Command.HGETALL).arg(key)).await();
        case "set" -> redis.send(Request.cmd(Command.SMEMBERS).arg(key)).await();
        default -> null;
      };
      if (value != null && value.toString().contains(text)) {
        found.add(key + " " + value);
      }
    }
    return found;
  }

  static int exists(String... keys) {
    Request request = Request.cmd(Command.EXISTS);
    for (String key : keys) {
      request.arg(key);
    }
    return redis.send(request).await().toInteger();
  }

  /** Inbound interactions refused by a guard (rate or loop): the router's Reject decisions. */
  static double rejects() {
    var meters = gw.gateway.services().metrics().find("maskline.webhooks.routed").tag("decision", "Reject").counters();
    return meters.stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
  }

  static void close(String task) {
    assertThat(gw.admin(HttpMethod.DELETE, "/v1/sessions/" + task).send().await().statusCode()).isEqualTo(204);
  }
}
