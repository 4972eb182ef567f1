package io.stackpipe.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.stackpipe.chart.ChartArchive;
import io.stackpipe.registry.auth.RegistryAuth;
import io.stackpipe.registry.auth.RegistryCredential;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stack's pull secret: when the images a chart names live in registries that have a credential, the namespace gets
 * a {@code kubernetes.io/dockerconfigjson} Secret holding those hosts' credentials only, and its default
 * ServiceAccount lists it in {@code imagePullSecrets}, so every pod that runs as it can pull them. Rewritten on every
 * install, so a short-lived registry token is renewed with each deploy. A chart with its own {@code imagePullSecrets}
 * value gets the secret there as well ({@link #inChartValue}). Its content is never printed: messages name the hosts.
 */
public final class PullSecrets {

  /** The Secret's name in a stack's namespace. */
  public static final String NAME = "stackpipe-registry-credentials";
  /** The chart value that, when a chart has it, gets the secret too. */
  public static final String VALUE = "imagePullSecrets";
  private static final ObjectMapper JSON = new ObjectMapper();
  // A registry host: it has a dot or a port, or is localhost (a first component without one is a Docker Hub name).
  private static final String HOST =
      "((?:[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)+|localhost)(?::[0-9]{1,5})?|[a-zA-Z0-9-]+:[0-9]{1,5})";
  private static final String PATH = "/[a-z0-9]+(?:[._/-][a-z0-9]+)*";
  /**
   * Where charts name images: a full reference with a tag or digest anywhere; the value of an {@code image:} or
   * {@code repository:} key (the digest or tag in keys of their own, as pinned charts do); a {@code registry:} key
   * holding a bare host.
   */
  private static final List<Pattern> IMAGES = List.of(
      Pattern.compile("(?<![\\w./-])" + HOST + PATH + "(?::[\\w][\\w.-]*|@sha256:[0-9a-f]{64})"),
      Pattern.compile("(?m)(?:image|repository)\\s*:\\s*[\"']?" + HOST + PATH + "[\"']?\\s*$"),
      Pattern.compile("(?m)registry\\s*:\\s*[\"']?" + HOST + "[\"']?\\s*$"));

  private PullSecrets() {
  }

  /**
   * The registry hosts of the image references in a chart's files (values and templates, vendored subcharts
   * included): the hosts its pods may pull from.
   */
  public static Set<String> hosts(Map<String, byte[]> chartFiles) {
    Set<String> hosts = new TreeSet<>();
    chartFiles.forEach((path, bytes) -> {
      if (path.endsWith(".tgz")) {
        // a vendored subchart (an umbrella's services)
        hosts.addAll(hosts(ChartArchive.read(new ByteArrayInputStream(bytes), path)));
      } else if (path.endsWith(".yaml") || path.endsWith(".yml") || path.endsWith(".tpl")) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        for (Pattern pattern : IMAGES) {
          Matcher image = pattern.matcher(text);
          while (image.find()) {
            hosts.add(image.group(1).toLowerCase(java.util.Locale.ROOT));
          }
        }
      }
    });
    return hosts;
  }

  /**
   * Writes the pull secret of {@code namespace} for those of {@code hosts} that {@code auth} has a user and password
   * for, and makes the default ServiceAccount use it; the hosts it holds (none: nothing is written).
   */
  public static List<String> apply(KubeConnection kube, String namespace, Collection<String> hosts, RegistryAuth auth) {
    ObjectNode auths = JSON.createObjectNode();
    List<String> held = new ArrayList<>();
    for (String host : new TreeSet<>(hosts)) {
      // kubelet speaks Basic or user+password token requests only: an identity token cannot be handed to it.
      auth.credential(host).filter(c -> c.password() != null).ifPresent(credential -> {
        auths.putObject(host).put("username", credential.username())
            .put("password", credential.password().reveal())
            .put("auth", basic(credential));
        held.add(host);
      });
    }
    if (held.isEmpty()) {
      return held;
    }
    byte[] config;
    try {
      config = JSON.writeValueAsBytes(JSON.createObjectNode().set("auths", auths));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Secret secret = new SecretBuilder().withNewMetadata().withName(NAME).withNamespace(namespace)
        .addToLabels("app.kubernetes.io/managed-by", "stackpipe").endMetadata()
        .withType("kubernetes.io/dockerconfigjson")
        .addToData(".dockerconfigjson", Base64.getEncoder().encodeToString(config)).build();
    try {
      kube.client().secrets().inNamespace(namespace).resource(secret).createOr(NonDeletingOperation::update);
      useFromDefaultServiceAccount(kube, namespace);
    } catch (KubernetesClientException e) {
      throw new KubeException("cannot write the pull secret " + NAME + " in namespace " + namespace + " (HTTP "
          + e.getCode() + ")");
    }
    return held;
  }

  /**
   * For a chart whose own {@code values.yaml} (among {@code chartFiles}, the chart's files) has an
   * {@code imagePullSecrets} key, {@code values} with the pull secret in that value — the list {@code values} give,
   * else the chart's default, with {@code {name: stackpipe-registry-credentials}} added once — so that its templates
   * hand it to pods that run as any ServiceAccount; empty for a chart without the key.
   */
  public static java.util.Optional<Map<String, Object>> inChartValue(Map<String, byte[]> chartFiles,
      Map<String, Object> values) {
    Map.Entry<String, byte[]> defaults = chartFiles.entrySet().stream()
        .filter(e -> e.getKey().matches("[^/]+/values\\.yaml")).findFirst().orElse(null);
    if (defaults == null) {
      return java.util.Optional.empty();
    }
    Object loaded = io.stackpipe.yaml.SafeYaml.load(new String(defaults.getValue(), StandardCharsets.UTF_8),
        defaults.getKey());
    if (!(loaded instanceof Map<?, ?> chartValues) || !chartValues.containsKey(VALUE)) {
      return java.util.Optional.empty();
    }
    Object given = values.containsKey(VALUE) ? values.get(VALUE) : chartValues.get(VALUE);
    List<Object> secrets = new ArrayList<>(given instanceof List<?> list ? list : List.of());
    if (secrets.stream().noneMatch(s -> s instanceof Map<?, ?> m && NAME.equals(m.get("name")))) {
      secrets.add(Map.of("name", NAME));
    }
    Map<String, Object> with = new java.util.LinkedHashMap<>(values);
    with.put(VALUE, secrets);
    return java.util.Optional.of(with);
  }

  private static void useFromDefaultServiceAccount(KubeConnection kube, String namespace) {
    var accounts = kube.client().serviceAccounts().inNamespace(namespace);
    ServiceAccount account = accounts.withName("default").get();
    if (account == null) {
      // The controller makes it soon after the namespace; made here first, it is kept as it is.
      try {
        accounts.resource(new ServiceAccountBuilder().withNewMetadata().withName("default").endMetadata()
            .addNewImagePullSecret(NAME).build()).create();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        account = accounts.withName("default").get();
      }
    }
    List<LocalObjectReference> secrets = account.getImagePullSecrets();
    if (secrets == null || secrets.stream().noneMatch(s -> NAME.equals(s.getName()))) {
      accounts.withName("default").edit(a -> new ServiceAccountBuilder(a).addNewImagePullSecret(NAME).build());
    }
  }

  private static String basic(RegistryCredential credential) {
    return Base64.getEncoder().encodeToString((credential.username() + ":" + credential.password().reveal())
        .getBytes(StandardCharsets.UTF_8));
  }
}
