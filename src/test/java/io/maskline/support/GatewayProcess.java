package io.maskline.support;

import io.maskline.dev.DevServices;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.fail;

/**
 * The production entry point ({@code io.maskline.Main}) as an OS process of its own, with a test gateway's settings
 * ({@link TestGateway#settings}) as its environment: for what only a real process shows (signals, exit codes, the
 * shutdown hook). Its console and its log file are kept for the test to read; close kills it if it still runs.
 */
public final class GatewayProcess implements GatewayEndpoint, AutoCloseable {
  private final Process process;
  private final int port;
  private final Path console;
  private final Path logFile;
  private final Vertx client = Vertx.vertx();
  private final WebClient http;

  private GatewayProcess(Process process, int port, Path console, Path logFile) {
    this.process = process;
    this.port = port;
    this.console = console;
    this.logFile = logFile;
    // A request the process never answers fails instead of holding the test (an answer takes milliseconds).
    this.http = WebClient.create(client, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setConnectTimeout(2_000).setIdleTimeout(10));
  }

  /** Starts the process and returns once it answers {@code /health/ready} with 200 (fails with its output if it never does). */
  public static GatewayProcess start(Map<String, String> overrides, String... jvmOptions) {
    int port = DevServices.freePort();
    try {
      Files.createDirectories(Path.of("target/test-logs"));
      Path console = Files.createTempFile(Path.of("target/test-logs"), "Main-", ".out");
      Path logFile = Path.of(console.toString().replace(".out", ".json"));
      String[] options = new String[jvmOptions.length + 1];
      System.arraycopy(jvmOptions, 0, options, 0, jvmOptions.length);
      options[jvmOptions.length] = "-Dmaskline.test.log=" + logFile;
      ProcessBuilder builder = JavaProcess.builder("io.maskline.Main", options)
          .redirectErrorStream(true)
          .redirectOutput(console.toFile());
      builder.environment().putAll(TestGateway.settings(port));
      builder.environment().putAll(overrides);
      GatewayProcess started = new GatewayProcess(builder.start(), port, console, logFile);
      started.awaitReady(Duration.ofSeconds(60));
      return started;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitReady(Duration within) {
    try {
      Eventually.eventually("the gateway process ready", within, () -> {
        if (!process.isAlive()) {
          fail("the gateway process exited with " + process.exitValue());
        }
        try {
          return http.get("/health/ready").send().await().statusCode() == 200;
        } catch (Exception notListeningYet) { // refused, until it listens
          return false;
        }
      });
    } catch (AssertionError e) {
      close();
      throw new AssertionError(e.getMessage() + "\n" + output(), e);
    }
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public WebClient http() {
    return http;
  }

  public Process process() {
    return process;
  }

  /** SIGTERM, as an orchestrator stops a pod ({@code Process.destroy()} sends SIGTERM on Linux and macOS). */
  public void sigterm() {
    process.destroy();
  }

  /** The exit code once the process ends within {@code within}; a hang fails with its thread dump. */
  public int exitCode(Duration within) throws InterruptedException {
    return JavaProcess.exitCode(process, within);
  }

  /** What it wrote on its console and to its log file so far. */
  public String output() {
    try {
      return Files.readString(console) + (Files.exists(logFile) ? Files.readString(logFile) : "");
    } catch (IOException e) {
      return "(output unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
    client.close().await();
  }
}
