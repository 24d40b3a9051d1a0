package maskline.loadtest.stub;

import io.vertx.core.Future;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import maskline.loadtest.LoadConfig;
import maskline.loadtest.TwilioSigner;

/**
 * NOT the gateway: an in-memory stand-in for the parts of docs/API.md the load tests touch (org, numbers, sessions,
 * signed SMS/voice webhooks with Sid dedupe), so the simulations and the bench script can be dry-run before
 * the gateway exists. One event loop, no Redis, no persistence, no post-task rules beyond "no forward".
 *
 * <pre>mvn -f loadtest/pom.xml -q test-compile dependency:build-classpath \
 *   -Dmdep.outputFile=target/test-classpath.txt -DincludeScope=test
 * java -cp loadtest/target/test-classes:loadtest/target/classes:$(cat loadtest/target/test-classpath.txt) \
 *   -Dstub.port=8081 maskline.loadtest.stub.ContractStub</pre>
 * Tokens and public URL: {@code -DadminToken}, {@code -DauthToken}, {@code -DpublicUrl} (as for the load tests).
 */
public final class ContractStub extends VerticleBase {

  private final String adminToken = LoadConfig.adminToken();
  private final TwilioSigner signer = new TwilioSigner(LoadConfig.authToken());
  private final String publicUrl = LoadConfig.publicUrl();
  private final int port;

  private final Map<String, JsonObject> orgs = new HashMap<>();
  private final Map<String, String> numberOrg = new LinkedHashMap<>();
  private final Map<String, JsonObject> sessions = new HashMap<>();
  private final Map<String, String> routes = new HashMap<>(); // proxy|caller -> counterpart
  private final Set<String> closedRoutes = new LinkedHashSet<>();
  private final Map<String, String> answers = new HashMap<>(); // Sid -> TwiML

  public ContractStub(int port) {
    this.port = port;
  }

  public static void main(String[] args) {
    int port = LoadConfig.integer("stub.port", 8081);
    Vertx.vertx().deployVerticle(new ContractStub(port))
        .onSuccess(id -> System.out.println("contract stub (not the gateway) on :" + port))
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      try {
        route(req, b.toString());
      } catch (RuntimeException e) {
        problem(req, 400, "VALIDATION_FAILED", String.valueOf(e.getMessage()));
      }
    })).listen(port);
  }

  private void route(HttpServerRequest req, String body) {
    String path = req.path();
    if (path.startsWith("/health/")) {
      req.response().end("ok");
      return;
    }
    if (path.startsWith("/webhooks/twilio/") && req.method() == HttpMethod.POST) {
      webhook(req, path, body);
      return;
    }
    if (!("Bearer " + adminToken).equals(req.getHeader("Authorization"))) {
      problem(req, 401, "UNAUTHORIZED", "bad token");
      return;
    }
    String[] seg = path.split("/");
    if (path.startsWith("/v1/orgs/") && req.method() == HttpMethod.PUT) {
      JsonObject org = new JsonObject(body).put("orgId", seg[3]);
      orgs.put(seg[3], org);
      json(req, 200, org);
    } else if (path.equals("/v1/numbers") && req.method() == HttpMethod.POST) {
      JsonObject n = new JsonObject(body);
      if (numberOrg.containsKey(n.getString("number"))) {
        problem(req, 409, "CONFLICT", "exists");
      } else {
        numberOrg.put(n.getString("number"), n.getString("orgId", ""));
        json(req, 201, n);
      }
    } else if (path.equals("/v1/numbers") && req.method() == HttpMethod.GET) {
      JsonArray items = new JsonArray();
      String org = req.getParam("orgId");
      numberOrg.forEach((n, o) -> {
        if (org == null || org.equals(o)) {
          items.add(new JsonObject().put("number", n).put("orgId", o));
        }
      });
      json(req, 200, new JsonObject().put("items", items));
    } else if (path.equals("/v1/sessions") && req.method() == HttpMethod.POST) {
      openSession(req, new JsonObject(body));
    } else if (path.startsWith("/v1/sessions/") && req.method() == HttpMethod.DELETE) {
      JsonObject s = sessions.remove(seg[3]);
      if (s == null) {
        problem(req, 404, "NOT_FOUND", "no session");
        return;
      }
      String p = s.getString("proxyNumber");
      for (String c : new String[] {s.getJsonObject("driver").getString("phone"), s.getJsonObject("recipient").getString("phone")}) {
        routes.remove(p + "|" + c);
        closedRoutes.add(p + "|" + c);
      }
      req.response().setStatusCode(204).end();
    } else {
      problem(req, 404, "NOT_FOUND", path);
    }
  }

  private void openSession(HttpServerRequest req, JsonObject in) {
    String org = in.getString("orgId");
    String d = in.getString("driverPhone");
    String r = in.getString("recipientPhone");
    if (!orgs.containsKey(org)) {
      problem(req, 404, "NOT_FOUND", "org");
      return;
    }
    for (Map.Entry<String, String> n : numberOrg.entrySet()) {
      String p = n.getKey();
      if (org.equals(n.getValue()) && !routes.containsKey(p + "|" + d) && !routes.containsKey(p + "|" + r)) {
        routes.put(p + "|" + d, r);
        routes.put(p + "|" + r, d);
        JsonObject s = new JsonObject().put("taskId", in.getString("taskId")).put("orgId", org).put("anonymized", true)
            .put("proxyNumber", p)
            .put("driver", new JsonObject().put("phone", d).put("dials", p))
            .put("recipient", new JsonObject().put("phone", r).put("dials", p))
            .put("variables", in.getJsonObject("variables", new JsonObject()));
        sessions.put(in.getString("taskId"), s);
        json(req, 201, s);
        return;
      }
    }
    problem(req, 409, "POOL_EXHAUSTED", "no free number");
  }

  private void webhook(HttpServerRequest req, String path, String body) {
    Map<String, String> params = new HashMap<>();
    new QueryStringDecoder(body, false).parameters().forEach((k, v) -> params.put(k, v.get(0)));
    String sig = req.getHeader("X-Twilio-Signature");
    if (sig == null || !sig.equals(signer.sign(publicUrl + path, params))) {
      problem(req, 403, "FORBIDDEN", "bad signature");
      return;
    }
    boolean voice = path.endsWith("/voice");
    String sid = params.get(voice ? "CallSid" : "MessageSid");
    String twiml = answers.computeIfAbsent(sid, k -> {
      String proxy = params.get("To");
      String counterpart = routes.get(proxy + "|" + params.get("From"));
      if (counterpart != null) {
        return voice
            ? "<Response><Dial callerId=\"" + proxy + "\"><Number>" + counterpart + "</Number></Dial></Response>"
            : "<Response><Message to=\"" + counterpart + "\" from=\"" + proxy + "\">"
                + params.getOrDefault("Body", "").replace("&", "&amp;").replace("<", "&lt;") + "</Message></Response>";
      }
      return voice ? "<Response><Say>This number is not active.</Say><Hangup/></Response>" : "<Response/>";
    });
    req.response().putHeader("Content-Type", "application/xml").end(twiml);
  }

  private static void json(HttpServerRequest req, int status, JsonObject o) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(o.encode());
  }

  private static void problem(HttpServerRequest req, int status, String code, String detail) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json")
        .end(new JsonObject().put("type", "about:blank").put("title", code).put("status", status)
            .put("detail", detail).put("code", code).encode());
  }
}
