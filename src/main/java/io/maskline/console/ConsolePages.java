package io.maskline.console;

import io.maskline.api.HttpFeature;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The console's static pages and scripts (classpath {@code console/}) at {@code /console/}, with a strict
 * Content-Security-Policy: only this origin's scripts, styles and API; no inline code, no framing. {@code /} leads here.
 */
public final class ConsolePages implements HttpFeature {
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
      + "font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

  @Override
  public void mountRoutes(Router router) {
    router.get("/").handler(rc -> redirect(rc, "/console/"));
    // "/console" also matches "/console/": only the bare path is sent on to the one with the slash.
    router.get("/console").handler(rc -> {
      if (rc.request().path().equals("/console")) {
        redirect(rc, "/console/");
      } else {
        rc.next();
      }
    });
    // HEAD too: uptime checks and link checkers probe pages without a body.
    router.route("/console/*").method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(ConsolePages::securityHeaders)
        .handler(StaticHandler.create("console").setCachingEnabled(false).setDirectoryListing(false).setIncludeHidden(false));
  }

  private static void securityHeaders(RoutingContext rc) {
    rc.response()
        .putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Cache-Control", "no-cache");
    rc.next();
  }

  private static void redirect(RoutingContext rc, String to) {
    rc.response().setStatusCode(302).putHeader("Location", to).end();
  }
}
