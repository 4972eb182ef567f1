package io.stackpipe.local.kube;

import io.stackpipe.base.FileTrees;
import io.stackpipe.local.registry.GoImages;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real Kubernetes control plane on loopback: etcd, kube-apiserver (RBAC, client-certificate admin in
 * {@code system:masters}) and kube-controller-manager (namespace, garbage-collector and service-account
 * controllers, so deleted namespaces really go away). Without a node no pod runs: objects are stored, validated
 * and garbage-collected. {@link Builder#withNode} adds the one node a machine may run — kube-scheduler,
 * containerd, kubelet and kube-proxy (see {@link Node}, {@link NodeHost}) — and then pods run and serve.
 *
 * <p>Attached (tests): the processes die with this JVM, even on SIGKILL (parent-death signal), and {@link #close()}
 * or a shutdown hook removes the private directory. Detached (the demo): the processes outlive the JVM, their PIDs
 * are recorded in the directory, and {@link #stop(Path)} ends them.
 */
public final class ControlPlane implements AutoCloseable {

  public static final String ADMIN_USER = "stackpipe-admin";

  private final KubeBinaries binaries;
  private final Path directory;
  private final boolean ownsDirectory;
  private final boolean detached;
  private final Duration timeout;
  private final String registryHost;
  private final URI tokenWebhook;
  private final Node node;
  private final Supervisor daemons;
  private final Thread shutdownHook;
  /** A handle on a plane another process runs ({@link #attach}): it starts, stops and signs nothing. */
  private final boolean view;
  private ControlPlaneConfig config;
  private URI server;
  private boolean closed;

  private ControlPlane(Builder builder) throws IOException {
    this.binaries = builder.binaries != null ? builder.binaries : KubeBinaries.locate();
    this.detached = builder.detached;
    this.timeout = builder.timeout;
    this.registryHost = builder.registryHost;
    this.tokenWebhook = builder.tokenWebhook;
    if (builder.directory == null) {
      this.directory = PlaneDirectory.createTemporary();
      this.ownsDirectory = true;
    } else {
      this.directory = builder.directory.toAbsolutePath();
      this.ownsDirectory = false;
      PlaneDirectory.prepare(directory);
    }
    this.node = registryHost == null ? null : new Node(NodeHost.ROOT, binaries.requireNode());
    this.daemons = new Supervisor(directory.resolve("logs"), detached, node != null, timeout);
    this.shutdownHook = detached ? null : new Thread(this::close, "control-plane-shutdown");
    this.view = false;
  }

  private ControlPlane(Path directory, URI server, boolean withNode) {
    this.binaries = KubeBinaries.locate();
    this.directory = directory;
    this.ownsDirectory = false;
    this.detached = true;
    this.timeout = Duration.ZERO;
    this.registryHost = null;
    this.tokenWebhook = null;
    this.node = withNode ? new Node(NodeHost.ROOT, binaries.requireNode()) : null;
    this.daemons = null;
    this.shutdownHook = null;
    this.view = true;
    this.server = server;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A handle on the control plane another process runs from {@code directory} (attached to that process, or
   * detached), found through its admin kubeconfig; it has the node when the machine's node belongs to that
   * directory. Closing it leaves the plane running; it cannot {@linkplain #writeKubeconfig sign} user credentials,
   * since the CA key stays with the process that started the plane.
   */
  public static ControlPlane attach(Path directory) {
    Path absolute = directory.toAbsolutePath();
    Path kubeconfig = absolute.resolve(ControlPlaneConfig.ADMIN_KUBECONFIG);
    if (!Files.isRegularFile(kubeconfig)) {
      throw new IllegalStateException("no control plane runs from " + absolute + " (no " + kubeconfig + ")");
    }
    URI server = URI.create(Config.fromKubeconfig(kubeconfig.toFile()).getMasterUrl().replaceAll("/$", ""));
    return new ControlPlane(absolute, server, NodeHost.ownedBy(absolute));
  }

  /** Starts an attached control plane in a fresh temporary directory. */
  public static ControlPlane start() {
    return builder().start();
  }

  public static final class Builder {
    private KubeBinaries binaries;
    private Path directory;
    private boolean detached;
    private Duration timeout = Duration.ofSeconds(90);
    private String registryHost;
    private URI tokenWebhook;

    public Builder withBinaries(KubeBinaries binaries) {
      this.binaries = binaries;
      return this;
    }

    /**
     * The directory for data, certificates, logs and kubeconfig (default: a new temp dir, deleted on close).
     * It must hold nothing else; closing an attached control plane empties it but keeps the directory.
     */
    public Builder withDirectory(Path directory) {
      this.directory = directory;
      return this;
    }

    /** The processes outlive this JVM; stop them with {@link ControlPlane#stop(Path)}. Needs a directory. */
    public Builder detached() {
      this.detached = true;
      return this;
    }

    /**
     * Adds the node, so pods run. Only one node may run per machine: starting a second one fails while the first
     * lives. {@code registryHost} (host:port, plain HTTP) receives the pause image, built here from source, and
     * the node pulls from it; {@link #trustRegistry} adds more registries.
     */
    public Builder withNode(String registryHost) {
      this.registryHost = registryHost;
      return this;
    }

    /**
     * Bearer tokens the API server does not know itself are checked by a TokenReview webhook at {@code
     * authenticator} (v1, plain HTTP allowed), never cached: a token refused once it expired is refused at once, as
     * a real cluster's short-lived tokens are (client certificates keep working beside it).
     */
    public Builder withTokenWebhook(URI authenticator) {
      this.tokenWebhook = authenticator;
      return this;
    }

    public Builder withStartTimeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public ControlPlane start() {
      if (detached && directory == null) {
        throw new IllegalArgumentException("a detached control plane needs a directory for its state");
      }
      ControlPlane plane;
      try {
        plane = new ControlPlane(this);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      try {
        plane.boot();
        return plane;
      } catch (RuntimeException | Error e) {
        plane.daemons.kill();
        plane.close();
        if (plane.detached) {
          if (plane.node != null) {
            NodeHost.release(plane.directory);
          }
          PlaneDirectory.empty(plane.directory);
        }
        throw e;
      }
    }
  }

  /** The admin kubeconfig (user {@value #ADMIN_USER}, group {@code system:masters}; credentials embedded). */
  public Path kubeconfig() {
    return directory.resolve(ControlPlaneConfig.ADMIN_KUBECONFIG);
  }

  public URI server() {
    return server;
  }

  /** The cluster CA certificate (PEM), as a pod finds it in its service-account mount. */
  public Path caCertificate() {
    return directory.resolve("pki/ca.crt");
  }

  public Path directory() {
    return directory;
  }

  public KubeBinaries binaries() {
    return binaries;
  }

  /** Whether this control plane has the node, so pods run. */
  public boolean hasNode() {
    return node != null;
  }

  /** The node's name, as the kubelet registers it. */
  public static String nodeName() {
    return Node.NAME;
  }

  /** Lets the node pull images from {@code host} (host:port) over plain HTTP. */
  public void trustRegistry(String host) {
    if (node == null) {
      throw new IllegalStateException("no node runs from " + directory);
    }
    Node.trustRegistry(NodeHost.ROOT, host);
  }

  /** Lets the node of the control plane in {@code directory} (a detached one too) pull from {@code host}. */
  public static void trustRegistry(Path directory, String host) {
    if (!status(directory).hasNode()) {
      throw new IllegalStateException("no node runs from " + directory);
    }
    Node.trustRegistry(NodeHost.ROOT, host);
  }

  /** A new admin client; the caller closes it. */
  public KubernetesClient newClient() {
    return clientFor(kubeconfig());
  }

  public static KubernetesClient clientFor(Path kubeconfig) {
    return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig.toFile())).build();
  }

  /**
   * Writes a kubeconfig for {@code user} in {@code groups}, with a client certificate signed by this control
   * plane's CA. The user has only the permissions RBAC grants it.
   */
  public Path writeKubeconfig(Path file, String user, Set<String> groups) {
    if (view) {
      throw new IllegalStateException("the control plane in " + directory + " runs in another process, which holds "
          + "its CA key: start one of your own to sign user credentials");
    }
    try {
      config.writeKubeconfig(file, user, groups);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** PIDs of etcd, kube-apiserver, kube-controller-manager and, with a node, its daemons, in start order. */
  public Map<String, Long> pids() {
    if (view) {
      throw new IllegalStateException("the control plane in " + directory + " runs in another process");
    }
    return daemons.pids();
  }

  private void boot() {
    CompletableFuture<String> pause = null;
    if (node != null) {
      // The image build and push overlap with the control plane's start.
      pause = CompletableFuture.supplyAsync(() -> GoImages.pushResource(Node.class, "pause", List.of("main.go", "go.mod"),
          "pause", Node.pauseImage(registryHost)));
      NodeHost.claim(directory);
    }
    try {
      Files.createDirectories(directory.resolve("logs"));
      config = ControlPlaneConfig.write(directory, binaries, node != null, tokenWebhook);
      server = config.server();
      // kube-apiserver retries etcd until it answers, so both start at once.
      daemons.launch("etcd", config.etcd());
      daemons.launch("kube-apiserver", config.apiServer());
      awaitApiServer();
      daemons.launch("kube-controller-manager", config.controllerManager());
      if (node != null) {
        startNode(pause);
      }
      awaitControllers();

      if (detached) {
        StateFile.write(directory, config.server(), kubeconfig(), daemons.pids(), daemons.commands());
        if (node != null) {
          NodeHost.disown();
        }
      } else {
        Runtime.getRuntime().addShutdownHook(shutdownHook);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void startNode(CompletableFuture<String> pause) throws IOException {
    node.configure(config.pki(), config::writeKubeconfig, registryHost);
    daemons.launch("kube-scheduler", node.scheduler());
    daemons.launch("containerd", node.containerd());
    daemons.awaitUntil("containerd to listen on " + node.containerdSocket(),
        () -> Files.exists(node.containerdSocket()));
    try {
      pause.get(timeout.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building the pause image", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot build the pause image: " + (e.getCause() == null ? e : e.getCause())
          .getMessage(), e);
    }
    daemons.runTool(node.pullPause(registryHost));
    daemons.launch("kubelet", node.kubelet());
    daemons.launch("kube-proxy", node.kubeProxy());
    try (KubernetesClient client = newClient()) {
      daemons.awaitUntil("node " + Node.NAME + " to be Ready", () -> {
        var status = client.nodes().withName(Node.NAME).get();
        return status != null && status.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
      });
    }
  }

  private void awaitApiServer() {
    HttpClient http = HttpClient.newBuilder().sslContext(config.adminTls())
        .connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest readyz = HttpRequest.newBuilder(server().resolve("/readyz")).timeout(Duration.ofSeconds(5)).build();
    daemons.awaitUntil("kube-apiserver to report /readyz ok at " + server(), () -> {
      try {
        HttpResponse<String> response = http.send(readyz, HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200;
      } catch (IOException e) {
        return false;
      }
    });
  }

  /** The service-account controller creating "default" in "default" shows the controller manager is at work. */
  private void awaitControllers() {
    try (KubernetesClient client = newClient()) {
      daemons.awaitUntil("kube-controller-manager to create the default service account", () ->
          client.serviceAccounts().inNamespace("default").withName("default").get() != null);
    }
  }

  // ---- detached control planes (the demo) --------------------------------------------------------------------

  /** What {@link #status(Path)} finds in a control-plane directory. */
  public record Status(Path directory, Map<String, Long> livePids, List<String> expected, URI server,
      Path kubeconfig) {
    public boolean running() {
      return !livePids.isEmpty();
    }

    /** Whether it was started with a node. */
    public boolean hasNode() {
      return expected.contains("kubelet");
    }
  }

  /** Reads the state a detached control plane left in {@code directory}; PIDs that no longer run ours are dropped. */
  public static Status status(Path given) {
    return StateFile.read(given.toAbsolutePath());
  }

  /** Kills a detached control plane started from {@code directory} and deletes its data. Returns the PIDs killed. */
  public static Map<String, Long> stop(Path given) {
    Path directory = given.toAbsolutePath();
    Status status = status(directory);
    List<String> names = new ArrayList<>(status.livePids().keySet());
    Collections.reverse(names);
    for (String name : names) {
      ProcessHandle.of(status.livePids().get(name)).ifPresent(Supervisor::killTree);
    }
    // Also after a crash (nothing left alive): the node's traces on the host go with its directory.
    NodeHost.release(directory);
    PlaneDirectory.empty(directory);
    return status.livePids();
  }

  // ---- teardown --------------------------------------------------------------------------------------------

  /**
   * Attached: kills the processes and deletes the directory. Detached, or a handle from {@link #attach}: only
   * releases this handle.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!detached) {
      daemons.kill();
      if (node != null) {
        NodeHost.release(directory);
      }
      if (ownsDirectory) {
        FileTrees.delete(directory);
      } else {
        PlaneDirectory.empty(directory);
      }
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException | IllegalArgumentException e) {
        // Already shutting down (we run inside the hook), or never registered: both fine.
      }
    }
  }
}
