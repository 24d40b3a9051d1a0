package io.maskline.anonymizer;

import io.maskline.binding.Keys;
import io.maskline.support.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** What the anonymizer tests do over and over: ask to forget someone, run, wait, look at the archive. */
final class Forgetting {
  static final Duration WAIT = Duration.ofSeconds(30);

  private Forgetting() {}

  static JsonObject request(TestGateway gw, JsonObject body) {
    HttpResponse<Buffer> created = gw.admin(HttpMethod.POST, "/v1/anonymization-requests").sendJsonObject(body).await();
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject();
  }

  static JsonObject requestFor(TestGateway gw, String orgId, String phone, String email, String... scope) {
    JsonObject body = new JsonObject().put("orgId", orgId).put("phone", phone).put("email", email);
    if (scope.length > 0) {
      body.put("scope", new JsonArray(List.of((Object[]) scope)));
    }
    return request(gw, body);
  }

  static JsonObject requestById(TestGateway gw, String orgId, String id) {
    return listRequests(gw, orgId).stream().filter(r -> r.getString("id").equals(id)).findFirst().orElseThrow();
  }

  static List<JsonObject> listRequests(TestGateway gw, String orgId) {
    HttpResponse<Buffer> listed = gw.admin(HttpMethod.GET, "/v1/anonymization-requests?orgId=" + orgId).send().await();
    assertThat(listed.statusCode()).as(listed.bodyAsString()).isEqualTo(200);
    return listed.bodyAsJsonObject().getJsonArray("items").stream().map(JsonObject.class::cast).toList();
  }

  /** Starts a run through the API and waits for it to end; returns the run as GET answers it. */
  static JsonObject runAndWait(TestGateway gw) {
    return waitForEnd(gw, startRun(gw));
  }

  static String startRun(TestGateway gw) {
    HttpResponse<Buffer> started = gw.admin(HttpMethod.POST, "/v1/anonymizer/runs").send().await();
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    return started.bodyAsJsonObject().getString("runId");
  }

  static JsonObject waitForEnd(TestGateway gw, String runId) {
    JsonObject[] run = new JsonObject[1];
    eventually("run " + runId + " ends", WAIT, () -> {
      run[0] = run(gw, runId);
      return !run[0].getString("status").equals("running");
    });
    return run[0];
  }

  static JsonObject run(TestGateway gw, String runId) {
    HttpResponse<Buffer> got = gw.admin(HttpMethod.GET, "/v1/anonymizer/runs/" + runId).send().await();
    assertThat(got.statusCode()).as(got.bodyAsString()).isEqualTo(200);
    return got.bodyAsJsonObject();
  }

