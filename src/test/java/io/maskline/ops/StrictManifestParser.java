package io.maskline.ops;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.internal.KubernetesDeserializer;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads Kubernetes YAML into fabric8's typed model as strictly as the API server would: an unknown kind,
 * an unknown field or a value of the wrong type is an error, not something to carry along.
 */
final class StrictManifestParser {

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      // Jackson would turn "8080" into 8080 and 587 into "587"; the API server rejects both.
      .withCoercionConfig(LogicalType.Integer, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
      .withCoercionConfig(LogicalType.Float, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
      .withCoercionConfig(LogicalType.Boolean, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
      .withCoercionConfig(LogicalType.Textual, c -> c
          .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
      .addModule(new SimpleModule().setDeserializerModifier(new RejectAdditionalProperties()))
      .build();

  private static final KubernetesDeserializer KINDS = new KubernetesDeserializer();

  private StrictManifestParser() {
  }

  /** Every document of a (multi-document) YAML file. */
  static List<HasMetadata> parseFile(Path file) {
    try {
      return parseAll(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
  }

  static List<HasMetadata> parseAll(String yaml, String source) {
    List<HasMetadata> objects = new ArrayList<>();
    for (Object document : loadYaml(yaml)) {
      if (document != null) {
        objects.add(parse(document, source));
      }
    }
    return objects;
  }

  /** Plain YAML (maps, lists, scalars), for files that are not Kubernetes objects. */
  static Iterable<Object> loadYaml(String yaml) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    return new Yaml(new SafeConstructor(options)).loadAll(yaml);
  }

  private static HasMetadata parse(Object document, String source) {
    if (!(document instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(source + ": a document is not a mapping: " + document);
    }
    Object apiVersion = map.get("apiVersion");
    Object kind = map.get("kind");
    // Without this check an unknown kind would quietly become a GenericKubernetesResource.
    var type = apiVersion instanceof String v && kind instanceof String k ? KINDS.getRegisteredKind(v, k) : null;
    if (type == null || !HasMetadata.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException(source + ": unknown kind " + apiVersion + " " + kind);
    }
    try {
      return (HasMetadata) MAPPER.convertValue(map, type);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + kind + " " + nameOf(map) + ": " + e.getMessage(), e);
    }
  }

  private static Object nameOf(Map<?, ?> document) {
    return document.get("metadata") instanceof Map<?, ?> metadata ? metadata.get("name") : null;
  }

  /**
   * fabric8 models keep unknown fields in {@code additionalProperties} through a {@code @JsonAnySetter};
   * without it, FAIL_ON_UNKNOWN_PROPERTIES sees them and names the field and its path.
   */
  private static final class RejectAdditionalProperties extends BeanDeserializerModifier {
    @Override
    public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription description,
                                                 BeanDeserializerBuilder builder) {
      builder.setAnySetter(null);
      return builder;
    }
  }
}
