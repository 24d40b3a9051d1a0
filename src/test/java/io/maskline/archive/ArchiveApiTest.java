package io.maskline.archive;

import io.maskline.dev.DevServices;
import io.maskline.support.SharedGateway;
import io.maskline.support.TestGateway;
import io.maskline.support.TestServers;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static io.maskline.archive.ArchiveEvents.add;
import static io.maskline.support.Sql.count;
import static io.maskline.support.Eventually.eventually;
import static io.maskline.support.Sql.rows;
import static io.maskline.archive.ArchiveEvents.sid;
import static io.maskline.support.ProblemAssert.assertProblem;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/** Search and anonymize-and-delete over HTTP, on records archived through the stream; the provider is a stub server. */
class ArchiveApiTest {
  static Vertx vertx;
  static Redis redis;
  static Pool pg;
  static HttpServer provider;
  static final List<String> deletes = new CopyOnWriteArrayList<>();
  static final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  @SharedGateway(settings = "providerStub") static TestGateway gw;

  // Org A and org B share a person (x) and a task id; A has six records, B one.
  static final String orgA = id("orgA");
  static final String orgB = id("orgB");
  static final String x = phone();
  static final String y = phone();
  static final String z = phone();
  static final String proxy = phone();
  static final long t = Instant.now().minusSeconds(600).toEpochMilli();
  static final String a1 = sid("SM");
  static final String a2 = sid("CA");
  static final String a3 = sid("SM");
  static final String a4 = sid("EM");
  static final String a5 = sid("CA");
  static final String a6 = sid("CA");
  static final String b1 = sid("SM");

  /** The provider's REST API: RF… recordings always fail, RY… fail once then succeed, others succeed. */
  static Map<String, String> providerStub() {
    vertx = Vertx.vertx();
    int port = DevServices.freePort();
    provider = vertx.createHttpServer().requestHandler(request -> {
      String path = request.path();
      deletes.add(request.method() + " " + path + " " + request.getHeader("Authorization"));
      String recording = path.substring(path.lastIndexOf('/') + 1).replace(".json", "");
      int attempt = calls.computeIfAbsent(recording, k -> new AtomicInteger()).incrementAndGet();
      int status = recording.startsWith("RF") ? 500 : recording.startsWith("RY") && attempt == 1 ? 503 : 204;
      request.response().setStatusCode(status).end();
    }).listen(port, "127.0.0.1").await();
    return Map.of("MASKLINE_TWILIO_API_URL", "http://127.0.0.1:" + port);
  }

  @BeforeAll
  static void start() {
    TestServers servers = TestServers.get();
    redis = Redis.createClient(vertx, servers.redisUrl);
    pg = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(servers.pgUrl)).using(vertx).build();