  static List<JsonObject> search(TestGateway gw, String orgId, String filter, String value) {
    String query = "/v1/archive?orgId=" + orgId + (filter == null ? "" : "&" + filter + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8)) + "&limit=500";
    HttpResponse<Buffer> found = gw.admin(HttpMethod.GET, query).send().await();
    assertThat(found.statusCode()).as(found.bodyAsString()).isEqualTo(200);
    return found.bodyAsJsonObject().getJsonArray("items").stream().map(JsonObject.class::cast).toList();
  }

  static String sid(String prefix) {
    return prefix + UUID.randomUUID().toString().replace("-", "");
  }

  /** An inbound SMS as the webhook path emits it to the archive stream. */
  static Map<String, String> sms(String orgId, String taskId, String from, String proxy, String forwardedTo, String body, String variables) {
    String sid = sid("SM");
    Map<String, String> e = new LinkedHashMap<>();
    e.put("kind", "interaction");
    e.put("sid", sid);
    e.put("orgId", orgId);
    e.put("taskId", taskId);
    e.put("channel", "sms");
    e.put("direction", "inbound");
    e.put("from", from);
    e.put("to", proxy);
    e.put("proxy", proxy);
    e.put("body", body);
    e.put("at", Long.toString(System.currentTimeMillis()));
    e.put("status", "received");
    e.put("routedTo", "counterpart");
    e.put("forwardedTo", forwardedTo);
    e.put("variables", variables);
    e.put("raw", new JsonObject().put("MessageSid", sid).put("AccountSid", "ACtest").put("From", from).put("To", proxy)
        .put("Body", body).put("FromCity", "OSLO").put("NumMedia", "0").encode());
    return e;
  }

  /** An inbound call, and its recording callback. */
  static List<Map<String, String>> recordedCall(String orgId, String taskId, String from, String proxy, String forwardedTo, String recordingSid) {
    Map<String, String> call = sms(orgId, taskId, from, proxy, forwardedTo, "", "{}");
    call.put("channel", "voice");
    call.put("status", "ringing");
    call.put("raw", new JsonObject().put("CallSid", call.get("sid")).put("From", from).put("To", proxy).put("CallStatus", "ringing").encode());
    Map<String, String> recording = new LinkedHashMap<>();
    recording.put("kind", "status");
    recording.put("sid", call.get("sid"));
    recording.put("orgId", orgId);
    recording.put("channel", "voice");
    recording.put("status", "completed");
    recording.put("recordingSid", recordingSid);
    recording.put("recordingUrl", "https://api.example.test/Recordings/" + recordingSid);
    recording.put("at", Long.toString(System.currentTimeMillis() + 1));
    recording.put("raw", new JsonObject().put("CallSid", call.get("sid")).put("RecordingSid", recordingSid).encode());
    return List.of(call, recording);
  }

  /** The fallback email the mailer archives after a post-task message. */
  static Map<String, String> email(String orgId, String taskId, String to, String text) {
    Map<String, String> e = new LinkedHashMap<>();
    e.put("kind", "email");
    e.put("sid", sid("EM"));
    e.put("orgId", orgId);
    e.put("taskId", taskId);
    e.put("channel", "email");
    e.put("direction", "outbound");
    e.put("from", "noreply@maskline.local");
    e.put("to", to);
    e.put("body", text);
    e.put("at", Long.toString(System.currentTimeMillis()));
    e.put("status", "sent");
    e.put("relatedSid", "");
    return e;
  }

  static void archive(Redis redis, List<Map<String, String>> events) {
    List<Request> batch = new ArrayList<>();
    for (Map<String, String> fields : events) {
      Request xadd = Request.cmd(Command.XADD).arg(Keys.ARCHIVE_STREAM).arg("*");
      fields.forEach((name, value) -> xadd.arg(name).arg(value));
      batch.add(xadd);
    }
    redis.batch(batch).await();
  }

  /** Archives the events and waits until the archiver has written a row for each interaction among them. */
  static void archived(Redis redis, Pool pg, List<Map<String, String>> events) {
    archive(redis, events);
    String[] sids = events.stream().filter(e -> !e.get("kind").equals("status")).map(e -> e.get("sid")).toArray(String[]::new);
    eventually("archived", WAIT, () -> count(pg, "SELECT count(*) FROM communications WHERE provider_sid = ANY($1)", (Object) sids) == sids.length);
  }

  static List<Row> rows(Pool pg, String sql, Object... params) {
    List<Row> rows = new ArrayList<>();
    pg.preparedQuery(sql).execute(Tuple.wrap(params)).await().forEach(rows::add);
    return rows;
  }

  static long count(Pool pg, String sql, Object... params) {
    return rows(pg, sql, params).get(0).getLong(0);
  }

  static void eventually(String what, Duration within, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() < deadline).as("timed out waiting for: " + what).isTrue();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** The backend holding the anonymizer's advisory lock (pg_locks shows a bigint key as two oids), if it waits on a row lock. */
  static Integer runBackendWaitingOnALock(Pool pg) {
    List<Row> found = rows(pg, """
        SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 1 AND a.wait_event_type = 'Lock'""",
        Anonymizer.LOCK_KEY >>> 32, Anonymizer.LOCK_KEY & 0xffffffffL);
    return found.isEmpty() ? null : found.get(0).getInteger("pid");
  }
}
