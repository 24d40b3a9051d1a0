package io.maskline.storage;

import java.util.List;

/**
 * The Redis key layout, stated once. Every key carries the hash tag {@code {ml}}, so each Lua script touches one slot
 * and runs unchanged on Redis Cluster. The price is that Maskline's keyspace lives on one shard: a single Redis primary
 * does well over 100k script calls/s, far above what a fleet of gateways sends, so Cluster gives us failover rather
 * than sharding. Sharding by proxy number (tag {@code {P}}) is the way out if one shard ever is not enough.
 *
 * <p>The Lua scripts get {@link #PREFIX} (or whole keys) from here as arguments and add only the segments listed in
 * {@link #SCRIPT_SEGMENTS}; {@code KeysTest} holds every script to this list and to the builders below.
 *
 * <p>No key name holds a person's number: the keys about a person name them by their {@link PartyKeys.Token}, which
 * Java computes and hands to the scripts. Proxy numbers (the pools' own, not people) are named as they are.
 */
public final class Keys {
  public static final String PREFIX = "ml:{ml}:";
  public static final String ARCHIVE_STREAM = PREFIX + "stream:archive";
  /**
   * Approximate cap on the archive stream ({@code XADD MAXLEN ~}): a bound on Redis memory (~1 KB per entry) should
   * the archivers stay away for long; the archive lag metric tells long before it is reached.
   */
  public static final String ARCHIVE_STREAM_MAXLEN = "10000000";
  /** Archive entries Postgres refused one by one (bad data, not an outage): kept for a person to look at. */
  public static final String ARCHIVE_DEAD_LETTERS = PREFIX + "stream:archive-dead";
  public static final String MAIL_STREAM = PREFIX + "stream:mail";
  public static final String MAIL_DEAD_LETTERS = PREFIX + "stream:mail-dead";
  public static final String EXPIRY = PREFIX + "session-expiry";
  public static final String SHARED_POOL = PREFIX + "pool:_shared";

  /**
   * The keys named after a person (by their {@link PartyKeys.Token}, never their number): what a rebuild of the key
   * layout drops and puts back from Postgres ({@link RedisDataWatch}).
   */
  public static final List<String> PEOPLE_KEY_SEGMENTS = List.of("route:", "hist:", "busy:", "rate:", "loop:");

  /** What the scripts append to {@link #PREFIX} themselves, each the start of one builder's keys below. */
  public static final List<String> SCRIPT_SEGMENTS =
      List.of("session-expiry", "session:", "route:", "hist:", "busy:", "num:", "org:", "rate:", "loop:", "sid:", "optout:", "reply:", "sticky:");

  /**
   * Set once Redis holds everything mirrored from Postgres (orgs, numbers, opt-outs, sessions). Its absence means
   * Redis lost its data (restart without persistence, failover to a blank replica): the gateway restores it
   * ({@link RedisDataWatch}).
   */
  public static final String INSTALLATION_MARKER = PREFIX + "installation";

  /**
   * Beside the marker: how people's key names are made, {@code "<version>:<secret fingerprint>"}
   * ({@link RedisDataWatch#layout}). Missing (a Redis filled by a version that named people by their number) or
   * another one: the keys of {@link #PEOPLE_KEY_SEGMENTS} are rebuilt from Postgres.
   */
  public static final String KEY_LAYOUT = PREFIX + "key-layout";
  /** Held by the one pod rebuilding the key layout; expires should that pod die. */
  public static final String KEY_LAYOUT_REBUILD = PREFIX + "key-layout-rebuild";

  /** What a sid key holds while its first delivery is being answered (claimed by route_inbound.lua). */
  public static final String SID_PENDING = "pending";

  private Keys() {}

  public static String org(String orgId) {
    return PREFIX + "org:" + orgId;
  }

  public static String number(String proxy) {
    return PREFIX + "num:" + proxy;
  }

  public static String pool(String orgId) {
    return orgId == null ? SHARED_POOL : PREFIX + "pool:" + orgId;
  }

