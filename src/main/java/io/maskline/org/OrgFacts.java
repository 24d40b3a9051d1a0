package io.maskline.org;

import io.maskline.storage.Keys;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.Optional;

/** Reads an org's mirrored facts from Redis (the session and webhook paths never read Postgres). */
public final class OrgFacts {
  private final Redis redis;

  public OrgFacts(Redis redis) {
    this.redis = redis;
  }

  /** What opening a session needs to know about its org. */
  public record SessionFacts(boolean anonymize, String country) {}

  public Future<Optional<SessionFacts>> forSession(String orgId) {
    return redis.send(Request.cmd(Command.HMGET).arg(Keys.org(orgId)).arg("anonymize").arg("country"))
        .map(OrgFacts::sessionFacts);
  }

  private static Optional<SessionFacts> sessionFacts(Response values) {
    Response anonymize = values.get(0);
    if (anonymize == null) {
      return Optional.empty();
    }
    return Optional.of(new SessionFacts("1".equals(anonymize.toString()), values.get(1).toString()));
  }
}
