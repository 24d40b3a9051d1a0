package io.maskline.anonymizer;

import io.maskline.anonymizer.Recordings.Deletion;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * "Anonymize and delete" for chosen records of one org, at once: each recording is deleted at the provider first
 * (retried), then in one transaction the bodies go, numbers/emails and every variable value become "Anonymized",
 * the rows are marked anonymized, and their raw payloads are scrubbed the same way. A recording the provider
 * would not delete keeps its sid on the row and is reported under {@code failed}, so asking again retries it.
 */
public final class AnonymizeAndDelete {
  private static final String SELECT = """
      SELECT id, provider_sid, from_addr, to_addr, recording_sid FROM communications WHERE org_id = $1 AND id = ANY($2)""";

  private static final String ANONYMIZE = """
      UPDATE communications SET
        body = NULL,
        from_addr = CASE WHEN from_addr IS NULL THEN NULL ELSE 'Anonymized' END,
        to_addr = CASE WHEN to_addr IS NULL THEN NULL ELSE 'Anonymized' END,
        variables = COALESCE((SELECT jsonb_object_agg(key, to_jsonb('Anonymized'::text)) FROM jsonb_object_keys(variables) AS key), '{}'),
        recording_sid = CASE WHEN recording_sid = ANY($3) THEN NULL ELSE recording_sid END,
        recording_url = CASE WHEN recording_sid = ANY($3) THEN NULL ELSE recording_url END,
        anonymized = true,
        content_deleted = true
      WHERE org_id = $1 AND id = ANY($2)""";

  // Provider parameters that name or quote a person (From, ToCity, Caller, Body, RecordingUrl, MediaUrl0, TranscriptionText, ...) and
  // any value equal to one of the records' numbers/emails.
  private static final String SCRUB_RAW = """
      UPDATE raw_events r SET
        payload = COALESCE((SELECT jsonb_object_agg(key, CASE
                     WHEN key ~* '^(body|from|to|caller|called|forwarded|recording|mediaurl|transcription|speechresult|unstablespeechresult|digits|variables|raw)' OR value #>> '{}' = ANY($3)
                     THEN to_jsonb('Anonymized'::text) ELSE value END)
                   FROM jsonb_each(r.payload)), '{}'),
        anonymized = true
      WHERE r.provider_sid = ANY($2) AND r.org_id IN ($1, '')""";

  private final Pool pg;
  private final Recordings recordings;

  public AnonymizeAndDelete(Pool pg, Recordings recordings) {
    this.pg = pg;
    this.recordings = recordings;
  }

  public record Outcome(int anonymized, int recordingsDeleted, List<JsonObject> failed, List<Long> notFound) {
    public JsonObject toJson() {
      return new JsonObject().put("anonymized", anonymized).put("recordingsDeleted", recordingsDeleted)
          .put("failed", new JsonArray(new ArrayList<>(failed))).put("notFound", new JsonArray(new ArrayList<>(notFound)));
    }
  }

  private record Target(long id, String sid, String from, String to, String recordingSid) {}

  public Future<Outcome> run(String orgId, List<Long> ids) {
    Long[] idArray = new LinkedHashSet<>(ids).toArray(Long[]::new);
    return pg.preparedQuery(SELECT).execute(Tuple.tuple(List.<Object>of(orgId, idArray))).compose(rows -> {
      List<Target> targets = new ArrayList<>();
      for (Row row : rows) {
        targets.add(new Target(row.getLong("id"), row.getString("provider_sid"), row.getString("from_addr"),
            row.getString("to_addr"), row.getString("recording_sid")));
      }
      List<Future<Deletion>> deletions = targets.stream().map(Target::recordingSid).filter(sid -> sid != null).distinct()
          .map(recordings::delete).toList();
      return Future.join(deletions).map(done -> deletions.stream().map(Future::result).toList())
          .compose(results -> anonymize(orgId, idArray, targets, results));
    });
  }

  private Future<Outcome> anonymize(String orgId, Long[] ids, List<Target> targets, List<Deletion> deletions) {
    String[] deleted = deletions.stream().filter(Deletion::deleted).map(Deletion::recordingSid).toArray(String[]::new);
    String[] sids = targets.stream().map(Target::sid).toArray(String[]::new);
    Set<String> identities = new HashSet<>();
    targets.forEach(t -> {
      if (t.from() != null) identities.add(t.from());
      if (t.to() != null) identities.add(t.to());
    });
    identities.remove(IdentityMatcher.ANONYMIZED);
    return pg.withTransaction(conn -> conn.preparedQuery(ANONYMIZE).execute(Tuple.tuple(List.<Object>of(orgId, ids, deleted)))
        .compose(updated -> conn.preparedQuery(SCRUB_RAW).execute(Tuple.tuple(List.<Object>of(orgId, sids, identities.toArray(String[]::new))))
            .map(updated.rowCount())))
        .map(count -> {
          Map<String, Deletion> bySid = deletions.stream().collect(Collectors.toMap(Deletion::recordingSid, Function.identity()));
          List<JsonObject> failed = targets.stream()
              .filter(t -> t.recordingSid() != null && !bySid.get(t.recordingSid()).deleted())
              .map(t -> new JsonObject().put("id", t.id()).put("recordingSid", t.recordingSid())
                  .put("attempts", bySid.get(t.recordingSid()).attempts()).put("error", bySid.get(t.recordingSid()).error()))
              .toList();
          Set<Long> found = targets.stream().map(Target::id).collect(Collectors.toSet());
          List<Long> notFound = Arrays.stream(ids).filter(id -> !found.contains(id)).toList();
          return new Outcome(count, deleted.length, failed, notFound);
        });
  }
}
