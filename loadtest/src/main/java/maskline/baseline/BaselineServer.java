package maskline.baseline;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import maskline.loadtest.Binding;
import maskline.loadtest.Fixture;
import maskline.loadtest.LoadConfig;

/**
 * Baseline for the webhook benchmark (issue 4): the least a Vert.x server must do for an SMS webhook.
 * {@code POST /webhooks/twilio/sms}: read and parse the form body, one Redis {@code GET mlb:<To>|<From>},
 * answer a fixed TwiML {@code <Response/>} as {@code application/xml}. No signature check, no routing,
 * no writes. Plus {@code GET /health/live}. One verticle instance per core, each with its own Redis client
 * (by default one pipelined connection per event loop, the cheapest way Vert.x talks to Redis).
 *
 * <p>Options (argument or system property): {@code --port} / {@code baseline.port} (8090),
 * {@code --host} / {@code baseline.host} (0.0.0.0), {@code --redis} / {@code baseline.redisUrl}
 * (redis://127.0.0.1:6379/1), {@code --instances} / {@code baseline.instances} (cores),
 * {@code --redis-mode} / {@code baseline.redisMode} ({@code pipelined}: one pipelined connection per instance;
 * {@code pool}: the pooled client, {@code --redis-pool} / {@code baseline.redisPool} (8) connections per
 * instance), {@code --seed} /
 * {@code baseline.seed} (0: seed the keys of that many bindings of the deterministic load-test fixture,
 * both directions, so the GETs hit), {@code --native} / {@code baseline.native} (false: epoll transport).
 */
public final class BaselineServer extends VerticleBase {

  static final String SMS_PATH = "/webhooks/twilio/sms";
  static final CharSequence XML = HttpHeaders.createOptimized("application/xml");
  static final String TWIML = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

  private final int port;
  private final String host;
  private final String redisUrl;
  private final int redisPool;
  private final boolean pipelined;
  private Redis redis;
  /** Pipelined mode: one connection per instance (event loop); null in pool mode. */
  private PipelinedConnection connection;
  private Buffer twiml;
  private CharSequence twimlLength;

  public BaselineServer(int port, String host, String redisUrl, int redisPool, boolean pipelined) {
    this.port = port;
    this.host = host;
    this.redisUrl = redisUrl;
    this.redisPool = redisPool;
    this.pipelined = pipelined;
  }

  @Override
  public Future<?> start() {
    twiml = Buffer.buffer(TWIML);
    twimlLength = HttpHeaders.createOptimized(Integer.toString(twiml.length()));
    redis = Redis.createClient(vertx, redisOptions(redisUrl, redisPool));
    connection = pipelined ? new PipelinedConnection(vertx, redis) : null;
    Future<?> ready = pipelined ? connection.connect() : Future.succeededFuture();
    return ready.compose(v -> vertx.createHttpServer(new HttpServerOptions().setPort(port).setHost(host))
        .requestHandler(this::handle)
        .listen());
  }

  private Future<Response> get(String key) {
    Request cmd = Request.cmd(Command.GET).arg(key);
    if (!pipelined) {
      return redis.send(cmd);
    }
    RedisConnection c = connection.current();
    return c != null ? c.send(cmd) : Future.failedFuture("redis reconnecting");
  }

  @Override
  public Future<?> stop() {
    if (redis != null) {
      redis.close();
    }
    return Future.succeededFuture();
  }

  static RedisOptions redisOptions(String url, int pool) {
    return new RedisOptions()
        .setConnectionString(url)
        .setMaxPoolSize(pool)
        .setMaxPoolWaiting(100_000)
        .setMaxWaitingHandlers(100_000);
  }

  private void handle(HttpServerRequest req) {
    if (req.method() == HttpMethod.POST && SMS_PATH.equals(req.path())) {
      req.setExpectMultipart(true);
      req.end().onComplete(done -> {
        if (done.failed()) {
          plain(req, 400, "bad body");
          return;
        }
        MultiMap form = req.formAttributes();
        String to = form.get("To");
        String from = form.get("From");
        if (to == null || from == null) {
          plain(req, 400, "To and From required");
          return;
        }
        get(Fixture.baselineKey(to, from)).onComplete(r -> {
          if (r.failed()) {
            plain(req, 503, "redis: " + r.cause().getMessage());
            return;
          }
          req.response()
              .putHeader(HttpHeaders.CONTENT_TYPE, XML)
              .putHeader(HttpHeaders.CONTENT_LENGTH, twimlLength)
              .end(twiml);
        });
      });
    } else if (req.method() == HttpMethod.GET && "/health/live".equals(req.path())) {
      plain(req, 200, "ok");
    } else {
      plain(req, 404, "not found");
    }
  }

