package maskline.loadtest.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import maskline.loadtest.Binding;
import maskline.loadtest.Fixture;
import maskline.loadtest.LoadConfig;
import maskline.loadtest.WebhookMix;
import maskline.loadtest.WebhookRequest;

/**
 * Pre-generates signed SMS webhooks for wrk (whose Lua has no HMAC): one request per line,
 * {@code path TAB X-Twilio-Signature TAB form-body}. The wrk script (bench/webhook-signed.lua) cycles through
 * the lines; a run that sends more requests than the file holds wraps around and resends them, i.e. every
 * request after the wrap is a duplicate (provider retry) — the bench script reports how many.
 *
 * <p>System properties: everything {@link Fixture} and {@link WebhookMix} read, plus
 * <ul>
 *   <li>{@code setup} (true): open the sessions on the gateway at {@code adminUrl}/{@code baseUrl} first;
 *       false: deterministic fixture (for the baseline server, which seeds the same bindings)</li>
 *   <li>{@code out} (required): request file; {@code requests} (200000) lines</li>
 *   <li>{@code warmupOut}, {@code warmupRequests} (50000): optional second file, same mix, fresh Sids</li>
 *   <li>{@code moreOut}: optional comma-separated further files, {@code requests} lines each, same mix, fresh Sids
 *       (the two-process scaling run)</li>
 *   <li>{@code tasksOut}: optional file with the opened task ids, for {@link CloseSessions}</li>
 * </ul>
 * Only SMS ({@code /webhooks/twilio/sms}) is generated: the benchmark compares that endpoint.
 */
public final class PrepareWebhookBench {

  private PrepareWebhookBench() {}

  public static void main(String[] args) throws IOException {
    String out = LoadConfig.str("out", null);
    if (out == null) {
      System.err.println("usage: java -Dout=FILE [-Drequests=N] [-Dsetup=true|false] [-DbaseUrl=..] ... "
          + PrepareWebhookBench.class.getName());
      System.exit(2);
    }
    Fixture fixture = Fixture.fromProperties();
    boolean setup = LoadConfig.bool("setup", true);
    if (setup) {
      fixture.openOnGateway();
    } else {
      fixture.deterministic();
    }
    String tasksOut = LoadConfig.str("tasksOut", null);
    if (setup && tasksOut != null) {
      try (BufferedWriter w = Files.newBufferedWriter(Path.of(tasksOut), StandardCharsets.UTF_8)) {
        for (Binding b : fixture.active()) {
          w.write(b.taskId());
          w.newLine();
        }
      }
    }
    WebhookMix mix = WebhookMix.fromProperties(fixture, 0.0);
    String warmupOut = LoadConfig.str("warmupOut", null);
    if (warmupOut != null) {
      write(mix, Path.of(warmupOut), LoadConfig.integer("warmupRequests", 50_000));
    }
    int requests = LoadConfig.integer("requests", 200_000);
    write(mix, Path.of(out), requests);
    for (String more : LoadConfig.str("moreOut", "").split(",")) {
      if (!more.isBlank()) {
        write(mix, Path.of(more.strip()), requests);
      }
    }
  }

  private static void write(WebhookMix mix, Path file, int n) throws IOException {
    Map<String, Integer> kinds = new TreeMap<>();
    long bytes = 0;
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < n; i++) {
        WebhookRequest r = mix.next();
        kinds.merge(r.name(), 1, Integer::sum);
        w.write(r.path());
        w.write('\t');
        w.write(r.signature());
        w.write('\t');
        w.write(r.form());
        w.newLine();
        bytes += r.form().length();
      }
    }
    System.out.printf("[bench] %s: %d signed requests, mean body %d bytes, mix %s%n",
        file, n, n == 0 ? 0 : bytes / n, kinds);
  }
}
