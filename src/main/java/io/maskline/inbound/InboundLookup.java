package io.maskline.inbound;

import io.maskline.config.GatewayConfig;
import io.maskline.routing.CallerContext;
import io.maskline.routing.Channel;
import io.maskline.routing.Guard;
import io.maskline.routing.Inbound;
import io.maskline.routing.OrgRouting;
import io.maskline.routing.ReplyTarget;
import io.maskline.routing.Role;
import io.maskline.routing.RoutingFacts;
import io.maskline.storage.Keys;
import io.maskline.storage.PartyKeys;
import io.maskline.storage.RedisScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.List;

/**
 * Gathers everything the routing core needs about one inbound SMS or call in a single Redis round trip: the
 * dedupe claim on its sid, the rate and loop guards, the binding or history of (P, caller), P's owner, the
 * org's routing facts, whether the recipient side opted out and, for the org's admin on its own number, whom a
 * reply goes back to.
 */
public final class InboundLookup {
  private static final RedisScript ROUTE_INBOUND = RedisScript.load("route_inbound");
  private static final Duration WINDOW = Duration.ofMinutes(1);
  // A claim whose answer never got recorded (pod died) frees the sid for the provider's next retry.
  private static final Duration CLAIM_TTL = Duration.ofSeconds(30);

  private final Redis redis;
  private final PartyKeys partyKeys;
  private final GatewayConfig.Guards guards;

  public InboundLookup(Redis redis, PartyKeys partyKeys, GatewayConfig.Guards guards) {
    this.redis = redis;
    this.partyKeys = partyKeys;
    this.guards = guards;
  }

  /** The outcome of the lookup: a sid seen before, or the facts of a new interaction. */
  public sealed interface Result permits Duplicate, Found {}

  /**
   * {@code answer} is null while the first delivery is still being answered, and for a replay after the answer expired
   * (the sid's replay marker outlives it): both get "no forwarding".
   */
  public record Duplicate(String answer) implements Result {}

  /** Facts for the router, plus what the archive event needs from the session. */
  public record Found(RoutingFacts facts, String taskId, String variablesJson) implements Result {}

  public Future<Result> lookup(String sid, Inbound inbound, long nowMillis) {
    List<String> args = List.of(Keys.PREFIX, inbound.proxyNumber(), inbound.caller(), Long.toString(nowMillis),
        Long.toString(WINDOW.toMillis()), Integer.toString(guards.ratePerPair()), Integer.toString(guards.ratePerCaller()),
        Integer.toString(guards.loopGuard()), Long.toString(CLAIM_TTL.toMillis()),
        inbound.channel() == Channel.SMS ? "sms" : "voice",
        // The webhook's one HMAC: the caller's keys are named by it; the counterpart's token is in the route.
        partyKeys.token(inbound.caller()).hex());
    return ROUTE_INBOUND.run(redis, List.of(Keys.sid(sid), Keys.replayMarker(sid)), args).map(answer -> parse(answer, inbound));
  }

  private static Result parse(Response r, Inbound inbound) {
    if (r.get(0).toString().equals("dup")) {
      String answer = r.get(1).toString();
      return new Duplicate(answer.equals(Keys.SID_PENDING) ? null : answer);
    }
    Guard guard = Guard.valueOf(r.get(1).toString());
    String context = r.get(2).toString();
    String orgId = r.get(3).toString();
    String taskId = r.get(4).toString();
    String role = r.get(5).toString();
    String counterpart = r.get(6).toString();
    String dedicatedOrg = r.get(7).toString();
    String variables = r.get(8).toString();
    boolean recipientOptedOut = r.get(9).toInteger() == 1;
    String replyTo = r.get(10).toString();
    ReplyTarget replyTarget = replyTo.isEmpty() ? null : new ReplyTarget(replyTo, r.get(11).toInteger() == 1);
    OrgRouting org = r.size() > 12 ? new OrgRouting(orgId, blankToNull(r.get(18).toString()), blankToNull(r.get(12).toString()),
        blankToNull(r.get(13).toString()), "1".equals(r.get(14).toString()), "1".equals(r.get(15).toString()),
        "1".equals(r.get(16).toString()), "1".equals(r.get(17).toString())) : null;
    CallerContext caller = switch (context) {
      case "ACTIVE" -> new CallerContext.Active(orgId, taskId, Role.valueOf(role), counterpart);
      case "ENDED" -> new CallerContext.Ended(orgId, taskId, Role.valueOf(role));
      case "DEDICATED" -> new CallerContext.DedicatedNumber(orgId);
      default -> new CallerContext.Unknown();
    };
    boolean dedicatedToOrg = !dedicatedOrg.isEmpty() && dedicatedOrg.equals(orgId);
    return new Found(new RoutingFacts(inbound, caller, caller instanceof CallerContext.Unknown ? null : org, dedicatedToOrg, guard,
        recipientOptedOut, replyTarget), taskId, variables);
  }

  private static String blankToNull(String value) {
    return value.isEmpty() ? null : value;
  }
}
