package io.stackpipe.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.stackpipe.yaml.SafeYaml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A connection to one cluster: a fabric8 client plus where its configuration came from (Helm needs the same
 * kubeconfig file). Resolution order: an explicit kubeconfig file, {@code $KUBECONFIG}, the pod's service account
 * (in-cluster), the local demo cluster, {@code ~/.kube/config}. The front end passes the environment and the home
 * folder: the engine never reads the process's own.
 */
public final class KubeConnection implements AutoCloseable {

  private volatile boolean closed;
  static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  private final KubernetesClient client;
  private final Path kubeconfig;
  private final String source;

  private KubeConnection(Config config, Path kubeconfig, String source, KubeRequests requests) {
    // A few quick retries ride out a blip; fabric8's default (10, exponential) hides a dead server for minutes.
    config.setRequestRetryBackoffLimit(3);
    KubernetesClientBuilder builder = new KubernetesClientBuilder().withConfig(config);
    if (requests != null) {
      builder.withHttpClientBuilderConsumer(http -> http.addOrReplaceInterceptor("stackpipe-requests",
          new Interceptor() {
            @Override
            public void before(BasicBuilder request, HttpRequest sent, RequestTags tags) {
              String query = sent.uri().getRawQuery();
              requests.record(sent.method(), sent.uri().getRawPath() + (query == null ? "" : "?" + query));
            }
          }));
    }
    this.client = builder.build();
    this.kubeconfig = kubeconfig;
    this.source = source;
  }

  /**
   * Uses {@code kubeconfig}'s current context; {@code context}, when given, must be that one (Helm reads the file's
   * current context: {@link #resolve(Path, Map, Path, String, Path)} chooses another for both clients).
   */
  public static KubeConnection fromKubeconfig(Path kubeconfig, String context) {
    return fromKubeconfig(kubeconfig, context, null);
  }

  /** As {@link #fromKubeconfig(Path, String)}, recording every request it sends in {@code requests}. */
  public static KubeConnection fromKubeconfig(Path kubeconfig, String context, KubeRequests requests) {
    return fromKubeconfig(kubeconfig, context, requests, "kubeconfig " + kubeconfig);
  }

  private static KubeConnection fromKubeconfig(Path kubeconfig, String context, KubeRequests requests,
      String source) {
    if (!Files.isRegularFile(kubeconfig)) {
      throw new KubeException("kubeconfig " + kubeconfig + ": no such file");
    }
    if (context != null) {
      Map<?, ?> file = load(kubeconfig);
      if (!context.equals(String.valueOf(file.get("current-context")))) {
        requireContext(kubeconfig, file, context);
        throw new KubeException("context", "'" + context + "' is not the current context of kubeconfig " + kubeconfig
            + ", which Helm would use");
      }
    }
    Config config;
    try {
      config = Config.fromKubeconfig(context, kubeconfig.toFile());
    } catch (KubernetesClientException | IllegalArgumentException e) {
      throw new KubeException("kubeconfig " + kubeconfig + ": cannot be read: " + KubeErrors.firstLine(e.getMessage()), e);
    }
    if (config.getMasterUrl() == null || config.getMasterUrl().isBlank()) {
      throw new KubeException("kubeconfig " + kubeconfig + ": no cluster server for context "
          + (context == null ? "(current)" : context));
    }
    return new KubeConnection(config, kubeconfig.toAbsolutePath(), source, requests);
  }

  /** The pod's own service account (token, CA and namespace mounted by Kubernetes); {@code env} is the pod's. */
  public static KubeConnection inCluster(Map<String, String> env) {
    return inCluster(env, SERVICE_ACCOUNT_DIR);
  }