    org(gw, orgA, new JsonObject().put("email", "Ops@" + orgA + ".example"));
    org(gw, orgB, new JsonObject());
    add(redis, ArchiveEvents.sms(orgA, a1, "T1", x, proxy, y, "first", t));
    add(redis, ArchiveEvents.call(orgA, a2, "T1", y, proxy, x, t + 60_000));
    add(redis, ArchiveEvents.recording(orgA, a2, "RY" + a2, t + 90_000));
    add(redis, ArchiveEvents.sms(orgA, a3, "T2", z, proxy, x, "third", t + 120_000));
    add(redis, ArchiveEvents.email(orgA, a4, "T2", "Ops@" + orgA + ".example", "Missed call", a3, t + 180_000));
    add(redis, ArchiveEvents.call(orgA, a5, "T3", z, proxy, y, t + 240_000));
    add(redis, ArchiveEvents.recording(orgA, a5, "RF" + a5, t + 250_000));
    add(redis, ArchiveEvents.call(orgA, a6, "T1", x, proxy, y, t + 300_000));
    add(redis, ArchiveEvents.recording(orgA, a6, "RE" + a6, t + 310_000));
    add(redis, ArchiveEvents.sms(orgB, b1, "T1", x, proxy, y, "org B's", t + 30_000));
    eventually("all records archived", Duration.ofSeconds(30), () ->
        count(pg, "SELECT count(*) FROM communications WHERE org_id IN ($1, $2)", orgA, orgB) == 7
            && count(pg, "SELECT count(*) FROM communications WHERE org_id = $1 AND recording_sid IS NOT NULL", orgA) == 3);
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void phoneSearchAcceptsEveryInputFormatAndFindsOnlyThatOrgsRecordsNewestFirst() {
    String national = x.substring(3);
    for (String form : List.of(x, "00" + x.substring(1), national, "+47 " + national.substring(0, 3) + " " + national.substring(3))) {
      assertThat(sids(search("orgId=" + orgA + "&phone=" + encode(form)))).as(form).containsExactly(a6, a3, a2, a1);
    }
    assertThat(sids(search("orgId=" + orgA + "&phone=" + x))).as("an unencoded +")
        .containsExactly(a6, a3, a2, a1);
    assertThat(sids(search("orgId=" + orgB + "&phone=" + encode(x)))).containsExactly(b1);
    JsonObject first = search("orgId=" + orgA + "&phone=" + encode(x)).getJsonArray("items").getJsonObject(2);
    assertThat(first.getString("from")).isEqualTo(y);
    assertThat(first.getString("to")).isEqualTo(x);
    assertThat(first.getString("proxyNumber")).isEqualTo(proxy);
    assertThat(first.getString("channel")).isEqualTo("voice");
    assertThat(first.getString("recordingUrl")).endsWith("RY" + a2);
    assertThat(first.getString("startedAt")).isEqualTo(Instant.ofEpochMilli(t + 60_000).toString());
    assertThat(first.getJsonObject("variables").getString("order")).isEqualTo("A-17");
    assertThat(first.getBoolean("anonymized")).isFalse();
  }

  @Test
  void filtersByTaskChannelEmailAndTimeCombine() {
    assertThat(sids(search("orgId=" + orgA + "&taskId=T1"))).containsExactly(a6, a2, a1);
    assertThat(sids(search("orgId=" + orgA + "&channel=voice"))).containsExactly(a6, a5, a2);
    assertThat(sids(search("orgId=" + orgA + "&taskId=T1&channel=sms"))).containsExactly(a1);
    assertThat(sids(search("orgId=" + orgA + "&email=" + encode("OPS@" + orgA.toUpperCase() + ".EXAMPLE")))).containsExactly(a4);
    String since = encode(Instant.ofEpochMilli(t + 60_000).toString());
    String until = encode(Instant.ofEpochMilli(t + 240_000).toString());
    assertThat(sids(search("orgId=" + orgA + "&since=" + since + "&until=" + until))).containsExactly(a4, a3, a2);
    assertThat(sids(search("orgId=" + orgA + "&phone=" + encode(y) + "&since=" + since))).containsExactly(a6, a5, a2);
    assertThat(sids(search("orgId=" + orgA + "&phone=" + encode(x) + "&email=" + encode(y + "@nowhere.example")))).isEmpty();
  }

  @Test
  void cursorPagesThroughEverythingOnceNewestFirst() {
    List<String> seen = new ArrayList<>();
    String query = "orgId=" + orgA + "&limit=2";
    JsonObject page = search(query);
    int pages = 1;
    seen.addAll(sids(page));
    while (page.getString("next") != null) {
      page = search(query + "&cursor=" + page.getString("next"));
      seen.addAll(sids(page));
      pages++;
    }
    assertThat(seen).containsExactly(a6, a5, a4, a3, a2, a1);
    assertThat(pages).isEqualTo(3);
    List<String> byPhone = new ArrayList<>();
    JsonObject phonePage = search("orgId=" + orgA + "&phone=" + encode(x) + "&limit=1");
    byPhone.addAll(sids(phonePage));
    while (phonePage.getString("next") != null) {
      phonePage = search("orgId=" + orgA + "&phone=" + encode(x) + "&limit=1&cursor=" + phonePage.getString("next"));
      byPhone.addAll(sids(phonePage));
    }
    assertThat(byPhone).containsExactly(a6, a3, a2, a1);
  }

