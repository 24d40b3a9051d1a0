package io.maskline.anonymizer;

import io.maskline.archive.ArchiveEvents;
import io.maskline.phone.Masking;
import io.maskline.storage.Keys;
import io.maskline.support.SharedGateway;
import io.maskline.support.TestGateway;
import io.maskline.support.TestServers;
import io.maskline.support.Webhooks;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static io.maskline.anonymizer.Forgetting.WAIT;
import static io.maskline.anonymizer.Forgetting.archived;
import static io.maskline.anonymizer.Forgetting.requestById;
import static io.maskline.anonymizer.Forgetting.requestFor;
import static io.maskline.anonymizer.Forgetting.runAndWait;
import static io.maskline.anonymizer.Forgetting.runBackendWaitingOnALock;
import static io.maskline.anonymizer.Forgetting.search;
import static io.maskline.anonymizer.Forgetting.startRun;
import static io.maskline.anonymizer.Forgetting.waitForEnd;
import static io.maskline.archive.ArchiveEvents.sid;
import static io.maskline.support.Eventually.eventually;
import static io.maskline.support.ProblemAssert.assertProblem;
import static io.maskline.support.Sql.count;
import static io.maskline.support.Sql.rows;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.number;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The right to be forgotten, end to end on a real gateway (webhooks, archiver, Redis, Postgres): the seed's
 * semantics, each a test, plus the request option to delete recordings and bodies and the per-request report.
 */
class AnonymizerTest {
  static Vertx vertx;
  static HttpServer provider;
  static final List<String> recordingDeletes = new CopyOnWriteArrayList<>();
  @SharedGateway(settings = "providerStub") static TestGateway gw;
  static Webhooks webhooks;
  static Redis redis;
  static Pool pg;

  /** The provider's REST API: recordings whose sid starts with "REfail" cannot be deleted. */
  static Map<String, String> providerStub() {
    vertx = Vertx.vertx();
    provider = vertx.createHttpServer().requestHandler(request -> {
      String path = request.path();
      String sid = path.substring(path.lastIndexOf('/') + 1).replace(".json", "");
      recordingDeletes.add(request.method() + " " + sid);
      request.response().setStatusCode(sid.startsWith("REfail") ? 500 : 204).end();
    }).listen(0, "127.0.0.1").await();
    return Map.of("MASKLINE_TWILIO_API_URL", "http://127.0.0.1:" + provider.actualPort());
  }

  @BeforeAll
  static void start() {
    webhooks = new Webhooks(gw);
    TestServers servers = TestServers.get();
    redis = Redis.createClient(vertx, servers.redisUrl);
    pg = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(servers.pgUrl)).using(vertx).build();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void requestsAreCheckedNormalizedAndListedPerOrg() {
    String orgId = id("org");
    String other = id("org");
    org(gw, orgId, new JsonObject());
    org(gw, other, new JsonObject());
    String x = phone();

    JsonObject national = requestFor(gw, orgId, spaced(x), null);
    assertThat(national.getString("phone")).isEqualTo(x);
    assertThat(national.getString("status")).isEqualTo("WAITING");
    assertThat(national.getJsonArray("scope")).containsExactly("archive");
    assertThat(national.getString("createdAt")).isNotNull();
    assertThat(national.getString("doneAt")).isNull();
    JsonObject international = requestFor(gw, orgId, "00" + x.substring(1), "Jane.Doe@Example.COM", "archive", "raw");
    assertThat(international.getString("phone")).isEqualTo(x);
    assertThat(international.getString("email")).isEqualTo("jane.doe@example.com");
    assertThat(international.getJsonArray("scope")).containsExactly("archive", "raw");
    requestFor(gw, other, x, null);

    assertThat(Forgetting.listRequests(gw, orgId)).extracting(r -> r.getString("id"))
        .containsExactly(international.getString("id"), national.getString("id"));

    assertProblem(post(new JsonObject().put("orgId", orgId).put("phone", "12")), 400, "INVALID_PHONE");
    assertProblem(post(new JsonObject().put("orgId", orgId)), 400, "VALIDATION_FAILED");
    assertProblem(post(new JsonObject().put("orgId", orgId).put("email", "not-an-address")), 400, "VALIDATION_FAILED");
    assertProblem(post(new JsonObject().put("orgId", orgId).put("phone", x).put("scope", List.of("raw"))), 400, "VALIDATION_FAILED");
    assertProblem(post(new JsonObject().put("orgId", orgId).put("phone", x).put("scope", List.of("archive", "everything"))), 400, "VALIDATION_FAILED");
    assertProblem(post(new JsonObject().put("orgId", id("nobody")).put("phone", x)), 404, "NOT_FOUND");
    assertProblem(gw.admin(HttpMethod.GET, "/v1/anonymization-requests").send().await(), 400, "VALIDATION_FAILED");
    assertProblem(gw.admin(HttpMethod.GET, "/v1/anonymizer/runs/" + UUID.randomUUID()).send().await(), 404, "NOT_FOUND");
    assertProblem(gw.admin(HttpMethod.GET, "/v1/anonymizer/runs/not-a-run").send().await(), 404, "NOT_FOUND");
    assertProblem(gw.admin(HttpMethod.GET, "/v1/anonymization-requests/" + UUID.randomUUID() + "/residue").send().await(), 404, "NOT_FOUND");
    assertProblem(gw.admin(HttpMethod.GET, "/v1/anonymization-requests/not-a-request/residue").send().await(), 404, "NOT_FOUND");
    assertThat(gw.http.post("/v1/anonymizer/runs").send().await().statusCode()).isEqualTo(401);
  }

