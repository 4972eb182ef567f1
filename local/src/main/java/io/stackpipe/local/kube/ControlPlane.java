package io.stackpipe.local.kube;

import io.stackpipe.base.FileTrees;
import io.stackpipe.base.Ports;
import io.stackpipe.local.ChildProcesses;
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
 * controllers, so deleted namespaces really go away). No kubelet or scheduler: objects are stored, validated and
 * garbage-collected, but no pod runs.
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
      List.of("etcd", "pki", "logs", "kubeconfig", "controller-manager.kubeconfig", STATE_FILE);

  private final KubeBinaries binaries;
  private final Path directory;
  private final boolean ownsDirectory;
  private final boolean detached;
  private final Duration timeout;
  private final Map<String, Process> processes = new LinkedHashMap<>();
  private final Thread shutdownHook;
  private Pki pki;
  private Pki.Credential adminCredential;
  private URI server;
  private boolean closed;

  private ControlPlane(Builder builder) throws IOException {
    this.binaries = builder.binaries != null ? builder.binaries : KubeBinaries.locate();
    this.detached = builder.detached;
    this.timeout = builder.timeout;
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

  /** PIDs of etcd, kube-apiserver and kube-controller-manager, in start order. */
  public Map<String, Long> pids() {
    Map<String, Long> pids = new LinkedHashMap<>();
    processes.forEach((name, p) -> pids.put(name, p.pid()));
    return pids;
  }

  private void boot() {
    try {
      Files.createDirectories(directory.resolve("logs"));
      Path pkiDir = Files.createDirectories(directory.resolve("pki"));
      pki = Pki.create();
      Files.writeString(pkiDir.resolve("ca.crt"), pki.ca().certificatePem());
      Pki.Credential serving = pki.serving(
          List.of("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
              "kubernetes.default.svc.cluster.local"),
          List.of("127.0.0.1", "10.0.0.1"));
      Files.writeString(pkiDir.resolve("apiserver.crt"), serving.certificatePem() + pki.ca().certificatePem());
      Pki.writePrivate(pkiDir.resolve("apiserver.key"), serving.keyPem());
      Pki.writeServiceAccountKeys(pkiDir.resolve("sa.key"), pkiDir.resolve("sa.pub"));

      int etcdPort = Ports.free();
      int peerPort = Ports.free();
      int apiPort = Ports.free();
      server = URI.create("https://127.0.0.1:" + apiPort);
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
      launch("kube-apiserver", List.of(binaries.apiServer().toString(),
          "--etcd-servers=" + etcdUrl,
          "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port=" + apiPort,
          "--cert-dir=" + pkiDir,
          "--tls-cert-file=" + pkiDir.resolve("apiserver.crt"),
          "--tls-private-key-file=" + pkiDir.resolve("apiserver.key"),
          "--client-ca-file=" + pkiDir.resolve("ca.crt"),
          "--authorization-mode=Node,RBAC",
          "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
          "--service-account-key-file=" + pkiDir.resolve("sa.pub"),
          "--service-account-signing-key-file=" + pkiDir.resolve("sa.key"),
          "--service-cluster-ip-range=" + SERVICE_CIDR,
          // A loopback address may not be a Service endpoint: do not publish one for "kubernetes".
          "--endpoint-reconciler-type=none",
          "--allow-privileged=true", "--profiling=false", "--v=1"));
      awaitApiServer();

      launch("kube-controller-manager", List.of(binaries.controllerManager().toString(),
          "--kubeconfig=" + directory.resolve("controller-manager.kubeconfig"),
          "--controllers=namespace-controller,garbage-collector-controller,serviceaccount-controller,"
              + "serviceaccount-token-controller,root-ca-certificate-publisher-controller",
          "--service-account-private-key-file=" + pkiDir.resolve("sa.key"),
          "--root-ca-file=" + pkiDir.resolve("ca.crt"),
          "--leader-elect=false",
          "--bind-address=127.0.0.1", "--secure-port=0", "--profiling=false", "--v=1"));
      awaitControllers();

      if (detached) {
        writeState();
      } else {
        Runtime.getRuntime().addShutdownHook(shutdownHook);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
    processes.put(name, detached ? builder.start() : ChildProcesses.startAttached(builder));
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
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
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
  public record Status(Path directory, Map<String, Long> livePids, URI server, Path kubeconfig) {
    public boolean running() {
      return !livePids.isEmpty();
    }
  }

  private void writeState() throws IOException {
    Properties state = new Properties();
    state.setProperty("server", server.toString());
    state.setProperty("kubeconfig", kubeconfig().toString());
    processes.forEach((name, p) -> {
      state.setProperty("pid." + name, Long.toString(p.pid()));
      state.setProperty("command." + name, commandOf(name));
    });
    try (var out = Files.newBufferedWriter(directory.resolve(STATE_FILE))) {
      state.store(out, "stackpipe control plane; stop with: stackpipe cluster stop");
    }
  }

  private String commandOf(String name) {
    return switch (name) {
      case "etcd" -> binaries.etcd().toString();
      case "kube-apiserver" -> binaries.apiServer().toString();
      default -> binaries.controllerManager().toString();
    };
  }

  /** Reads the state a detached control plane left in {@code directory}; PIDs that no longer run ours are dropped. */
  public static Status status(Path directory) {
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
    for (String name : List.of("etcd", "kube-apiserver", "kube-controller-manager")) {
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
    return new Status(directory, live, server == null ? null : URI.create(server),
        state.containsKey("kubeconfig") ? Path.of(state.getProperty("kubeconfig")) : null);
  }

  /** Kills a detached control plane started from {@code directory} and deletes its data. Returns the PIDs killed. */
  public static Map<String, Long> stop(Path directory) {
    Status status = status(directory);
    List<String> names = new ArrayList<>(status.livePids().keySet());
    java.util.Collections.reverse(names);
    for (String name : names) {
      ProcessHandle.of(status.livePids().get(name)).ifPresent(ControlPlane::killTree);
    }
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
