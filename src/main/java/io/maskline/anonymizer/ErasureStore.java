package io.maskline.anonymizer;

import io.vertx.core.Future;

import java.util.List;
import java.util.Map;

/**
 * One store Maskline keeps people in, as the anonymizer sees it: it can forget a person and count what is left of
 * them. The run asks every store for every request, inside the request's Postgres transaction
 * ({@link Erasure#conn()}): a Postgres store writes on that connection and its work commits or rolls back with the
 * request; any other store does its work before the commit, and doing it again must find nothing left (a failure
 * leaves the request {@code WAITING} for the next run). Stores are listed in {@code Features}; a new store (one
 * more place that holds numbers or emails) implements this interface and is added there, and the residual scan
 * ({@code GET /v1/anonymization-requests/{id}/residue}) counts it from then on.
 */
public interface ErasureStore {
  /** Names the store in the request's report and residue ({@code archive}, {@code redis}, …): stable, camelCase. */
  String name();

  /**
   * Starts a run's work in this store, once per run, with every request the run will do: a store that has to walk
   * a keyspace to find people walks it here once for all of them. The pass is then asked for each request.
   */
  default Future<Pass> begin(List<Erasure> run) {
    return Future.succeededFuture(this::erase);
  }

  /** Forgets the person of one request in this store (see the class comment for transactions). */
  Future<Erased> erase(Erasure erasure);

  /**
   * Counts what remains of the person in this store, by place ({@code communications}, {@code sessions}, …): every
   * occurrence of the number in any written form and of the email in any case, as a party or inside text.
   * Occurrences a store keeps on purpose (an open session still routes) are counted too: the count is what is left,
   * not what the store failed to do.
   */
  Future<Map<String, Long>> residue(Erasure erasure);

  /** A run's work in one store. */
  @FunctionalInterface
  interface Pass {
    Future<Erased> erase(Erasure erasure);
  }
}
