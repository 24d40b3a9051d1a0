package io.maskline.anonymizer;

import io.maskline.anonymizer.Recordings.Deletion;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One request's work in the archive, inside its transaction: find the org's records that hold the person (as
 * from/to through the b-tree indexes, mentioned in bodies, email texts and variable values through the GIN index
 * of {@code identity_tokens}) and, when the request's scope includes them, their raw provider payloads; work out
 * in Java ({@link IdentityMatcher}) what each becomes; write it. With {@code deleteRecordingsAndBodies}, the matched
 * records also lose their message bodies and their recordings, deleted at the provider first (the archive's
 * {@link Recordings}); a recording the provider would not delete keeps its sid and is reported.
 *
 * <p>One statement finds everything and the writes are sent together, so a request costs few round trips. Only
 * rows whose values really change are written: a second run finds nothing left to change.
 */
final class ArchiveRedaction {
  // The records: three index lookups (the org's from/to b-trees, the org-prefixed mention keys), so no plan can fall
  // back to reading all of an org's records. The raw payloads ($5: in scope): those of the org naming the person as
  // a party; those of the records found (by sid, also org-less status callbacks that came before their
  // interaction); the session events of their tasks (variables). ARRAY(...) makes the sids and tasks index keys.
  private static final String FIND = """
      WITH c AS (
        SELECT id, archive_month, provider_sid, task_id, from_addr, to_addr, body, variables, recording_sid, anonymized, content_deleted
        FROM communications
        WHERE (org_id = $1 AND from_addr = ANY($2)) OR (org_id = $1 AND to_addr = ANY($2))
           OR communication_identities(org_id, body, variables) && $3
        FOR UPDATE),
      r AS (
        SELECT event_key, archive_month, payload FROM raw_events
        WHERE $4 AND ((raw_event_parties(payload) && $2 AND org_id = $1)
           OR (provider_sid = ANY(ARRAY(SELECT provider_sid FROM c)) AND org_id IN ($1, ''))
           OR (org_id = $1 AND task_id = ANY(ARRAY(SELECT task_id FROM c WHERE task_id IS NOT NULL)) AND kind = 'session'))
        FOR UPDATE)
      SELECT id, archive_month, provider_sid, task_id, from_addr, to_addr, body, variables, recording_sid, anonymized, content_deleted,
             NULL AS event_key, NULL::jsonb AS payload FROM c
      UNION ALL
      SELECT NULL, archive_month, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, event_key, payload FROM r""";
  private static final String UPDATE_COMMUNICATIONS = """
      UPDATE communications c SET from_addr = u.from_addr, to_addr = u.to_addr, body = u.body, variables = u.variables::jsonb,
        anonymized = u.anonymized, content_deleted = u.content_deleted,
        recording_sid = CASE WHEN u.recording_deleted THEN NULL ELSE c.recording_sid END,
        recording_url = CASE WHEN u.recording_deleted THEN NULL ELSE c.recording_url END
      FROM unnest($1::bigint[], $2::date[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::boolean[], $9::boolean[])
           AS u(id, archive_month, from_addr, to_addr, body, variables, anonymized, recording_deleted, content_deleted)
      WHERE c.id = u.id AND c.archive_month = u.archive_month""";
  private static final String UPDATE_RAW_EVENTS = """
      UPDATE raw_events r SET payload = u.payload::jsonb, anonymized = true
      FROM unnest($1::text[], $2::date[], $3::text[]) AS u(event_key, archive_month, payload)
      WHERE r.event_key = u.event_key AND r.archive_month = u.archive_month""";

  private static final Deletion DELETED = new Deletion("", true, 0, null);

  private final Recordings recordings;

  ArchiveRedaction(Recordings recordings) {
    this.recordings = recordings;
  }

  /** What one request changes in the archive. */
  record Outcome(int communications, int rawEvents, int bodiesDeleted, int recordingsDeleted, List<JsonObject> recordingsFailed) {}

  /** The rows to write, worked out from the rows found, and what writing them will change. */
  record Changes(List<Change> communications, List<RawChange> rawEvents, Outcome outcome) {}

