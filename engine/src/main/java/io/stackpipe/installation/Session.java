package io.stackpipe.installation;

import io.stackpipe.PrivateTempDir;
import io.stackpipe.StackpipeException;
import io.stackpipe.deploy.ChartSource;
import io.stackpipe.deploy.Deploy;
import io.stackpipe.deploy.record.DeployHistory;
import io.stackpipe.umbrella.UmbrellaStack;
import io.stackpipe.gate.AbandonedCandidate;
import io.stackpipe.gate.GateResult;
import io.stackpipe.gate.L3Gate;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.NamespaceAccess;
import io.stackpipe.umbrella.Umbrella;
import io.stackpipe.umbrella.UmbrellaPull;
import io.stackpipe.umbrella.UmbrellaResolve;
import io.stackpipe.manifest.l3.L3;
import io.stackpipe.manifest.l3.L3Version;
import io.stackpipe.registry.auth.RegistryAuth;
import io.stackpipe.secrets.core.SecretsEnvironment;
import io.stackpipe.secrets.keys.SecretKeys;
import io.stackpipe.stack.Reaper;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.Stacks;
import io.stackpipe.stack.policy.StackPolicies;
import io.stackpipe.status.L3Source;
import io.stackpipe.status.L3Status;
import io.stackpipe.status.Status;
import io.stackpipe.yaml.SafeYaml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An open {@link Installation}: owns the Kubernetes client, the secret keys (their KMS clients) and a private folder
 * (a kubeconfig credential lives there while the session is open), and hands out the engine's operations already
 * wired to them — the stacks, L3, deploys, the gate, the status, the reaper. Closing it closes all of these, on
 * success and on failure; what it handed out must not be used afterwards. Not thread-safe to open or close, but the
 * operations it hands out are the engine's own.
 */
public final class Session implements AutoCloseable {

  private final Installation installation;
  private final SessionEnvironment environment;
  /** The prefix of a session's private folder in the environment's temporary folder. */
  public static final String FOLDER_PREFIX = "stackpipe-session-";

  private final PrivateTempDir files;
  private final KubeConnection kube;
  private SecretKeys keys;
  private StackPolicies policies;
  private RegistryAuth registryAuth;
  private Clock clock = Clock.systemUTC();

  private Session(Installation installation, SessionEnvironment environment, PrivateTempDir files,
      KubeConnection kube) {
    this.installation = installation;
    this.environment = environment;
    this.files = files;
    this.kube = kube;
  }

  static Session open(Installation installation, SessionEnvironment environment) {
    PrivateTempDir files = PrivateTempDir.create(environment.temp().map(Session::directory), FOLDER_PREFIX);
    try {
      Path kubeconfig = installation.kubeconfigPath();
      if (installation.kubeconfig() != null) {
        kubeconfig = files.newFile("kubeconfig");
        Files.writeString(kubeconfig, installation.kubeconfig().reveal(), StandardCharsets.UTF_8);
      } else if (installation.clusterToken() != null) {
        kubeconfig = files.newFile("kubeconfig");
        Files.writeString(kubeconfig, tokenKubeconfig(installation), StandardCharsets.UTF_8);
      }
      Path home = environment.home() == null ? Path.of("/nonexistent") : environment.home();
      return new Session(installation, environment, files, KubeConnection.resolve(kubeconfig,
          environment.variables(), home, installation.context(),
          installation.context() == null ? null : files.newFile("kubeconfig-context")));
    } catch (IOException e) {
      files.close();
      throw new UncheckedIOException("cannot write the installation's kubeconfig", e);
    } catch (RuntimeException e) {
      files.close();
      throw e;
    }
  }

  public Installation installation() {
    return installation;
  }

  /** The session's cluster connection, for the installation's own checks. */
  KubeConnection kube() {
    return kube;
  }

  /** The kubeconfig file Helm and fabric8 use (valid while the session is open); null in-cluster. */
  public Path kubeconfig() {
    return kube.kubeconfig();
  }

  /** The session's private folder (deleted on {@link #close()}), for other private files of its operations. */
  public Path files() {
    return files.path();
  }

  /** Decides by {@code value} rather than the system clock (a dry-run reap "as if it were" another time). */
  public Session withClock(Clock value) {
    clock = value;
    return this;
  }

  /** The installation's stacks, acting for the environment's user; destroys are recorded in the control namespace. */
  public Stacks stacks() {
    return Stacks.on(kube, installation.id()).withNamespacePrefix(installation.namespacePrefix()).withClock(clock)
        .withRecordsIn(installation.controlNamespace()).withActor(environment.user());
  }

