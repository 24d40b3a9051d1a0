package io.maskline.ops;

import io.maskline.support.GatewayProcess;
import io.maskline.support.TestGateway;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The production entry point as a real process: starts, becomes ready, and on SIGTERM drains and exits cleanly. */
class ProcessLifecycleTest {
  @Test
  void theProductionProcessStartsBecomesReadyAndStopsGracefullyOnSigterm() throws Exception {
    // The production logging configuration: everything on the console.
    try (GatewayProcess process = GatewayProcess.start(Map.of("MASKLINE_HTTP_SHUTDOWN_DRAIN", "3s"),
        "-Dlogback.configurationFile=src/main/resources/logback.xml")) {
      process.sigterm();
      assertThat(process.exitCode(Duration.ofSeconds(15))).as(process.output()).isEqualTo(0); // a graceful stop that finished
      String output = process.output();
      assertThat(output).contains("Maskline ready").contains("startupMs").contains("stopping: draining HTTP").contains("\"stopped\"");
      assertThat(output).doesNotContain(TestGateway.ADMIN_TOKEN).doesNotContain(TestGateway.TWILIO_TOKEN);
      if (System.getProperty("os.name").equals("Linux")) {
        assertThat(output).contains("\"transport\":\"epoll\""); // the native transport ships for Linux x86-64 and arm64
      }
    }
  }
}
