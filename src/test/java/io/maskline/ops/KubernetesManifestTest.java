package io.maskline.ops;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The k8s/ manifests as the API server would see them, checked offline: the base read file by file (always),
 * every overlay rendered by {@code kubectl kustomize} (where kubectl is on PATH), each object parsed into
 * fabric8's typed model by {@link StrictManifestParser}, then held to what the gateway needs.
 */
class KubernetesManifestTest {

  private static final Path K8S = Path.of("k8s");
  private static final Path BASE = K8S.resolve("base");
  private static final String GATEWAY = "maskline-gateway";
  private static final String SECRET = "maskline-gateway-secrets";
  private static final int DEFAULT_HTTP_PORT = 8080;

  /** docs/API.md § Configuration, plus the shutdown drain the gateway reads. Nothing else may reach the pod. */
  private static final Set<String> CONFIGURATION_VARIABLES = Set.of(
      "MASKLINE_HTTP_PORT", "MASKLINE_PUBLIC_URL", "MASKLINE_REDIS_URL", "MASKLINE_PG_URL",
      "MASKLINE_SMTP_HOST", "MASKLINE_SMTP_PORT", "MASKLINE_MAIL_FROM",
      "MASKLINE_TWILIO_ACCOUNT_SID", "MASKLINE_TWILIO_AUTH_TOKEN", "MASKLINE_TWILIO_API_URL",
      "MASKLINE_ADMIN_TOKEN", "MASKLINE_DEFAULT_COUNTRY", "MASKLINE_ANONYMIZER_SCHEDULE", "MASKLINE_TIMEZONE",
      "MASKLINE_RATE_PER_PAIR", "MASKLINE_RATE_PER_CALLER", "MASKLINE_LOOP_GUARD",
      "MASKLINE_HTTP_SHUTDOWN_DRAIN");

  /** Tokens, and the URLs that may carry passwords: only ever in the Secret. */
  private static final Set<String> SECRET_VARIABLES = Set.of(
      "MASKLINE_REDIS_URL", "MASKLINE_PG_URL", "MASKLINE_TWILIO_ACCOUNT_SID", "MASKLINE_TWILIO_AUTH_TOKEN",
      "MASKLINE_ADMIN_TOKEN");

  private static final String PLACEHOLDER = "CHANGE_ME";

  /** DNS, Redis, Redis Sentinel, Postgres, SMTP, SMTP submission, provider API. */
  private static final Set<String> ALLOWED_EGRESS = Set.of(
      "UDP/53", "TCP/53", "TCP/6379", "TCP/26379", "TCP/5432", "TCP/25", "TCP/587", "TCP/443");

