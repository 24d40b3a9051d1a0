package io.maskline.ops;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import static net.logstash.logback.argument.StructuredArguments.kv;
import static org.assertj.core.api.Assertions.assertThat;

class LogMaskingTest {
  private static final Logger LOG = LoggerFactory.getLogger("io.maskline.masking-probe");
  private static final Pattern UNMASKED = Pattern.compile("\\+?\\d{8,}");

  @Test
  void noLogLineCarriesAnUnmaskedPhoneNumber() throws Exception {
    String marker = "probe-" + java.util.UUID.randomUUID().toString().replaceAll("[^a-f]", "");
    LOG.info("{} forwarded sms from +4791234567 to 004790000001", marker);
    LOG.info("{} structured", marker, kv("caller", "+14155550123"), kv("note", "call 415-555-0199 or (415) 555 0100"));
    LOG.warn(marker + " failure", new IllegalStateException("no binding for +4798765432"));

    Path file = Path.of("target/test-logs/maskline.json");
    String lines = String.join("\n", Files.readAllLines(file).stream().filter(l -> l.contains(marker)).toList());
    assertThat(lines).contains("+47******67", "+14*******23");
    assertThat(lines).contains("no binding for +47******32");
    assertThat(UNMASKED.matcher(lines.replaceAll("\"@timestamp\":\"[^\"]+\"", "")).find())
        .as("unmasked number in: %s", lines).isFalse();
  }

  /**
   * Numbers and emails inside URL-encoded paths are masked in the access log; request ids, UUIDs and Redis stream
   * ids, which only look like numbers, are not.
   */
  @Test
  void encodedNumbersAndEmailsInPathsAreMaskedIdsAreNot() throws Exception {
    String marker = "probe" + java.util.UUID.randomUUID().toString().replaceAll("[^a-f]", "");
    // The access log line names the request by its id: the marker goes there (a path's query is not logged).
    String requestId = marker + "-20261204151230123";
    String runId = java.util.UUID.fromString("12345678-1234-1234-1234-123456789012").toString();
    try (io.maskline.support.TestGateway gw = io.maskline.support.TestGateway.start()) {
      for (String path : java.util.List.of("/v1/sessions/%2B4791111111", "/v1/sessions/0412%20345%20678",
          "/v1/sessions/jane.doe%40example.com", "/v1/sessions/jane.doe@example.com", "/v1/anonymizer/runs/" + runId)) {
        gw.admin(io.vertx.core.http.HttpMethod.GET, path).putHeader("X-Request-Id", requestId).send().await();
      }
    }
    LOG.info("{} archive entry dead-lettered {} {}", marker, kv("entry", "1733312345678-0"), kv("note", "entries 1733312345678-0 and 1733312345679-12 of run " + runId));
    LOG.info("{} {}", marker, kv("frame", "at java.base@17.0.15/java.lang.Thread.run(Thread.java:840)"));

    Path file = Path.of("target/test-logs/maskline.json");
    String lines = String.join("\n", Files.readAllLines(file).stream().filter(l -> l.contains(marker)).toList());
    assertThat(lines).doesNotContain("4791111111", "0412%20345%20678", "jane.doe%40example.com", "jane.doe@example.com")
        .contains("/v1/sessions/%2B********11", "/v1/sessions/04**%*****%***78", "/v1/sessions/j*******@*******.com")
        .contains(requestId, runId, "1733312345678-0", "1733312345679-12", "java.base@17.0.15");
  }

  /** Everything the suite logged so far (the gateways of earlier tests handled real numbers) is masked too. */
  @Test
  void theWholeTestLogHasNoUnmaskedPhoneNumber() throws Exception {
    Pattern e164 = Pattern.compile("\\+\\d{8,15}\\b");
    for (String line : Files.readAllLines(Path.of("target/test-logs/maskline.json"))) {
      String withoutTimes = line.replaceAll("\"@timestamp\":\"[^\"]+\"", "");
      assertThat(e164.matcher(withoutTimes).find()).as("unmasked number in: %s", line).isFalse();
    }
  }
}
