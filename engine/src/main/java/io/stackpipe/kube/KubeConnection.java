package io.stackpipe.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

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

  private KubeConnection(KubeConnection other, String source) {
    this.client = other.client;
    this.kubeconfig = other.kubeconfig;
    this.source = source;
  }

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

  /** Uses {@code kubeconfig}'s current context, or {@code context} when given. */
  public static KubeConnection fromKubeconfig(Path kubeconfig, String context) {
    return fromKubeconfig(kubeconfig, context, null);
  }

  /** As {@link #fromKubeconfig(Path, String)}, recording every request it sends in {@code requests}. */
  public static KubeConnection fromKubeconfig(Path kubeconfig, String context, KubeRequests requests) {
    if (!Files.isRegularFile(kubeconfig)) {
      throw new KubeException("kubeconfig " + kubeconfig + ": no such file");
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
    return new KubeConnection(config, kubeconfig.toAbsolutePath(), "kubeconfig " + kubeconfig, requests);
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
    if (explicitKubeconfig != null) {
      return fromKubeconfig(explicitKubeconfig, null);
    }
    String fromEnv = env.get("KUBECONFIG");
    if (fromEnv != null && !fromEnv.isBlank()) {
      // Several files are merged by kubectl; Stackpipe takes the first so that Helm and fabric8 see the same one.
      return fromKubeconfig(Path.of(fromEnv.split(java.io.File.pathSeparator)[0]), null);
    }
    if (env.get("KUBERNETES_SERVICE_HOST") != null && Files.isReadable(SERVICE_ACCOUNT_DIR.resolve("token"))) {
      return inCluster(env, SERVICE_ACCOUNT_DIR);
    }
    // A running demo cluster comes before ~/.kube/config: a forgotten demo is a harmless target, a forgotten
    // default context may be production.
    Path demo = demoKubeconfig(home);
    if (Files.isRegularFile(demo)) {
      KubeConnection connection = fromKubeconfig(demo, null);
      return new KubeConnection(connection, "the local demo cluster (" + demo + ")");
    }
    Path kubeHome = home.resolve(".kube/config");
    if (Files.isRegularFile(kubeHome)) {
      return fromKubeconfig(kubeHome, null);
    }
    throw new KubeException("kubeconfig", "no Kubernetes cluster configured: name a kubeconfig file, set"
        + " KUBECONFIG, run in a pod with a service account, or start the local one with `stackpipe cluster start`");
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