  /**
   * The seed: a search for the number/email finds nothing; the records show no caller; org B keeps its own;
   * a call after the run is not anonymized; a second run changes nothing.
   */
  @Test
  void personIsForgottenInEveryRecordOfTheirOrgAndNowhereElse() {
    String orgA = id("org");
    String orgB = id("org");
    org(gw, orgA, new JsonObject());
    org(gw, orgB, new JsonObject());
    String pA = number(gw, orgA);
    String pB = number(gw, orgB);
    String x = phone();
    String xEmail = id("x") + "@example.com";
    String driverA = phone();

    // A task where X is the recipient, with X's number also in the task's variables.
    String taskA1 = id("task");
    openSession(orgA, taskA1, driverA, spaced(x), new JsonObject().put("customerPhone", "0047 " + spaced(x)).put("order", "A-1"));
    sent(webhooks.sms(x, pA, "ring me on " + spaced(x) + " or mail " + xEmail.toUpperCase()));
    sent(webhooks.sms(driverA, pA, "on my way"));
    sent(webhooks.call(x, pA));
    // Another task on the same number, where X is only mentioned.
    String taskA2 = id("task");
    String driverA2 = phone();
    String recipientA2 = phone();
    String pA2 = openSession(orgA, taskA2, driverA2, recipientA2, new JsonObject());
    sent(webhooks.sms(driverA2, pA2, "the customer before you was " + x));
    // The fallback email that reported a message of X.
    Map<String, String> mail = ArchiveEvents.email(orgA, sid("EM"), taskA1, orgA + "@example.com", "Message from " + x + " after the task ended", "",
        System.currentTimeMillis());
    // Org B knows X too.
    String taskB1 = id("task");
    openSession(orgB, taskB1, phone(), x, new JsonObject());
    sent(webhooks.sms(x, pB, "hello B"));
    close(taskA1);
    close(taskB1);
    archived(redis, pg, List.of(mail));
    eventually("org A's five records and org B's one", WAIT, () ->
        count(pg, "SELECT count(*) FROM communications WHERE org_id = $1", orgA) == 5
            && count(pg, "SELECT count(*) FROM communications WHERE org_id = $1", orgB) == 1
            && count(pg, "SELECT count(*) FROM raw_events WHERE org_id = $1 AND kind = 'session' AND task_id = $2", orgA, taskA1) == 2);
    assertThat(exists(Keys.history(pA, gw.token(x)))).isTrue();
    assertThat(search(gw, orgA, "phone", x)).hasSize(3);

    JsonObject request = requestFor(gw, orgA, spaced(x), xEmail.toUpperCase(), "archive", "raw");
    assertThat(requestById(gw, orgA, request.getString("id")).getString("status")).isEqualTo("WAITING");
    JsonObject waiting = Forgetting.residue(gw, request.getString("id"));
    assertThat(waiting.getString("counted")).isEqualTo("now");
    assertThat(waiting.getJsonObject("stores").getJsonObject("archive").getLong("communications")).isGreaterThanOrEqualTo(8L);
    assertThat(waiting.getJsonObject("stores").getJsonObject("archive").getLong("rawEvents")).isPositive();
    assertThat(waiting.getJsonObject("stores").getJsonObject("redisHistory").getLong("historyEntries")).isEqualTo(1L);
    JsonObject run = runAndWait(gw);
    assertThat(run.getString("status")).as(run.encodePrettily()).isEqualTo("done");

    // Searches for the number (any written form) or the email find nothing.
    assertThat(search(gw, orgA, "phone", x)).isEmpty();
    assertThat(search(gw, orgA, "phone", spaced(x))).isEmpty();
    assertThat(search(gw, orgA, "email", xEmail)).isEmpty();
    // Other searches show X's records without X.
    List<JsonObject> taskRecords = search(gw, orgA, "taskId", taskA1);
    assertThat(taskRecords).hasSize(4).filteredOn(r -> !r.getString("channel").equals("email")).hasSize(3).allSatisfy(record -> {
      assertThat(record.getString("from")).isEqualTo("Anonymized");
      assertThat(record.getString("to")).isEqualTo("Anonymized");
      assertThat(record.getBoolean("anonymized")).isTrue();
    });
    // The email to the org only mentioned X: its own addresses (platform, org) stay.
    assertThat(taskRecords).filteredOn(r -> r.getString("channel").equals("email")).singleElement()
        .satisfies(r -> assertThat(r.getString("to")).isEqualTo(orgA + "@example.com"));
    assertThat(taskRecords).extracting(r -> r.getString("body")).contains("ring me on Anonymized or mail Anonymized", "on my way",
        "Message from Anonymized after the task ended");
    assertThat(taskRecords.stream().filter(r -> !r.getString("channel").equals("email")))
        .allSatisfy(r -> assertThat(r.getJsonObject("variables").getMap()).containsEntry("customerPhone", "Anonymized").containsEntry("order", "A-1"));
    // A record that only mentions X keeps its own parties.
    JsonObject mention = search(gw, orgA, "taskId", taskA2).get(0);
    assertThat(mention.getString("body")).isEqualTo("the customer before you was Anonymized");
    assertThat(mention.getString("from")).isEqualTo(driverA2);
    assertThat(mention.getString("to")).isEqualTo(recipientA2);
    assertThat(mention.getBoolean("anonymized")).isFalse();
    JsonObject after = Forgetting.residue(gw, request.getString("id"));
    assertThat(after.getString("counted")).as(after.encodePrettily()).isEqualTo("run");
    assertThat(after.getLong("total")).as(after.encodePrettily()).isZero();
    assertThat(after.getJsonObject("stores").fieldNames()).contains("archive", "redisHistory");
    // No trace in any store of org A: records, raw payloads, post-task history.
    assertThat(traces(orgA, x, xEmail)).isEmpty();
    assertThat(exists(Keys.history(pA, gw.token(x)))).isFalse();

    // Org B's archive, raw data and history are untouched.
    assertThat(search(gw, orgB, "phone", x)).singleElement().satisfies(r -> assertThat(r.getString("from")).isEqualTo(x));
    assertThat(count(pg, "SELECT count(*) FROM raw_events WHERE org_id = $1 AND payload::text LIKE $2", orgB, "%" + x.substring(1) + "%")).isPositive();
    assertThat(exists(Keys.history(pB, gw.token(x)))).isTrue();

    // The request is done, masked, and reports what changed where.
    JsonObject done = requestById(gw, orgA, request.getString("id"));
    assertThat(done.getString("status")).isEqualTo("DONE");
    assertThat(done.getString("doneAt")).isNotNull();
    assertThat(done.getString("runId")).isEqualTo(run.getString("runId"));
    assertThat(done.getString("phone")).isEqualTo(Masking.phone(x)).startsWith("+47").contains("******");
    assertThat(done.getString("email")).isEqualTo(Masking.email(xEmail)).doesNotContain(xEmail.substring(1, xEmail.indexOf('@')));
    JsonObject report = done.getJsonObject("report");
    assertThat(report.getInteger("communications")).isEqualTo(5);
    assertThat(report.getInteger("rawEvents")).isGreaterThanOrEqualTo(6); // 4 interactions + session open and close
    assertThat(report.getInteger("historyEntries")).isEqualTo(1);
    // The closed session is changed by one of the two Redis stores, whichever comes first.
    assertThat(report.getInteger("closedSessions") + report.getInteger("sessions")).isGreaterThanOrEqualTo(1);
    assertThat(session(taskA1).getJsonObject("recipient").getString("phone")).isEqualTo("Anonymized");
    assertThat(session(taskA1).getJsonObject("driver").getString("phone")).isEqualTo(driverA);
    assertThat(session(taskB1).getJsonObject("recipient").getString("phone")).isEqualTo(x);
    assertThat(run.getInteger("requestsDone")).isGreaterThanOrEqualTo(1);
    assertThat(run.getLong("recordsAnonymized")).isGreaterThanOrEqualTo(13L);
    assertThat(run.getString("startedAt")).isNotNull();
    assertThat(run.getString("finishedAt")).isNotNull();
    assertThat(run.getJsonObject("timings").fieldNames()).contains("requestsMs", "cleanupMs", "retentionMs", "totalMs");
    String metrics = gw.http.get("/metrics").send().await().bodyAsString();
    assertThat(metrics).contains("maskline_anonymizer_runs_total{status=\"done\"}", "maskline_anonymizer_records_total{store=\"communications\"}",
        "maskline_anonymizer_run_duration_seconds_count");

    // X calls again after the run: that call is X's, in full.
    String taskA3 = id("task");
    openSession(orgA, taskA3, driverA, x, new JsonObject());
    String newCall = Webhooks.callSid();
    sent(webhooks.call(newCall, x, pA));
    eventually("the new call is archived", WAIT, () -> !search(gw, orgA, "phone", x).isEmpty());
    assertThat(search(gw, orgA, "phone", x)).singleElement().satisfies(r -> {
      assertThat(r.getString("channel")).isEqualTo("voice");
      assertThat(r.getString("taskId")).isEqualTo(taskA3);
      assertThat(r.getString("from")).isEqualTo(x);
      assertThat(r.getString("to")).isEqualTo(driverA);
      assertThat(r.getBoolean("anonymized")).isFalse();
    });
    // Its callbacks are the new call's, not late arrivals: kept as sent, its recording attached and left alone.
    String newRecording = sid("RE");
    sent(webhooks.post("/webhooks/twilio/status", new java.util.LinkedHashMap<>(Map.of("CallSid", newCall, "AccountSid", "ACtest",
        "CallStatus", "completed", "CallDuration", "31", "From", x, "To", pA))));
    sent(webhooks.post("/webhooks/twilio/status", new java.util.LinkedHashMap<>(Map.of("CallSid", newCall, "AccountSid", "ACtest",
        "RecordingSid", newRecording, "RecordingStatus", "completed", "TranscriptionText", "it is me, " + spaced(x)))));
    eventually("the new call's callbacks are archived and applied", WAIT, () ->
        count(pg, "SELECT count(*) FROM communications WHERE provider_sid = $1 AND status = 'completed' AND recording_sid = $2", newCall, newRecording) == 1
            && count(pg, "SELECT count(*) FROM raw_events WHERE provider_sid = $1 AND kind = 'status'", newCall) == 2);
    assertThat(rows(pg, "SELECT string_agg(payload::text, ' ') FROM raw_events WHERE provider_sid = $1 AND kind = 'status' AND NOT anonymized", newCall)
        .get(0).getString(0)).contains("\"From\": \"" + x + "\"", "it is me, " + spaced(x));
    assertThat(recordingDeletes).doesNotContain("DELETE " + newRecording);

    // A second run changes nothing more (once the new task's open event is archived too: it may trail the call).
    eventually("the new task's open event is archived", WAIT, () ->
        count(pg, "SELECT count(*) FROM raw_events WHERE org_id = $1 AND kind = 'session' AND task_id = $2", orgA, taskA3) == 1);
    List<String> before = snapshot(orgA);
    JsonObject second = runAndWait(gw);
    assertThat(second.getString("status")).isEqualTo("done");
    assertThat(second.getInteger("requestsDone")).isZero();
    assertThat(snapshot(orgA)).isEqualTo(before);
    assertThat(requestById(gw, orgA, request.getString("id"))).isEqualTo(done);
  }