  /** {@link #inCluster(Map)} with the mounted service-account folder given (for tests). */
  static KubeConnection inCluster(Map<String, String> env, Path serviceAccount) {
    Path token = serviceAccount.resolve("token");
    String host = env.get("KUBERNETES_SERVICE_HOST");
    if (host == null || !Files.isReadable(token)) {
      throw new KubeException("not running in a Kubernetes pod: " + (host == null
          ? "KUBERNETES_SERVICE_HOST is unset" : token + " is missing"));
    }
    String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port)
        .withCaCertFile(serviceAccount.resolve("ca.crt").toString())
        .withNamespace(readOrNull(serviceAccount.resolve("namespace")))
        // Projected tokens rotate: read the file for every request rather than once.
        .withOauthTokenProvider(() -> readOrNull(token))
        .build();
    return new KubeConnection(config, null, "in-cluster service account", null);
  }

  /** Where {@code stackpipe cluster start} writes the local demo cluster's kubeconfig (deleted by its stop). */
  public static Path demoKubeconfig(Path home) {
    return home.resolve(".cache/stackpipe/demo/cluster/kubeconfig");
  }

  /**
   * Resolves the cluster as documented on the class.
   *
   * @param explicitKubeconfig the kubeconfig the user named, or {@code null}
   * @param env the user's environment ({@code KUBECONFIG}, {@code KUBERNETES_SERVICE_HOST})
   * @param home the user's home folder ({@code ~/.kube/config}, the demo cluster)
   */
  public static KubeConnection resolve(Path explicitKubeconfig, Map<String, String> env, Path home) {
    return resolve(explicitKubeconfig, env, home, null, null);
  }

  /**
   * As {@link #resolve(Path, Map, Path)}, on {@code context} of the kubeconfig found (null: its current context).
   * That context alone — its cluster and user, relative paths made absolute — is written to {@code contextFile},
   * which both fabric8 and Helm then read, so they act on the same cluster as the same user; the caller gives a
   * file in a private folder and deletes it (it holds the user's credentials). An unknown context is refused
   * naming the ones the kubeconfig has.
   */
  public static KubeConnection resolve(Path explicitKubeconfig, Map<String, String> env, Path home, String context,
      Path contextFile) {
    if (explicitKubeconfig != null) {
      return open(explicitKubeconfig, "kubeconfig " + explicitKubeconfig, context, contextFile);
    }
    String fromEnv = env.get("KUBECONFIG");
    if (fromEnv != null && !fromEnv.isBlank()) {
      // Several files are merged by kubectl; Stackpipe takes the first so that Helm and fabric8 see the same one.
      Path first = Path.of(fromEnv.split(java.io.File.pathSeparator)[0]);
      return open(first, "kubeconfig " + first, context, contextFile);
    }
    if (env.get("KUBERNETES_SERVICE_HOST") != null && Files.isReadable(SERVICE_ACCOUNT_DIR.resolve("token"))) {
      if (context != null) {
        throw new KubeException("context", "'" + context + "' cannot be chosen: the cluster is this pod's own"
            + " (its service account), and that has no kubeconfig contexts");
      }
      return inCluster(env, SERVICE_ACCOUNT_DIR);
    }
    // A running demo cluster comes before ~/.kube/config: a forgotten demo is a harmless target, a forgotten
    // default context may be production.
    Path demo = demoKubeconfig(home);
    if (Files.isRegularFile(demo)) {
      return open(demo, "the local demo cluster (" + demo + ")", context, contextFile);
    }
    Path kubeHome = home.resolve(".kube/config");
    if (Files.isRegularFile(kubeHome)) {
      return open(kubeHome, "kubeconfig " + kubeHome, context, contextFile);
    }
    throw new KubeException("kubeconfig", "no Kubernetes cluster configured: name a kubeconfig file, set"
        + " KUBECONFIG, run in a pod with a service account, or start the local one with `stackpipe cluster start`");
  }

  private static KubeConnection open(Path kubeconfig, String source, String context, Path contextFile) {
    if (context == null) {
      return fromKubeconfig(kubeconfig, null, null, source);
    }
    if (!Files.isRegularFile(kubeconfig)) {
      throw new KubeException("kubeconfig " + kubeconfig + ": no such file");
    }
    Map<String, Object> reduced = contextOnly(kubeconfig, load(kubeconfig), context);
    try {
      Files.writeString(contextFile, SafeYaml.dump(reduced));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a kubeconfig", e);
    }
    return fromKubeconfig(contextFile, null, null, source + ", context " + context);
  }

  /** The names of the contexts {@code kubeconfig} holds, in its order. */
  private static List<String> contextNames(Map<?, ?> file) {
    List<String> names = new ArrayList<>();
    if (file.get("contexts") instanceof List<?> items) {
      for (Object item : items) {
        if (item instanceof Map<?, ?> entry && entry.get("name") != null) {
          names.add(String.valueOf(entry.get("name")));
        }
      }
    }
    return names;
  }

  private static void requireContext(Path kubeconfig, Map<?, ?> file, String context) {
    List<String> names = contextNames(file);
    if (!names.contains(context)) {
      throw new KubeException("context", "no context '" + context + "' in kubeconfig " + kubeconfig
          + (names.isEmpty() ? " (it has none)" : " (it has: " + String.join(", ", names) + ")"));
    }
  }

  private static Map<?, ?> load(Path kubeconfig) {
    Object loaded = SafeYaml.load(kubeconfig, kubeconfig.toString());
    if (!(loaded instanceof Map<?, ?> file)) {
      throw new KubeException("kubeconfig " + kubeconfig + ": not a mapping");
    }
    return file;
  }

  private static String readOrNull(Path file) {
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      return null;
    }
  }

  public KubernetesClient client() {
    return client;
  }

  /** The kubeconfig file this connection uses, or {@code null} in-cluster (where Helm finds the pod's config). */
  public Path kubeconfig() {
    return kubeconfig;
  }

  /** Where the configuration came from, for messages: "kubeconfig /path" or "in-cluster service account". */
  public String source() {
    return source;
  }

  public String server() {
    return client.getConfiguration().getMasterUrl();
  }

  public Namespaces namespaces() {
    return new Namespaces(this);
  }

  public KubeObjects objects() {
    return new KubeObjects(this);
  }

  public HelmReleases releases() {
    return new HelmReleases(this);
  }

  public ServiceAddresses services() {
    return new ServiceAddresses(this);
  }

  private static Map<String, Object> contextOnly(Path kubeconfig, Map<?, ?> file, String name) {
    requireContext(kubeconfig, file, name);
    Map<String, Object> context = named(kubeconfig, file, "contexts", name);
    Map<?, ?> body = context.get("context") instanceof Map<?, ?> m ? m : Map.of();
    Map<String, Object> copy = new LinkedHashMap<>();
    copy.put("name", name);
    copy.put("context", new LinkedHashMap<>(body));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("apiVersion", "v1");
    result.put("kind", "Config");
    result.put("clusters", List.of(absolute(kubeconfig,
        named(kubeconfig, file, "clusters", String.valueOf(body.get("cluster"))))));
    result.put("users", body.get("user") == null ? List.of()
        : List.of(absolute(kubeconfig, named(kubeconfig, file, "users", String.valueOf(body.get("user"))))));
    result.put("contexts", List.of(copy));
    result.put("current-context", name);
    return result;
  }

  private static Map<String, Object> named(Path kubeconfig, Map<?, ?> file, String list, String name) {
    if (file.get(list) instanceof List<?> items) {
      for (Object item : items) {
        if (item instanceof Map<?, ?> entry && name.equals(String.valueOf(entry.get("name")))) {
          Map<String, Object> copy = new LinkedHashMap<>();
          entry.forEach((k, v) -> copy.put(String.valueOf(k), v));
          return copy;
        }
      }
    }
    throw new KubeException("kubeconfig " + kubeconfig + ": no " + list.substring(0, list.length() - 1) + " named "
        + name);
  }

  /**
   * The file paths of a cluster or user entry made absolute against the kubeconfig's folder, as kubectl reads them:
   * certificate files, token files, and an exec plugin's command when it is a relative path (not a bare name,
   * which is looked up on PATH).
   */
  private static Map<String, Object> absolute(Path kubeconfig, Map<String, Object> entry) {
    Path folder = kubeconfig.toAbsolutePath().getParent();
    for (String key : List.of("cluster", "user")) {
      if (entry.get(key) instanceof Map<?, ?> body) {
        Map<String, Object> copy = new LinkedHashMap<>();
        body.forEach((k, v) -> {
          String name = String.valueOf(k);
          boolean path = Set.of("certificate-authority", "client-certificate", "client-key", "tokenFile")
              .contains(name);
          copy.put(name, path && v != null ? folder.resolve(String.valueOf(v)).toString() : v);
        });
        if (copy.get("exec") instanceof Map<?, ?> exec && exec.get("command") instanceof String command
            && command.contains("/") && !Path.of(command).isAbsolute()) {
          Map<String, Object> execCopy = new LinkedHashMap<>();
          exec.forEach((k, v) -> execCopy.put(String.valueOf(k), v));
          execCopy.put("command", folder.resolve(command).normalize().toString());
          copy.put("exec", execCopy);
        }
        entry.put(key, copy);
      }
    }
    return entry;
  }

  /** One-line {@link KubeException} for a failed API call; {@code namespace} is {@code null} at cluster scope. */
  public KubeException translate(KubernetesClientException e, String verb, String resource, String namespace) {
    return KubeErrors.translate(e, server() + " (" + source + ")", verb, resource, namespace);
  }

  /** Whether {@link #close()} ran: a session's test checks that it released its client. */
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
    client.close();
  }
}
