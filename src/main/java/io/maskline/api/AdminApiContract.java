package io.maskline.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The published OpenAPI 3.1 document ({@code openapi.yaml}) and the contract requests are validated against.
 * vertx-openapi 5.0 refuses {@code application/problem+json} as a response media type; responses are not validated,
 * so the validator gets a copy where error responses read {@code application/json}, while clients get the true document.
 */
public record AdminApiContract(Buffer document, OpenAPIContract contract) {
  private static final String RESOURCE = "/openapi.yaml";

  public static Future<AdminApiContract> load(Vertx vertx) {
    Buffer document = read();
    Map<String, Object> tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(document.toString());
    String forValidator = new JsonObject(tree).encode().replace("\"" + Problems.CONTENT_TYPE + "\"", "\"application/json\"");
    return OpenAPIContract.from(vertx, new JsonObject(forValidator)).map(contract -> new AdminApiContract(document, contract));
  }

  private static Buffer read() {
    try (InputStream in = AdminApiContract.class.getResourceAsStream(RESOURCE)) {
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