  @Test
  void crashMidRunLeavesTheRestWaitingAndTheNextRunCompletesThem() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String p = phone();
    String driver = phone();
    List<String> people = List.of(phone(), phone(), phone());
    archived(redis, pg, people.stream().map(x -> ArchiveEvents.sms(orgId, sid("SM"), id("task"), x, p, driver, "this is " + x, System.currentTimeMillis())).toList());
    List<String> requests = people.stream().map(x -> requestFor(gw, orgId, x, null).getString("id")).toList();

    // Hold the second person's record: the run does the first request, then waits on the second; then its connection dies.
    SqlConnection holder = pg.getConnection().await();
    Transaction held = holder.begin().await();
    holder.preparedQuery("SELECT 1 FROM communications WHERE org_id = $1 AND from_addr = $2 FOR UPDATE").execute(Tuple.of(orgId, people.get(1))).await();
    String runId = startRun(gw);
    eventually("the run waits on the second request", WAIT, () -> runBackendWaitingOnALock(pg) != null
        && requestById(gw, orgId, requests.get(0)).getString("status").equals("DONE"));
    pg.preparedQuery("SELECT pg_terminate_backend($1)").execute(Tuple.of(runBackendWaitingOnALock(pg))).await();
    JsonObject crashed = waitForEnd(gw, runId);
    held.rollback().await();
    holder.close().await();

