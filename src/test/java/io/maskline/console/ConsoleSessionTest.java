package io.maskline.console;

import io.maskline.support.SharedGateway;
import io.maskline.support.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static io.maskline.support.ProblemAssert.assertProblem;
import static io.maskline.support.TestData.id;
import static org.assertj.core.api.Assertions.assertThat;

/** The console's session cookie against a real gateway: sign-in, CSRF on state changes, expiry, sign-out, the pages' headers. */
class ConsoleSessionTest {
  @SharedGateway static TestGateway gw;

  private static HttpResponse<Buffer> signIn(String credential) {
    return gw.http.post("/v1/console/session").bearerTokenAuthentication(credential).send().await();
  }

  private static String cookieOf(HttpResponse<Buffer> response) {
    String header = response.cookies().stream().filter(c -> c.startsWith(ConsoleCookie.NAME + "=")).findFirst().orElseThrow();
    return header.substring(0, header.indexOf(';'));
  }

  @Test
  void signInSetsAStrictHttpOnlyCookieThatAuthenticatesV1() {
    HttpResponse<Buffer> signedIn = signIn(TestGateway.ADMIN_TOKEN);
    assertThat(signedIn.statusCode()).isEqualTo(201);
    String setCookie = signedIn.cookies().get(0);
    assertThat(setCookie).containsIgnoringCase("HttpOnly").contains("SameSite=Strict").contains("Path=/").doesNotContain("Secure")
        .doesNotContain(TestGateway.ADMIN_TOKEN);
    JsonObject session = signedIn.bodyAsJsonObject();
    assertThat(session.getJsonObject("principal").getString("kind")).isEqualTo("platform");
    assertThat(Instant.parse(session.getString("expiresAt"))).isAfter(Instant.now().plusSeconds(7 * 3600));

    String cookie = cookieOf(signedIn);
    HttpResponse<Buffer> current = gw.http.get("/v1/console/session").putHeader("Cookie", cookie).send().await();
    assertThat(current.statusCode()).isEqualTo(200);
    assertThat(current.bodyAsJsonObject().getString("csrfToken")).isEqualTo(session.getString("csrfToken"));
    assertThat(gw.http.get("/v1/orgs").putHeader("Cookie", cookie).send().await().statusCode()).isEqualTo(200);

    assertProblem(signIn("not-the-token"), 401, "UNAUTHORIZED");
    assertProblem(gw.http.get("/v1/orgs").putHeader("Cookie", ConsoleCookie.NAME + "=forged").send().await(), 401, "UNAUTHORIZED");
  }

  @Test
  void everyStateChangeWithTheCookieNeedsTheSessionsCsrfToken() {
    HttpResponse<Buffer> signedIn = signIn(TestGateway.ADMIN_TOKEN);
    String cookie = cookieOf(signedIn);
    String csrf = signedIn.bodyAsJsonObject().getString("csrfToken");
    String orgId = id("console");
    JsonObject org = new JsonObject().put("name", "Console Org").put("email", "console@example.com");

    assertProblem(gw.http.put("/v1/orgs/" + orgId).putHeader("Cookie", cookie).sendJsonObject(org).await(), 403, "FORBIDDEN");
    assertProblem(gw.http.put("/v1/orgs/" + orgId).putHeader("Cookie", cookie).putHeader(ConsoleAuth.CSRF_HEADER, "guess")
        .sendJsonObject(org).await(), 403, "FORBIDDEN");
    // Another session's token does not fit this cookie.
    String otherCsrf = signIn(TestGateway.ADMIN_TOKEN).bodyAsJsonObject().getString("csrfToken");
    assertProblem(gw.http.put("/v1/orgs/" + orgId).putHeader("Cookie", cookie).putHeader(ConsoleAuth.CSRF_HEADER, otherCsrf)
        .sendJsonObject(org).await(), 403, "FORBIDDEN");
    assertProblem(gw.admin(HttpMethod.GET, "/v1/orgs/" + orgId).send().await(), 404, "NOT_FOUND");

    HttpResponse<Buffer> saved = gw.http.put("/v1/orgs/" + orgId).putHeader("Cookie", cookie).putHeader(ConsoleAuth.CSRF_HEADER, csrf)
        .sendJsonObject(org).await();
    assertThat(saved.statusCode()).isEqualTo(200);
  }

