package io.maskline.access;

import io.maskline.support.OrgKeysForTests;
import io.maskline.support.SharedGateway;
import io.maskline.support.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.maskline.support.ProblemAssert.assertProblem;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.number;
import static io.maskline.support.TestData.openSession;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Walks every operation of the contract as it is on disk (operations added later are walked too) with an admin key
 * of org A against org B's things, with a viewer key of org B, and without a credential; org B must be unchanged.
 */
class OrgIsolationContractTest {
  private static final Path CONTRACT = Path.of("src/main/resources/openapi.yaml");
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");
  private static final Pattern TEMPLATE = Pattern.compile("\\{([^}]+)}");

  @SharedGateway static TestGateway gw;
  static final String orgA = id("orgA");
  static final String orgB = id("orgB");
  static final String taskB = id("taskB");
  static final String driverB = phone();
  static final String recipientB = phone();
  static String numberB;
  static JsonObject adminA;
  static JsonObject viewerB;
  static JsonObject adminB;
  static String requestB;
  static String notificationB;

  @BeforeAll
  static void start() {
    org(gw, orgA, new JsonObject());
    org(gw, orgB, new JsonObject().put("adminPhone", phone()));
    numberB = number(gw, orgB);
    assertThat(openSession(gw, orgB, taskB, driverB, recipientB).statusCode()).isEqualTo(201);
    adminA = OrgKeysForTests.create(gw, orgA, "admin");
    viewerB = OrgKeysForTests.create(gw, orgB, "viewer");
    adminB = OrgKeysForTests.create(gw, orgB, "admin");
    HttpResponse<Buffer> request = gw.admin(HttpMethod.POST, "/v1/anonymization-requests")
        .sendJsonObject(new JsonObject().put("orgId", orgB).put("phone", driverB)).await();
    assertThat(request.statusCode()).as(request.bodyAsString()).isEqualTo(201);
    requestB = request.bodyAsJsonObject().getString("id");
    HttpResponse<Buffer> notification = gw.admin(HttpMethod.POST, "/v1/notifications").sendJsonObject(new JsonObject()
        .put("orgId", orgB).put("to", recipientB).put("body", "on its way").put("idempotencyKey", "isolation")).await();
    assertThat(notification.statusCode()).as(notification.bodyAsString()).isEqualTo(202);
    notificationB = notification.bodyAsJsonObject().getString("id");
  }

  @Test
  void everyOperationDeclaresWhoMayCallIt() {
    for (Call call : calls()) {
      assertThat(call.access())
          .as("%s %s (%s) must declare x-maskline-access: viewer, admin or platform (see docs/ACCESS.md)", call.method(), call.template(), call.operationId())
          .isIn("viewer", "admin", "platform");
    }
  }

  @Test
  void anotherOrgsKeyFindsNothingAndChangesNothing() {
    JsonObject before = stateOfB();
    for (Call call : calls()) {
      HttpResponse<Buffer> response = send(call, adminA);
      String what = call + " with org A's admin key";
      if (call.namesOrgB()) {
        assertProblem(response, 404, "NOT_FOUND");
      } else if (call.access().equals("platform")) {
        assertProblem(response, 403, "FORBIDDEN");
      } else if (call.touchesResourceOfB()) {
        assertThat(response.statusCode()).as(what + ": " + response.bodyAsString()).isIn(404, 409);
      } else {
        assertThat(response.statusCode()).as(what + ": " + response.bodyAsString()).isBetween(200, 299);
        String body = String.valueOf(response.bodyAsString());
        assertThat(body).as(what + " must not show org B").doesNotContain(orgB).doesNotContain(numberB).doesNotContain(driverB);
      }
    }
    assertThat(stateOfB()).isEqualTo(before);
  }

  @Test
  void aViewerKeyOnlyReads() {
    JsonObject before = stateOfB();
    for (Call call : calls()) {
      HttpResponse<Buffer> response = send(call, viewerB);
      if (call.access().equals("viewer")) {
        assertThat(response.statusCode()).as(call + " with org B's viewer key: " + response.bodyAsString()).isNotIn(401, 403).isLessThan(500);
      } else {
        assertProblem(response, 403, "FORBIDDEN");
      }
    }
    assertThat(stateOfB()).isEqualTo(before);
  }

  @Test
  void withoutACredentialEveryOperationIsUnauthorized() {
    for (Call call : calls()) {
      assertProblem(call.request(gw.http.request(call.method(), call.uri())), 401, "UNAUTHORIZED");
    }
  }

  /** What org A's key or B's viewer key could have touched in org B, as the platform sees it. */
  private static JsonObject stateOfB() {
    return new JsonObject()
        .put("org", platformGet("/v1/orgs/" + orgB))
        .put("session", platformGet("/v1/sessions/" + taskB))
        .put("numbers", platformGet("/v1/numbers?orgId=" + orgB))
        .put("keys", platformGet("/v1/orgs/" + orgB + "/keys"))
        .put("requests", platformGet("/v1/anonymization-requests?orgId=" + orgB))
        .put("audit", platformGet("/v1/orgs/" + orgB + "/audit"));
  }

