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
