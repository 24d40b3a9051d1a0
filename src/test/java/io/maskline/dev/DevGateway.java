package io.maskline.dev;

import com.icegreen.greenmail.util.GreenMail;
import io.maskline.Gateway;
import io.maskline.Main;
import io.maskline.config.ConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code mvn -Pdev test-compile exec:java}: the gateway with dev services. Whatever {@code MASKLINE_*} variables are
 * set are used; a missing Redis, Postgres or SMTP server is started embedded, missing secrets get dev values.
 * A demo org with proxy numbers is created and a ready-to-paste curl printed.
 */
public final class DevGateway {
  static final String DEV_ADMIN_TOKEN = "dev-admin-token";
  static final String DEV_TWILIO_TOKEN = "dev-twilio-auth-token";
  static final String DEMO_ORG = "demo";
  static final List<String> DEMO_NUMBERS = List.of("+4790000001", "+4790000002", "+4790000003");
  static final String SHARED_NUMBER = "+4790000009";

  private static volatile String demoKey;

  private DevGateway() {}

  public static void main(String[] args) {
    Main.run(vertx -> vertx.executeBlocking(DevGateway::devSettings)
            .compose(settings -> ConfigLoader.load(vertx, ConfigLoader.configPath(), settings)))
        .compose(DevGateway::seed)
        .onSuccess(DevGateway::banner);
  }

  private static Map<String, String> devSettings() {
    Map<String, String> settings = new HashMap<>();
    System.getenv().forEach((key, value) -> {
      if (key.startsWith("MASKLINE_") && !value.isBlank()) {
        settings.put(key, value);
      }
    });
    settings.computeIfAbsent("MASKLINE_REDIS_URL", k -> DevServices.startRedis().url());
    settings.computeIfAbsent("MASKLINE_PG_URL", k -> DevServices.startPostgres().url());
    if (!settings.containsKey("MASKLINE_SMTP_HOST")) {
      GreenMail smtp = DevServices.startSmtp();
      settings.put("MASKLINE_SMTP_HOST", "127.0.0.1");
      settings.put("MASKLINE_SMTP_PORT", Integer.toString(smtp.getSmtp().getPort()));
    }
    settings.putIfAbsent("MASKLINE_ADMIN_TOKEN", DEV_ADMIN_TOKEN);
    settings.putIfAbsent("MASKLINE_TWILIO_AUTH_TOKEN", DEV_TWILIO_TOKEN);
    settings.putIfAbsent("MASKLINE_TWILIO_ACCOUNT_SID", "ACdev");
    // The console's Simulator page: only ever on in a dev run.
    settings.putIfAbsent("MASKLINE_CONSOLE_SIMULATOR", "true");
    return settings;
  }

  /** Demo data through the admin API itself; a second run finds it already there (409s are fine). */
  private static Future<Gateway> seed(Gateway gateway) {
    var config = gateway.services().config();
    WebClient client = WebClient.create(gateway.vertx());
    String base = "http://127.0.0.1:" + config.http().port();
    Future<?> chain = client.requestAbs(HttpMethod.PUT, base + "/v1/orgs/" + DEMO_ORG).bearerTokenAuthentication(config.adminToken())
        .sendJsonObject(new JsonObject().put("name", "Demo Deliveries").put("email", "dispatch@demo.example")
            .put("adminPhone", "+4791111111").put("country", "NO"));
    for (String number : DEMO_NUMBERS) {
      chain = chain.compose(r -> client.requestAbs(HttpMethod.POST, base + "/v1/numbers").bearerTokenAuthentication(config.adminToken())
          .sendJsonObject(new JsonObject().put("number", number).put("orgId", DEMO_ORG)));
    }
    return chain.compose(r -> client.requestAbs(HttpMethod.POST, base + "/v1/numbers").bearerTokenAuthentication(config.adminToken())
            .sendJsonObject(new JsonObject().put("number", SHARED_NUMBER)))
        // A fresh admin key of the demo org each run (a key's secret is shown only when it is made).
        .compose(r -> client.requestAbs(HttpMethod.POST, base + "/v1/orgs/" + DEMO_ORG + "/keys").bearerTokenAuthentication(config.adminToken())
            .sendJsonObject(new JsonObject().put("role", "admin")))
        .onSuccess(created -> demoKey = created.statusCode() == 201 ? created.bodyAsJsonObject().getString("secret") : "(not created: " + created.statusCode() + ")")
        .map(gateway)
        .eventually(() -> {
          client.close();
          return Future.succeededFuture();
        });
  }

  private static void banner(Gateway gateway) {
    var config = gateway.services().config();
    String base = "http://localhost:" + config.http().port();
    System.out.println("""

        ──────────────────────────────────────────── Maskline dev gateway ────────────────────────────────────────────
          Console       %1$s/console/
                        sign in with the demo org's admin key %8$s
                        or with the admin token (it sees and picks every org)
          API           %1$s/v1   (OpenAPI: %1$s/openapi.yaml)
          Health        %1$s/health/ready     Metrics: %1$s/metrics
          Admin token   %2$s
          Twilio token  %3$s   (signs webhooks for %4$s)
          Demo org      %5$s with proxy numbers %6$s, shared pool %7$s

          Open a session:
            curl -s -X POST %1$s/v1/sessions -H 'Authorization: Bearer %2$s' -H 'Content-Type: application/json' \\
              -d '{"orgId":"%5$s","taskId":"task-1","driverPhone":"+4792222222","recipientPhone":"93333333"}'
        ──────────────────────────────────────────────────────────────────────────────────────────────────────────────
        """.formatted(base, config.adminToken(), config.twilio().authToken(), config.http().publicUrl(), DEMO_ORG,
        String.join(", ", DEMO_NUMBERS), SHARED_NUMBER, demoKey));
  }
}
