package io.maskline.archive;

import io.maskline.phone.PhoneNumbers;
import io.maskline.provider.FormEncoding;
import io.maskline.storage.StreamEntry;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a batch of archive stream entries becomes in Postgres: communication rows (interactions and emails),
 * status updates to merge into them, and one raw event per entry. Pure: no I/O, so the mapping is tested on its own.
 * Duplicates inside the batch are folded here (one row per sid, one update per sid), because one multi-row
 * {@code INSERT ... ON CONFLICT} may not touch the same row twice.
 */
public record ArchiveBatch(List<Communication> communications, List<StatusUpdate> statuses, List<RawEvent> rawEvents, int invalid) {

  /** An interaction or an email: one row of {@code communications}. Identities already normalized. */
  public record Communication(String orgId, String sid, String taskId, String channel, String direction, String from, String to,
                              String proxy, String body, long at, String status, String routedTo, String relatedSid, String variables) {}

  /**
   * A delivery/call/recording status for a sid. {@code orgId} "" matches the sid in any org (the provider never reuses
   * a sid). Order-independent merge: the latest status wins by its time, durations and end times only grow.
   */
  public record StatusUpdate(String sid, String orgId, String status, Long statusAt, Integer durationSeconds, Long endedAt,
                             String recordingSid, String recordingUrl) {
    public StatusUpdate merge(StatusUpdate other) {
      boolean otherNewer = other.status != null && (status == null || other.statusAt >= statusAt);
      return new StatusUpdate(sid, orgId.isEmpty() || other.orgId.isEmpty() ? "" : orgId,
          otherNewer ? other.status : status, otherNewer ? other.statusAt : statusAt,
          max(durationSeconds, other.durationSeconds), max(endedAt, other.endedAt),
          other.recordingSid != null ? other.recordingSid : recordingSid,
          other.recordingUrl != null ? other.recordingUrl : recordingUrl);
    }

    private static <T extends Comparable<T>> T max(T a, T b) {
      return a == null ? b : b == null ? a : a.compareTo(b) >= 0 ? a : b;
    }
  }

  /** The entry as received: provider form parameters for interactions and statuses, our own fields otherwise. */
  public record RawEvent(String key, long at, String orgId, String kind, String sid, String taskId, String payload) {}

  private static final java.util.regex.Pattern E164 = java.util.regex.Pattern.compile("\\+[1-9][0-9]{6,14}");

  public static ArchiveBatch of(List<StreamEntry> entries) {
    Map<String, Communication> communications = new LinkedHashMap<>();
    Map<String, StatusUpdate> statuses = new LinkedHashMap<>();
    Map<String, RawEvent> raw = new LinkedHashMap<>();
    int invalid = 0;
    for (StreamEntry entry : entries) {
      RawEvent event;
      try {
        event = map(entry, communications, statuses);
      } catch (RuntimeException badEntry) {
        // Unreadable entries are not dropped: they are kept as raw events for a person to look at.
        invalid++;
        event = new RawEvent("invalid:" + entry.id(), entryTime(entry), text(entry.field("orgId")), "invalid", null, null,
            new JsonObject(new LinkedHashMap<>(entry.fields())).put("error", String.valueOf(badEntry.getMessage())).encode());
      }
      raw.putIfAbsent(event.key(), event);
    }
    // A stable order (by sid) makes concurrent writers lock rows in the same order, which avoids deadlocks.
    return new ArchiveBatch(sorted(communications.values(), Comparator.comparing(Communication::sid)),
        sorted(statuses.values(), Comparator.comparing(StatusUpdate::sid)), List.copyOf(raw.values()), invalid);
  }

  /** Folds updates per sid, as they are applied: one statement may update a row only once. */
  public static List<StatusUpdate> foldBySid(List<StatusUpdate> updates) {
    Map<String, StatusUpdate> bySid = new LinkedHashMap<>();
    updates.forEach(update -> bySid.merge(update.sid(), update, StatusUpdate::merge));
    return sorted(bySid.values(), Comparator.comparing(StatusUpdate::sid));
  }

  public boolean isEmpty() {
    return rawEvents.isEmpty();
  }

