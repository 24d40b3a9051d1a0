package io.maskline.archive;

import io.maskline.access.AuditLog;
import io.maskline.access.Principal;
import io.maskline.anonymizer.AnonymizeAndDelete;
import io.maskline.api.ApiException;
import io.maskline.api.HttpFeature;
import io.maskline.org.Org;
import io.maskline.org.Orgs;
import io.maskline.phone.EmailAddresses;
import io.maskline.phone.PhoneNumbers;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/** {@code GET /v1/archive} and {@code POST /v1/archive/anonymize-and-delete}. */
public final class ArchiveApi implements HttpFeature {
  private static final Set<String> CHANNELS = Set.of("sms", "voice", "email");
  private static final int DEFAULT_LIMIT = 50;
  private static final int MAX_LIMIT = 500;
  // Region for numbers written with their country code: libphonenumber ignores it for them.
  private static final String INTERNATIONAL = "ZZ";

  private final Orgs orgs;
  private final ArchiveSearch search;
  private final AnonymizeAndDelete anonymizeAndDelete;
  private final AuditLog audit;

  public ArchiveApi(Orgs orgs, ArchiveSearch search, AnonymizeAndDelete anonymizeAndDelete, AuditLog audit) {
    this.orgs = orgs;
    this.search = search;
    this.anonymizeAndDelete = anonymizeAndDelete;
    this.audit = audit;
  }

  @Override
  public void mountApi(RouterBuilder api) {
    api.getRoute("searchArchive").addHandler(this::search);
    api.getRoute("anonymizeAndDelete").addHandler(this::anonymizeAndDelete);
  }

  // Query parameters are checked here, not by the contract (see HttpVerticle: numeric-looking values).
  private void search(RoutingContext rc) {
    MultiMap params = rc.queryParams();
    String orgId = Orgs.requireIdParameter(params.get("orgId"));
    String channel = blankToNull(params.get("channel"));
    if (channel != null && !CHANNELS.contains(channel)) {
      throw ApiException.invalid("channel", "channel must be sms, voice or email");
    }
    String taskId = blankToNull(params.get("taskId"));
    if (taskId != null && taskId.length() > 128) {
      throw ApiException.invalid("taskId", "taskId is longer than 128 characters");
    }
    Instant since = time("since", params.get("since"));
    Instant until = time("until", params.get("until"));
    int limit = limit(params.get("limit"));
    String cursorText = blankToNull(params.get("cursor"));
    ArchiveSearch.Cursor cursor = cursorText == null ? null : ArchiveSearch.Cursor.decode(cursorText);
    String givenEmail = blankToNull(params.get("email"));
    String email = givenEmail == null ? null : EmailAddresses.normalize(givenEmail).orElseThrow(() -> ApiException.invalidEmail("email"));
    String phone = phoneParam(params.get("phone"));
    Future<Org> org = orgs.require(orgId);
    Function<String, ArchiveSearch.Query> query = country -> {
      List<String> identities = new ArrayList<>();
      if (phone != null) {
        identities.add(PhoneNumbers.require("phone", phone, country));
      }
      if (email != null) {
        identities.add(email.strip().toLowerCase(Locale.ROOT));
      }
      return new ArchiveSearch.Query(orgId, identities, taskId, channel, since, until, limit, cursor);
    };
    Future<ArchiveSearch.Page> page;
    if (phone == null || phone.startsWith("+") || phone.startsWith("00")) {
      // No national number to read in the org's country: the org check and the search run side by side.
      Future<ArchiveSearch.Page> found = search.search(query.apply(INTERNATIONAL));
      page = Future.all(org, found).map(both -> found.result());
    } else {
      page = org.map(o -> query.apply(orgs.countryOf(o))).compose(search::search);
    }
    boolean withPayloads = !Principal.of(rc).readOnly();
    page.onSuccess(p -> rc.json(withPayloads ? p.toJson() : withoutPayloads(p).toJson())).onFailure(rc::fail);
  }

  private void anonymizeAndDelete(RoutingContext rc) {
    JsonObject body = rc.body().asJsonObject();
    String orgId = body.getString("orgId");
    List<Long> ids = ids(body.getJsonArray("ids"));
    Principal who = Principal.of(rc);
    orgs.require(orgId).compose(o -> anonymizeAndDelete.run(orgId, ids))
        .compose(outcome -> audit.record(who, orgId, AuditLog.Action.ARCHIVE_ANONYMIZED_AND_DELETED, new JsonObject()
            .put("ids", new JsonArray(ids.stream().distinct().toList())).put("anonymized", outcome.anonymized())
            .put("recordingsDeleted", outcome.recordingsDeleted())).map(outcome))
        .onSuccess(outcome -> rc.json(outcome.toJson()))
        .onFailure(rc::fail);
  }

  /** A viewer's page: no message bodies, no recordings. */
  private static ArchiveSearch.Page withoutPayloads(ArchiveSearch.Page page) {
    List<JsonObject> items = page.items().stream().map(item -> item.copy().putNull("body").putNull("recordingSid").putNull("recordingUrl")).toList();
    return new ArchiveSearch.Page(items, page.next());
  }

  private static String phoneParam(String value) {
    String text = blankToNull(value);
    if (text == null) {
      return null;
    }
    // An unencoded "+4791234567" arrives as " 4791234567" (form decoding reads + as a space).
    return text.startsWith(" ") ? "+" + text.strip() : text.strip();
  }

  private static List<Long> ids(JsonArray array) {
    List<Long> ids = new ArrayList<>();
    for (Object value : array) {
      try {
        ids.add(value instanceof Number number ? number.longValue() : Long.parseLong(String.valueOf(value)));
      } catch (NumberFormatException e) {
        throw ApiException.invalid("ids must be record ids as returned by GET /v1/archive");
      }
    }
    return ids;
  }

  /** ISO-8601 instant or offset date-time, a date (start of that day, UTC), or epoch milliseconds. */
  private static Instant time(String name, String value) {
    String text = blankToNull(value);
    if (text == null) {
      return null;
    }
    try {
      if (text.chars().allMatch(Character::isDigit) && text.length() > 8) {
        return Instant.ofEpochMilli(Long.parseLong(text));
      }
      if (text.length() == 10) {
        return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException | NumberFormatException e) {
      throw ApiException.invalid(name, name + " must be an ISO-8601 date-time (2025-01-31T12:00:00Z), a date or epoch milliseconds");
    }
  }

  private static int limit(String value) {
    String text = blankToNull(value);
    if (text == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(text);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiException.invalid("limit", "limit must be a whole number from 1 to " + MAX_LIMIT);
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