  /** The deploy history of {@code stack} (as {@code stacks().show} gave it): its deploys and open canaries. */
  public DeployHistory.State deployHistory(Stack stack) {
    return new DeployHistory(kube, stack.namespace()).read();
  }

  /** The reaper of the installation's stacks (its limits are set on it and checked when it runs). */
  public Reaper reaper() {
    return stacks().reaper();
  }

  /**
   * The sweep's second half, after the reaper: open candidates whose gate is gone, rejected as abandoned
   * ({@link L3Gate#closeAbandoned}); none without a chart registry (there is no L3 then).
   */
  public List<AbandonedCandidate> closeAbandonedGates() {
    return installation.charts() == null ? List.of() : gate().closeAbandoned();
  }

  /** The installation's stack policy ({@link StackPolicies#none()} without one). */
  public StackPolicies policies() {
    if (policies == null) {
      policies = installation.policies();
    }
    return policies;
  }

  /** The keys that open profile secrets: the installation's age key and KMS endpoint over the environment's. */
  public SecretKeys keys() {
    if (keys == null) {
      keys = SecretKeys.of(SecretsEnvironment.of(environment.variables(), environment.home()),
          installation.ageKey() == null ? null : installation.ageKey().reveal(),
          installation.kmsEndpoint() == null ? null : URI.create(installation.kmsEndpoint()));
    }
    return keys;
  }

  /**
   * Where the session's registry credentials come from ({@link Installation#registryAuth}): made once, so a
   * credential helper runs once per host and session.
   */
  public RegistryAuth registryAuth() {
    if (registryAuth == null) {
      registryAuth = installation.registryAuth(environment);
    }
    return registryAuth;
  }

  /** The installation's L3, acting for the environment's user; refused naming {@code charts} without a registry. */
  public L3 l3() {
    L3 l3 = L3.on(kube, installation.requireCharts()).withName(installation.manifestName())
        .withNamespace(installation.controlNamespace()).plainHttp(installation.plainHttp()).withClock(clock)
        .withRegistryAuth(registryAuth()).withProgress(environment.progress());
    return environment.user() == null ? l3 : l3.withUser(environment.user());
  }

  /**
   * The current L3 version, read from its pointer (the truth; the registry's {@code l3} tag is its mirror, which a
   * promotion repairs). Refused naming {@code field} — the input that asked for it — when there is no L3 yet.
   */
  public L3Version currentL3(String field) {
    return l3().current().orElseThrow(() -> StackpipeException.ofField(field, "there is no L3 of "
        + installation.manifestName() + " yet in namespace " + installation.controlNamespace()
        + ": bootstrap it once with `stackpipe l3 init`"));
  }

  /**
   * A manifest as people name it, pulled into {@code directory}: {@code l3} (the current L3, from its pointer), or
   * any form {@link UmbrellaResolve} takes (an {@code oci://} reference, a version or tag in the registry, a list of
   * service charts — assembled, and pushed when {@code push}).
   */
  public Umbrella manifest(String manifest, boolean push, Path directory) {
    if (L3.TAG.equals(manifest)) {
      L3Version current = currentL3("manifest");
      environment.progress().accept("L3 is " + current.manifest() + " " + current.version());
      UmbrellaPull pull = UmbrellaPull.of(current.reference()).withOutputDirectory(directory)
          .withRegistryAuth(registryAuth()).withProgress(environment.progress());
      return (installation.plainHttp() ? pull.plainHttp() : pull).call();
    }
    return UmbrellaResolve.of(manifest).from(installation.charts()).withName(installation.manifestName())
        .plainHttp(installation.plainHttp()).withRegistryAuth(registryAuth()).push(push).withOutputDirectory(directory)
        .withProgress(environment.progress()).call();
  }

  /**
   * A service chart as people name it ({@link ChartSource#parse}); with {@code fromL3} a chart name at the version
   * the current L3 holds, relative paths resolved against {@code base}.
   */
  public ChartSource chart(String chart, String version, boolean fromL3, Path base) {
    ChartSource.check(chart, version, fromL3, installation.charts());
    if (!fromL3) {
      return ChartSource.parse(chart, version, installation.charts(), base);
    }
    L3Version current = currentL3("fromL3");
    String held = current.services().get(chart);
    if (held == null) {
      throw StackpipeException.ofField("chart", chart + " is not in L3 " + current.version() + " (it holds "
          + String.join(", ", current.services().keySet()) + ")");
    }
    environment.progress().accept("L3 holds " + chart + " " + held);
    return ChartSource.inRegistry(installation.charts(), chart, held);
  }

