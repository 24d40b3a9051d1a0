package io.maskline.anonymizer;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The archive in Postgres ({@code communications}, {@code raw_events}) as an {@link ErasureStore}: the work is
 * {@link ArchiveRedaction}'s, on the request's connection, so it commits with the request.
 */
final class ArchiveErasure implements ErasureStore {
  static final String COMMUNICATIONS = "communications";
  static final String RAW_EVENTS = "rawEvents";

  // What is left, found the way the run finds it (the same indexes): the org's records with the person as a party or
  // mentioned, the raw payloads naming the person as a party (also org-less status callbacks), and the raw payloads
  // of the records found. Counting what each holds is Java's (IdentityMatcher), so every written form counts.
  private static final String RESIDUE = """
      WITH c AS (
        SELECT provider_sid, from_addr, to_addr, body, variables FROM communications
        WHERE (org_id = $1 AND from_addr = ANY($2)) OR (org_id = $1 AND to_addr = ANY($2))
           OR communication_identities(org_id, body, variables) && $3)
      SELECT 'c' AS kind, from_addr, to_addr, body, variables AS payload FROM c
      UNION ALL
      SELECT 'r', NULL, NULL, NULL, payload FROM raw_events
      WHERE (raw_event_parties(payload) && $2 AND org_id IN ($1, ''))
         OR (provider_sid = ANY(ARRAY(SELECT provider_sid FROM c)) AND org_id IN ($1, ''))""";

  private final ArchiveRedaction redaction;

  ArchiveErasure(Recordings recordings) {
    this.redaction = new ArchiveRedaction(recordings);
  }

  @Override
  public String name() {
    return "archive";
  }

  @Override
  public Future<Erased> erase(Erasure erasure) {
    return redaction.changes(erasure.conn(), erasure.request(), erasure.person()).compose(changes ->
        redaction.write(erasure.conn(), changes).map(written -> {
          ArchiveRedaction.Outcome outcome = changes.outcome();
          Map<String, Integer> records = new LinkedHashMap<>();
          records.put(COMMUNICATIONS, outcome.communications());
          records.put(RAW_EVENTS, outcome.rawEvents());
          return new Erased(records, new JsonObject()
              .put("bodiesDeleted", outcome.bodiesDeleted())
              .put("recordingsDeleted", outcome.recordingsDeleted())
              .put("recordingsFailed", new JsonArray(new ArrayList<>(outcome.recordingsFailed()))));
        }));
  }

  @Override
  public Future<Map<String, Long>> residue(Erasure erasure) {
    IdentityMatcher person = erasure.person();
    String[] parties = person.parties().toArray(String[]::new);
    String[] mentions = person.tokens().stream().map(token -> erasure.orgId() + ":" + token).toArray(String[]::new);
    return erasure.conn().preparedQuery(RESIDUE).execute(Tuple.of(erasure.orgId(), parties, mentions)).map(rows -> {
      long communications = 0;
      long raw = 0;
      for (Row row : rows) {
        if (row.getString("kind").equals("c")) {
          communications += person.count(row.getString("from_addr")) + person.count(row.getString("to_addr"))
              + person.count(row.getString("body")) + person.countJson(row.getValue("payload"));
        } else {
          raw += person.countJson(row.getValue("payload"));
        }
      }
      Map<String, Long> residue = new LinkedHashMap<>();
      residue.put(COMMUNICATIONS, communications);
      residue.put(RAW_EVENTS, raw);
      return residue;
    });
  }
}
