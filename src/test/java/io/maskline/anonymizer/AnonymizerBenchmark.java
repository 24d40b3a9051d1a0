package io.maskline.anonymizer;

import io.maskline.archive.ArchivePartitions;
import io.maskline.config.GatewayConfig;
import io.maskline.phone.PhoneNumbers;
import io.maskline.provider.twilio.TwilioRecordings;
import io.maskline.storage.Keys;
import io.maskline.storage.PartyKeys;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import org.flywaydb.core.Flyway;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Anonymizer benchmark (not a test), driven by {@code loadtest/anonymizer/run.sh}, which generates the archive and
 * runs the hand-written SQL through psql. Works in one schema of the database given, so it never touches the
 * tables tests use. Target person {@code i} is {@code +4798} + six digits of {@code i}, in org
 * {@code bench-org-(i % 1000)}, with 20 records (see the generator in run.sh).
 * <ul>
 *   <li>{@code migrate PG_URL SCHEMA}: the schema, by the gateway's own migrations.</li>
 *   <li>{@code history REDIS_URL FIRST COUNT BACKGROUND}: post-task history entries for targets and for strangers.</li>
 *   <li>{@code anonymize PG_URL SCHEMA REDIS_URL FIRST COUNT}: WAITING requests (archive + raw) for COUNT targets, then
 *   one anonymizer run, timed.</li>
 *   <li>{@code handsql PG_URL SCHEMA FIRST COUNT FILE}: WAITING requests for other targets, and FILE: the UPDATEs a
 *   person would write for them, one transaction per request, for psql to time.</li>
 * </ul>
 */
public final class AnonymizerBenchmark {
  private static final String SEPARATORS = "[ .()/-]{0,2}";
  /** The benchmark's own key secret: the history entries it writes and the run that finds them agree on tokens. */
  private static final PartyKeys KEYS = PartyKeys.of("anonymizer-benchmark-key-secret".getBytes(java.nio.charset.StandardCharsets.UTF_8));