  private static JsonObject platformGet(String uri) {
    HttpResponse<Buffer> response = gw.admin(HttpMethod.GET, uri).send().await();
    assertThat(response.statusCode()).as(uri + ": " + response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static HttpResponse<Buffer> send(Call call, JsonObject key) {
    return call.request(OrgKeysForTests.as(gw, key, call.method(), call.uri()));
  }

  /**
   * One request per operation, aimed at org B: {@code orgId} wherever the operation takes one, B's task, number or
   * key where a path names one. An optional {@code orgId} query is walked with and without it (lists are filtered).
   */
  record Call(String operationId, HttpMethod method, String template, String uri, String access, JsonObject body,
              boolean namesOrgB, boolean touchesResourceOfB) {
    HttpResponse<Buffer> request(HttpRequest<Buffer> request) {
      return body == null ? request.send().await() : request.sendJsonObject(body).await();
    }

    @Override
    public String toString() {
      return method + " " + uri + " (" + operationId + ")";
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Call> calls() {
    Map<String, Object> contract = contract();
    Map<String, Object> paths = (Map<String, Object>) contract.get("paths");
    List<Call> calls = new ArrayList<>();
    paths.forEach((template, item) -> {
      Map<String, Object> pathItem = (Map<String, Object>) item;
      List<Map<String, Object>> shared = parameters(contract, pathItem.get("parameters"));
      pathItem.forEach((method, value) -> {
        if (!METHODS.contains(method)) {
          return;
        }
        Map<String, Object> operation = (Map<String, Object>) value;
        List<Map<String, Object>> parameters = new ArrayList<>(shared);
        parameters.addAll(parameters(contract, operation.get("parameters")));
        String operationId = String.valueOf(operation.get("operationId"));
        String access = (String) operation.get("x-maskline-access");
        boolean bodyNamesOrg = operation.containsKey("requestBody") && bodyTakesOrgId(contract, operation.get("requestBody"));
        JsonObject body = !operation.containsKey("requestBody") ? null : bodyNamesOrg ? new JsonObject().put("orgId", orgB) : new JsonObject();
        boolean[] namesOrg = {bodyNamesOrg};
        boolean[] resourceOfB = {false};
        StringBuilder uri = new StringBuilder();
        Matcher m = TEMPLATE.matcher(template);
        while (m.find()) {
          String name = m.group(1);
          String sample = switch (name) {
            case "orgId" -> {
              namesOrg[0] = true;
              yield orgB;
            }
            case "taskId" -> {
              resourceOfB[0] = true;
              yield taskB;
            }
            case "number" -> {
              resourceOfB[0] = true;
              yield numberB;
            }
            case "keyPrefix" -> {
              resourceOfB[0] = true;
              yield viewerB.getString("prefix");
            }
            case "requestId" -> {
              resourceOfB[0] = true;
              yield requestB;
            }
            case "notificationId" -> {
              resourceOfB[0] = true;
              yield notificationB;
            }
            case "runId" -> UUID.randomUUID().toString();
            default -> "unknown-" + name;
          };
          m.appendReplacement(uri, Matcher.quoteReplacement(URLEncoder.encode(sample, StandardCharsets.UTF_8)));
        }
        m.appendTail(uri);
        List<String> query = new ArrayList<>();
        boolean optionalOrgQuery = false;
        for (Map<String, Object> parameter : parameters) {
          if (!"query".equals(parameter.get("in"))) {
            continue;
          }
          String name = (String) parameter.get("name");
          if (name.equals("orgId")) {
            query.add("orgId=" + orgB);
            namesOrg[0] = true;
            optionalOrgQuery = !Boolean.TRUE.equals(parameter.get("required"));
          } else if (Boolean.TRUE.equals(parameter.get("required"))) {
            query.add(name + "=x");
          }
        }
        HttpMethod httpMethod = HttpMethod.valueOf(method.toUpperCase());
        String full = uri + (query.isEmpty() ? "" : "?" + String.join("&", query));
        calls.add(new Call(operationId, httpMethod, template, full, access, body, namesOrg[0], resourceOfB[0]));
        if (optionalOrgQuery) {
          List<String> withoutOrg = query.stream().filter(q -> !q.startsWith("orgId=")).toList();
          calls.add(new Call(operationId, httpMethod, template, uri + (withoutOrg.isEmpty() ? "" : "?" + String.join("&", withoutOrg)),
              access, body, bodyNamesOrg, resourceOfB[0]));
        }
      });
    });
    assertThat(calls).as("operations in the contract").hasSizeGreaterThan(10);
    return calls;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> parameters(Map<String, Object> contract, Object given) {
    List<Map<String, Object>> resolved = new ArrayList<>();
    if (given instanceof List<?> list) {
      for (Object parameter : list) {
        resolved.add((Map<String, Object>) resolve(contract, parameter));
      }
    }
    return resolved;
  }

  @SuppressWarnings("unchecked")
  private static boolean bodyTakesOrgId(Map<String, Object> contract, Object requestBody) {
    Map<String, Object> content = (Map<String, Object>) ((Map<String, Object>) resolve(contract, requestBody)).get("content");
    Map<String, Object> json = (Map<String, Object>) content.get("application/json");
    if (json == null) {
      return false;
    }
    Map<String, Object> schema = (Map<String, Object>) resolve(contract, json.get("schema"));
    Object properties = schema.get("properties");
    return properties instanceof Map<?, ?> map && map.containsKey("orgId");
  }

  @SuppressWarnings("unchecked")
  private static Object resolve(Map<String, Object> contract, Object node) {
    if (node instanceof Map<?, ?> map && map.get("$ref") instanceof String ref) {
      Object target = contract;
      for (String part : ref.substring(2).split("/")) {
        target = ((Map<String, Object>) target).get(part);
      }
      return resolve(contract, target);
    }
    return node;
  }

  private static Map<String, Object> contract() {
    try {
      return new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(CONTRACT));
    } catch (IOException e) {
      return fail("cannot read " + CONTRACT, e);
    }
  }
}