  private record Found(long id, LocalDate month, String sid, String task, String from, String to, String body, JsonObject variables,
                       String recordingSid, boolean anonymized, boolean contentDeleted) {}

  private record Change(Found row, String from, String to, String body, JsonObject variables, boolean anonymized, boolean recordingDeleted,
                        boolean contentDeleted) {}

  private record RawChange(String eventKey, LocalDate month, Object payload) {}

  /** Finds the person's rows (locking them) and works out what each becomes; deletes recordings when asked to. */
  Future<Changes> changes(SqlConnection conn, AnonymizationRequest request, IdentityMatcher person) {
    String[] parties = person.parties().toArray(String[]::new);
    String[] mentions = person.tokens().stream().map(token -> request.orgId() + ":" + token).toArray(String[]::new);
    // Deleting bodies and recordings reaches the raw payloads of the records found whatever the scope: a body kept
    // there would undo it.
    boolean raws = request.includesRaw() || request.deleteRecordingsAndBodies();
    return conn.preparedQuery(FIND).execute(Tuple.of(request.orgId(), parties, mentions, raws)).compose(rows -> {
      List<Found> found = new ArrayList<>();
      List<RawChange> raw = new ArrayList<>();
      for (Row row : rows) {
        if (row.getString("event_key") == null) {
          found.add(found(row));
        } else {
          Object payload = row.getValue("payload");
          Object kept = request.deleteRecordingsAndBodies() ? withoutContent(payload) : payload;
          Object redacted = request.includesRaw() ? person.redactJson(kept) : kept;
          if (!redacted.equals(payload)) {
            raw.add(new RawChange(row.getString("event_key"), row.getLocalDate("archive_month"), redacted));
          }
        }
      }
      return deleteRecordings(request, found).map(deletions -> {
        List<Change> changes = found.stream().map(row -> change(row, person, request.deleteRecordingsAndBodies(), deletions))
            .filter(Objects::nonNull).toList();
        List<JsonObject> failed = found.stream().filter(row -> row.recordingSid() != null)
            .filter(row -> !deletions.getOrDefault(row.recordingSid(), DELETED).deleted())
            .map(row -> failure(row, deletions.get(row.recordingSid()))).toList();
        Outcome outcome = new Outcome(changes.size(), raw.size(),
            (int) changes.stream().filter(c -> c.row().body() != null && c.body() == null).count(),
            (int) changes.stream().filter(Change::recordingDeleted).count(), failed);
        return new Changes(changes, raw, outcome);
      });
    });
  }

  /**
   * Fields of a raw payload that hold content rather than who and when: a message's body and media, a call's
   * recording, its transcription and what the caller said or keyed in.
   */
  private static final Set<String> CONTENT = Set.of("Body", "body", "RecordingUrl", "RecordingSid", "recordingUrl", "recordingSid",
      "SpeechResult", "UnstableSpeechResult", "Digits");

  /** Whether a raw payload's field holds content ({@link #CONTENT}, {@code MediaUrl0…}, {@code Transcription…}). */
  static boolean isContent(String name) {
    return CONTENT.contains(name) || name.startsWith("MediaUrl") || name.startsWith("Transcription");
  }

  /** The payload without its content fields ({@link #isContent}). */
  static Object withoutContent(Object payload) {
    if (!(payload instanceof JsonObject object)) {
      return payload;
    }
    JsonObject kept = new JsonObject();
    for (Map.Entry<String, Object> field : object) {
      if (!isContent(field.getKey())) {
        kept.put(field.getKey(), field.getValue());
      }
    }
    return kept;
  }

  /** Writes the changes; both statements are queued at once on the connection. */
  Future<Void> write(SqlConnection conn, Changes changes) {
    return Future.all(updateCommunications(conn, changes.communications()), updateRawEvents(conn, changes.rawEvents())).mapEmpty();
  }

