package maskline.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.substring;
import static io.gatling.javaapi.http.HttpDsl.headerRegex;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Pieces shared by the simulations: HTTP protocol, SLO assertions, the signed-webhook request. */
final class Support {

  private Support() {}

  /**
   * Round-robin over {@code -DbaseUrls} (or the single {@code -DbaseUrl}). Connections are shared by all
   * virtual users ({@code -DshareConnections=true}), as a provider's webhook sender keeps a pool of
   * keep-alive connections instead of opening one per webhook; {@code -DmaxConnections} caps that pool
   * per gateway (default: no cap).
   */
  static HttpProtocolBuilder protocol() {
    List<String> urls = LoadConfig.baseUrls();
    HttpProtocolBuilder p = http.baseUrls(urls)
        .userAgentHeader("TwilioProxy/1.1")
        .acceptHeader("*/*")
        .disableCaching()
        .disableFollowRedirect()
        .disableWarmUp();
    if (LoadConfig.bool("shareConnections", true)) {
      p = p.shareConnections();
    }
    int max = LoadConfig.integer("maxConnections", 0);
    if (max > 0) {
      p = p.maxConnectionsPerHost(max);
    }
    System.out.printf("[config] baseUrls=%s publicUrl=%s%n", urls, LoadConfig.publicUrl());
    return p;
  }

  /**
   * The SLO: global p99 below {@code -Dp99Ms} and failed requests below {@code -DmaxErrorPct} percent
   * ({@code -DmaxErrorPct=0}: no failed request at all). Violations make Gatling exit non-zero.
   */
  static List<Assertion> slo(int defaultP99Ms, double defaultMaxErrorPct) {
    return slo(defaultP99Ms, defaultMaxErrorPct, false);
  }

  /**
   * As {@link #slo(int, double)}; with {@code measuredOnly} the p99 bound applies to the {@value #MEASURED}
   * group only (the traffic after the warm-up), the error bound still to every request.
   */
  static List<Assertion> slo(int defaultP99Ms, double defaultMaxErrorPct, boolean measuredOnly) {
    int p99 = LoadConfig.integer("p99Ms", defaultP99Ms);
    double maxErr = LoadConfig.dbl("maxErrorPct", defaultMaxErrorPct);
    List<Assertion> a = new ArrayList<>();
    a.add((measuredOnly ? details(MEASURED) : global()).responseTime().percentile(99.0).lt(p99));
    if (maxErr <= 0) {
      a.add(global().failedRequests().count().is(0L));
    } else {
      a.add(global().failedRequests().percent().lt(maxErr));
    }
    System.out.printf("[config] SLO: p99 < %d ms%s, failed requests %s%n", p99,
        measuredOnly ? " (after the warm-up)" : "", maxErr <= 0 ? "= 0" : "< " + maxErr + " %");
    return a;
  }

  static final String WARM_UP = "warm-up";
  static final String MEASURED = "measured";

  /**
   * Wraps {@code chain} in a group {@value #WARM_UP} for users arriving in the first {@code warmupSeconds}
   * (counted from the first arrival) and {@value #MEASURED} after, so the p99 can be judged without the
   * client's and server's JIT warm-up.
   */
  static ChainBuilder phased(ChainBuilder chain, long warmupSeconds) {
    AtomicLong first = new AtomicLong();
    long warmupNanos = warmupSeconds * 1_000_000_000L;
    return exec(session -> {
      long now = System.nanoTime();
      first.compareAndSet(0, now);
      return session.set("phase", now - first.get() < warmupNanos ? WARM_UP : MEASURED);
    }).group(session -> session.getString("phase")).on(chain);
  }

  /** Infinite feeder over a webhook mix. */
  static Iterator<Map<String, Object>> feeder(WebhookMix mix) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Map<String, Object> next() {
        return mix.next().toRecord();
      }
    };
  }

  /**
   * Feed one signed webhook and POST it: expects 200 and application/xml. With {@code -DcheckRouting=true}
   * an in-session forward must also be forwarded ({@code <Message} / {@code <Dial}) and must not show the
   * caller's own number; only meaningful when the gateway's rate limits and loop guard are set above the
   * test's per-pair rates (see README).
   */
  static ChainBuilder signedWebhook(WebhookMix mix) {
    return signedWebhook(mix, false);
  }

  /** As {@link #signedWebhook(WebhookMix)}; {@code saveResponseTime}: also save the time in ms as {@code rt}. */
  static ChainBuilder signedWebhook(WebhookMix mix, boolean saveResponseTime) {
    boolean checkRouting = LoadConfig.bool("checkRouting", false);
    HttpRequestActionBuilder post = http("#{name}")
        .post("#{path}")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", "#{sig}")
        .body(StringBody(s -> s.getString("form")))
        .check(status().is(200))
        .check(headerRegex("Content-Type", "^(?i)application/xml").exists());
    if (saveResponseTime) {
      post = post.check(responseTimeInMillis().saveAs("rt"));
    }
    if (checkRouting) {
      post = post
          .checkIf(s -> !s.getString("expect").isEmpty())
          .then(substring(s -> s.getString("expect")).exists(), substring(s -> s.getString("caller")).notExists());
    }
    return feed(feeder(mix)).exec(post);
  }
}