  private static void plain(HttpServerRequest req, int status, String text) {
    req.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end(text);
  }

  public static void main(String[] args) {
    for (int i = 0; i + 1 < args.length; i += 2) {
      String name = switch (args[i]) {
        case "--port" -> "baseline.port";
        case "--host" -> "baseline.host";
        case "--redis" -> "baseline.redisUrl";
        case "--instances" -> "baseline.instances";
        case "--redis-pool" -> "baseline.redisPool";
        case "--seed" -> "baseline.seed";
        case "--native" -> "baseline.native";
        case "--redis-mode" -> "baseline.redisMode";
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (--port --host --redis --instances --redis-pool --redis-mode --seed --native)");
      };
      System.setProperty(name, args[i + 1]);
    }
    int port = LoadConfig.integer("baseline.port", 8090);
    String host = LoadConfig.str("baseline.host", "0.0.0.0");
    String redisUrl = LoadConfig.str("baseline.redisUrl", "redis://127.0.0.1:6379/1");
    int instances = LoadConfig.integer("baseline.instances", Runtime.getRuntime().availableProcessors());
    int pool = LoadConfig.integer("baseline.redisPool", 8);
    int seed = LoadConfig.integer("baseline.seed", 0);
    String mode = LoadConfig.str("baseline.redisMode", "pipelined");
    if (!mode.equals("pipelined") && !mode.equals("pool")) {
      throw new IllegalArgumentException("--redis-mode pipelined|pool");
    }

    Vertx vertx = Vertx.vertx(new VertxOptions()
        .setPreferNativeTransport(LoadConfig.bool("baseline.native", false)));
    Future<?> seeded = seed > 0 ? seed(vertx, redisUrl, seed) : Future.succeededFuture();
    seeded
        .compose(v -> vertx.deployVerticle(() -> new BaselineServer(port, host, redisUrl, pool, mode.equals("pipelined")),
            new DeploymentOptions().setInstances(instances)))
        .onSuccess(id -> System.out.printf("baseline listening on %s:%d (%d instances, %s transport, redis %s, %s)%n",
            host, port, instances, vertx.isNativeTransportEnabled() ? "native" : "NIO", redisUrl,
            mode.equals("pool") ? "pool of " + pool + " per instance" : "1 pipelined connection per instance"))
        .onFailure(err -> {
          System.err.println("baseline failed to start: " + err);
          vertx.close();
          System.exit(1);
        });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await()));
  }

  /** Writes both routing keys of the deterministic fixture's active and closed bindings (TTL 1 day). */
  static Future<?> seed(Vertx vertx, String redisUrl, int bindings) {
    Fixture f = Fixture.fromProperties(bindings).deterministic();
    List<Request> cmds = new ArrayList<>();
    List<Binding> all = new ArrayList<>(f.active());
    all.addAll(f.closed());
    for (Binding b : all) {
      cmds.add(Request.cmd(Command.SET).arg(Fixture.baselineKey(b.proxy(), b.driver())).arg(b.recipient()).arg("EX").arg(86400));
      cmds.add(Request.cmd(Command.SET).arg(Fixture.baselineKey(b.proxy(), b.recipient())).arg(b.driver()).arg("EX").arg(86400));
    }
    Redis client = Redis.createClient(vertx, redisOptions(redisUrl, 1));
    Future<?> chain = Future.succeededFuture();
    for (int i = 0; i < cmds.size(); i += 1000) {
      List<Request> chunk = cmds.subList(i, Math.min(cmds.size(), i + 1000));
      chain = chain.compose(v -> client.batch(chunk));
    }
    return chain
        .onSuccess(v -> System.out.printf("seeded %d keys for %d bindings%n", cmds.size(), all.size()))
        .eventually(client::close);
  }
}