  @Test
  void badSearchInputIsAProblemWithItsCode() {
    assertProblem(get("/v1/archive?phone=" + encode(x)), 400, "VALIDATION_FAILED");
    assertProblem(get("/v1/archive?orgId=" + orgA + "&phone=12"), 400, "INVALID_PHONE");
    assertProblem(get("/v1/archive?orgId=" + orgA + "&phone=Anonymized"), 400, "INVALID_PHONE");
    assertProblem(get("/v1/archive?orgId=" + orgA + "&limit=0"), 400, "VALIDATION_FAILED");
    assertProblem(get("/v1/archive?orgId=" + orgA + "&channel=fax"), 400, "VALIDATION_FAILED");
    assertProblem(get("/v1/archive?orgId=" + orgA + "&since=yesterday"), 400, "VALIDATION_FAILED");
    assertProblem(get("/v1/archive?orgId=" + orgA + "&cursor=" + Base64.getUrlEncoder().encodeToString("nonsense".getBytes(StandardCharsets.UTF_8))), 400, "VALIDATION_FAILED");
    assertProblem(get("/v1/archive?orgId=" + id("nobody")), 404, "NOT_FOUND");
    assertThat(gw.http.get("/v1/archive?orgId=" + orgA).send().await().statusCode()).isEqualTo(401);
  }

