package io.maskline.anonymizer;

import io.maskline.support.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.maskline.archive.ArchiveEvents.addAll;
import static io.maskline.support.Eventually.eventually;
import static io.maskline.support.Sql.count;
import static io.maskline.support.Sql.rows;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the anonymizer tests do over and over: ask to forget someone, run, wait, look at the archive. Archive events
 * and database reads come from {@link io.maskline.archive.ArchiveEvents}.
 */
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

  /** {@code GET /v1/anonymization-requests/{id}/residue}. */
  static JsonObject residue(TestGateway gw, String requestId) {
    HttpResponse<Buffer> got = gw.admin(HttpMethod.GET, "/v1/anonymization-requests/" + requestId + "/residue").send().await();
    assertThat(got.statusCode()).as(got.bodyAsString()).isEqualTo(200);
    return got.bodyAsJsonObject();
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

  /** Archives the events and waits until the archiver has written a row for each interaction among them. */
  static void archived(Redis redis, Pool pg, List<Map<String, String>> events) {
    addAll(redis, events);
    String[] sids = events.stream().filter(e -> !e.get("kind").equals("status")).map(e -> e.get("sid")).toArray(String[]::new);
    eventually("archived", WAIT, () -> count(pg, "SELECT count(*) FROM communications WHERE provider_sid = ANY($1)", (Object) sids) == sids.length);
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
