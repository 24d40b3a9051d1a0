package io.maskline.config;

import io.maskline.support.JavaProcess;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
  static Vertx vertx;
  static final Path YAML = Path.of("conf/application.yaml");

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void yamlGivesTheDocumentedDefaults() {
    GatewayConfig config = ConfigLoader.load(vertx, YAML, Map.of()).await();
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.http().publicUrl()).hasToString("http://localhost:8080");
    assertThat(config.smtp().host()).isEqualTo("localhost");
    assertThat(config.smtp().port()).isEqualTo(25);
    assertThat(config.mail().from()).isEqualTo("noreply@maskline.local");
    assertThat(config.twilio().apiUrl()).hasToString("https://api.twilio.com");
    assertThat(config.defaultCountry()).isEqualTo("US");
    assertThat(config.anonymizer().schedule()).isEqualTo("0 0 2 * * ?");
    assertThat(config.anonymizer().timezone()).hasToString("UTC");
    assertThat(config.guards()).isEqualTo(new GatewayConfig.Guards(30, 120, 20, Duration.ofDays(30)));
    assertThat(config.sessions().safetyTtl()).isEqualTo(Duration.ofHours(24));
    assertThat(config.redis().url()).isNull();
    assertThat(config.redis().keySecret()).as("the installation's own, kept in Postgres").isNull();
  }

  @Test
  void everyApiMdVariableOverridesTheYaml() {
    GatewayConfig config = ConfigLoader.load(vertx, YAML, Map.ofEntries(
        Map.entry("MASKLINE_HTTP_PORT", "9191"),
        Map.entry("MASKLINE_PUBLIC_URL", "https://gw.example.com"),
        Map.entry("MASKLINE_REDIS_URL", "redis://r:6379/2"),
        Map.entry("MASKLINE_REDIS_KEY_SECRET", "a-redis-key-secret-of-forty-characters!!"),
        Map.entry("MASKLINE_PG_URL", "postgresql://u@p:5432/db"),
        Map.entry("MASKLINE_SMTP_HOST", "smtp.example.com"),
        Map.entry("MASKLINE_SMTP_PORT", "2525"),
        Map.entry("MASKLINE_MAIL_FROM", "gw@example.com"),
        Map.entry("MASKLINE_TWILIO_ACCOUNT_SID", "AC123"),
        Map.entry("MASKLINE_TWILIO_AUTH_TOKEN", "secret"),
        Map.entry("MASKLINE_TWILIO_API_URL", "http://127.0.0.1:9999"),
        Map.entry("MASKLINE_ADMIN_TOKEN", "admin-secret"),
        Map.entry("MASKLINE_DEFAULT_COUNTRY", "no"),
        Map.entry("MASKLINE_ANONYMIZER_SCHEDULE", "0 30 3 * * ?"),
        Map.entry("MASKLINE_TIMEZONE", "Europe/Oslo"),
        Map.entry("MASKLINE_RATE_PER_PAIR", "5"),
        Map.entry("MASKLINE_RATE_PER_CALLER", "6"),
        Map.entry("MASKLINE_LOOP_GUARD", "7"))).await();
    assertThat(config.http().port()).isEqualTo(9191);
    assertThat(config.http().publicUrl()).hasToString("https://gw.example.com");
    assertThat(config.redis().url()).isEqualTo("redis://r:6379/2");
    assertThat(config.redis().keySecret()).isEqualTo("a-redis-key-secret-of-forty-characters!!");
    assertThat(config.redis().toString()).doesNotContain("a-redis-key-secret").doesNotContain("redis://r");
    assertThat(config.toString()).doesNotContain("a-redis-key-secret");
    assertThat(config.postgres().url()).isEqualTo("postgresql://u@p:5432/db");
    assertThat(config.smtp().host()).isEqualTo("smtp.example.com");
    assertThat(config.smtp().port()).isEqualTo(2525);
    assertThat(config.mail().from()).isEqualTo("gw@example.com");
    assertThat(config.twilio()).isEqualTo(new GatewayConfig.Twilio("AC123", "secret", java.net.URI.create("http://127.0.0.1:9999")));
    assertThat(config.adminToken()).isEqualTo("admin-secret");
    assertThat(config.defaultCountry()).isEqualTo("NO");
    assertThat(config.anonymizer().schedule()).isEqualTo("0 30 3 * * ?");
    assertThat(config.anonymizer().timezone()).hasToString("Europe/Oslo");
    assertThat(config.guards()).isEqualTo(new GatewayConfig.Guards(5, 6, 7, Duration.ofDays(30)));
  }

  @Test
  void badValuesAreRejectedNamingTheKey() {
    assertThatThrownBy(() -> ConfigLoader.load(vertx, YAML, Map.of("MASKLINE_HTTP_PORT", "eighty")).await())
        .isInstanceOf(ConfigException.class).hasMessageContaining("MASKLINE_HTTP_PORT").hasMessageContaining("eighty");
    assertThatThrownBy(() -> ConfigLoader.load(vertx, YAML, Map.of("MASKLINE_DEFAULT_COUNTRY", "XX")).await())
        .hasMessageContaining("MASKLINE_DEFAULT_COUNTRY");
    assertThatThrownBy(() -> ConfigLoader.load(vertx, YAML, Map.of("MASKLINE_ANONYMIZER_SCHEDULE", "every night")).await())
        .hasMessageContaining("MASKLINE_ANONYMIZER_SCHEDULE");
    assertThatThrownBy(() -> ConfigLoader.load(vertx, YAML, Map.of("MASKLINE_TIMEZONE", "Mars/Olympus")).await())
        .hasMessageContaining("MASKLINE_TIMEZONE");
    assertThatThrownBy(() -> ConfigLoader.load(vertx, YAML, Map.of("MASKLINE_PUBLIC_URL", "not a url")).await())
        .hasMessageContaining("MASKLINE_PUBLIC_URL");
  }

  @Test
  void productionRequiresServicesAndSecretsAndNeverEchoesThem() {
    GatewayConfig missing = ConfigLoader.load(vertx, YAML, Map.of()).await();
    assertThatThrownBy(missing::requireProductionSettings).hasMessageContaining("MASKLINE_REDIS_URL");
    GatewayConfig shortToken = ConfigLoader.load(vertx, YAML, Map.of("MASKLINE_REDIS_URL", "redis://h:1",
        "MASKLINE_PG_URL", "postgresql://h/db", "MASKLINE_TWILIO_AUTH_TOKEN", "t", "MASKLINE_ADMIN_TOKEN", "s3cret")).await();
    assertThatThrownBy(shortToken::requireProductionSettings)
        .hasMessageContaining("MASKLINE_ADMIN_TOKEN").hasMessageNotContaining("s3cret");
    assertThat(shortToken.toString()).doesNotContain("s3cret").doesNotContain("redis://h:1");
    assertThatThrownBy(() -> ConfigLoader.load(vertx, YAML, Map.of("MASKLINE_REDIS_KEY_SECRET", "short-k3y")).await())
        .isInstanceOf(ConfigException.class).hasMessageContaining("MASKLINE_REDIS_KEY_SECRET").hasMessageContaining("32")
        .hasMessageNotContaining("short-k3y");
  }

  @Test
  void envNamesFollowOneRule() {
    assertThat(Settings.envName("http.port")).isEqualTo("MASKLINE_HTTP_PORT");
    assertThat(Settings.envName("twilio.authToken")).isEqualTo("MASKLINE_TWILIO_AUTH_TOKEN");
    assertThat(Settings.envName("rate.perCaller")).isEqualTo("MASKLINE_RATE_PER_CALLER");
    assertThat(Settings.envName("loopGuard")).isEqualTo("MASKLINE_LOOP_GUARD");
    assertThat(Settings.envName("pg.url")).isEqualTo("MASKLINE_PG_URL");
  }

  @Test
  void theProcessExitsWithOneClearLineOnABadEnvironmentValue() throws Exception {
    ProcessBuilder builder = JavaProcess.builder("io.maskline.Main")
        .redirectErrorStream(false)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("MASKLINE_HTTP_PORT", "99999");
    Process process = builder.start();
    int exitCode = JavaProcess.exitCode(process, Duration.ofSeconds(30));
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(exitCode).isEqualTo(2);
    assertThat(stderr.lines().toList()).hasSize(1);
    assertThat(stderr).contains("MASKLINE_HTTP_PORT").contains("99999");
  }
}
