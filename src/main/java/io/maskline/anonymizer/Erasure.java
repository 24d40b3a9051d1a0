package io.maskline.anonymizer;

import io.vertx.sqlclient.SqlConnection;

/**
 * One person to forget in one org, as the stores get it: the request (org, identity, scope, options), the matcher
 * that finds them in any written form, and the connection whose transaction the request's Postgres work belongs to.
 */
public record Erasure(SqlConnection conn, AnonymizationRequest request, IdentityMatcher person) {
  public String orgId() {
    return request.orgId();
  }
}