  private static RawEvent map(StreamEntry entry, Map<String, Communication> communications, Map<String, StatusUpdate> statuses) {
    ArchiveEvent event = ArchiveEvent.decode(entry.fields());
    if (event instanceof ArchiveEvent.Interaction e) {
      // Where it went, or else the proxy number it reached.
      String to = text(e.forwardedTo()).isEmpty() ? e.proxy() : e.forwardedTo();
      Communication row = new Communication(e.orgId(), e.sid(), blankToNull(e.taskId()), e.channel(), "inbound",
          identity(e.from()), identity(to), identity(e.proxy()), blankToNull(clean(e.body())), e.at(), blankToNull(e.status()),
          blankToNull(e.routedTo()), null, variables(e.variables()));
      return communication(row, "interaction", payload(entry), communications);
    }
    if (event instanceof ArchiveEvent.Email e) {
      Communication row = new Communication(e.orgId(), e.sid(), blankToNull(e.taskId()), "email", "outbound", identity(e.from()),
          identity(e.to()), null, blankToNull(clean(e.body())), e.at(), blankToNull(e.status()), "email",
          blankToNull(e.relatedSid()), variables(null));
      return communication(row, "email", fieldsJson(entry), communications);
    }
    if (event instanceof ArchiveEvent.Notification e) {
      // Sent from the org's number (or the platform sender), which is also the proxy the recipient sees.
      Communication row = new Communication(e.orgId(), e.sid(), blankToNull(e.taskId()), "sms", "outbound", identity(e.from()),
          identity(e.to()), identity(e.from()), blankToNull(clean(e.body())), e.at(), blankToNull(e.status()), "notification",
          null, variables(null));
      return communication(row, "notification", fieldsJson(entry), communications);
    }
    if (event instanceof ArchiveEvent.Status e) {
      String recordingSid = blankToNull(e.recordingSid());
      Integer duration = blankToNull(e.durationSeconds()) == null ? null : Integer.valueOf(e.durationSeconds().trim());
      // A recording callback reports the recording, not the call: it must not overwrite the call's status.
      StatusUpdate update = recordingSid != null
          ? new StatusUpdate(e.sid(), e.orgId(), null, null, null, null, recordingSid, blankToNull(e.recordingUrl()))
          : new StatusUpdate(e.sid(), e.orgId(), blankToNull(e.status()), e.at(), duration, duration == null ? null : e.at(), null, null);
      statuses.merge(e.sid(), update, StatusUpdate::merge);
      return new RawEvent("status:" + e.orgId() + ":" + e.sid() + ":" + text(e.status()) + ":" + text(recordingSid) + ":" + e.at(),
          e.at(), e.orgId(), "status", e.sid(), null, payload(entry));
    }
    ArchiveEvent.Session e = (ArchiveEvent.Session) event;
    return new RawEvent("session:" + e.taskId() + ":" + e.action() + ":" + e.at(), e.at(), e.orgId(), "session", null, e.taskId(),
      fieldsJson(entry));
  }

  /** One row per (org, sid), the earliest delivery winning; its raw event keyed the same way. */
  private static RawEvent communication(Communication row, String kind, String payload, Map<String, Communication> communications) {
    communications.merge(row.orgId() + "\u0000" + row.sid(), row, (first, again) -> again.at() < first.at() ? again : first);
    return new RawEvent(kind + ":" + row.orgId() + ":" + row.sid(), row.at(), row.orgId(), kind, row.sid(), row.taskId(), payload);
  }

  /** Phone numbers to E.164, email addresses lower-cased; anything else (e.g. "anonymous") as given. */
  static String identity(String value) {
    String text = blankToNull(clean(value));
    if (text == null) {
      return null;
    }
    text = text.strip();
    if (text.indexOf('@') > 0) {
      return text.toLowerCase(Locale.ROOT);
    }
    if (E164.matcher(text).matches()) {
      return text;  // what the provider sends; libphonenumber only for other spellings
    }
    if (text.startsWith("+") || text.startsWith("00")) {
      return PhoneNumbers.normalize(text, "US").orElse(text);
    }
    return text;
  }

  private static String variables(String json) {
    if (json == null || json.isBlank()) {
      return "{}";
    }
    try {
      return new JsonObject(clean(json)).encode();
    } catch (DecodeException | ClassCastException e) {
      return new JsonObject().put("_unparsed", clean(json)).encode();
    }
  }

  /**
   * The provider's payload as one JSON object: from the form body as received ({@code form}; a repeated name becomes
   * an array of its values), or else (no form, or one that cannot be decoded) every field of the entry.
   */
  private static String payload(StreamEntry entry) {
    String form = entry.field("form");
    if (form != null && !form.isBlank()) {
      try {
        return formJson(form);
      } catch (IllegalArgumentException e) {
        // fall through: keep every field so nothing received is lost
      }
    }
    return fieldsJson(entry);
  }

  static String formJson(String form) {
    JsonObject json = new JsonObject();
    FormEncoding.decode(form).forEach((name, values) -> {
      // Cleaned after decoding: a NUL arrives as %00.
      List<Object> cleaned = new ArrayList<>(values.size());
      values.forEach(value -> cleaned.add(clean(value)));
      json.put(clean(name), cleaned.size() == 1 ? cleaned.get(0) : new JsonArray(cleaned));
    });
    return json.encode();
  }

  private static String fieldsJson(StreamEntry entry) {
    JsonObject json = new JsonObject();
    entry.fields().forEach((name, value) -> json.put(name, clean(value)));
    return json.encode();
  }

  private static long entryTime(StreamEntry entry) {
    try {
      return Long.parseLong(entry.field("at"));
    } catch (RuntimeException e) {
      return Long.parseLong(entry.id().substring(0, entry.id().indexOf('-')));
    }
  }

  /** Postgres text and jsonb refuse NUL characters; a provider payload must not be able to stall the archive. */
  private static String clean(String value) {
    return value == null || value.indexOf('\u0000') < 0 ? value : value.replace("\u0000", "");
  }

  private static String text(String value) {
    return value == null ? "" : value;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static <T> List<T> sorted(Collection<T> values, Comparator<T> order) {
    List<T> list = new ArrayList<>(values);
    list.sort(order);
    return List.copyOf(list);
  }
}
