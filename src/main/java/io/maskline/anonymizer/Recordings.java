package io.maskline.anonymizer;

import io.vertx.core.Future;

/**
 * Call recordings held at the provider, as erasure needs them: deleted on request. The provider's adapter implements
 * it ({@code provider/twilio}), so anonymization never depends on a provider.
 */
public interface Recordings {

  /** {@code deleted} true when the provider no longer has it; otherwise {@code error} says why, after all attempts. */
  record Deletion(String recordingSid, boolean deleted, int attempts, String error) {}

  /** Never fails: the outcome says what happened, so a caller can report failures. */
  Future<Deletion> delete(String recordingSid);
}