    assertThat(crashed.getString("status")).isEqualTo("failed");
    assertThat(crashed.getString("error")).isNotBlank();
    assertThat(statuses(orgId, requests)).containsExactly("DONE", "WAITING", "WAITING");
    assertThat(search(gw, orgId, "phone", people.get(0))).isEmpty();
    assertThat(search(gw, orgId, "phone", people.get(1))).singleElement().satisfies(r -> assertThat(r.getString("body")).isEqualTo("this is " + people.get(1)));
    assertThat(search(gw, orgId, "phone", people.get(2))).hasSize(1);

    JsonObject next = runAndWait(gw);
    assertThat(next.getString("status")).isEqualTo("done");
    assertThat(statuses(orgId, requests)).containsExactly("DONE", "DONE", "DONE");
    assertThat(people).allSatisfy(x -> assertThat(search(gw, orgId, "phone", x)).isEmpty());
    assertThat(requestById(gw, orgId, requests.get(1)).getString("runId")).isEqualTo(next.getString("runId"));
  }

  @Test
  void optionallyRecordingsAndBodiesGoTooAndFailedDeletionsAreReported() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    String p = phone();
    String driver = phone();
    String x = phone();
    String task = id("task");
    String recording = sid("RE");
    String stubborn = sid("REfail");
    long t = System.currentTimeMillis();
    String callSid = sid("CA");
    String stubbornCallSid = sid("CA");
    List<Map<String, String>> events = List.of(
        ArchiveEvents.sms(orgId, sid("SM"), task, x, p, driver, "my door code is 1234", t),
        ArchiveEvents.call(orgId, callSid, task, x, p, driver, t + 1),
        ArchiveEvents.recording(orgId, callSid, recording, t + 2),
        ArchiveEvents.call(orgId, stubbornCallSid, task, x, p, driver, t + 3),
        ArchiveEvents.recording(orgId, stubbornCallSid, stubborn, t + 4),
        ArchiveEvents.sms(orgId, sid("SM"), task, driver, p, phone(), "unrelated to x", t + 5));
    archived(redis, pg, events);
    eventually("recordings attached", WAIT, () ->
        count(pg, "SELECT count(*) FROM communications WHERE org_id = $1 AND recording_sid IS NOT NULL", orgId) == 2);

    JsonObject request = Forgetting.request(gw, new JsonObject().put("orgId", orgId).put("phone", x).put("deleteRecordingsAndBodies", true));
    assertThat(request.getBoolean("deleteRecordingsAndBodies")).isTrue();
    JsonObject run = runAndWait(gw);
    assertThat(run.getString("status")).isEqualTo("done");

    assertThat(recordingDeletes).contains("DELETE " + recording).filteredOn(call -> call.equals("DELETE " + stubborn)).hasSizeGreaterThan(1);
    List<Row> rows = rows(pg, "SELECT id, body, recording_sid, anonymized FROM communications WHERE org_id = $1 AND task_id = $2 AND from_addr = 'Anonymized' ORDER BY id", orgId, task);
    assertThat(rows).hasSize(3).allSatisfy(row -> {
      assertThat(row.getString("body")).isNull();
      assertThat(row.getBoolean("anonymized")).isTrue();
    });
    assertThat(rows).extracting(row -> row.getString("recording_sid")).containsExactlyInAnyOrder(null, null, stubborn);
    long stubbornId = rows.stream().filter(row -> stubborn.equals(row.getString("recording_sid"))).findFirst().orElseThrow().getLong("id");
    assertThat(count(pg, "SELECT count(*) FROM communications WHERE org_id = $1 AND body = 'unrelated to x'", orgId)).isEqualTo(1);

    JsonObject report = requestById(gw, orgId, request.getString("id")).getJsonObject("report");
    assertThat(report.getInteger("communications")).isEqualTo(3);
    assertThat(report.getInteger("bodiesDeleted")).isEqualTo(1);
    assertThat(report.getInteger("recordingsDeleted")).isEqualTo(1);
    // Scope "archive" only: the raw payloads keep their parties, but lose the bodies and the recordings' url and sid.
    assertThat(report.getInteger("rawEvents")).isPositive();
    String raw = rows(pg, "SELECT string_agg(payload::text, ' ') FROM raw_events WHERE org_id = $1 AND task_id = $2", orgId, task).get(0).getString(0);
    assertThat(raw).contains(x.substring(1), "unrelated to x").doesNotContain("my door code", recording, stubborn, "RecordingUrl");
    assertThat(report.getJsonArray("recordingsFailed")).singleElement().satisfies(failed -> {
      JsonObject f = (JsonObject) failed;
      assertThat(f.getLong("id")).isEqualTo(stubbornId);
      assertThat(f.getString("recordingSid")).isEqualTo(stubborn);
      assertThat(f.getString("error")).contains("500");
    });
  }

  @Test
  void doneRequestsOlderThanTwelveMonthsAndExpiredArchivePartitionsGo() {
    String orgId = id("org");
    org(gw, orgId, new JsonObject());
    UUID old = UUID.randomUUID();
    UUID recent = UUID.randomUUID();
    Instant now = Instant.now();
    for (UUID id : List.of(old, recent)) {
      pg.preparedQuery("INSERT INTO anonymization_requests (id, org_id, phone, scope, status, created_at, done_at) "
              + "VALUES ($1, $2, '+47******67', '{archive}', 'DONE', $3, $3)")
          .execute(Tuple.of(id, orgId, now.atOffset(ZoneOffset.UTC).minusMonths(id == old ? 13 : 11))).await();
    }
    LocalDate expired = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1).minusMonths(30);
    pg.preparedQuery("SELECT archive_ensure_partitions($1, $1)").execute(Tuple.of(expired)).await();

    JsonObject run = runAndWait(gw);

    assertThat(run.getString("status")).isEqualTo("done");
    assertThat(Forgetting.listRequests(gw, orgId)).extracting(r -> r.getString("id")).containsExactly(recent.toString());
    assertThat(run.getInteger("requestsDeleted")).isGreaterThanOrEqualTo(1);
    String partition = String.format("communications_p%d_%02d", expired.getYear(), expired.getMonthValue());
    assertThat(run.getJsonArray("partitionsDropped")).contains(partition);
    assertThat(count(pg, "SELECT count(*) FROM pg_class WHERE relname = $1", partition)).isZero();
  }

  @Test
  void identityTokensInSqlFindExactlyWhatTheMatcherReplaces() {
    IdentityMatcher person = IdentityMatcher.of("+4791234567", "jane.doe@example.com", "NO");
    String[] tokens = person.tokens().toArray(String[]::new);
    List<String> texts = List.of("call +47 912 34 567.", "0047 91 23 45 67", "(+47) 912-34-567", "numbers 91234567 98765432",
        "a different number +4591234567", "SM91234567ab", "191234567", "mail JANE.DOE@example.COM", "x.jane.doe@example.com",
        "line one\n91234567", "tel:+4791234567;", "nothing");
    for (String text : texts) {
      boolean found = rows(pg, "SELECT identity_tokens($1) && $2", text, tokens).get(0).getBoolean(0) == Boolean.TRUE;
      assertThat(found).as(text).isEqualTo(!person.redact(text).equals(text));
    }
  }

  private static HttpResponse<Buffer> post(JsonObject body) {
    return gw.admin(HttpMethod.POST, "/v1/anonymization-requests").sendJsonObject(body).await();
  }

  /** "+4791234567" as a Norwegian writes it: "912 34 567". */
  private static String spaced(String e164) {
    String national = e164.substring(3);
    return national.substring(0, 3) + " " + national.substring(3, 5) + " " + national.substring(5);
  }

  private static String openSession(String orgId, String taskId, String driver, String recipient, JsonObject variables) {
    HttpResponse<Buffer> opened = gw.admin(HttpMethod.POST, "/v1/sessions").sendJsonObject(new JsonObject()
        .put("orgId", orgId).put("taskId", taskId).put("driverPhone", driver).put("recipientPhone", recipient).put("variables", variables)).await();
    assertThat(opened.statusCode()).as(opened.bodyAsString()).isEqualTo(201);
    return opened.bodyAsJsonObject().getString("proxyNumber");
  }

  private static JsonObject session(String taskId) {
    return gw.admin(HttpMethod.GET, "/v1/sessions/" + taskId).send().await().bodyAsJsonObject();
  }

  private static void close(String taskId) {
    assertThat(gw.admin(HttpMethod.DELETE, "/v1/sessions/" + taskId).send().await().statusCode()).isEqualTo(204);
  }

  private static void sent(HttpResponse<Buffer> webhook) {
    assertThat(webhook.statusCode()).as(webhook.bodyAsString()).isEqualTo(200);
  }

  private static boolean exists(String key) {
    return redis.send(Request.cmd(Command.EXISTS).arg(key)).await().toInteger() == 1;
  }

  /** Every place in org A's archive and raw data where the number (any form) or the email still shows. */
  private static List<String> traces(String orgId, String phone, String email) {
    String national = phone.substring(3);
    String pattern = "%(" + national + "|" + spaced(phone).replace(" ", ".") + "|" + email + ")%";
    List<String> found = new java.util.ArrayList<>();
    rows(pg, "SELECT id, concat_ws('|', from_addr, to_addr, body, variables::text) AS t FROM communications WHERE org_id = $1 AND lower(concat_ws('|', from_addr, to_addr, body, variables::text)) SIMILAR TO $2",
        orgId, pattern).forEach(row -> found.add("communications " + row.getLong("id") + ": " + row.getString("t")));
    rows(pg, "SELECT event_key, payload::text AS t FROM raw_events WHERE org_id = $1 AND lower(payload::text) SIMILAR TO $2", orgId, pattern)
        .forEach(row -> found.add("raw_events " + row.getString("event_key") + ": " + row.getString("t")));
    return found;
  }

  private static List<String> snapshot(String orgId) {
    List<String> rows = rows(pg, "SELECT concat_ws('|', id, from_addr, to_addr, body, variables::text, anonymized, recording_sid) FROM communications WHERE org_id = $1 ORDER BY id", orgId)
        .stream().map(row -> row.getString(0)).collect(Collectors.toList());
    rows(pg, "SELECT concat_ws('|', event_key, payload::text, anonymized) FROM raw_events WHERE org_id = $1 ORDER BY event_key", orgId)
        .forEach(row -> rows.add(row.getString(0)));
    return rows;
  }

  private static List<String> statuses(String orgId, List<String> ids) {
    return ids.stream().map(id -> requestById(gw, orgId, id).getString("status")).toList();
  }

}
