package maskline.baseline;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import maskline.loadtest.LoadConfig;

/**
 * Same-work baseline for the webhook benchmark (issue 18): the gateway's Redis work per webhook, and nothing else.
 * {@code POST /webhooks/twilio/sms|voice}: parse the form, run the gateway's own facts script
 * ({@code src/main/resources/redis/route_inbound.lua}, loaded from the file given) with the same keys (the sid and its
 * replay marker) and arguments (dedupe claim, guards, binding, org, opt-outs), answer TwiML at once, then write the
 * stored answer ({@code SET sid PX 24h}), the replay marker ({@code SET PX 30d}) and the archive event ({@code XADD} with
 * the fields of the gateway's {@code ArchiveEvent.Interaction}, the form body among them) as three pipelined commands in
 * one write, as the gateway's {@code InboundLedger.commit} does when no email is queued. A duplicate is answered from
 * the stored answer. When the gateway's Redis work changes, this changes with it (the benchmark's preflight refuses a
 * server whose script call fails).
 * No signature check, no routing rules, no metrics, no logging, no web framework: Vert.x core's HTTP server and
 * Redis client (one pipelined connection per event loop, like the gateway's hot path).
 *
 * <p>It runs against the gateway's Redis database (the sessions the benchmark opened there) with its own request file
 * (fresh sids over the same sessions); its archive events go to a stream of their own, so the gateway's archiver does
 * not pick them up.
 *
 * <p>Options (argument or system property): {@code --port} (8091), {@code --redis} (redis://127.0.0.1:6379/0),
 * {@code --script} (path of route_inbound.lua), {@code --stream} (ml:{ml}:stream:samework), {@code --instances}
 * (cores), {@code --native} (true), {@code --rate-limit} (1000000: the guards' limits, far above the load as the
 * gateway is run in the benchmark), {@code --key-secret} (the gateway's {@code MASKLINE_REDIS_KEY_SECRET}: the caller's
 * key names are an HMAC of their number under it, computed per webhook as the gateway does).
 */
public final class SameWorkServer extends VerticleBase {
  static final String PREFIX = "ml:{ml}:";
  private static final String WINDOW_MS = "60000";
  private static final String CLAIM_TTL_MS = "30000";
  private static final long ANSWER_TTL_MS = 24 * 3600 * 1000L;
  /** The gateway's default replay marker (MASKLINE_REPLAY_MARKER_TTL, 30 days). */
  private static final long REPLAY_MARKER_TTL_MS = 30 * 24 * 3600 * 1000L;
  private static final CharSequence XML = HttpHeaders.createOptimized("application/xml");
  private static final String EMPTY = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

  private final int port;
  private final String redisUrl;
  private final String sha;
  private final String stream;
  private final String rateLimit;
  private final byte[] keySecret;
  private Mac mac;
  private Redis redis;
  private PipelinedConnection connection;

  SameWorkServer(int port, String redisUrl, String sha, String stream, String rateLimit, byte[] keySecret) {
    this.port = port;
    this.redisUrl = redisUrl;
    this.sha = sha;
    this.stream = stream;
    this.rateLimit = rateLimit;
    this.keySecret = keySecret;
  }