  /**
   * A deploy onto {@code stack} as the environment's user, with the installation's keys, policy, timeout and (when
   * it has a registry) L3, for a stack policy's {@code quality: L3}.
   */
  public Deploy deploy(String stack) {
    Deploy deploy = Deploy.onto(stacks(), stack).withSecretKeys(keys()).withPolicy(policies())
        .withTimeout(installation.timeout())
        .withDeployer(Optional.ofNullable(environment.user()).orElse("unknown"), environment.groups())
        .withRegistryAuth(registryAuth()).withProgress(environment.progress());
    return installation.charts() == null ? deploy : deploy.withL3(l3());
  }

  /** A stack made from a manifest (ephemeral: the engine refuses another type), with the installation's keys. */
  public UmbrellaStack umbrellaStack(String name) {
    return UmbrellaStack.create(stacks(), name).withSecretKeys(keys()).withRegistryAuth(registryAuth())
        .waitingUpTo(installation.timeout())
        .withProgress(environment.progress());
  }

  /** The L3 gate of the installation, its stacks owned by the environment's user. */
  public L3Gate gate() {
    L3Gate gate = L3Gate.of(l3(), stacks()).withSecretKeys(keys()).waitingUpTo(installation.timeout())
        .plainHttp(installation.plainHttp()).withRegistryAuth(registryAuth()).withProgress(environment.progress());
    return environment.user() == null ? gate : gate.withOwner(environment.user());
  }

  /**
   * Promotes a candidate tested elsewhere, as the gate reports a promotion (no stack, no test). A stale candidate
   * is refused with the engine's {@code StaleCandidateException}.
   */
  public GateResult promote(String candidate) {
    return GateResult.promoted(l3().promote(candidate).call());
  }

  /** The installation's status report: its stacks and, with a registry, its L3. */
  public Status status() {
    L3Source l3 = installation.charts() == null ? L3Source.NONE : L3Status.of(l3());
    return Status.of(stacks()).withL3(l3);
  }

  /**
   * Writes a kubeconfig of this cluster for {@code namespace} to {@code file} (which the caller made private), whose
   * credential may change that namespace and nothing else ({@link NamespaceAccess}, living {@code lifetime}): the
   * body of a gate reaches its stack with it. Returns the token, to mask; {@link #revokeNamespaceAccess} ends it.
   */
  public Set<String> writeNamespaceKubeconfig(Path file, String namespace, Duration lifetime) {
    return NamespaceAccess.grant(kube, namespace, lifetime).writeKubeconfig(file);
  }

  /** Ends what {@link #writeNamespaceKubeconfig} granted in {@code namespace}. */
  public void revokeNamespaceAccess(String namespace) {
    NamespaceAccess.revoke(kube, namespace);
  }

  /** Closes the keys, the Kubernetes client and deletes the private folder, each even when another fails. */
  @Override
  public void close() {
    try {
      if (keys != null) {
        keys.close();
      }
    } finally {
      try {
        kube.close();
      } finally {
        files.close();
      }
    }
  }

  /** The token form as a kubeconfig of one context. */
  private static String tokenKubeconfig(Installation installation) {
    Map<String, Object> cluster = new LinkedHashMap<>();
    cluster.put("server", installation.clusterServer());
    if (installation.clusterCertificateAuthority() != null) {
      cluster.put("certificate-authority-data", Base64.getEncoder().encodeToString(
          (installation.clusterCertificateAuthority() + "\n").getBytes(StandardCharsets.US_ASCII)));
    }
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("apiVersion", "v1");
    config.put("kind", "Config");
    config.put("clusters", List.of(Map.of("name", "cluster", "cluster", cluster)));
    config.put("users", List.of(Map.of("name", "token", "user", Map.of("token",
        installation.clusterToken().reveal()))));
    config.put("contexts", List.of(Map.of("name", "cluster", "context", Map.of("cluster", "cluster",
        "user", "token"))));
    config.put("current-context", "cluster");
    return SafeYaml.dump(config);
  }

  private static Path directory(Path tempDirectory) {
    try {
      return Files.createDirectories(tempDirectory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + tempDirectory, e);
    }
  }
}
