package io.maskline.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads {@code conf/application.yaml} (or {@code MASKLINE_CONFIG}) and lays the environment over it.
 * Tests pass their own override store in place of the process environment.
 */
public final class ConfigLoader {
  public static final String CONFIG_PATH_VARIABLE = "MASKLINE_CONFIG";

  private ConfigLoader() {}

  public static Future<GatewayConfig> fromEnvironment(Vertx vertx) {
    return load(vertx, configPath(), new ConfigStoreOptions().setType("env").setConfig(new JsonObject().put("raw-data", true)));
  }

  public static Path configPath() {
    return Path.of(System.getenv().getOrDefault(CONFIG_PATH_VARIABLE, "conf/application.yaml"));
  }

  /** Explicit overrides laid over the YAML, in place of the environment (tests, dev services). */
  public static Future<GatewayConfig> load(Vertx vertx, Path yaml, java.util.Map<String, String> overrides) {
    return load(vertx, yaml, new ConfigStoreOptions().setType("json").setConfig(new JsonObject(new java.util.HashMap<>(overrides))));
  }

  public static Future<GatewayConfig> load(Vertx vertx, Path yaml, ConfigStoreOptions overrides) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setScanPeriod(0).setIncludeDefaultStores(false);
    if (Files.isRegularFile(yaml)) {
      options.addStore(new ConfigStoreOptions().setType("file").setFormat("yaml")
          .setConfig(new JsonObject().put("path", yaml.toString())));
    }
    options.addStore(overrides);
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .andThen(done -> retriever.close())
        .map(GatewayConfig::from);
  }
}