  private static final boolean KUBECTL = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
      .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, "kubectl")));

  private static final Map<Path, Bundle> LOADED = new ConcurrentHashMap<>();

  @BeforeAll
  static void sayWhatIsSkipped() {
    if (!KUBECTL) {
      System.out.println("KubernetesManifestTest: kubectl is not on PATH, so the overlays are not rendered; "
          + "the base, the Secret template and the broken manifests are still checked.");
    }
  }

  static Stream<Path> sources() throws IOException {
    return Stream.concat(Stream.of(BASE), overlays());
  }

  static Stream<Path> overlays() throws IOException {
    try (Stream<Path> dirs = Files.list(K8S.resolve("overlays"))) {
      return dirs.filter(Files::isDirectory).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sources")
  void holdsTheGatewayObjects(Path source) {
    Bundle bundle = load(source);

    assertThat(bundle.named(Deployment.class)).containsOnlyKeys(GATEWAY);
    assertThat(bundle.named(Service.class)).containsOnlyKeys(GATEWAY);
    assertThat(bundle.named(HorizontalPodAutoscaler.class)).containsOnlyKeys(GATEWAY);
    assertThat(bundle.named(PodDisruptionBudget.class)).containsOnlyKeys(GATEWAY);
    assertThat(bundle.named(NetworkPolicy.class)).containsKey(GATEWAY);
    assertThat(bundle.all(ConfigMap.class)).hasSize(1);
    assertThat(bundle.all(Namespace.class)).singleElement()
        .satisfies(ns -> assertThat(ns.getMetadata().getLabels())
            .containsEntry("pod-security.kubernetes.io/enforce", "restricted"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sources")
  void containerServiceAndScrapeUseTheConfiguredHttpPort(Path source) {
    Bundle bundle = load(source);
    int port = Integer.parseInt(bundle.env().get("MASKLINE_HTTP_PORT"));

    assertThat(port).isEqualTo(DEFAULT_HTTP_PORT);
    assertThat(bundle.resolvePort(new IntOrString("http"))).isEqualTo(port);
    assertThat(bundle.only(Service.class).getSpec().getPorts())
        .singleElement()
        .satisfies(servicePort -> {
          assertThat(servicePort.getName()).isEqualTo("http");
          assertThat(bundle.resolvePort(servicePort.getTargetPort())).isEqualTo(port);
        });
    assertThat(bundle.deployment().getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", String.valueOf(port))
        .containsEntry("prometheus.io/path", "/metrics");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sources")
  void probesAskTheHealthEndpointsOnTheHttpPort(Path source) {
    Bundle bundle = load(source);
    Container gateway = bundle.gateway();
    int port = bundle.resolvePort(new IntOrString("http"));

    assertHttpProbe(bundle, gateway.getStartupProbe(), "/health/live", port);
    assertHttpProbe(bundle, gateway.getLivenessProbe(), "/health/live", port);
    assertHttpProbe(bundle, gateway.getReadinessProbe(), "/health/ready", port);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sources")
  void podRunsUnderTheRestrictedProfile(Path source) {
    Bundle bundle = load(source);
    PodSpec pod = bundle.pod();
    PodSecurityContext podContext = Objects.requireNonNullElseGet(pod.getSecurityContext(), PodSecurityContext::new);
    SecurityContext container = bundle.gateway().getSecurityContext();

    assertThat(container).as("container securityContext").isNotNull();
    assertThat(effective(container.getRunAsNonRoot(), podContext.getRunAsNonRoot())).isTrue();
    assertThat(effective(container.getRunAsUser(), podContext.getRunAsUser())).as("runAsUser").isPositive();
    assertThat(container.getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getPrivileged()).isNotEqualTo(Boolean.TRUE);
    assertThat(container.getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getCapabilities()).isNotNull();
    assertThat(container.getCapabilities().getDrop()).contains("ALL");
    assertThat(container.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(effective(container.getSeccompProfile(), podContext.getSeccompProfile()))
        .isNotNull()
        .satisfies(profile -> assertThat(profile.getType()).isEqualTo("RuntimeDefault"));
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostIPC()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();

    // A read-only root needs somewhere to write java.io.tmpdir.
    Map<String, Volume> volumes = pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));
    assertThat(bundle.gateway().getVolumeMounts())
        .filteredOn(mount -> mount.getMountPath().equals("/tmp"))
        .singleElement()
        .satisfies(mount -> assertThat(volumes.get(mount.getName()).getEmptyDir()).as("/tmp is an emptyDir").isNotNull());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sources")
  void heapIsSizedFromAMemoryLimitEqualToTheRequest(Path source) {
    Bundle bundle = load(source);
    var resources = bundle.gateway().getResources();

    Quantity request = resources.getRequests().get("memory");
    Quantity limit = resources.getLimits().get("memory");
    assertThat(request).as("memory request").isNotNull();
    assertThat(limit).as("memory limit").isNotNull();
    assertThat(Quantity.getAmountInBytes(request)).isEqualByComparingTo(Quantity.getAmountInBytes(limit));
    // The HPA's CPU utilization is a share of the request.
    assertThat(resources.getRequests()).containsKey("cpu");
    assertThat(bundle.explicitEnv()).hasEntrySatisfying("JAVA_TOOL_OPTIONS",
        options -> assertThat(options).contains("-XX:MaxRAMPercentage="));
  }

  /**
   * The image's JVM flags are the Deployment's (a pod run from the image alone sizes its heap alike), and the heap
   * they give leaves the limit's rest for what lives outside it: peak RSS was measured at up to ~300 MB with a 153 MB
   * heap (docs/PERFORMANCE.md), so at least 200 MiB outside the heap.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("sources")
  void imageAndDeploymentSizeTheHeapAlikeWithRoomOutsideIt(Path source) throws IOException {
    Bundle bundle = load(source);
    String options = bundle.explicitEnv().get("JAVA_TOOL_OPTIONS");
    var image = java.util.regex.Pattern.compile("ENV JAVA_TOOL_OPTIONS=\"([^\"]*)\"").matcher(Files.readString(Path.of("Dockerfile")));
    assertThat(image.find()).as("Dockerfile sets JAVA_TOOL_OPTIONS").isTrue();
    assertThat(options).isEqualTo(image.group(1));

    var percent = java.util.regex.Pattern.compile("-XX:MaxRAMPercentage=(\\d+)").matcher(options);
    assertThat(percent.find()).isTrue();
    java.math.BigDecimal limit = Quantity.getAmountInBytes(bundle.gateway().getResources().getLimits().get("memory"));
    double heap = limit.doubleValue() * Integer.parseInt(percent.group(1)) / 100;
    assertThat(limit.doubleValue() - heap).as("bytes outside the heap").isGreaterThanOrEqualTo(200.0 * 1024 * 1024);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sources")
  void preStopSleepAndDrainEndWithinTheGracePeriod(Path source) {
    Bundle bundle = load(source);
    var preStop = bundle.gateway().getLifecycle() == null ? null : bundle.gateway().getLifecycle().getPreStop();

    assertThat(preStop).as("preStop hook").isNotNull();
    assertThat(preStop.getSleep()).as("preStop sleep action").isNotNull();
    long sleep = preStop.getSleep().getSeconds();
    long drain = Long.parseLong(bundle.env().get("MASKLINE_HTTP_SHUTDOWN_DRAIN"));
    Long grace = bundle.pod().getTerminationGracePeriodSeconds();

    assertThat(sleep).isPositive();
    assertThat(grace).as("terminationGracePeriodSeconds").isNotNull();
    assertThat(sleep + drain).as("preStop sleep %d s + drain %d s", sleep, drain).isLessThan(grace);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sources")
  void autoscalerScalesTheDeploymentOnCpu(Path source) {
    Bundle bundle = load(source);
    var spec = bundle.only(HorizontalPodAutoscaler.class).getSpec();

    assertThat(spec.getScaleTargetRef().getApiVersion()).isEqualTo("apps/v1");
    assertThat(spec.getScaleTargetRef().getKind()).isEqualTo("Deployment");
    assertThat(spec.getScaleTargetRef().getName()).isEqualTo(bundle.deployment().getMetadata().getName());
    assertThat(spec.getMinReplicas()).isPositive().isLessThanOrEqualTo(spec.getMaxReplicas());
    assertThat(spec.getMetrics()).map(MetricSpec::getResource).filteredOn(Objects::nonNull)
        .anySatisfy(metric -> {
          assertThat(metric.getName()).isEqualTo("cpu");
          assertThat(metric.getTarget().getType()).isEqualTo("Utilization");
          assertThat(metric.getTarget().getAverageUtilization()).isBetween(1, 100);
        });
    // A replica count in the Deployment would fight the autoscaler on every apply.
    assertThat(bundle.deployment().getSpec().getReplicas()).isNull();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sources")
  void everySelectorMatchesThePodLabels(Path source) {
    Bundle bundle = load(source);
    Map<String, String> podLabels = bundle.deployment().getSpec().getTemplate().getMetadata().getLabels();

    assertSelects(bundle.deployment().getSpec().getSelector(), podLabels, "Deployment selector");
    assertSelects(bundle.only(PodDisruptionBudget.class).getSpec().getSelector(), podLabels, "PodDisruptionBudget");
    assertSelects(bundle.named(NetworkPolicy.class).get(GATEWAY).getSpec().getPodSelector(), podLabels, "NetworkPolicy");
    assertThat(bundle.only(Service.class).getSpec().getSelector()).isNotEmpty();
    assertThat(podLabels).as("Service selector").containsAllEntriesOf(bundle.only(Service.class).getSpec().getSelector());

    var spread = bundle.pod().getTopologySpreadConstraints();
    assertThat(spread).extracting(c -> c.getTopologyKey())
        .contains("kubernetes.io/hostname", "topology.kubernetes.io/zone");
    spread.forEach(c -> assertSelects(c.getLabelSelector(), podLabels, "topologySpreadConstraint " + c.getTopologyKey()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sources")
  void networkIsDeniedUnlessAllowed(Path source) {
    Bundle bundle = load(source);
    List<NetworkPolicy> policies = bundle.all(NetworkPolicy.class);

    assertThat(policies).as("a default-deny policy").anySatisfy(policy -> {
      assertThat(isEmpty(policy.getSpec().getPodSelector())).as("selects every pod").isTrue();
      assertThat(policy.getSpec().getPolicyTypes()).contains("Ingress", "Egress");
      assertThat(policy.getSpec().getIngress()).isNullOrEmpty();
      assertThat(policy.getSpec().getEgress()).isNullOrEmpty();
    });

    var gateway = bundle.named(NetworkPolicy.class).get(GATEWAY).getSpec();
    assertThat(gateway.getPolicyTypes()).contains("Ingress", "Egress");
    assertThat(gateway.getIngress()).flatMap(rule -> rule.getPorts())
        .anySatisfy(port -> assertThat(bundle.resolvePort(port.getPort())).isEqualTo(DEFAULT_HTTP_PORT));

    // Egress, across every policy: each rule names its ports, and together they are exactly the dependencies.
    var egressRules = policies.stream().flatMap(p -> Objects.requireNonNullElse(p.getSpec().getEgress(), List.<NetworkPolicyEgressRule>of()).stream())
        .toList();
    assertThat(egressRules).allSatisfy(rule -> assertThat(rule.getPorts()).as("egress rule without ports allows all").isNotEmpty());
    Set<String> egress = egressRules.stream().flatMap(rule -> rule.getPorts().stream())
        .map(KubernetesManifestTest::protocolAndPort).collect(Collectors.toSet());
    assertThat(egress).isEqualTo(ALLOWED_EGRESS);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sources")
  void configurationReachesThePodOnlyThroughDocumentedVariables(Path source) {
    Bundle bundle = load(source);
    Container gateway = bundle.gateway();

    assertThat(bundle.only(ConfigMap.class).getData().keySet())
        .isSubsetOf(CONFIGURATION_VARIABLES)
        .doesNotContainAnyElementsOf(SECRET_VARIABLES)
        .contains("MASKLINE_HTTP_PORT", "MASKLINE_HTTP_SHUTDOWN_DRAIN");
    assertThat(gateway.getEnv()).map(EnvVar::getName)
        .allSatisfy(name -> assertThat(name).isIn(union(CONFIGURATION_VARIABLES, Set.of("JAVA_TOOL_OPTIONS"))))
        .doesNotContainAnyElementsOf(SECRET_VARIABLES);

    assertThat(gateway.getEnvFrom()).anySatisfy(from -> {
      assertThat(from.getConfigMapRef()).isNotNull();
      assertThat(from.getConfigMapRef().getName()).isEqualTo(bundle.only(ConfigMap.class).getMetadata().getName());
    });
    assertThat(gateway.getEnvFrom()).anySatisfy(from -> {
      assertThat(from.getSecretRef()).isNotNull();
      assertThat(from.getSecretRef().getName()).isEqualTo(SECRET);
      assertThat(from.getSecretRef().getOptional()).as("the pod must not start without its secrets").isNotEqualTo(Boolean.TRUE);
    });

    // Whatever Secret is rendered is a template: documented keys, placeholder values.
    bundle.all(Secret.class).forEach(KubernetesManifestTest::assertPlaceholderSecret);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void overlayPinsAReleasedImage(Path overlay) {
    String image = load(overlay).gateway().getImage();

    assertThat(image).matches(".+/.+(:[\\w.-]+|@sha256:[0-9a-f]{64})").doesNotEndWith(":latest");
  }

  @Test
  void prodLeavesTheSecretToTheCluster() {
    Bundle prod = load(K8S.resolve("overlays/prod"));

    assertThat(prod.all(Secret.class)).as("prod renders no Secret").isEmpty();
  }

  @Test
  void secretTemplateHoldsEverySecretAsAPlaceholder() {
    List<HasMetadata> template = StrictManifestParser.parseFile(K8S.resolve("components/secret-template/secret.yaml"));

    assertThat(template).singleElement().isInstanceOf(Secret.class).satisfies(secret -> {
      assertThat(secret.getMetadata().getName()).isEqualTo(SECRET);
      assertThat(secretValues((Secret) secret)).containsOnlyKeys(SECRET_VARIABLES);
      assertPlaceholderSecret((Secret) secret);
    });
  }

  @Test
  void everyBaseManifestIsInTheKustomization() throws IOException {
    Set<String> listed = Set.copyOf(strings(yamlMap(BASE.resolve("kustomization.yaml")).get("resources")));
    try (Stream<Path> files = Files.list(BASE)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .filteredOn(name -> name.endsWith(".yaml") && !name.equals("kustomization.yaml"))
          .containsExactlyInAnyOrderElementsOf(listed);
    }
  }

  /** ServiceMonitor and KEDA ScaledObject are CRDs outside the typed model: checked by shape against the base. */
  @Test
  void extrasPointAtTheGateway() {
    Bundle base = load(BASE);
    Service service = base.only(Service.class);

    Map<String, Object> monitor = yamlMap(K8S.resolve("extras/servicemonitor.yaml"));
    assertThat(path(monitor, "kind")).isEqualTo("ServiceMonitor");
    assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(
        stringMap(path(monitor, "spec", "selector", "matchLabels")));
    assertThat(maps(path(monitor, "spec", "endpoints"))).singleElement().satisfies(endpoint -> {
      assertThat(endpoint.get("port")).isEqualTo(service.getSpec().getPorts().get(0).getName());
      assertThat(endpoint.get("path")).isEqualTo("/metrics");
    });

    Map<String, Object> scaledObject = yamlMap(K8S.resolve("extras/keda-scaledobject.yaml"));
    assertThat(path(scaledObject, "kind")).isEqualTo("ScaledObject");
    assertThat(path(scaledObject, "spec", "scaleTargetRef", "kind")).isEqualTo("Deployment");
    assertThat(path(scaledObject, "spec", "scaleTargetRef", "name")).isEqualTo(base.deployment().getMetadata().getName());
    assertThat(maps(path(scaledObject, "spec", "triggers"))).extracting(t -> t.get("type")).contains("prometheus");
  }

  @ParameterizedTest(name = "{0} is rejected: {1}")
  @CsvSource({
      "unknown-field.yaml,     contaienrs",
      "string-for-int.yaml,    containerPort",
      "number-for-string.yaml, MASKLINE_SMTP_PORT",
      "unknown-kind.yaml,      unknown kind apps/v1 Deploymnet",
  })
  void brokenManifestIsRejected(String file, String complaint) {
    Path broken = Path.of("src/test/resources/k8s-broken").resolve(file);

    assertThatThrownBy(() -> StrictManifestParser.parseFile(broken))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(complaint);
  }

  // --- loading ---------------------------------------------------------------------------------------------

  private static Bundle load(Path source) {
    return LOADED.computeIfAbsent(source, s -> s.equals(BASE) ? readBase() : render(s));
  }

  /** The base without kustomize: its resource files, plus the ConfigMap its generator would make. */
  private static Bundle readBase() {
    Map<String, Object> kustomization = yamlMap(BASE.resolve("kustomization.yaml"));
    List<HasMetadata> objects = new ArrayList<>();
    for (String resource : strings(kustomization.get("resources"))) {
      objects.addAll(StrictManifestParser.parseFile(BASE.resolve(resource)));
    }
    for (Map<String, Object> generator : maps(kustomization.get("configMapGenerator"))) {
      // Only what this emulation understands; anything else would make the base check lie.
      assertThat(generator.keySet()).isSubsetOf("name", "envs", "literals");
      Map<String, String> data = new LinkedHashMap<>();
      strings(generator.get("envs")).forEach(env -> data.putAll(envFile(BASE.resolve(env))));
      strings(generator.get("literals")).forEach(literal -> data.putAll(keyValue(literal)));
      objects.add(new ConfigMapBuilder().withNewMetadata().withName((String) generator.get("name")).endMetadata()
          .withData(data).build());
    }
    return new Bundle(BASE.toString(), objects);
  }

  private static Bundle render(Path overlay) {
    assumeTrue(KUBECTL, () -> "kubectl is not on PATH: " + overlay + " is not rendered (the base is still checked)");
    try {
      Path stderr = Files.createTempFile("kustomize", ".err");
      try {
        Process process = new ProcessBuilder("kubectl", "kustomize", overlay.toString())
            .redirectError(stderr.toFile()).start();
        String yaml = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        assertThat(exit).as("kubectl kustomize %s: %s", overlay, Files.readString(stderr)).isZero();
        return new Bundle(overlay.toString(), StrictManifestParser.parseAll(yaml, "kubectl kustomize " + overlay));
      } finally {
        Files.deleteIfExists(stderr);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kubectl kustomize " + overlay, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The objects of one source, with the lookups the tests share. */
  private record Bundle(String source, List<HasMetadata> objects) {

    <T extends HasMetadata> List<T> all(Class<T> type) {
      return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T only(Class<T> type) {
      List<T> found = all(type);
      assertThat(found).as("%s: one %s", source, type.getSimpleName()).hasSize(1);
      return found.get(0);
    }

    <T extends HasMetadata> Map<String, T> named(Class<T> type) {
      return all(type).stream().collect(Collectors.toMap(o -> o.getMetadata().getName(), Function.identity()));
    }

    Deployment deployment() {
      Deployment deployment = named(Deployment.class).get(GATEWAY);
      assertThat(deployment).as("%s: Deployment %s", source, GATEWAY).isNotNull();
      return deployment;
    }

    PodSpec pod() {
      return deployment().getSpec().getTemplate().getSpec();
    }

    Container gateway() {
      assertThat(pod().getContainers()).as("%s: containers", source).hasSize(1);
      return pod().getContainers().get(0);
    }

    /** A Service targetPort, probe or policy port: a number, or the name of one of the container's ports. */
    int resolvePort(IntOrString port) {
      assertThat(port).as("port").isNotNull();
      if (port.getIntVal() != null) {
        return port.getIntVal();
      }
      return gateway().getPorts().stream()
          .filter(p -> port.getStrVal().equals(p.getName()))
          .findFirst()
          .orElseThrow(() -> new AssertionError(source + ": no container port named " + port.getStrVal()))
          .getContainerPort();
    }

    Map<String, String> explicitEnv() {
      Map<String, String> env = new LinkedHashMap<>();
      Objects.requireNonNullElse(gateway().getEnv(), List.<EnvVar>of())
          .forEach(variable -> env.put(variable.getName(), variable.getValue()));
      return env;
    }

    /** The non-secret environment the container starts with: its ConfigMaps, then its own env entries. */
    Map<String, String> env() {
      Map<String, ConfigMap> configMaps = named(ConfigMap.class);
      Map<String, String> env = new LinkedHashMap<>();
      for (EnvFromSource from : Objects.requireNonNullElse(gateway().getEnvFrom(), List.<EnvFromSource>of())) {
        if (from.getConfigMapRef() != null) {
          ConfigMap configMap = configMaps.get(from.getConfigMapRef().getName());
          assertThat(configMap).as("%s: ConfigMap %s", source, from.getConfigMapRef().getName()).isNotNull();
          env.putAll(configMap.getData());
        }
      }
      env.putAll(explicitEnv());
      return env;
    }
  }

  // --- assertions and small readers ------------------------------------------------------------------------

  private static void assertHttpProbe(Bundle bundle, Probe probe, String path, int port) {
    assertThat(probe).as("probe for %s", path).isNotNull();
    assertThat(probe.getHttpGet()).as("httpGet probe for %s", path).isNotNull();
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(bundle.resolvePort(probe.getHttpGet().getPort())).isEqualTo(port);
    assertThat(probe.getHttpGet().getScheme()).isIn(null, "HTTP");
  }

  private static void assertSelects(LabelSelector selector, Map<String, String> podLabels, String what) {
    assertThat(selector).as(what).isNotNull();
    assertThat(selector.getMatchExpressions()).as(what + " matchExpressions").isNullOrEmpty();
    assertThat(selector.getMatchLabels()).as(what).isNotEmpty();
    assertThat(podLabels).as(what + " matches the pod labels").containsAllEntriesOf(selector.getMatchLabels());
  }

  private static void assertPlaceholderSecret(Secret secret) {
    assertThat(secretValues(secret).keySet()).isSubsetOf(SECRET_VARIABLES);
    assertThat(secretValues(secret)).allSatisfy((key, value) ->
        assertThat(value).as("%s must be a placeholder, never a real secret", key).contains(PLACEHOLDER));
  }

  private static Map<String, String> secretValues(Secret secret) {
    Map<String, String> values = new LinkedHashMap<>();
    Objects.requireNonNullElse(secret.getData(), Map.<String, String>of()).forEach((key, value) ->
        values.put(key, new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8)));
    values.putAll(Objects.requireNonNullElse(secret.getStringData(), Map.of()));
    return values;
  }

  private static boolean isEmpty(LabelSelector selector) {
    return selector == null
        || (Objects.requireNonNullElse(selector.getMatchLabels(), Map.of()).isEmpty()
            && Objects.requireNonNullElse(selector.getMatchExpressions(), List.of()).isEmpty());
  }

  private static String protocolAndPort(NetworkPolicyPort port) {
    assertThat(port.getPort()).as("egress port").isNotNull();
    assertThat(port.getEndPort()).as("egress port range").isNull();
    return Objects.requireNonNullElse(port.getProtocol(), "TCP") + "/" + port.getPort().getIntVal();
  }

  private static <T> T effective(T container, T pod) {
    return container != null ? container : pod;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    return Stream.concat(a.stream(), b.stream()).collect(Collectors.toSet());
  }

  /** A kustomize env file: KEY=VALUE lines, # comments. */
  private static Map<String, String> envFile(Path file) {
    try {
      Map<String, String> data = new LinkedHashMap<>();
      Files.readAllLines(file).stream().map(String::strip)
          .filter(line -> !line.isEmpty() && !line.startsWith("#"))
          .forEach(line -> data.putAll(keyValue(line)));
      return data;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
  }

  private static Map<String, String> keyValue(String line) {
    int equals = line.indexOf('=');
    assertThat(equals).as("KEY=VALUE: %s", line).isPositive();
    return Map.of(line.substring(0, equals), line.substring(equals + 1));
  }

  private static Map<String, Object> yamlMap(Path file) {
    try {
      return stringKeyed(StrictManifestParser.loadYaml(Files.readString(file)).iterator().next());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
  }

  private static Object path(Map<String, Object> map, String... keys) {
    Object node = map;
    for (String key : keys) {
      node = stringKeyed(node).get(key);
    }
    return node;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> stringKeyed(Object node) {
    assertThat(node).isInstanceOf(Map.class);
    return (Map<String, Object>) node;
  }

  private static Map<String, String> stringMap(Object node) {
    Map<String, String> map = new LinkedHashMap<>();
    stringKeyed(node).forEach((key, value) -> map.put(key, String.valueOf(value)));
    return map;
  }

  private static List<Map<String, Object>> maps(Object node) {
    return node == null ? List.of() : ((List<?>) node).stream().map(KubernetesManifestTest::stringKeyed).toList();
  }

  private static List<String> strings(Object node) {
    return node == null ? List.of() : ((List<?>) node).stream().map(String.class::cast).toList();
  }
}