  /** The numbers of a pool at home in one place ({@link io.maskline.phone.Locality} tag), scored like the pool. */
  public static String localPool(String orgId, String tag) {
    return pool(orgId) + ":" + tag;
  }

  /** Per recipient of an org (field: E.164), the proxy number of their latest session with it. */
  public static String stickyNumbers(String orgId) {
    return PREFIX + "sticky:" + orgId;
  }

  /** A session, keyed by (org, task): task ids are the org's own and may collide across orgs. */
  public static String session(String orgId, String taskId) {
    return PREFIX + "session:" + expiryMember(orgId, taskId);
  }

  /**
   * A session's member in the {@link #EXPIRY} set: {@code "<orgId>:<taskId>"}, split at the first colon (org ids
   * have none).
   */
  public static String expiryMember(String orgId, String taskId) {
    return orgId + ":" + taskId;
  }

  /** An open binding of a party (by token) to proxy number P. */
  public static String route(String proxy, PartyKeys.Token party) {
    return PREFIX + "route:" + proxy + ":" + party.hex();
  }

  /** The post-task history entry of (P, party); the scan for one party matches {@link #historyOf}. */
  public static String history(String proxy, PartyKeys.Token party) {
    return PREFIX + "hist:" + proxy + ":" + party.hex();
  }

  /** The SCAN pattern of a party's history entries on every number, or of every entry when {@code party} is null. */
  public static String historyOf(PartyKeys.Token party) {
    return PREFIX + "hist:*" + (party == null ? "" : ":" + party.hex());
  }

  /** A provider message/call sid: the answer it got (idempotency) and the org it was routed for. */
  public static String sid(String sid) {
    return PREFIX + "sid:" + sid;
  }

  /**
   * That a sid was answered, kept far longer than its answer ({@code replayMarkerTtl}, default 30 days): a captured
   * request replayed after the answer expired is still a duplicate (route_inbound.lua), never forwarded again.
   */
  public static String replayMarker(String sid) {
    return PREFIX + "answered:" + sid;
  }

  /**
   * What a sid key holds once answered: {@code "<orgId> <answer>"} (org ids have no spaces; an empty org id leaves
   * the leading space). One string, so that the hot path claims it with one {@code SET NX}; route_inbound.lua reads
   * the answer after the first space, record_status.lua the org before it.
   */
  public static String sidValue(String orgId, String answer) {
    return (orgId == null ? "" : orgId) + ' ' + answer;
  }

  /** The recipients who opted out of an org's traffic (a set of E.164 numbers; the key names no person). */
  public static String optOuts(String orgId) {
    return PREFIX + "optout:" + orgId;
  }

  /** The recipient an admin's reply to the org's dedicated number P goes back to (their E.164 number). */
  public static String replyTarget(String proxy) {
    return PREFIX + "reply:" + proxy;
  }

  /** When an Onfleet task of the org ended (its timeline), so a late "started" opens nothing. */
  public static String onfleetTask(String orgId, String taskId) {
    return PREFIX + "onfleet:" + orgId + ":" + taskId;
  }

  /** The proxy numbers a party has open sessions on (a number is never given to both parties twice). */
  public static String busy(PartyKeys.Token party) {
    return PREFIX + "busy:" + party.hex();
  }

  /** Rate-limit state (GCRA) of one caller through one proxy number. */
  public static String rate(String proxy, PartyKeys.Token caller) {
    return PREFIX + "rate:" + proxy + ":" + caller.hex();
  }

  /** Rate-limit state (GCRA) of one caller across all proxy numbers. */
  public static String rate(PartyKeys.Token caller) {
    return PREFIX + "rate:" + caller.hex();
  }

  /** Loop-guard state of one binding: the two parties' tokens through P, in sorted order (route_inbound.lua sorts alike). */
  public static String loop(String proxy, PartyKeys.Token party, PartyKeys.Token otherParty) {
    String a = party.hex();
    String b = otherParty.hex();
    boolean inOrder = a.compareTo(b) <= 0;
    return PREFIX + "loop:" + proxy + ":" + (inOrder ? a : b) + ":" + (inOrder ? b : a);
  }
}