  @Test
  void anonymizeAndDeleteRemovesRecordingsAtTheProviderAndReportsTheOneItCouldNot() {
    String orgC = id("orgC");
    String p = phone();
    String q = phone();
    String ok = sid("CA");
    String flaky = sid("CA");
    String failing = sid("CA");
    String message = sid("SM");
    String other = sid("SM");
    org(gw, orgC, new JsonObject());
    add(redis, ArchiveEvents.call(orgC, ok, "T9", p, proxy, q, t));
    add(redis, ArchiveEvents.recording(orgC, ok, "RE" + ok, t + 1_000));
    add(redis, ArchiveEvents.call(orgC, flaky, "T9", q, proxy, p, t + 2_000));
    add(redis, ArchiveEvents.recording(orgC, flaky, "RY" + flaky, t + 3_000));
    add(redis, ArchiveEvents.call(orgC, failing, "T9", p, proxy, q, t + 4_000));
    add(redis, ArchiveEvents.recording(orgC, failing, "RF" + failing, t + 5_000));
    add(redis, ArchiveEvents.sms(orgC, message, "T9", p, proxy, q, "my door code is 1234", t + 6_000));
    add(redis, ArchiveEvents.sms(orgC, other, "T8", q, proxy, phone(), "untouched", t + 7_000));
    eventually("org C archived", Duration.ofSeconds(30), () ->
        count(pg, "SELECT count(*) FROM communications WHERE org_id = $1", orgC) == 5
            && count(pg, "SELECT count(*) FROM communications WHERE org_id = $1 AND recording_sid IS NOT NULL", orgC) == 3);
    Map<String, Long> ids = new java.util.HashMap<>();
    rows(pg, "SELECT provider_sid, id FROM communications WHERE org_id IN ($1, $2)", orgC, orgB)
        .forEach(row -> ids.put(row.getString("provider_sid"), row.getLong("id")));
    deletes.clear();

    JsonArray chosen = new JsonArray().add(ids.get(ok)).add(ids.get(flaky)).add(String.valueOf(ids.get(failing))).add(ids.get(message))
        .add(ids.get(b1));
    HttpResponse<Buffer> answer = gw.admin(HttpMethod.POST, "/v1/archive/anonymize-and-delete")
        .sendJsonObject(new JsonObject().put("orgId", orgC).put("ids", chosen)).await();
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    JsonObject outcome = answer.bodyAsJsonObject();
    assertThat(outcome.getInteger("anonymized")).isEqualTo(4);
    assertThat(outcome.getInteger("recordingsDeleted")).isEqualTo(2);
    assertThat(outcome.getJsonArray("failed")).hasSize(1);
    assertThat(outcome.getJsonArray("failed").getJsonObject(0).getString("recordingSid")).isEqualTo("RF" + failing);
    assertThat(outcome.getJsonArray("failed").getJsonObject(0).getLong("id")).isEqualTo(ids.get(failing));
    assertThat(outcome.getJsonArray("notFound")).hasSize(1);
    assertThat(outcome.getJsonArray("notFound").getLong(0)).as("org B's record is not org C's to anonymize").isEqualTo(ids.get(b1));

    String auth = "Basic " + Base64.getEncoder().encodeToString(("ACtest:" + TestGateway.TWILIO_TOKEN).getBytes(StandardCharsets.UTF_8));
    String base = "DELETE /2010-04-01/Accounts/ACtest/Recordings/";
    assertThat(deletes).filteredOn(d -> d.contains(ok)).containsExactly(base + "RE" + ok + ".json " + auth);
    assertThat(deletes).filteredOn(d -> d.contains(flaky)).containsExactly(base + "RY" + flaky + ".json " + auth, base + "RY" + flaky + ".json " + auth);
    assertThat(deletes).filteredOn(d -> d.contains(failing)).hasSize(4).allMatch(d -> d.equals(base + "RF" + failing + ".json " + auth));

    // A search for the anonymized person finds nothing left of them; other records are as they were.
    assertThat(sids(search("orgId=" + orgC + "&phone=" + encode(p)))).isEmpty();
    assertThat(sids(search("orgId=" + orgC + "&phone=" + encode(q)))).containsExactly(other);
    assertThat(sids(search("orgId=" + orgB + "&phone=" + encode(x)))).containsExactly(b1);
    JsonArray task = search("orgId=" + orgC + "&taskId=T9").getJsonArray("items");
    assertThat(task).hasSize(4);
    for (Object item : task) {
      JsonObject record = (JsonObject) item;
      assertThat(record.getBoolean("anonymized")).isTrue();
      assertThat(record.getString("from")).isEqualTo("Anonymized");
      assertThat(record.getString("to")).isEqualTo("Anonymized");
      assertThat(record.getString("body")).isNull();
      assertThat(record.getJsonObject("variables").getMap()).containsOnly(Map.entry("order", "Anonymized"), Map.entry("customer", "Anonymized"));
      if (record.getString("sid").equals(failing)) {
        assertThat(record.getString("recordingSid")).as("kept so that asking again retries it").isEqualTo("RF" + failing);
      } else {
        assertThat(record.getString("recordingUrl")).isNull();
      }
    }
    JsonObject raw = (JsonObject) rows(pg, "SELECT payload FROM raw_events WHERE provider_sid = $1 AND kind = 'interaction'", message).get(0).getValue("payload");
    assertThat(raw.getString("From")).isEqualTo("Anonymized");
    assertThat(raw.getString("Body")).isEqualTo("Anonymized");
    assertThat(raw.getString("FromCity")).isEqualTo("Anonymized");
    assertThat(raw.getString("MessageSid")).isEqualTo(message);
    assertThat(raw.encode()).doesNotContain(p.substring(1), q.substring(1));
  }

  private static JsonObject search(String query) {
    HttpResponse<Buffer> response = get("/v1/archive?" + query);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static HttpResponse<Buffer> get(String path) {
    return gw.admin(HttpMethod.GET, path).send().await();
  }

  private static List<String> sids(JsonObject page) {
    return page.getJsonArray("items").stream().map(item -> ((JsonObject) item).getString("sid")).toList();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
