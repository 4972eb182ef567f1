package io.stackpipe.local.kube;

import io.stackpipe.base.FileTrees;
import io.stackpipe.base.Ports;
import io.stackpipe.local.ChildProcesses;
import io.stackpipe.local.registry.GoImages;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

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
  static final String STATE_FILE = "control-plane.properties";
  private static final String TEMP_PREFIX = "stackpipe-kube-";
  private static final String SERVICE_CIDR = "10.0.0.0/24";
  private static final List<String> OWN_ENTRIES =
      List.of("etcd", "pki", "logs", "kubeconfig", "controller-manager.kubeconfig", STATE_FILE,
          "kubelet-plugins");

  private final KubeBinaries binaries;
  private final Path directory;
  private final boolean ownsDirectory;
  private final boolean detached;
  private final Duration timeout;
  private final String registryHost;
  private final Node node;
  private final Map<String, Process> processes = new LinkedHashMap<>();
  private final Map<String, String> commands = new LinkedHashMap<>();
  private final Thread shutdownHook;
  private Pki pki;
  private Pki.Credential adminCredential;
  private URI server;
  private boolean closed;

  private ControlPlane(Builder builder) throws IOException {
    this.binaries = builder.binaries != null ? builder.binaries : KubeBinaries.locate();
    this.detached = builder.detached;
    this.timeout = builder.timeout;
    this.registryHost = builder.registryHost;
    if (builder.directory == null) {
      deleteOrphans();
      this.directory = Files.createTempDirectory(TEMP_PREFIX + ProcessHandle.current().pid() + "-");
      this.ownsDirectory = true;
    } else {
      this.directory = builder.directory.toAbsolutePath();
      this.ownsDirectory = false;
      Files.createDirectories(directory);
      try (Stream<Path> entries = Files.list(directory)) {
        List<String> foreign = entries.map(p -> p.getFileName().toString())
            .filter(n -> !OWN_ENTRIES.contains(n)).toList();
        if (!foreign.isEmpty()) {
          throw new IllegalArgumentException("directory " + directory + " holds files that are not a control plane's: "
              + foreign + "; choose an empty directory");
        }
      }
      if (Files.exists(directory.resolve(STATE_FILE)) && status(directory).running()) {
        throw new IllegalStateException("a control plane is already running from " + directory
            + "; stop it first");
      }
      deleteOwnEntries(directory);
    }
    this.node = registryHost == null ? null : new Node(NodeHost.ROOT, binaries.requireNode());
    this.shutdownHook = detached ? null : new Thread(this::close, "control-plane-shutdown");
  }

  public static Builder builder() {
    return new Builder();
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
        plane.kill();
        plane.close();
        if (plane.detached) {
          if (plane.node != null) {
            NodeHost.release(plane.directory);
          }
          deleteOwnEntries(plane.directory);
        }
        throw e;
      }
    }
  }

  /** The admin kubeconfig (user {@value #ADMIN_USER}, group {@code system:masters}; credentials embedded). */
  public Path kubeconfig() {
    return directory.resolve("kubeconfig");
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
    Pki.Credential credential = pki.client(user, groups);
    try {
      Pki.writePrivate(file, kubeconfigYaml(user, credential));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** PIDs of etcd, kube-apiserver, kube-controller-manager and, with a node, its daemons, in start order. */
  public Map<String, Long> pids() {
    Map<String, Long> pids = new LinkedHashMap<>();
    processes.forEach((name, p) -> pids.put(name, p.pid()));
    return pids;
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
      Path pkiDir = Files.createDirectories(directory.resolve("pki"));
      pki = Pki.create();
      Files.writeString(pkiDir.resolve("ca.crt"), pki.ca().certificatePem());
      List<String> addresses = node == null ? List.of("127.0.0.1", "10.0.0.1")
          : List.of("127.0.0.1", "10.0.0.1", NodeHost.NODE_IP);
      Pki.Credential serving = pki.serving("kube-apiserver",
          List.of("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
              "kubernetes.default.svc.cluster.local"),
          addresses);
      Files.writeString(pkiDir.resolve("apiserver.crt"), serving.certificatePem() + pki.ca().certificatePem());
      Pki.writePrivate(pkiDir.resolve("apiserver.key"), serving.keyPem());
      Pki.writeServiceAccountKeys(pkiDir.resolve("sa.key"), pkiDir.resolve("sa.pub"));

      int etcdPort = Ports.free();
      int peerPort = Ports.free();
      int apiPort = Ports.free();
      // With a node the API listens on the bridge address only: the host reaches it like any local address,
      // and pods through the "kubernetes" Service, whose endpoint the API server publishes.
      String apiAddress = node == null ? "127.0.0.1" : NodeHost.NODE_IP;
      server = URI.create("https://" + apiAddress + ":" + apiPort);
      adminCredential = pki.client(ADMIN_USER, Set.of("system:masters"));
      Pki.writePrivate(kubeconfig(), kubeconfigYaml(ADMIN_USER, adminCredential));
      // The controller manager acts with cluster-admin rights rather than one service account per controller:
      // that would add a token round trip per controller to every start, for no behaviour tests can see.
      Pki.writePrivate(directory.resolve("controller-manager.kubeconfig"),
          kubeconfigYaml("system:kube-controller-manager", pki.client("system:kube-controller-manager",
              Set.of("system:masters"))));

      String etcdUrl = "http://127.0.0.1:" + etcdPort;
      String peerUrl = "http://127.0.0.1:" + peerPort;
      launch("etcd", List.of(binaries.etcd().toString(),
          "--name=stackpipe", "--data-dir=" + directory.resolve("etcd"),
          "--listen-client-urls=" + etcdUrl, "--advertise-client-urls=" + etcdUrl,
          "--listen-peer-urls=" + peerUrl, "--initial-advertise-peer-urls=" + peerUrl,
          "--initial-cluster=stackpipe=" + peerUrl,
          // Throwaway data: skipping fsync makes every write (and so the whole suite) much faster.
          "--unsafe-no-fsync=true", "--log-level=warn"));
      // kube-apiserver retries etcd until it answers, so both start at once.
      if (node != null) {
        Pki.Credential kubeletClient = pki.client("kube-apiserver-kubelet-client", Set.of("system:masters"));
        Files.writeString(pkiDir.resolve("apiserver-kubelet-client.crt"), kubeletClient.certificatePem());
        Pki.writePrivate(pkiDir.resolve("apiserver-kubelet-client.key"), kubeletClient.keyPem());
      }
      launch("kube-apiserver", concat(List.of(binaries.apiServer().toString(),
          "--etcd-servers=" + etcdUrl,
          "--bind-address=" + apiAddress, "--advertise-address=" + apiAddress, "--secure-port=" + apiPort,
          "--cert-dir=" + pkiDir,
          "--tls-cert-file=" + pkiDir.resolve("apiserver.crt"),
          "--tls-private-key-file=" + pkiDir.resolve("apiserver.key"),
          "--client-ca-file=" + pkiDir.resolve("ca.crt"),
          "--authorization-mode=Node,RBAC",
          "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
          "--service-account-key-file=" + pkiDir.resolve("sa.pub"),
          "--service-account-signing-key-file=" + pkiDir.resolve("sa.key"),
          "--service-cluster-ip-range=" + SERVICE_CIDR,
          // A loopback address may not be a Service endpoint: without a node, publish none for "kubernetes".
          node == null ? "--endpoint-reconciler-type=none" : "--endpoint-reconciler-type=lease",
          "--allow-privileged=true", "--profiling=false", "--v=1"), node == null ? List.of() : List.of(
          // logs, exec and port-forward: the API server calls the kubelet as a client of the cluster CA
          "--kubelet-client-certificate=" + pkiDir.resolve("apiserver-kubelet-client.crt"),
          "--kubelet-client-key=" + pkiDir.resolve("apiserver-kubelet-client.key"),
          "--kubelet-certificate-authority=" + pkiDir.resolve("ca.crt"),
          "--kubelet-preferred-address-types=InternalIP")));
      awaitApiServer();

      launch("kube-controller-manager", List.of(binaries.controllerManager().toString(),
          "--kubeconfig=" + directory.resolve("controller-manager.kubeconfig"),
          // A node needs them all (deployments, replica sets, endpoints, node lifecycle...).
          node == null ? "--controllers=namespace-controller,garbage-collector-controller,serviceaccount-controller,"
              + "serviceaccount-token-controller,root-ca-certificate-publisher-controller" : "--controllers=*",
          "--service-account-private-key-file=" + pkiDir.resolve("sa.key"),
          "--root-ca-file=" + pkiDir.resolve("ca.crt"),
          "--leader-elect=false",
          // else it creates /usr/libexec/kubernetes/kubelet-plugins on the host
          "--flex-volume-plugin-dir=" + directory.resolve("kubelet-plugins"),
          "--bind-address=127.0.0.1", "--secure-port=0", "--profiling=false", "--v=1"));
      if (node != null) {
        startNode(pause);
      }
      awaitControllers();

      if (detached) {
        writeState();
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
    node.configure(pki, (file, user, groups) -> Pki.writePrivate(file, kubeconfigYaml(user, pki.client(user, groups))),
        registryHost);
    launch("kube-scheduler", node.scheduler());
    launch("containerd", node.containerd());
    awaitUntil("containerd to listen on " + node.containerdSocket(), () -> Files.exists(node.containerdSocket()));
    try {
      pause.get(timeout.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building the pause image", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot build the pause image: " + (e.getCause() == null ? e : e.getCause())
          .getMessage(), e);
    }
    runTool(node.pullPause(registryHost));
    launch("kubelet", node.kubelet());
    launch("kube-proxy", node.kubeProxy());
    try (KubernetesClient client = newClient()) {
      awaitUntil("node " + Node.NAME + " to be Ready", () -> {
        var status = client.nodes().withName(Node.NAME).get();
        return status != null && status.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
      });
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private void runTool(List<String> command) throws IOException {
    Path log = directory.resolve("logs").resolve(Path.of(command.get(0)).getFileName() + ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " failed: "
            + String.join(" ", Files.readAllLines(log)).strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command.get(0), e);
    }
  }

  private void launch(String name, List<String> command) throws IOException {
    List<String> full = new ArrayList<>();
    if (detached) {
      full.add("setsid"); // own session: a closing terminal does not take the demo's cluster with it
    }
    full.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(full)
        .redirectErrorStream(true)
        .redirectOutput(directory.resolve("logs").resolve(name + ".log").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process process = detached ? builder.start() : ChildProcesses.startAttached(builder);
    processes.put(name, process);
    commands.put(name, command.get(0).contains("/") ? command.get(0) : resolveOnPath(command.get(0)));
    if (node != null) {
      NodeHost.recordProcess(name, process.toHandle());
    }
  }

  private static String resolveOnPath(String name) {
    return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
        .map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst().map(Path::toString).orElse(name);
  }

  private void awaitApiServer() {
    HttpClient http = HttpClient.newBuilder().sslContext(adminSslContext())
        .connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest readyz = HttpRequest.newBuilder(server.resolve("/readyz")).timeout(Duration.ofSeconds(5)).build();
    awaitUntil("kube-apiserver to report /readyz ok at " + server, () -> {
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
      awaitUntil("kube-controller-manager to create the default service account", () ->
          client.serviceAccounts().inNamespace("default").withName("default").get() != null);
    }
  }

  private interface Check {
    boolean ok() throws InterruptedException;
  }

  private void awaitUntil(String what, Check check) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (!check.ok()) {
        for (Map.Entry<String, Process> e : processes.entrySet()) {
          if (!e.getValue().isAlive()) {
            throw new IllegalStateException(e.getKey() + " exited with status " + e.getValue().exitValue()
                + " while waiting for " + what + "; last log lines:\n" + logTail(e.getKey()));
          }
        }
        if (System.nanoTime() > deadline) {
          String last = processes.keySet().stream().reduce((a, b) -> b).orElse("etcd");
          throw new IllegalStateException("timed out after " + timeout.toSeconds() + "s waiting for " + what
              + "; last lines of " + last + ".log:\n" + logTail(last));
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + what, e);
    }
  }

  private String logTail(String name) {
    try {
      List<String> lines = Files.readAllLines(directory.resolve("logs").resolve(name + ".log"));
      // klog errors (E...) and fatal lines (F...) first: warnings that follow them would hide the cause.
      List<String> errors = lines.stream().filter(l -> l.matches("[EF]\\d{4} .*|Error: .*")).toList();
      List<String> tail = new ArrayList<>(errors.subList(Math.max(0, errors.size() - 5), errors.size()));
      tail.addAll(lines.subList(Math.max(0, lines.size() - 15), lines.size()));
      return String.join("\n", tail);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private SSLContext adminSslContext() {
    try {
      Pki.Credential admin = adminCredential;
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      char[] password = new char[0];
      keys.setKeyEntry("admin", admin.key(), password, new Certificate[] {admin.certificate()});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", pki.ca().certificate());
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a TLS context for the control plane", e);
    }
  }

  private String kubeconfigYaml(String user, Pki.Credential credential) {
    Base64.Encoder b64 = Base64.getEncoder();
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: stackpipe
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: %s
          user:
            client-certificate-data: %s
            client-key-data: %s
        contexts:
        - name: stackpipe
          context:
            cluster: stackpipe
            user: %s
        current-context: stackpipe
        """.formatted(server, b64.encodeToString(pki.ca().certificatePem().getBytes(StandardCharsets.US_ASCII)),
        quote(user), b64.encodeToString(credential.certificatePem().getBytes(StandardCharsets.US_ASCII)),
        b64.encodeToString(credential.keyPem().getBytes(StandardCharsets.US_ASCII)), quote(user));
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
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

  private void writeState() throws IOException {
    Properties state = new Properties();
    state.setProperty("server", server.toString());
    state.setProperty("kubeconfig", kubeconfig().toString());
    state.setProperty("processes", String.join(",", processes.keySet()));
    processes.forEach((name, p) -> {
      state.setProperty("pid." + name, Long.toString(p.pid()));
      state.setProperty("command." + name, commands.get(name));
    });
    try (var out = Files.newBufferedWriter(directory.resolve(STATE_FILE))) {
      state.store(out, "stackpipe control plane; stop with: stackpipe cluster stop");
    }
  }

  /** Reads the state a detached control plane left in {@code directory}; PIDs that no longer run ours are dropped. */
  public static Status status(Path given) {
    Path directory = given.toAbsolutePath();
    Path file = directory.resolve(STATE_FILE);
    Properties state = new Properties();
    if (Files.exists(file)) {
      try (var in = Files.newBufferedReader(file)) {
        state.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Map<String, Long> live = new LinkedHashMap<>();
    List<String> expected = List.of(state.getProperty("processes", "").split(",")).stream()
        .filter(n -> !n.isEmpty()).toList();
    for (String name : expected) {
      String pid = state.getProperty("pid." + name);
      String command = state.getProperty("command." + name);
      if (pid != null && command != null) {
        ProcessHandle.of(Long.parseLong(pid))
            .filter(ProcessHandle::isAlive)
            // A recycled PID belongs to someone else: only kill what still runs our binary.
            .filter(h -> h.info().command().map(c -> c.equals(command)).orElse(false))
            .ifPresent(h -> live.put(name, h.pid()));
      }
    }
    String server = state.getProperty("server");
    return new Status(directory, live, expected, server == null ? null : URI.create(server),
        state.containsKey("kubeconfig") ? Path.of(state.getProperty("kubeconfig")) : null);
  }

  /** Kills a detached control plane started from {@code directory} and deletes its data. Returns the PIDs killed. */
  public static Map<String, Long> stop(Path given) {
    Path directory = given.toAbsolutePath();
    Status status = status(directory);
    List<String> names = new ArrayList<>(status.livePids().keySet());
    java.util.Collections.reverse(names);
    for (String name : names) {
      ProcessHandle.of(status.livePids().get(name)).ifPresent(ControlPlane::killTree);
    }
    // Also after a crash (nothing left alive): the node's traces on the host go with its directory.
    NodeHost.release(directory);
    deleteOwnEntries(directory);
    return status.livePids();
  }

  // ---- teardown --------------------------------------------------------------------------------------------

  private void kill() {
    List<Process> reversed = new ArrayList<>(processes.values());
    java.util.Collections.reverse(reversed);
    reversed.forEach(p -> killTree(p.toHandle()));
  }

  private static void killTree(ProcessHandle handle) {
    // SIGKILL: nothing here needs a graceful shutdown, and the data directory is thrown away.
    handle.descendants().forEach(ProcessHandle::destroyForcibly);
    handle.destroyForcibly();
    try {
      handle.onExit().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Reported by the caller's next status check; nothing more can be done from here.
    }
  }

  /** Attached: kills the processes and deletes the directory. Detached: only releases this handle. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!detached) {
      kill();
      if (node != null) {
        NodeHost.release(directory);
      }
      if (ownsDirectory) {
        FileTrees.delete(directory);
      } else {
        deleteOwnEntries(directory);
      }
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException | IllegalArgumentException e) {
        // Already shutting down (we run inside the hook), or never registered: both fine.
      }
    }
  }

  /**
   * A test JVM killed outright cannot delete its temp directory (its processes die by the parent-death
   * signal). The directory name carries the JVM's PID: the next start removes those whose JVM is gone.
   */
  private static void deleteOrphans() throws IOException {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    try (Stream<Path> entries = Files.list(tmp)) {
      for (Path dir : entries.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX)).toList()) {
        String rest = dir.getFileName().toString().substring(TEMP_PREFIX.length());
        int dash = rest.indexOf('-');
        if (dash > 0 && rest.substring(0, dash).chars().allMatch(Character::isDigit)
            && ProcessHandle.of(Long.parseLong(rest.substring(0, dash))).map(h -> !h.isAlive()).orElse(true)) {
          try {
            FileTrees.delete(dir);
          } catch (UncheckedIOException e) {
            // Someone else's, or half-deleted by a concurrent start: not ours to insist on.
          }
        }
      }
    }
  }

  private static void deleteOwnEntries(Path directory) {
    OWN_ENTRIES.forEach(name -> FileTrees.delete(directory.resolve(name)));
  }

}