  @Override
  public Future<?> start() throws Exception {
    // One Mac per instance: each instance runs on one event loop, as the gateway keeps one per thread.
    mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(keySecret, "HmacSHA256"));
    redis = Redis.createClient(vertx, BaselineServer.redisOptions(redisUrl, 1));
    connection = new PipelinedConnection(vertx, redis);
    return connection.connect().compose(c -> vertx.createHttpServer(new HttpServerOptions().setPort(port)).requestHandler(this::handle).listen());
  }

  private void handle(HttpServerRequest req) {
    boolean sms = "/webhooks/twilio/sms".equals(req.path());
    if (req.method() == HttpMethod.POST && (sms || "/webhooks/twilio/voice".equals(req.path()))) {
      req.setExpectMultipart(true);
      req.body().onComplete(body -> {
        if (body.failed()) {
          plain(req, 400, "bad body");
          return;
        }
        inbound(req, req.formAttributes(), body.result().toString(), sms);
      });
    } else if (req.method() == HttpMethod.GET && "/health/live".equals(req.path())) {
      plain(req, 200, "ok");
    } else {
      plain(req, 404, "not found");
    }
  }

  private void inbound(HttpServerRequest req, MultiMap form, String formBody, boolean sms) {
    String sid = form.get(sms ? "MessageSid" : "CallSid");
    String proxy = form.get("To");
    String caller = form.get("From");
    RedisConnection c = connection.current();
    if (sid == null || proxy == null || caller == null || c == null) {
      plain(req, sid == null || proxy == null || caller == null ? 400 : 503, "no");
      return;
    }
    String sidKey = PREFIX + "sid:" + sid;
    long now = System.currentTimeMillis();
    String markerKey = PREFIX + "answered:" + sid;
    // The caller's token names their keys (storage/PartyKeys: HMAC-SHA256 of the number, 16 bytes in hex).
    String token = HexFormat.of().formatHex(mac.doFinal(caller.getBytes(StandardCharsets.UTF_8)), 0, 16);
    Request facts = Request.cmd(Command.EVALSHA).arg(sha).arg(2).arg(sidKey).arg(markerKey)
        .arg(PREFIX).arg(proxy).arg(caller).arg(now).arg(WINDOW_MS).arg(rateLimit).arg(rateLimit).arg(rateLimit)
        .arg(CLAIM_TTL_MS).arg(sms ? "sms" : "voice").arg(token);
    c.send(facts).onComplete(r -> {
      if (r.failed()) {
        plain(req, 503, "redis: " + r.cause().getMessage());
        return;
      }
      Response result = r.result();
      if ("dup".equals(result.get(0).toString())) {
        String stored = result.get(1).toString();
        xml(req, stored.equals("pending") ? EMPTY : stored);
        return;
      }
      String context = result.get(2).toString();
      String orgId = result.get(3).toString();
      String counterpart = result.get(6).toString();
      String body = sms ? form.get("Body") : null;
      boolean forward = context.equals("ACTIVE");
      String answer = !forward ? EMPTY : sms
          ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message to=\"" + counterpart + "\">" + escape(body) + "</Message></Response>"
          : "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Dial callerId=\"" + proxy + "\"><Number>" + counterpart + "</Number></Dial></Response>";
      xml(req, answer);
      Request store = Request.cmd(Command.SET).arg(sidKey).arg(orgId + ' ' + answer).arg("PX").arg(ANSWER_TTL_MS);
      Request marker = Request.cmd(Command.SET).arg(markerKey).arg("1").arg("PX").arg(REPLAY_MARKER_TTL_MS);
      Request event = Request.cmd(Command.XADD).arg(stream).arg("MAXLEN").arg("~").arg("10000000").arg("*")
          .arg("kind").arg("interaction").arg("sid").arg(sid).arg("orgId").arg(orgId).arg("taskId").arg(result.get(4).toString())
          .arg("channel").arg(sms ? "sms" : "voice").arg("from").arg(caller).arg("proxy").arg(proxy)
          .arg("forwardedTo").arg(forward ? counterpart : "").arg("body").arg(body == null ? "" : body).arg("at").arg(now)
          .arg("status").arg(sms ? "received" : "ringing").arg("routedTo").arg(forward ? "counterpart" : "none")
          .arg("variables").arg(result.get(8).toString()).arg("form").arg(formBody);
      c.batch(List.of(store, marker, event));
    });
  }

  private static String escape(String text) {
    if (text == null) {
      return "";
    }
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static void xml(HttpServerRequest req, String twiml) {
    req.response().putHeader(HttpHeaders.CONTENT_TYPE, XML).end(twiml);
  }

  private static void plain(HttpServerRequest req, int status, String text) {
    req.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end(text);
  }

  @Override
  public Future<?> stop() {
    return redis == null ? Future.succeededFuture() : redis.close();
  }

  public static void main(String[] args) throws IOException {
    for (int i = 0; i + 1 < args.length; i += 2) {
      String name = switch (args[i]) {
        case "--port" -> "samework.port";
        case "--redis" -> "samework.redisUrl";
        case "--script" -> "samework.script";
        case "--stream" -> "samework.stream";
        case "--instances" -> "samework.instances";
        case "--native" -> "samework.native";
        case "--rate-limit" -> "samework.rateLimit";
        case "--key-secret" -> "samework.keySecret";
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (--port --redis --script --stream --instances --native --rate-limit --key-secret)");
      };
      System.setProperty(name, args[i + 1]);
    }
    int port = LoadConfig.integer("samework.port", 8091);
    String redisUrl = LoadConfig.str("samework.redisUrl", "redis://127.0.0.1:6379/0");
    String script = Files.readString(Path.of(LoadConfig.str("samework.script", "src/main/resources/redis/route_inbound.lua")));
    String stream = LoadConfig.str("samework.stream", PREFIX + "stream:samework");
    int instances = LoadConfig.integer("samework.instances", Runtime.getRuntime().availableProcessors());
    String rateLimit = LoadConfig.str("samework.rateLimit", "1000000");
    byte[] keySecret = LoadConfig.str("samework.keySecret", "maskline-benchmark-redis-key-secret-0123").getBytes(StandardCharsets.UTF_8);

    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(LoadConfig.bool("samework.native", true)));
    Redis loader = Redis.createClient(vertx, BaselineServer.redisOptions(redisUrl, 1));
    loader.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(script))
        .eventually(loader::close)
        .compose(sha -> vertx.deployVerticle(() -> new SameWorkServer(port, redisUrl, sha.toString(), stream, rateLimit, keySecret),
            new DeploymentOptions().setInstances(instances)))
        .onSuccess(id -> System.out.printf("same-work baseline listening on %d (%d instances, %s transport, redis %s, stream %s)%n",
            port, instances, vertx.isNativeTransportEnabled() ? "native" : "NIO", redisUrl, stream))
        .onFailure(err -> {
          System.err.println("same-work baseline failed to start: " + err);
          vertx.close();
          System.exit(1);
        });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await()));
  }
}
