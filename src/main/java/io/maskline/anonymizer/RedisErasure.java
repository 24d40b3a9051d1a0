package io.maskline.anonymizer;

import io.maskline.provider.FormEncoding;
import io.maskline.provider.twilio.TwimlWriter;
import io.maskline.storage.Keys;
import io.maskline.storage.PartyKeys;
import io.maskline.storage.RedisScript;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything else Maskline keeps in Redis, as an {@link ErasureStore}: closed session records (parties, their tokens and
 * variables), stored webhook answers (the 24 h duplicate-answer store), guard keys named after the person (by their
 * {@link PartyKeys token}), and the streams (mail outbox and dead letters, archive backlog and dead letters).
 * Post-task history entries are {@link RedisHistoryErasure}'s.
 *
 * <p>Strings and hashes are found by one walk of the keyspace per run ({@code scan_people.lua}: a candidate filter
 * for all the run's people at once, by number, email and token), then decided exactly in Java; the streams are read
 * per request (they hold a backlog, not history). A stream entry cannot be changed in place: a matching entry is
 * deleted and appended again with the person replaced, so the mailer and the archivers handle the new entry as any
 * other.
 */
final class RedisErasure implements ErasureStore {
  static final String SESSIONS = "sessions";
  static final String ANSWERS = "answers";
  static final String GUARD_KEYS = "guardKeys";
  static final String STREAM_ENTRIES = "streamEntries";
  static final String OTHER = "other";

  private static final RedisScript SCAN = RedisScript.load("scan_people");
  private static final String SCAN_COUNT = "1000";
  private static final int PAGE = 500;
  /** The streams that hold people, and the consumer group reading each (null: none). */
  private static final Map<String, String> STREAMS = new LinkedHashMap<>();

  static {
    STREAMS.put(Keys.MAIL_STREAM, "mailer");
    STREAMS.put(Keys.MAIL_DEAD_LETTERS, null);
    STREAMS.put(Keys.ARCHIVE_STREAM, "archiver");
    STREAMS.put(Keys.ARCHIVE_DEAD_LETTERS, null);
  }

  private final Redis redis;
  private final PartyKeys partyKeys;

  RedisErasure(Redis redis, PartyKeys partyKeys) {
    this.redis = redis;
    this.partyKeys = partyKeys;
  }

  /** What names the person in key names; null for a request by email alone. */
  private String token(Erasure erasure) {
    return erasure.request().phone() == null ? null : partyKeys.token(erasure.request().phone()).hex();
  }

  @Override
  public String name() {
    return "redis";
  }

  /** A key that may hold someone: what the walk found. */
  private record Candidate(String key, String type) {}

  @Override
  public Future<Pass> begin(List<Erasure> run) {
    if (run.isEmpty()) {
      return Future.succeededFuture(this::erase);
    }
    return candidates(run).map(found -> erasure -> erase(erasure, found));
  }

  @Override
  public Future<Erased> erase(Erasure erasure) {
    return candidates(List.of(erasure)).compose(found -> erase(erasure, found));
  }

  private Future<Erased> erase(Erasure erasure, List<Candidate> candidates) {
    Map<String, Integer> records = new LinkedHashMap<>();
    records.put(SESSIONS, 0);
    records.put(ANSWERS, 0);
    records.put(GUARD_KEYS, 0);
    records.put(STREAM_ENTRIES, 0);
    String token = token(erasure);
    return read(candidates).compose(values -> {
      List<Request> writes = new ArrayList<>();
      for (int i = 0; i < candidates.size(); i++) {
        String place = scrub(erasure, token, candidates.get(i), values.get(i), writes);
        if (place != null) records.merge(place, 1, Integer::sum);
      }
      return writes.isEmpty() ? Future.succeededFuture() : redis.batch(writes);
    }).compose(v -> scrubStreams(erasure)).map(entries -> {
      records.merge(STREAM_ENTRIES, entries, Integer::sum);
      return Erased.of(records);
    });
  }

  /** Adds the writes that forget the person in one key; answers the place counted, or null when nothing changes. */
  private static String scrub(Erasure erasure, String token, Candidate candidate, Response value, List<Request> writes) {
    IdentityMatcher person = erasure.person();
    String key = candidate.key();
    String name = key.substring(Keys.PREFIX.length());
    if (value == null) {
      return null;
    }
    if (name.startsWith("session:") && candidate.type().equals("hash")) {
      Map<String, String> session = hash(value);
      // Open sessions still route: they keep their parties until closed.
      if (!erasure.orgId().equals(session.get("orgId")) || !"closed".equals(session.get("status"))) {
        return null;
      }
      Request hset = Request.cmd(Command.HSET).arg(key);
      boolean changed = false;
      for (Map.Entry<String, String> field : session.entrySet()) {
        // The party's token (driverToken, recipientToken) goes with their number: nothing is to be named after them.
        String redacted = field.getValue().equals(token) ? ""
            : field.getKey().equals("variables") ? redactJsonText(person, field.getValue()) : person.redact(field.getValue());
        if (!redacted.equals(field.getValue())) {
          hset.arg(field.getKey()).arg(redacted);
          changed = true;
        }
      }
      if (!changed) return null;
      writes.add(hset);
      return SESSIONS;
    }
    if (name.startsWith("sid:") && candidate.type().equals("string")) {
      String stored = value.toString();
      int space = stored.indexOf(' ');
      if (space < 0 || !erasure.orgId().equals(stored.substring(0, space)) || person.count(stored.substring(space + 1)) == 0) {
        return null;
      }
      // The sid stays claimed (a retry of the webhook is still a duplicate) but its answer no longer names anyone.
      writes.add(Request.cmd(Command.SET).arg(key).arg(stored.substring(0, space + 1) + TwimlWriter.EMPTY_RESPONSE).arg("KEEPTTL").arg("XX"));
      return ANSWERS;
    }
    if ((name.startsWith("rate:") || name.startsWith("loop:")) && named(name, token)) {
      // Guard state of any org: a limit that starts again is all that is lost.
      writes.add(Request.cmd(Command.DEL).arg(key));
      return GUARD_KEYS;
    }
    return null;
  }

  /** The org's entries naming the person, in every stream, appended again without the person. */
  private Future<Integer> scrubStreams(Erasure erasure) {
    Future<Integer> all = Future.succeededFuture(0);
    for (Map.Entry<String, String> stream : STREAMS.entrySet()) {
      all = all.compose(count -> entries(stream.getKey()).compose(entries -> {
        List<Request> writes = new ArrayList<>();
        int changed = 0;
        for (Map.Entry<String, Map<String, String>> entry : entries.entrySet()) {
          Map<String, String> fields = entry.getValue();
          if (!erasure.orgId().equals(fields.get("orgId")) || count(erasure.person(), fields) == 0) {
            continue;
          }
          Request add = Request.cmd(Command.XADD).arg(stream.getKey()).arg("*");
          fields.forEach((field, value) -> add.arg(field).arg(redactField(erasure.person(), field, value)));
          writes.add(Request.cmd(Command.MULTI));
          writes.add(Request.cmd(Command.XDEL).arg(stream.getKey()).arg(entry.getKey()));
          if (stream.getValue() != null) {
            writes.add(Request.cmd(Command.XACK).arg(stream.getKey()).arg(stream.getValue()).arg(entry.getKey()));
          }
          writes.add(add);
          writes.add(Request.cmd(Command.EXEC));
          changed++;
        }
        int total = count + changed;
        return writes.isEmpty() ? Future.succeededFuture(total) : redis.batch(writes).map(total);
      }));
    }
    return all;
  }

  @Override
  public Future<Map<String, Long>> residue(Erasure erasure) {
    IdentityMatcher person = erasure.person();
    String token = token(erasure);
    return candidates(List.of(erasure)).compose(candidates -> read(candidates).map(values -> {
      Map<String, Long> residue = new LinkedHashMap<>();
      residue.put(SESSIONS, 0L);
      residue.put(ANSWERS, 0L);
      residue.put(GUARD_KEYS, 0L);
      residue.put(OTHER, 0L);
      for (int i = 0; i < candidates.size(); i++) {
        String key = candidates.get(i).key();
        String name = key.substring(Keys.PREFIX.length());
        Response value = values.get(i);
        if (value != null && !ofOrg(erasure.orgId(), candidates.get(i), name, value)) {
          continue;
        }
        // A key named after the person counts once, as does each value naming them (their number, email or token).
        long found = (named(name, token) ? 1 : 0) + person.count(name) + (value == null ? 0 : candidates.get(i).type().equals("hash")
            ? hash(value).values().stream().mapToLong(v -> person.count(v) + (v.equals(token) ? 1 : 0)).sum() : person.count(value.toString()));
        String place = name.startsWith("session:") ? SESSIONS : name.startsWith("sid:") ? ANSWERS
            : name.startsWith("rate:") || name.startsWith("loop:") ? GUARD_KEYS : OTHER;
        residue.merge(place, found, Long::sum);
      }
      return residue;
    })).compose(residue -> {
      Future<Long> streams = Future.succeededFuture(0L);
      for (String stream : STREAMS.keySet()) {
        streams = streams.compose(sum -> entries(stream).map(entries -> sum + entries.values().stream()
            .filter(fields -> erasure.orgId().equals(fields.get("orgId"))).mapToLong(fields -> count(person, fields)).sum()));
      }
      return streams.map(found -> {
        residue.put(STREAM_ENTRIES, found);
        return residue;
      });
    });
  }

  /**
   * Whether a key is the request's org's (or no org's, as the guard keys): another org's sessions and answers about
   * the same number are that org's to forget.
   */
  private static boolean ofOrg(String orgId, Candidate candidate, String name, Response value) {
    if (candidate.type().equals("hash")) {
      String owner = hash(value).get("orgId");
      return owner == null || owner.equals(orgId);
    }
    if (name.startsWith("sid:")) {
      String stored = value.toString();
      int space = stored.indexOf(' ');
      return space < 0 || stored.substring(0, space).equals(orgId);
    }
    return true;
  }

  /** Whether a key's name (without the prefix) has the person's token as one of its segments. */
  private static boolean named(String name, String token) {
    return token != null && (name.endsWith(":" + token) || name.contains(":" + token + ":"));
  }

  /** Every key (string or hash) that may name one of these people; history entries are another store's. */
  private Future<List<Candidate>> candidates(List<Erasure> people) {
    Set<String> tokens = new LinkedHashSet<>();
    Set<String> needles = new LinkedHashSet<>();
    people.forEach(erasure -> {
      String token = token(erasure);
      if (token != null) tokens.add(token);
      needles.addAll(erasure.person().tokens());
    });
    List<String> args = new ArrayList<>();
    args.add("0");
    args.add(SCAN_COUNT);
    args.add(Keys.PREFIX + "*");
    args.add(Integer.toString(tokens.size()));
    args.addAll(tokens);
    args.addAll(needles);
    Promise<List<Candidate>> done = Promise.promise();
    scan(args, new ArrayList<>(), done);
    return done.future();
  }

  // Iterates with a promise rather than nested futures: a large keyspace takes thousands of steps.
  private void scan(List<String> args, List<Candidate> found, Promise<List<Candidate>> done) {
    SCAN.run(redis, List.of(Keys.EXPIRY), args)
        .onFailure(done::fail)
        .onSuccess(step -> {
          for (int i = 1; i + 1 < step.size(); i += 2) {
            String key = step.get(i).toString();
            if (!key.startsWith(Keys.PREFIX + "hist:")) {
              found.add(new Candidate(key, step.get(i + 1).toString()));
            }
          }
          String cursor = step.get(0).toString();
          if (cursor.equals("0")) {
            done.complete(found);
          } else {
            args.set(0, cursor);
            scan(args, found, done);
          }
        });
  }

  private Future<List<Response>> read(List<Candidate> candidates) {
    if (candidates.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return redis.batch(candidates.stream()
        .map(c -> c.type().equals("hash") ? Request.cmd(Command.HGETALL).arg(c.key()) : Request.cmd(Command.GET).arg(c.key()))
        .toList());
  }

  /** Every entry of a stream, by id, read in pages. */
  private Future<Map<String, Map<String, String>>> entries(String stream) {
    Map<String, Map<String, String>> entries = new LinkedHashMap<>();
    Promise<Map<String, Map<String, String>>> done = Promise.promise();
    page(stream, "-", entries, done);
    return done.future();
  }

  private void page(String stream, String from, Map<String, Map<String, String>> entries, Promise<Map<String, Map<String, String>>> done) {
    redis.send(Request.cmd(Command.XRANGE).arg(stream).arg(from).arg("+").arg("COUNT").arg(PAGE))
        .onFailure(done::fail)
        .onSuccess(page -> {
          String last = null;
          if (page != null) {
            for (Response entry : page) {
              last = entry.get(0).toString();
              entries.put(last, flat(entry.get(1)));
            }
          }
          if (page == null || page.size() < PAGE) {
            done.complete(entries);
          } else {
            page(stream, "(" + last, entries, done);
          }
        });
  }

  private static long count(IdentityMatcher person, Map<String, String> fields) {
    long found = 0;
    for (Map.Entry<String, String> field : fields.entrySet()) {
      if (field.getKey().equals("form")) {
        for (List<String> values : decoded(field.getValue()).values()) {
          found += values.stream().mapToLong(person::count).sum();
        }
      } else {
        found += person.count(field.getValue());
      }
    }
    return found;
  }

  /** A stream entry's value without the person; the provider's form body stays a form body. */
  private static String redactField(IdentityMatcher person, String field, String value) {
    if (!field.equals("form")) {
      return field.equals("variables") ? redactJsonText(person, value) : person.redact(value);
    }
    Map<String, List<String>> form = new LinkedHashMap<>();
    decoded(value).forEach((name, values) -> form.put(name, values.stream().map(person::redact).toList()));
    return FormEncoding.encode(form);
  }

  private static Map<String, List<String>> decoded(String form) {
    try {
      return FormEncoding.decode(form);
    } catch (IllegalArgumentException e) {
      return Map.of("", List.of(form));
    }
  }

  private static String redactJsonText(IdentityMatcher person, String json) {
    try {
      return ((JsonObject) person.redactJson(new JsonObject(json))).encode();
    } catch (RuntimeException notAnObject) {
      return person.redact(json);
    }
  }

  /** An HGETALL answer (the client gives it keys, whatever the protocol). */
  private static Map<String, String> hash(Response hash) {
    Map<String, String> fields = new LinkedHashMap<>();
    if (hash != null) {
      hash.getKeys().forEach(name -> fields.put(name, hash.get(name).toString()));
    }
    return fields;
  }

  /** A stream entry's fields: names and values in one flat list. */
  private static Map<String, String> flat(Response flat) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (int i = 0; flat != null && i + 1 < flat.size(); i += 2) {
      fields.put(flat.get(i).toString(), flat.get(i + 1).toString());
    }
    return fields;
  }
}
