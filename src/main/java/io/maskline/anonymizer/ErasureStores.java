package io.maskline.anonymizer;

import io.maskline.storage.PartyKeys;
import io.vertx.redis.client.Redis;

import java.util.List;

/** The stores the anonymizer forgets people in and the residual scan counts, in the order they report. */
public final class ErasureStores {
  private ErasureStores() {}

  /**
   * The stores of the engine itself: the archive (records, raw payloads), Redis and the audit log. A feature that keeps people
   * somewhere else adds its own {@link ErasureStore} to this list where the gateway is assembled ({@code Features}).
   *
   * @param partyKeys  what names a person in Redis key names
   * @param recordings deletes recordings at the provider (requests that also delete recordings and bodies)
   */
  public static List<ErasureStore> builtIn(Redis redis, PartyKeys partyKeys, Recordings recordings) {
    return List.of(new ArchiveErasure(recordings), new RedisHistoryErasure(redis, partyKeys), new RedisErasure(redis, partyKeys),
        new AuditLogErasure());
  }
}