  /** A recording that stays at the provider: its record keeps the sid, so anonymize-and-delete by id can retry it. */
  private static JsonObject failure(Found row, Deletion deletion) {
    return new JsonObject().put("id", row.id()).put("recordingSid", deletion.recordingSid()).put("attempts", deletion.attempts())
        .put("error", deletion.error());
  }

  private static Found found(Row row) {
    Object variables = row.getValue("variables");
    return new Found(row.getLong("id"), row.getLocalDate("archive_month"), row.getString("provider_sid"), row.getString("task_id"),
        row.getString("from_addr"), row.getString("to_addr"), row.getString("body"),
        variables instanceof JsonObject json ? json : new JsonObject(), row.getString("recording_sid"), row.getBoolean("anonymized"),
        row.getBoolean("content_deleted"));
  }

  private Future<Map<String, Deletion>> deleteRecordings(AnonymizationRequest request, List<Found> found) {
    if (!request.deleteRecordingsAndBodies()) {
      return Future.succeededFuture(Map.of());
    }
    List<Future<Deletion>> deletions = found.stream().map(Found::recordingSid).filter(Objects::nonNull).distinct()
        .map(recordings::delete).toList();
    return Future.join(deletions).map(done -> deletions.stream().map(Future::result)
        .collect(Collectors.toMap(Deletion::recordingSid, Function.identity())));
  }

  /** The row as it must become, or null when nothing in it changes. */
  private static Change change(Found row, IdentityMatcher person, boolean deleteContent, Map<String, Deletion> deletions) {
    boolean party = person.isParty(row.from()) || person.isParty(row.to());
    String from = person.isParty(row.from()) ? IdentityMatcher.ANONYMIZED : row.from();
    String to = person.isParty(row.to()) ? IdentityMatcher.ANONYMIZED : row.to();
    String body = deleteContent ? null : person.redact(row.body());
    JsonObject variables = (JsonObject) person.redactJson(row.variables());
    Deletion deletion = row.recordingSid() == null ? null : deletions.get(row.recordingSid());
    boolean recordingDeleted = deletion != null && deletion.deleted();
    // "anonymized" tells search to show no party at all, and keeps a late duplicate event from refilling the row;
    // "content deleted" makes a late callback lose its content and a late recording be deleted, not attached.
    boolean anonymized = row.anonymized() || party || deleteContent;
    boolean contentDeleted = row.contentDeleted() || deleteContent;
    boolean changed = !Objects.equals(from, row.from()) || !Objects.equals(to, row.to()) || !Objects.equals(body, row.body())
        || !variables.equals(row.variables()) || anonymized != row.anonymized() || recordingDeleted || contentDeleted != row.contentDeleted();
    return changed ? new Change(row, from, to, body, variables, anonymized, recordingDeleted, contentDeleted) : null;
  }

  private static Future<Void> updateCommunications(SqlConnection conn, List<Change> changes) {
    if (changes.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(UPDATE_COMMUNICATIONS).execute(Tuple.of(
        changes.stream().map(c -> c.row().id()).toArray(Long[]::new),
        changes.stream().map(c -> c.row().month()).toArray(LocalDate[]::new),
        changes.stream().map(Change::from).toArray(String[]::new),
        changes.stream().map(Change::to).toArray(String[]::new),
        changes.stream().map(Change::body).toArray(String[]::new),
        changes.stream().map(c -> c.variables().encode()).toArray(String[]::new),
        changes.stream().map(Change::anonymized).toArray(Boolean[]::new),
        changes.stream().map(Change::recordingDeleted).toArray(Boolean[]::new),
        changes.stream().map(Change::contentDeleted).toArray(Boolean[]::new))).mapEmpty();
  }

  private static Future<Void> updateRawEvents(SqlConnection conn, List<RawChange> changes) {
    if (changes.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(UPDATE_RAW_EVENTS).execute(Tuple.of(
        changes.stream().map(RawChange::eventKey).toArray(String[]::new),
        changes.stream().map(RawChange::month).toArray(LocalDate[]::new),
        changes.stream().map(c -> Json.encode(c.payload())).toArray(String[]::new))).mapEmpty();
  }
}
