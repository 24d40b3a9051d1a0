package io.maskline;

import io.maskline.support.JavaProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image's class-archive training, run as the image build runs it (its own JVM, {@code main}): it walks the real
 * routes with every backing store away, and exits cleanly.
 */
class ClassArchiveTrainingTest {
  private static final Pattern STATUS = Pattern.compile("(\\w+)=(\\d{3})");

  @Test
  void everyKindOfRequestGoesThroughTheRealRouterWithNoStoresAround() throws Exception {
    Path output = Files.createTempFile("class-archive-training", ".log");
    Path log = Files.createTempFile("class-archive-training", ".json");
    Process training = JavaProcess.builder(ClassArchiveTraining.class.getName(), "-Dmaskline.test.log=" + log)
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();

    int exitCode = JavaProcess.exitCode(training, Duration.ofMinutes(3));

    // What it printed, and what the gateway inside logged (the gateway's own log goes to a file in tests).
    String printed = Files.readString(output) + "\n--- gateway log ---\n" + Files.readString(log);
    assertThat(exitCode).as(printed).isZero();
    assertThat(statuses(printed)).as(printed)
        .containsEntry("live", 200)
        .containsEntry("ready", 503)                       // Redis and Postgres are closed ports
        .containsEntry("metrics", 200)
        .containsEntry("openapi", 200)
        .containsEntry("sms", 200)                         // the degraded TwiML, as with Redis down in production
        .containsEntry("voice", 200)
        .containsEntry("status", 200)
        .containsEntry("unsigned", 403)
        .containsEntry("invalidOrg", 400)                  // contract validation before any store is asked
        .containsEntry("putOrg", 503)                      // a store away is "retry later", not a server bug
        .containsEntry("openSession", 503)
        .containsEntry("searchArchive", 503)
        .containsEntry("unauthorized", 401)
        .containsEntry("notFound", 404);
  }

  private static Map<String, Integer> statuses(String printed) {
    Map<String, Integer> statuses = new LinkedHashMap<>();
    printed.lines().filter(line -> line.startsWith(ClassArchiveTraining.RESULT_PREFIX)).forEach(line -> {
      Matcher status = STATUS.matcher(line);
      while (status.find()) {
        statuses.put(status.group(1), Integer.parseInt(status.group(2)));
      }
    });
    return statuses;
  }
}
