package io.maskline.archive;

import io.maskline.archive.ArchiveBatch.StatusUpdate;
import io.maskline.storage.StreamEntry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The pure mapping from stream entries to rows: no servers needed. */
class ArchiveBatchTest {
  @Test
  void identitiesAreStoredAsE164AndLowerCaseEmails() {
    assertThat(ArchiveBatch.identity("+4791234567")).isEqualTo("+4791234567");
    assertThat(ArchiveBatch.identity("004791234567")).isEqualTo("+4791234567");
    assertThat(ArchiveBatch.identity("+47 912 34 567")).isEqualTo("+4791234567");
    assertThat(ArchiveBatch.identity(" Ops@Example.COM ")).isEqualTo("ops@example.com");
    assertThat(ArchiveBatch.identity("anonymous")).isEqualTo("anonymous");
    assertThat(ArchiveBatch.identity("")).isNull();
  }

  @Test
  void unreadableEntriesAreKeptAsInvalidRawEventsAndTheRestIsArchived() {
    Map<String, String> noSid = new HashMap<>(ArchiveEvents.sms("org", "SM1", null, "+4791234567", "+4741000000", null, "hi", 1_000));
    noSid.remove("sid");
    Map<String, String> badKind = Map.of("kind", "telegram", "at", "1000");
    Map<String, String> nul = ArchiveEvents.sms("org", "SM2", null, "+4791234567", "+4741000000", null, "a\u0000b", 2_000);
    ArchiveBatch batch = ArchiveBatch.of(List.of(new StreamEntry("1-0", noSid), new StreamEntry("2-0", badKind), new StreamEntry("3-0", nul)));
    assertThat(batch.invalid()).isEqualTo(2);
    assertThat(batch.communications()).singleElement().satisfies(row -> {
      assertThat(row.sid()).isEqualTo("SM2");
      assertThat(row.body()).isEqualTo("ab");
    });
    assertThat(batch.rawEvents()).extracting(ArchiveBatch.RawEvent::kind).containsExactly("invalid", "invalid", "interaction");
    assertThat(new JsonObject(batch.rawEvents().get(0).payload()).getString("error")).isEqualTo("missing sid");
  }

  @Test
  void statusUpdatesFoldTheSameWhateverTheirOrder() {
    StatusUpdate ringing = new StatusUpdate("CA1", "org", "ringing", 1_000L, null, null, null, null);
    StatusUpdate completed = new StatusUpdate("CA1", "org", "completed", 5_000L, 42, 5_000L, null, null);
    StatusUpdate recording = new StatusUpdate("CA1", "", null, null, null, null, "RE1", "https://x/RE1");
    StatusUpdate forward = ringing.merge(completed).merge(recording);
    StatusUpdate backward = recording.merge(completed).merge(ringing);
    assertThat(forward).isEqualTo(backward);
    assertThat(forward.status()).isEqualTo("completed");
    assertThat(forward.durationSeconds()).isEqualTo(42);
    assertThat(forward.recordingSid()).isEqualTo("RE1");
    assertThat(forward.orgId()).as("an update without org matches the sid in any org").isEmpty();
  }

  @Test
  void aRecordingCallbackDoesNotTouchTheCallStatus() {
    Map<String, String> recording = ArchiveEvents.recording("org", "CA1", "RE1", 9_000);
    ArchiveBatch batch = ArchiveBatch.of(List.of(new StreamEntry("1-0", recording)));
    assertThat(batch.statuses()).singleElement().satisfies(update -> {
      assertThat(update.status()).isNull();
      assertThat(update.recordingSid()).isEqualTo("RE1");
    });
  }

  @Test
  void theFormBodyAsReceivedBecomesThePayloadDecodedAndAnEventWithoutFormKeepsEveryField() {
    Map<String, String> sms = new HashMap<>(ArchiveEvents.sms("org", "SM1", null, "+4791234567", "+4741000000", null, "hi", 1_000));
    sms.put("form", "MessageSid=SM1&From=%2B4791234567&To=+4741000000&Body=a+%26+b%3B+c;d&MediaUrl0=x&MediaUrl0=y&Nul=a%00b");
    Map<String, String> noForm = new HashMap<>(ArchiveEvents.sms("org", "SM2", null, "+4791234567", "+4741000000", null, "hi", 2_000));
    noForm.remove("form");
    ArchiveBatch batch = ArchiveBatch.of(List.of(new StreamEntry("1-0", sms), new StreamEntry("2-0", noForm)));

    JsonObject payload = new JsonObject(batch.rawEvents().get(0).payload());
    assertThat(payload.fieldNames()).containsExactly("MessageSid", "From", "To", "Body", "MediaUrl0", "Nul");
    assertThat(payload.getString("From")).isEqualTo("+4791234567");
    assertThat(payload.getString("To")).as("'+' in a form is a space").isEqualTo(" 4741000000");
    assertThat(payload.getString("Body")).isEqualTo("a & b; c;d");
    assertThat(payload.getJsonArray("MediaUrl0")).containsExactly("x", "y");
    assertThat(payload.getString("Nul")).as("Postgres refuses NUL").isEqualTo("ab");
    assertThat(new JsonObject(batch.rawEvents().get(1).payload()).getMap()).containsEntry("sid", "SM2").containsEntry("body", "hi")
        .containsEntry("from", "+4791234567");
  }
}
