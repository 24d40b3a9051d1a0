package io.maskline.binding;

import io.maskline.support.SharedGateway;
import io.maskline.support.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

import static io.maskline.support.ProblemAssert.assertProblem;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.openSession;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/** Sticky and local proxy numbers (numberSelection sticky-local) against least-used, through the admin API and real Redis. */
class NumberSelectionTest {
  @SharedGateway static TestGateway gw;

  static String orgWith(String numberSelection) {
    String orgId = id("org");
    JsonObject settings = new JsonObject().put("country", "US");
    if (numberSelection != null) {
      settings.put("numberSelection", numberSelection);
    }
    org(gw, orgId, settings);
    return orgId;
  }

  static String add(String orgId, String number) {
    HttpResponse<Buffer> added = gw.admin(HttpMethod.POST, "/v1/numbers").sendJsonObject(new JsonObject().put("number", number).put("orgId", orgId)).await();
    assertThat(added.statusCode()).as(added.bodyAsString()).isEqualTo(201);
    return added.bodyAsJsonObject().getString("number");
  }

  /** A fresh number of an area code (exchange 2xx). */
  static String us(String areaCode) {
    return "+1" + areaCode + "2" + String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
  }

  static String uk() {
    return "+4477001" + String.format("%05d", ThreadLocalRandom.current().nextInt(100_000));
  }

  static String open(String orgId, String driver, String recipient) {
    String taskId = id("task");
    HttpResponse<Buffer> opened = openSession(gw, orgId, taskId, driver, recipient);
    assertThat(opened.statusCode()).as(opened.bodyAsString()).isEqualTo(201);
    return taskId;
  }

  static String proxyOf(String taskId) {
    JsonObject session = gw.admin(HttpMethod.GET, "/v1/sessions/" + taskId).send().await().bodyAsJsonObject();
    assertThat(session.getString("proxyNumber")).as("%s", session).isNotNull();
    return session.getString("proxyNumber");
  }

  static void close(String taskId) {
    assertThat(gw.admin(HttpMethod.DELETE, "/v1/sessions/" + taskId).send().await().statusCode()).isEqualTo(204);
  }

  @Test
  void aRecipientsNextTaskWithTheOrgGetsTheNumberTheyHadLastTime() {
    String orgId = orgWith(null);
    IntStream.range(0, 12).forEach(i -> add(orgId, us("415")));
    String recipient = us("415");
    String first = open(orgId, phone(), recipient);
    String theirs = proxyOf(first);
    close(first);

    for (int task = 0; task < 4; task++) {
      // Other tasks of the org in between, and a new driver each time.
      close(open(orgId, phone(), us("415")));
      String next = open(orgId, phone(), recipient);
      assertThat(proxyOf(next)).as("task %d", task).isEqualTo(theirs);
      close(next);
    }
  }

  @Test
  void theLastNumberIsNotReusedWhileOneOfThePartiesIsBusyOnIt() {
    String orgId = orgWith("sticky-local");
    IntStream.range(0, 4).forEach(i -> add(orgId, us("415")));
    String recipient = us("415");
    String driver = phone();
    String first = open(orgId, driver, recipient);
    String theirs = proxyOf(first);

    // The recipient's first task is still open on it: the conflict rule wins over stickiness.
    String second = open(orgId, phone(), recipient);
    String last = proxyOf(second);
    assertThat(last).isNotEqualTo(theirs);
    close(first);
    close(second);

    // Now this task's driver is in another open task on that number: the conflict rule wins again.
    String driverElsewhere = phone();
    String elsewhere;
    do {
      elsewhere = open(orgId, driverElsewhere, us("415"));
    } while (!proxyOf(elsewhere).equals(last) && closed(elsewhere));
    String third = open(orgId, driverElsewhere, recipient);
    assertThat(proxyOf(third)).isNotEqualTo(last);
  }

  private static boolean closed(String taskId) {
    close(taskId);
    return true;
  }

  @Test
  void aNewRecipientGetsANumberOfTheirAreaCodeThenOfTheirCountryBeforeAnyOther() {
    String orgId = orgWith(null);
    List<String> london = IntStream.range(0, 6).mapToObj(i -> add(orgId, uk())).toList();
    List<String> sanFrancisco = IntStream.range(0, 6).mapToObj(i -> add(orgId, us("415"))).toList();
    String newYork = add(orgId, us("212"));
    String toronto = add(orgId, us("416"));

    assertThat(proxyOf(open(orgId, phone(), us("212")))).as("same area code").isEqualTo(newYork);
    assertThat(proxyOf(open(orgId, phone(), us("416")))).as("same area code in Canada").isEqualTo(toronto);
    // New York's one number is taken by an open task of this driver: the next best is the recipient's country.
    String driver = phone();
    open(orgId, driver, us("212"));
    assertThat(proxyOf(open(orgId, driver, us("212")))).as("same country").isIn(sanFrancisco);
    assertThat(proxyOf(open(orgId, phone(), us("646")))).as("same country, other area code").isIn(concat(sanFrancisco, newYork));
    assertThat(proxyOf(open(orgId, phone(), uk()))).as("same country abroad").isIn(london);
  }

  @Test
  void leastUsedTakesTheLeastUsedNumberWhereverItIsAtHome() {
    String orgId = orgWith("least-used");
    String newYork = add(orgId, us("212"));
    String london = add(orgId, uk());
    String first = open(orgId, phone(), us("212"));
    String used = proxyOf(first);
    // With one session on one of the two numbers, the other one is the least used.
    String other = used.equals(newYork) ? london : newYork;
    assertThat(proxyOf(open(orgId, phone(), used.equals(newYork) ? us("212") : uk()))).isEqualTo(other);

    JsonObject org = gw.admin(HttpMethod.GET, "/v1/orgs/" + orgId).send().await().bodyAsJsonObject();
    assertThat(org.getString("numberSelection")).isEqualTo("least-used");
  }

  @Test
  void stickyLocalIsTheDefaultAndAnUnknownSelectionIsRefused() {
    String orgId = orgWith(null);
    assertThat(gw.admin(HttpMethod.GET, "/v1/orgs/" + orgId).send().await().bodyAsJsonObject().getString("numberSelection"))
        .isEqualTo("sticky-local");
    HttpResponse<Buffer> refused = gw.admin(HttpMethod.PUT, "/v1/orgs/" + orgId)
        .sendJsonObject(new JsonObject().put("name", "x").put("email", "x@example.com").put("numberSelection", "random")).await();
    assertProblem(refused, 400, "VALIDATION_FAILED");
  }

  private static List<String> concat(List<String> numbers, String number) {
    return java.util.stream.Stream.concat(numbers.stream(), java.util.stream.Stream.of(number)).toList();
  }
}
