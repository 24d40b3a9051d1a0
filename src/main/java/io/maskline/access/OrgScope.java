package io.maskline.access;

import io.maskline.api.ApiException;
import io.maskline.api.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;

/**
 * Keeps an org key inside its org, before any validation or handler runs. The org a request names (path or query
 * {@code orgId}, or {@code orgId} in a JSON body) must be the key's own, else {@code 404} as if it did not exist; then
 * the operation's {@link Access} must allow the key's role, else {@code 403}. Operations that name an org only
 * through a resource (a session's task id) check it in their handler with {@link Principal#sees}.
 */
public final class OrgScope implements Handler<RoutingContext> {
  private static final String ORG_ID = "orgId";
  private final OpenAPIContract contract;

  public OrgScope(OpenAPIContract contract) {
    this.contract = contract;
  }

  @Override
  public void handle(RoutingContext rc) {
    String path = rc.normalizedPath();
    if (!path.startsWith("/v1/") || !(rc.get(Principal.CONTEXT_KEY) instanceof Principal.OrgKey key)) {
      rc.next();
      return;
    }
    Operation operation = contract.findOperation(path, rc.request().method());
    if (operation == null) {
      rc.next();
      return;
    }
    String orgId = namedOrg(operation, rc);
    if (orgId != null && !key.sees(orgId)) {
      rc.fail(ApiException.notFound("org " + orgId + " does not exist"));
      return;
    }
    Access access = Access.of(operation);
    if (access == Access.PLATFORM) {
      rc.fail(new ApiException(ErrorCode.FORBIDDEN, operation.getOperationId() + " needs the platform token"));
    } else if (access == Access.ADMIN && key.role() != OrgRole.ADMIN) {
      rc.fail(new ApiException(ErrorCode.FORBIDDEN, "a viewer key is read-only; " + operation.getOperationId() + " needs an admin key"));
    } else {
      rc.next();
    }
  }

  /** The org the request names, wherever the operation takes it; null when it names none. */
  private static String namedOrg(Operation operation, RoutingContext rc) {
    String fromPath = pathOrg(operation.getOpenAPIPath(), rc.normalizedPath());
    if (fromPath != null) {
      return fromPath;
    }
    String fromQuery = rc.queryParams().get(ORG_ID);
    if (fromQuery != null) {
      return fromQuery;
    }
    if (rc.body() != null && rc.body().length() > 0) {
      try {
        JsonObject body = rc.body().asJsonObject();
        if (body != null && body.getValue(ORG_ID) instanceof String fromBody) {
          return fromBody;
        }
      } catch (RuntimeException notJson) {
        // Validation answers it.
      }
    }
    return null;
  }

  /** The {@code {orgId}} segment of the request path, matched against the operation's path template. */
  private static String pathOrg(String template, String path) {
    String[] parts = template.split("/");
    String[] given = path.split("/");
    for (int i = 0; i < parts.length && i < given.length; i++) {
      if (parts[i].equals("{" + ORG_ID + "}")) {
        return java.net.URLDecoder.decode(given[i], java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return null;
  }
}
