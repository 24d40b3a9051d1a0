package io.maskline.archive;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The archive event's field codec, and the fields the Lua scripts write in its name. */
class ArchiveEventTest {
  // XADD key MAXLEN ~ n * field value ...  : what follows the '*'.
  private static final Pattern XADD_FIELDS = Pattern.compile("redis\\.call\\('XADD'.*?'\\*',(.*?)\\)\\s*\\n", Pattern.DOTALL);

  @Test
  void everyKindReadsBackWhatItWrites() {
    List<ArchiveEvent> events = List.of(
        new ArchiveEvent.Interaction("SM1", "org", "task", "sms", "+4791234567", "+4741000000", "+4792222222", "hi", 1_000,
            "received", "counterpart", "{\"a\":\"b\"}", "MessageSid=SM1"),
        new ArchiveEvent.Status("CA1", "org", "voice", "completed", 2_000, "42", "RE1", "https://x/RE1", "CallSid=CA1"),
        new ArchiveEvent.Email("EM1", "org", "task", "gw@example.com", "ops@example.com", "text", 3_000, "sent", "SM1"),
        new ArchiveEvent.Notification("NT1", "org", "task", "+4741000000", "+4792222222", "on its way", 3_500, "queued"),
        new ArchiveEvent.Session("close", "task", "org", "+4741000000", "+4791234567", "+4792222222", 4_000, null, "expired"));
    for (ArchiveEvent event : events) {
      assertThat(ArchiveEvent.decode(event.fields())).isEqualTo(event);
    }
    assertThat(events.get(0).fields()).as("one proxy field, no decision").doesNotContainKeys("to", "decision")
        .containsEntry("proxy", "+4741000000").containsEntry("forwardedTo", "+4792222222");
  }

  @Test
  void aStatusWhoseOrgTheScriptFillsInLeavesTheFieldOut() {
    ArchiveEvent.Status status = new ArchiveEvent.Status("SM1", null, "sms", "delivered", 1_000, null, null, null, "");
    assertThat(status.fields()).doesNotContainKey("orgId");
    assertThat(status.withOrg("").fields()).containsEntry("orgId", "");
  }

  @Test
  void whatCannotBeReadIsRefusedNamingWhy() {
    assertThatThrownBy(() -> ArchiveEvent.decode(Map.of("kind", "interaction", "at", "1", "channel", "sms")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("missing sid");
    assertThatThrownBy(() -> ArchiveEvent.decode(Map.of("kind", "telegram", "at", "1")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("unknown kind telegram");
    assertThatThrownBy(() -> ArchiveEvent.decode(Map.of("kind", "interaction", "at", "1", "sid", "SM1", "channel", "fax")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("unknown channel fax");
  }

  @Test
  void theSessionScriptsWriteExactlyTheFieldsASessionEventHas() throws IOException {
    for (String script : List.of("open_session", "close_session")) {
      List<String> names = xaddFieldNames(script);
      Map<String, String> written = new LinkedHashMap<>();
      names.forEach(name -> written.put(name, name.equals("at") ? "1000" : name.equals("kind") ? "session" : "x"));
      ArchiveEvent decoded = ArchiveEvent.decode(written);
      assertThat(decoded).as(script).isInstanceOf(ArchiveEvent.Session.class);
      assertThat(decoded.fields().keySet()).as("%s writes %s", script, names).containsExactlyInAnyOrderElementsOf(names);
    }
  }

  @Test
  void theStatusScriptAddsOnlyTheOrgInFrontOfTheFieldsItIsGiven() throws IOException {
    String source = Files.readString(Path.of("src/main/resources/redis/record_status.lua"));
    assertThat(source).contains("local fields = {'orgId', orgId}");
    assertThat(ArchiveEvent.decode(Map.of("kind", "status", "sid", "SM1", "at", "1", "orgId", "org")).orgId()).isEqualTo("org");
  }

  /** The field names of the script's one XADD: every other literal after the '*'. */
  private static List<String> xaddFieldNames(String script) throws IOException {
    String source = Files.readString(Path.of("src/main/resources/redis/" + script + ".lua"));
    Matcher xadd = XADD_FIELDS.matcher(source);
    assertThat(xadd.find()).as(script + " appends to the archive stream").isTrue();
    String[] args = xadd.group(1).split(",");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < args.length; i += 2) {
      String name = args[i].strip();
      assertThat(name).as("a field name in %s", script).matches("'[A-Za-z]+'");
      names.add(name.substring(1, name.length() - 1));
    }
    assertThat(xadd.find()).as(script + " appends once").isFalse();
    return names;
  }
}