  private AnonymizerBenchmark() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "migrate" -> migrate(args[1], args[2]);
      case "history" -> history(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
      case "anonymize" -> anonymize(args[1], args[2], args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]));
      case "handsql" -> handSql(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]), Path.of(args[5]));
      default -> throw new IllegalArgumentException("migrate | history | anonymize | handsql");
    }
    System.exit(0);
  }

  static String target(int i) {
    return String.format("+4798%06d", i);
  }

  static String org(int i) {
    return "bench-org-" + (i % 1000);
  }

  static String proxy(int i) {
    return String.format("+4741%06d", i % 1000);
  }

  private static void migrate(String pgUrl, String schema) {
    PgConnectOptions options = PgConnectOptions.fromUri(pgUrl);
    Flyway.configure()
        .dataSource("jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase(), options.getUser(), options.getPassword())
        .schemas(schema)
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  private static void history(String redisUrl, int first, int count, int background) {
    Vertx vertx = Vertx.vertx();
    Redis redis = Redis.createClient(vertx, redisUrl);
    List<Request> batch = new ArrayList<>();
    for (int i = 0; i < count + background; i++) {
      boolean isTarget = i < count;
      String caller = isTarget ? target(first + i) : String.format("+4790%06d", i);
      String key = Keys.history(proxy(first + i), KEYS.token(caller));
      batch.add(Request.cmd(Command.HSET).arg(key).arg("orgId").arg(isTarget ? org(first + i) : org(i)).arg("taskId").arg("task-h" + i)
          .arg("role").arg("RECIPIENT").arg("closedAt").arg(System.currentTimeMillis()));
      if (batch.size() == 1_000) {
        redis.batch(batch).await();
        batch = new ArrayList<>();
      }
    }
    if (!batch.isEmpty()) {
      redis.batch(batch).await();
    }
    System.out.printf("history entries: %d targets, %d others%n", count, background);
  }

  private static Pool pool(Vertx vertx, String pgUrl, String schema) {
    PgConnectOptions options = PgConnectOptions.fromUri(pgUrl).addProperty("search_path", schema);
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(options).using(vertx).build();
  }

  /** WAITING requests for targets first..first+count-1; returns their ids in that order. */
  private static List<UUID> insertRequests(Pool pg, int first, int count) {
    List<Tuple> rows = new ArrayList<>();
    List<UUID> ids = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      UUID id = UUID.randomUUID();
      ids.add(id);
      rows.add(Tuple.of(id, org(i), target(i)));
    }
    pg.preparedQuery("INSERT INTO orgs (org_id, name, country) SELECT 'bench-org-' || i, 'Bench', 'NO' FROM generate_series(0, 999) i ON CONFLICT DO NOTHING")
        .execute().await();
    pg.preparedQuery("INSERT INTO anonymization_requests (id, org_id, phone, scope, created_at) VALUES ($1, $2, $3, '{archive,raw}', now())")
        .executeBatch(rows).await();
    return ids;
  }

  private static void anonymize(String pgUrl, String schema, String redisUrl, int first, int count) {
    Vertx vertx = Vertx.vertx();
    Pool pg = pool(vertx, pgUrl, schema);
    insertRequests(pg, first, count);
    Redis redis = Redis.createClient(vertx, redisUrl);
    TwilioRecordings recordings = new TwilioRecordings(vertx, WebClient.create(vertx), new GatewayConfig.Twilio(null, null, URI.create("http://127.0.0.1:9")));
    ArchivePartitions partitions = new ArchivePartitions(pg, 24, Clock.systemUTC());
    Anonymizer anonymizer = new Anonymizer(vertx, pg, ErasureStores.builtIn(redis, KEYS, recordings), partitions::dropExpired, "NO", Clock.systemUTC(), "bench",
        new SimpleMeterRegistry());
    long t0 = System.nanoTime();
    AnonymizerRun run = anonymizer.start("api", null).compose(Anonymizer.Start::finished).await();
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.println(run.toJson().encodePrettily());
    System.out.printf("RESULT anonymizer_seconds=%.2f requests=%d records=%d%n", seconds, run.requestsDone(), run.recordsAnonymized());
  }

  /** What a person would write: the same index conditions, regexp_replace over the texts, the request marked done. */
  private static void handSql(String pgUrl, String schema, int first, int count, Path file) throws IOException {
    Vertx vertx = Vertx.vertx();
    Pool pg = pool(vertx, pgUrl, schema);
    List<UUID> ids = insertRequests(pg, first, count);
    StringBuilder sql = new StringBuilder("\\set ON_ERROR_STOP on\n");
    for (int i = first; i < first + count; i++) {
      String x = target(i);
      IdentityMatcher person = IdentityMatcher.of(x, null, "NO");
      String regex = regex(PhoneNumbers.digitForms(x, "NO"));
      String masked = io.maskline.phone.Masking.phone(x);
      String org = org(i);
      String mentions = person.tokens().stream().map(token -> org + ":" + token).collect(Collectors.joining(",", "'{", "}'"));
      String matches = "(org_id = '" + org + "' AND from_addr = '" + x + "') OR (org_id = '" + org + "' AND to_addr = '" + x + "')"
          + " OR communication_identities(org_id, body, variables) && " + mentions;
      // Raw payloads first: their records' sids are found by the number, which the second statement replaces.
      sql.append("BEGIN;\n")
          .append("UPDATE raw_events SET payload = regexp_replace(payload::text, '").append(regex).append("', 'Anonymized', 'g')::jsonb, anonymized = true")
          .append(" WHERE (org_id = '").append(org).append("' AND raw_event_parties(payload) && '{").append(x).append("}')")
          .append(" OR (org_id IN ('").append(org).append("', '') AND provider_sid = ANY(ARRAY(SELECT provider_sid FROM communications WHERE ")
          .append(matches).append(")));\n")
          .append("UPDATE communications SET from_addr = CASE WHEN from_addr = '").append(x).append("' THEN 'Anonymized' ELSE from_addr END,")
          .append(" to_addr = CASE WHEN to_addr = '").append(x).append("' THEN 'Anonymized' ELSE to_addr END,")
          .append(" body = regexp_replace(body, '").append(regex).append("', 'Anonymized', 'g'),")
          .append(" variables = regexp_replace(variables::text, '").append(regex).append("', 'Anonymized', 'g')::jsonb,")
          .append(" anonymized = anonymized OR from_addr = '").append(x).append("' OR to_addr = '").append(x).append("'")
          .append(" WHERE ").append(matches).append(";\n")
          .append("UPDATE anonymization_requests SET status = 'DONE', done_at = now(), phone = '").append(masked)
          .append("' WHERE id = '").append(ids.get(i - first)).append("';\n")
          .append("COMMIT;\n");
    }
    Files.writeString(file, sql);
    System.out.printf("wrote %d requests' SQL to %s%n", count, file);
  }

  /** Each written form of the number, separators allowed between digits, not inside a longer digit run. */
  private static String regex(Set<String> forms) {
    return forms.stream()
        .map(form -> form.chars().mapToObj(c -> String.valueOf((char) c)).collect(Collectors.joining(SEPARATORS)))
        .collect(Collectors.joining("|", "(?<![0-9])\\+?(", ")(?![0-9])"));
  }
}
