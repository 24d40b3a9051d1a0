package io.maskline.binding;

/**
 * Redis key layout. Every key carries the hash tag {@code {ml}}, so each Lua script touches one slot and runs
 * unchanged on Redis Cluster. The price is that Maskline's keyspace lives on one shard: a single Redis primary does
 * well over 100k script calls/s, far above what a fleet of gateways sends, so Cluster gives us failover rather than
 * sharding. Sharding by proxy number (tag {@code {P}}) is the way out if one shard ever is not enough.
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

  public static String session(String taskId) {
    return PREFIX + "session:" + taskId;
  }

  public static String route(String proxy, String caller) {
    return PREFIX + "route:" + proxy + ":" + caller;
  }

  public static String history(String proxy, String caller) {
    return PREFIX + "hist:" + proxy + ":" + caller;
  }

  /** A provider message/call sid: the answer it got (idempotency) and the org it was routed for. */
  public static String sid(String sid) {
    return PREFIX + "sid:" + sid;
  }

  /** The recipients who opted out of an org's traffic (a set of E.164 numbers; the key names no person). */
  public static String optOuts(String orgId) {
    return PREFIX + "optout:" + orgId;
  }

  /** The recipient an admin's reply to the org's dedicated number P goes back to (their E.164 number). */
  public static String replyTarget(String proxy) {
    return PREFIX + "reply:" + proxy;
  }

  public static String busy(String phone) {
    return PREFIX + "busy:" + phone;
  }
}
