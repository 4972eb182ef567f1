package io.stackpipe.deploy;

import io.stackpipe.PrivateTempDir;
import io.stackpipe.StackpipeException;
import io.stackpipe.chart.ChartArchive;
import io.stackpipe.deploy.record.CanaryRecord;
import io.stackpipe.deploy.record.DeployEntry;
import io.stackpipe.deploy.record.DeployHistory;
import io.stackpipe.deploy.record.DeployedServices;
import io.stackpipe.deploy.values.LayeredValues;
import io.stackpipe.deploy.values.ProfileValues;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.manifest.l3.L3;
import io.stackpipe.secrets.keys.SecretKeys;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.Stacks;
import io.stackpipe.stack.policy.PolicyCheck;
import io.stackpipe.stack.policy.StackPolicies;
import io.stackpipe.yaml.SafeYaml;
import io.stackpipe.registry.auth.RegistryAuth;
import io.stackpipe.kube.PullSecrets;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * deployProfile: one service's chart artifact, with a profile packaged inside it, onto a stack.
 *
 * <pre>{@code
 * DeployResult result = Deploy.onto(stacks, "qa1")
 *     .withChart(ChartSource.oci("oci://registry.example.com/charts/orders:1.4.0"))
 *     .withProfile("qa1")
 *     .withSecretKeys(SecretKeys.fromEnvironment(env))
 *     .withDeployer("alice", Set.of("team-a"))
 *     .withPolicy(StackPolicies.load(policyFile, "policy.yaml"))
 *     .call();
 * }</pre>
 *
 * In order, and nothing changes in the cluster before the last step: pull the artifact (or read the .tgz), compose
 * the profile's values with its decrypted secrets ({@link ProfileValues}), find the stack, check the stack policy
 * (a refusal names the rule; with {@code quality: L3}, only the version the current L3 holds passes), then —
 * holding the stack's lock, waiting up to the lock timeout — {@code helm upgrade --install} into the stack's namespace, wait for Ready pods (by default), roll back a failure, and record
 * the deploy in the stack's history and its last activity. With {@link #withCanary} the version goes out as a
 * separate canary release beside the stable one; {@link #promote} and {@link #abort} close it.
 */
public final class Deploy {
  static final String CANARY_SUFFIX = "-canary";

  private final Stacks stacks;
  private final String stack;
  private ChartSource source;
  private String profile;
  private String release;
  private List<String> sets = List.of();
  private SecretKeys keys;
  private Duration timeout = Duration.ofMinutes(5);
  private boolean wait = true;
  private Duration lockTimeout = Duration.ofSeconds(30);
  private StackPolicies policies = StackPolicies.none();
  private String user = "unknown";
  private Set<String> groups = Set.of();
  private Canary canary;
  private L3 l3;
  private Consumer<String> progress = line -> { };
  private RegistryAuth auth = RegistryAuth.anonymous();

  private Deploy(Stacks stacks, String stack) {
    this.stacks = stacks;
    this.stack = stack;
  }

  public static Deploy onto(Stacks stacks, String stack) {
    return new Deploy(stacks, stack);
  }

  public Deploy withChart(ChartSource value) {
    this.source = value;
    return this;
  }

  public Deploy withProfile(String value) {
    this.profile = value;
    return this;
  }

  /** Default: the chart's name. */
  public Deploy withRelease(String value) {
    this.release = value;
    return this;
  }

  /** Overrides in Helm's {@code --set} form, the last layer. */
  public Deploy withSets(List<String> value) {
    this.sets = List.copyOf(value);
    return this;
  }

  /** The keys that open the profile's secrets.yaml (the front end resolves them from its environment). */
  public Deploy withSecretKeys(SecretKeys value) {
    this.keys = value;
    return this;
  }

  /** How long the pods may take to be Ready (default 5 minutes). */
  public Deploy withTimeout(Duration value) {
    this.timeout = value;
    return this;
  }

  /** Succeed as soon as Helm has applied the release, without waiting for Ready pods. */
  public Deploy withoutWait() {
    this.wait = false;
    return this;
  }

  /** How long to wait for another deploy on the stack to finish (default 30 s); zero fails at once. */
  public Deploy withLockTimeout(Duration value) {
    this.lockTimeout = value;
    return this;
  }

  public Deploy withPolicy(StackPolicies value) {
    this.policies = value;
    return this;
  }

  /** Who deploys, as the front end knows them (the CLI: the OS user); checked against the policy's deployers. */
  public Deploy withDeployer(String name, Set<String> memberOf) {
    this.user = name;
    this.groups = Set.copyOf(memberOf);
    return this;
  }

  /**
   * The L3 a stack with {@code quality: L3} in its policy takes versions from (the production gate). Default: the
   * L3 of the default manifest next to the chart in its registry.
   */
  public Deploy withL3(L3 value) {
    this.l3 = value;
    return this;
  }

  /** Deploy as a canary of that size beside the stable release. */
  public Deploy withCanary(Canary value) {
    this.canary = value;
    return this;
  }

  /** Where registry credentials come from, to pull the chart (default: anonymous). */
  public Deploy withRegistryAuth(RegistryAuth value) {
    auth = value;
    return this;
  }

  public Deploy withProgress(Consumer<String> value) {
    this.progress = value;
    return this;
  }

  public DeployResult call() {
    String namespace = stacks.namespaceOf(stack);
    require("chart", source);
    require("profile", profile);
    try (PrivateTempDir temp = PrivateTempDir.create("stackpipe-deploy-")) {
      ChartSource.Fetched fetched = source.fetch(temp, auth);
      LayeredValues plain = values(fetched, List.of());
      String service = plain.chart();
      String main = release != null ? release : service;
      if (canary != null) {
        Canary.requireCanaryMode(fetched, service);
      }
      Stack found = stacks.show(stack);
      check(service, profile, canary != null);
      checkQuality(service, chartVersion(fetched));
      if (source.file() == null) {
        progress.accept("pulled " + source + " (" + fetched.digest() + ")");
      }
      return locked(main, canary == null ? "deploy" : "canary", () -> {
        if (canary == null) {
          return install(found, namespace, fetched, plain, main, main, "deploy", null);
        }
        int stable = Canary.stableReplicas(stacks, stack, namespace, main);
        int replicas = canary.replicasBeside(stable);
        List<String> canarySets = List.of("canary.of=" + main, "replicaCount=" + replicas);
        LayeredValues values = values(fetched, canarySets);
        int share = (int) Math.round(100.0 * replicas / (stable + replicas));
        CanaryRecord record = new CanaryRecord(main + CANARY_SUFFIX, pinned(fetched), service,
            chartVersion(fetched), profile, sets, replicas, stable, share, stacks.clock().instant().toString(), user);
        progress.accept(main + ": canary " + canary + " = " + replicas + " pod(s) beside " + stable + " stable: about "
            + share + "% of the traffic");
        return install(found, namespace, fetched, values, main, main + CANARY_SUFFIX, "canary", record);
      });
    }
  }

  /**
   * Brings the stack to {@code target}: each service whose release runs another version (or none) is deployed as
   * {@link #call} deploys, one at a time in name order, with the profile given by {@link #withProfile} or else the
   * one it was last deployed with on this stack; the first failure stops the sync (see {@link StackSyncResult}).
   */
  public StackSyncResult sync(SyncTarget target) {
    return new StackSync(this).to(target);
  }

  Stacks stacks() {
    return stacks;
  }

  String stackName() {
    return stack;
  }

  String profileName() {
    return profile;
  }

  Consumer<String> progress() {
    return progress;
  }

  /** Points this deploy at one service of a sync. */
  Deploy forService(ChartSource chart, String serviceProfile, String serviceRelease) {
    this.source = chart;
    this.profile = serviceProfile;
    this.release = serviceRelease;
    return this;
  }

  private record OpenCanary(String namespace, DeployHistory history, CanaryRecord record) {}

  /** The release's open canary, once the stack exists and the policy allows touching it. */
  private OpenCanary openCanary() {
    String namespace = stacks.namespaceOf(stack);
    require("release", release);
    stacks.show(stack);
    DeployHistory history = new DeployHistory(stacks.kube(), namespace);
    CanaryRecord record = openCanary(history);
    check(record.chart(), record.profile(), true);
    return new OpenCanary(namespace, history, record);
  }

  /** Upgrades the stable release to its open canary's version (same profile and overrides), then removes the canary. */
  public DeployResult promote() {
    OpenCanary open = openCanary();
    String namespace = open.namespace();
    DeployHistory history = open.history();
    CanaryRecord record = open.record();
    ChartSource from = record.source().startsWith("oci://") ? ChartSource.oci(record.source())
        : ChartSource.file(java.nio.file.Path.of(record.source()));
    try (PrivateTempDir temp = PrivateTempDir.create("stackpipe-deploy-")) {
      ChartSource.Fetched fetched = from.fetch(temp, auth);
      this.profile = record.profile();
      this.sets = record.sets();
      LayeredValues values = values(fetched, List.of());
      return locked(release, "promote", () -> {
        DeployResult promoted = install(stacks.show(stack), namespace, fetched, values, release, release, "promote",
            null);
        removeCanary(namespace, history, record);
        return promoted;
      });
    }
  }

  /** Removes the open canary of the release: only the stable pods serve again. */
  public DeployResult abort() {
    OpenCanary open = openCanary();
    String namespace = open.namespace();
    DeployHistory history = open.history();
    CanaryRecord record = open.record();
    return locked(release, "abort", () -> {
      removeCanary(namespace, history, record);
      history.record(entry("abort", release, record.chart(), record.version(), null, record.profile(), 0, null));
      stacks.recordActivity(stack, Stack.Activity.DEPLOY);
      progress.accept(release + ": canary " + record.canaryRelease() + " removed; only the stable pods serve");
      return new DeployResult(stack, namespace, "abort", release, record.chart(), record.version(), null,
          record.profile(), 0, "aborted", List.of(), user, record);
    });
  }

  private DeployResult install(Stack found, String namespace, ChartSource.Fetched fetched, LayeredValues values,
      String main, String name, String action, CanaryRecord canaryRecord) {
    DeployHistory history = new DeployHistory(stacks.kube(), namespace);
    String version = chartVersion(fetched);
    Map<String, byte[]> chartFiles = ChartArchive.files(fetched.archive());
    List<String> pulling = PullSecrets.apply(stacks.kube(), found.namespace(), PullSecrets.hosts(chartFiles), auth);
    LayeredValues given = values;
    if (!pulling.isEmpty()) {
      progress.accept("pull secret " + PullSecrets.NAME + " for " + String.join(", ", pulling));
      given = PullSecrets.inChartValue(chartFiles, values.values())
          .map(with -> values.withLayer(PullSecrets.VALUE + " (" + PullSecrets.NAME + ")", with)).orElse(values);
    }
    LayeredValues installing = given;
    ProfileInstall install = ProfileInstall.into(stacks.kube()).withChart(fetched.archive()).withProfile(profile)
        .withNamespace(found.namespace()).withReleaseName(name)
        .withProgress(line -> progress.accept(installing.mask(line)));
    if (wait) {
      install.waitingUpTo(timeout);
    }
    ProfileRelease installed;
    try {
      installed = install.install(installing);
    } catch (RuntimeException e) {
      RuntimeException failure = values.masked(e);
      try {
        history.record(entry(action, main, values.chart(), version, fetched.digest(), profile, 0,
            firstLine(failure.getMessage())));
      } catch (RuntimeException unrecorded) {
        failure.addSuppressed(unrecorded);
      }
      throw failure;
    }
    history.record(entry(action, main, values.chart(), version, fetched.digest(), profile, installed.revision(), null));
    DeployedServices.of(stacks, stack).put(List.of(new DeployedServices.Service(values.chart(), name, version,
        fetched.digest(), profile, installed.revision(), installed.status(), canaryRecord != null,
        stacks.clock().instant().toString(), user)));
    if (canaryRecord != null) {
      history.openCanary(main, canaryRecord);
    }
    stacks.recordActivity(stack, Stack.Activity.DEPLOY);
    return new DeployResult(stack, namespace, action, installed.name(), installed.chart(), version, fetched.digest(),
        profile, installed.revision(), installed.status(), installing.layers(), user, canaryRecord);
  }

  private <T> T locked(String main, String action, Supplier<T> operation) {
    return stacks.lock(stack).withHolder(user + " (" + action + " " + main + ")").withTimeout(lockTimeout)
        .call(operation);
  }

  private LayeredValues values(ChartSource.Fetched fetched, List<String> extraSets) {
    ProfileValues composer = ProfileValues.of(fetched.archive(), profile).withSecretKeys(keys == null ? SecretKeys.none() : keys);
    sets.forEach(composer::withSet);
    extraSets.forEach(composer::withSet);
    return composer.call();
  }

  private void check(String service, String deployedProfile, boolean asCanary) {
    new PolicyCheck(policies, stacks.clock()).check(
        new PolicyCheck.Deploy(stack, deployedProfile, service, user, groups, asCanary));
  }

  private void checkQuality(String service, String version) {
    new PolicyCheck(policies, stacks.clock()).checkQuality(stack, service, version, () -> {
      L3 from = l3;
      if (from == null) {
        if (source.file() != null) {
          throw StackpipeException.ofField("chart", "stack " + stack + " takes L3 versions only (policy quality: L3):"
              + " deploy the chart from its registry, not from a file");
        }
        from = L3.on(stacks.kube(), source.registry().toString());
      }
      String manifest = from.name();
      return from.current().map(current -> new PolicyCheck.L3Pin(manifest + " " + current.version(),
          current.services().get(service)));
    });
  }

  private CanaryRecord openCanary(DeployHistory history) {
    CanaryRecord record = history.read().canaries().get(release);
    if (record == null) {
      throw StackpipeException.ofField("release", "no open canary of release " + release + " in stack " + stack);
    }
    return record;
  }

  private void removeCanary(String namespace, DeployHistory history, CanaryRecord record) {
    KubeConnection kube = stacks.kube();
    if (kube.releases().list(namespace).stream().anyMatch(r -> r.name().equals(record.canaryRelease()))) {
      kube.releases().uninstall(record.canaryRelease(), namespace);
    }
    DeployedServices.of(stacks, stack).removeRelease(record.canaryRelease());
    history.closeCanary(release);
  }

  private String pinned(ChartSource.Fetched fetched) {
    return source.file() != null ? fetched.archive().toAbsolutePath().toString()
        : source.registry() + "/" + source.name() + "@" + fetched.digest();
  }

  private static String chartVersion(ChartSource.Fetched fetched) {
    return ChartArchive.listing(fetched.archive()).stream().filter(e -> e.matches("[^/]+/Chart\\.yaml")).findFirst()
        .flatMap(e -> ChartArchive.entry(fetched.archive(), e))
        .map(bytes -> SafeYaml.load(new String(bytes, StandardCharsets.UTF_8), "Chart.yaml"))
        .filter(Map.class::isInstance).map(m -> String.valueOf(((Map<?, ?>) m).get("version"))).orElse("?");
  }

  private DeployEntry entry(String action, String main, String chart, String version, String digest,
      String deployedProfile, int revision, String failure) {
    return new DeployEntry(stacks.clock().instant().toString(), user, action, main, chart, version, digest,
        deployedProfile, revision, failure == null ? "succeeded" : "failed", failure == null ? "" : failure);
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }

  private static void require(String field, Object value) {
    if (value == null) {
      throw StackpipeException.ofField(field, "is required");
    }
  }
}
