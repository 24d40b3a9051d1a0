package io.maskline.support;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the platforms' REST APIs (the only stubs the tests use): Onfleet's {@code GET /onfleet/workers/{id}}
 * and Twilio's {@code POST /twilio/2010-04-01/Accounts/{sid}/Messages.json}. It records every request as received,
 * answers workers it was given, and answers message creates with queued statuses (default 201) in order.
 */
public final class PlatformStub implements AutoCloseable {
  /** A request as the stub received it. */
  public record Received(String method, String path, String authorization, MultiMap form) {
    /** {@code user:password} of a basic {@code Authorization} header. */
    public String basicAuth() {
      return authorization == null || !authorization.startsWith("Basic ") ? null
          : new String(Base64.getDecoder().decode(authorization.substring(6)), StandardCharsets.UTF_8);
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  public final int port;
  private final Map<String, String> workerPhones = new ConcurrentHashMap<>();
  private final Deque<Integer> messageAnswers = new ConcurrentLinkedDeque<>();
  private final AtomicInteger messageSids = new AtomicInteger();
  public final List<Received> received = new CopyOnWriteArrayList<>();

  public PlatformStub() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false));
    router.get("/onfleet/workers/:id").handler(rc -> {
      received.add(new Received("GET", java.net.URLDecoder.decode(rc.request().path(), StandardCharsets.UTF_8), rc.request().getHeader("Authorization"), MultiMap.caseInsensitiveMultiMap()));
      String phone = workerPhones.get(rc.pathParam("id"));
      if (phone == null) {
        rc.response().setStatusCode(404).end(new JsonObject().put("code", "InvalidArgument").encode());
      } else {
        rc.json(new JsonObject().put("id", rc.pathParam("id")).put("name", "Worker").put("phone", phone));
      }
    });
    router.post("/twilio/2010-04-01/Accounts/:sid/Messages.json").handler(rc -> {
      received.add(new Received("POST", rc.request().path(), rc.request().getHeader("Authorization"), rc.request().formAttributes()));
      Integer status = messageAnswers.poll();
      int answer = status == null ? 201 : status;
      if (answer == 201) {
        String sid = String.format("SM%032d", messageSids.incrementAndGet());
        rc.response().setStatusCode(201).putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("sid", sid).put("status", "queued").put("to", rc.request().getFormAttribute("To")).encode());
      } else {
        rc.response().setStatusCode(answer).putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("code", 21211).put("message", "stub answered " + answer).put("status", answer).encode());
      }
    });
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    port = server.actualPort();
  }

  public String onfleetUrl() {
    return "http://127.0.0.1:" + port + "/onfleet";
  }

  public String twilioUrl() {
    return "http://127.0.0.1:" + port + "/twilio";
  }

  public void worker(String workerId, String phone) {
    workerPhones.put(workerId, phone);
  }

  /** The statuses the next message creates get, in order (201 once they are used up). */
  public void answerMessages(Integer... statuses) {
    messageAnswers.addAll(List.of(statuses));
  }

  public List<Received> messagesTo(String to) {
    return received.stream().filter(r -> r.method().equals("POST") && to.equals(r.form().get("To"))).toList();
  }

  public List<Received> workerLookups(String workerId) {
    return received.stream().filter(r -> r.path().endsWith("/workers/" + workerId)).toList();
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
