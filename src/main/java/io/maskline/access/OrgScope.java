package io.maskline.access;

import io.maskline.api.ApiException;
import io.maskline.api.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps an org key inside its org, before any validation or handler runs. Every org a request names (path or query
 * {@code orgId}, {@code orgId} in a JSON body) must be the key's own, else {@code 404} as if it did not exist; then
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
    for (String orgId : namedOrgs(operation, rc)) {
      if (!key.sees(orgId)) {
        rc.fail(ApiException.notFound("org " + orgId + " does not exist"));
        return;
      }
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

  /**
   * Every org the request names, wherever it names one: a handler reads only the place its operation declares, but
   * every place is checked, so an extra {@code ?orgId=} cannot vouch for another org in the body.
   */
  private static List<String> namedOrgs(Operation operation, RoutingContext rc) {
    List<String> named = new ArrayList<>();
    String fromPath = pathOrg(operation.getOpenAPIPath(), rc.normalizedPath());
    if (fromPath != null) {
      named.add(fromPath);
    }
    named.addAll(rc.queryParams().getAll(ORG_ID));
    if (rc.body() != null && rc.body().length() > 0) {
      try {
        JsonObject body = rc.body().asJsonObject();
        if (body != null && body.getValue(ORG_ID) != null) {
          named.add(String.valueOf(body.getValue(ORG_ID)));
        }
      } catch (RuntimeException notJson) {
        // Validation answers it.
      }
    }
    return named;
  }

  /** The {@code {orgId}} segment of the request path, matched against the operation's path template. */
  private static String pathOrg(String template, String path) {
    String[] parts = template.split("/");
    String[] given = path.split("/");
    for (int i = 0; i < parts.length && i < given.length; i++) {
      if (parts[i].equals("{" + ORG_ID + "}")) {
        // Path decoding: a '+' is a plus, as the router reads it for pathParam.
        return java.net.URLDecoder.decode(given[i].replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return null;
  }
}