  @Test
  void anExpiredOrSignedOutSessionNoLongerAuthenticates() {
    ConsoleCookie cookies = ConsoleCookie.of(gw.gateway.services().config());
    String expired = cookies.seal(cookies.newSession(TestGateway.ADMIN_TOKEN, Instant.now().minusSeconds(1)));
    assertProblem(gw.http.get("/v1/orgs").putHeader("Cookie", ConsoleCookie.NAME + "=" + expired).send().await(), 401, "UNAUTHORIZED");
    // A cookie sealed with another deployment's secret is not read.
    ConsoleCookie foreign = new ConsoleCookie("another-deployment-secret-0123456789");
    String alien = foreign.seal(foreign.newSession(TestGateway.ADMIN_TOKEN, Instant.now().plusSeconds(60)));
    assertProblem(gw.http.get("/v1/orgs").putHeader("Cookie", ConsoleCookie.NAME + "=" + alien).send().await(), 401, "UNAUTHORIZED");

    HttpResponse<Buffer> signedIn = signIn(TestGateway.ADMIN_TOKEN);
    String cookie = cookieOf(signedIn);
    // Signing out is a state change too: a cross-site page cannot sign the user out.
    assertProblem(gw.http.delete("/v1/console/session").putHeader("Cookie", cookie).send().await(), 403, "FORBIDDEN");
    HttpResponse<Buffer> signedOut = gw.http.delete("/v1/console/session").putHeader("Cookie", cookie)
        .putHeader(ConsoleAuth.CSRF_HEADER, signedIn.bodyAsJsonObject().getString("csrfToken")).send().await();
    assertThat(signedOut.statusCode()).isEqualTo(204);
    assertThat(signedOut.cookies().get(0)).startsWith(ConsoleCookie.NAME + "=;").contains("Max-Age=0");
  }

  @Test
  void consolePagesAreServedWithAStrictContentSecurityPolicy() {
    HttpResponse<Buffer> root = gw.http.get("/").followRedirects(false).send().await();
    assertThat(root.statusCode()).isEqualTo(302);
    assertThat(root.getHeader("Location")).isEqualTo("/console/");
    HttpResponse<Buffer> index = gw.http.get("/console/").send().await();
    assertThat(index.statusCode()).isEqualTo(200);
    HttpResponse<Buffer> probe = gw.http.head("/console/").send().await();
    assertThat(probe.statusCode()).isEqualTo(200);
    assertThat(probe.getHeader("Content-Security-Policy")).isEqualTo(index.getHeader("Content-Security-Policy"));
    assertThat(index.getHeader("Content-Security-Policy")).contains("script-src 'self'").contains("style-src 'self'")
        .contains("frame-ancestors 'none'").doesNotContain("unsafe-inline");
    assertThat(index.bodyAsString()).contains("/console/js/app.js").doesNotContain("<script>").doesNotContain("style=");
    assertThat(gw.http.get("/console/js/app.js").send().await().getHeader("Content-Type")).contains("javascript");
    assertThat(gw.http.get("/console/missing.js").send().await().statusCode()).isEqualTo(404);
  }

  @Test
  void simulatorIsOffUnlessEnabled() {
    assertProblem(gw.admin(HttpMethod.POST, "/v1/simulator/inbound")
        .sendJsonObject(new JsonObject().put("channel", "sms").put("from", "+4792222222").put("to", "+4790000001")).await(), 404, "NOT_FOUND");
  }

  @Test
  void secureCookieWhenThePublicUrlIsHttps() {
    try (TestGateway https = TestGateway.start(Map.of("MASKLINE_PUBLIC_URL", "https://maskline.example"))) {
      HttpResponse<Buffer> signedIn = https.http.post("/v1/console/session").bearerTokenAuthentication(TestGateway.ADMIN_TOKEN).send().await();
      assertThat(signedIn.cookies().get(0)).contains("Secure").containsIgnoringCase("HttpOnly").contains("SameSite=Strict");
    }
  }
}
