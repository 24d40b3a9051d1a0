package io.maskline.ops;

import io.maskline.dev.DevServices;
import io.maskline.support.JavaProcess;
import io.maskline.support.TestGateway;
import io.maskline.support.TestServers;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The production entry point as a real process: starts, becomes ready, and on SIGTERM drains and exits cleanly. */
class ProcessLifecycleTest {
  @Test
  void theProductionProcessStartsBecomesReadyAndStopsGracefullyOnSigterm() throws Exception {
    TestServers servers = TestServers.get();
    int port = DevServices.freePort();
    Path log = Files.createTempFile("maskline-process", ".log");
    ProcessBuilder builder = JavaProcess.builder("io.maskline.Main", "-Dlogback.configurationFile=src/main/resources/logback.xml")
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("MASKLINE_HTTP_PORT", Integer.toString(port));
    builder.environment().put("MASKLINE_REDIS_URL", servers.redisUrl);
    builder.environment().put("MASKLINE_PG_URL", servers.pgUrl);
    builder.environment().put("MASKLINE_ADMIN_TOKEN", TestGateway.ADMIN_TOKEN);
    builder.environment().put("MASKLINE_TWILIO_AUTH_TOKEN", TestGateway.TWILIO_TOKEN);
    builder.environment().put("MASKLINE_HTTP_SHUTDOWN_DRAIN", "3s");
    Process process = builder.start();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
      HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build();
      long deadline = System.currentTimeMillis() + 30_000;
      int status = 0;
      while (status != 200 && System.currentTimeMillis() < deadline && process.isAlive()) {
        try {
          status = http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException notYet) {
          Thread.sleep(100);
        }
      }
      assertThat(status).as(Files.readString(log)).isEqualTo(200);

      process.destroy(); // SIGTERM
      assertThat(JavaProcess.exitCode(process, Duration.ofSeconds(15))).isEqualTo(128 + 15); // the JVM's code for SIGTERM, after the hooks ran
      String output = Files.readString(log);
      assertThat(output).contains("Maskline ready").contains("startupMs").contains("stopping: draining HTTP").contains("\"stopped\"");
      assertThat(output).doesNotContain(TestGateway.ADMIN_TOKEN).doesNotContain(TestGateway.TWILIO_TOKEN);
      if (System.getProperty("os.name").equals("Linux")) {
        assertThat(output).contains("\"transport\":\"epoll\""); // the native transport ships for Linux x86-64 and arm64
      }
    } finally {
      process.destroyForcibly();
    }
  }
}
