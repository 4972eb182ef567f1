package io.stackpipe.steps;

import io.stackpipe.StackpipeException;
import io.stackpipe.chart.OciChartTarget;
import io.stackpipe.registry.auth.RegistryCredential;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import io.stackpipe.installation.Installation;
import io.stackpipe.Secret;
import io.stackpipe.umbrella.UmbrellaBuild;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * What every step takes from its installation rather than from the pipeline: the registry, the cluster, the
 * installation's names, the stack policy and the keys that open profile secrets — the step layer's serializable
 * form of the engine's {@link Installation} ({@link #toInstallation()}), with copying withers for its front ends. The front end fills it — Jenkins
 * from its global configuration with the credentials resolved on the controller, the pipeline tests from the real
 * local services. Immutable and serializable (it travels to the agent with the step); secrets are
 * {@link Secret}s, so printing the settings prints no secret.
 *
 * <pre>{@code
 * StepSettings settings = StepSettings.defaults()
 *     .withCharts("oci://registry.example.com/charts")
 *     .withKubeconfig(Secret.of(kubeconfigYaml))
 *     .withAgeKey(Secret.of(ageIdentities));
 * }</pre>
 */
public final class StepSettings implements Serializable {

  private static final long serialVersionUID = 1L;

  private String charts;
  private boolean plainHttp;
  private String kubeconfigFile;
  private Secret kubeconfig;
  private String context;
  private String clusterServer;
  private Secret clusterToken;
  private String clusterCertificateAuthority;
  private String installation = "default";
  private String namespacePrefix = "";
  private String controlNamespace;
  private String manifestName = UmbrellaBuild.DEFAULT_NAME;
  private String policy;
  private String policyName = "stack policy";
  private Secret ageKey;
  private String kmsEndpoint;
  private Duration timeout = Duration.ofMinutes(5);
  /** Registry host → user name and password (Jenkins: the global configuration's registry list). */
  private LinkedHashMap<String, RegistryCredential> registryCredentials = new LinkedHashMap<>();
  private String registryConfig;
  private boolean createRepositories;
  /** A step's registryCredentialsId as the front end resolved it, and its credential for the chart registry. */
  private String stepCredentialsId;
  private RegistryCredential stepCredential;

  private StepSettings() {
  }

  private StepSettings(StepSettings from) {
    charts = from.charts;
    plainHttp = from.plainHttp;
    kubeconfigFile = from.kubeconfigFile;
    kubeconfig = from.kubeconfig;
    context = from.context;
    clusterServer = from.clusterServer;
    clusterToken = from.clusterToken;
    clusterCertificateAuthority = from.clusterCertificateAuthority;
    installation = from.installation;
    namespacePrefix = from.namespacePrefix;
    controlNamespace = from.controlNamespace;
    manifestName = from.manifestName;
    policy = from.policy;
    policyName = from.policyName;
    ageKey = from.ageKey;
    kmsEndpoint = from.kmsEndpoint;
    timeout = from.timeout;
    registryCredentials = new LinkedHashMap<>(from.registryCredentials);
    registryConfig = from.registryConfig;
    createRepositories = from.createRepositories;
    stepCredentialsId = from.stepCredentialsId;
    stepCredential = from.stepCredential;
  }

  public static StepSettings defaults() {
    return new StepSettings();
  }

  /** {@code oci://host/path}: where service charts are pushed and pulled, and manifests (L3, candidates) live. */
  public StepSettings withCharts(String value) {
    StepSettings s = new StepSettings(this);
    s.charts = value;
    return s;
  }

  /** Speak plain HTTP to a registry that is not on loopback (loopback always does). */
  public StepSettings withPlainHttp(boolean value) {
    StepSettings s = new StepSettings(this);
    s.plainHttp = value;
    return s;
  }

  /** A kubeconfig file on the machine that runs the step (the agent). */
  public StepSettings withKubeconfigFile(String value) {
    StepSettings s = new StepSettings(this);
    s.kubeconfigFile = value;
    return s;
  }

  /**
   * A kubeconfig's content (Jenkins: a secret file credential). Written to a private file only while a step
   * runs (or, for promoteL3's body, until the block ends), then deleted.
   */
  public StepSettings withKubeconfig(Secret value) {
    StepSettings s = new StepSettings(this);
    s.kubeconfig = value;
    return s;
  }

  /** A context of the kubeconfig other than its current one (null: the current one). */
  public StepSettings withContext(String value) {
    StepSettings s = new StepSettings(this);
    s.context = value;
    return s;
  }

  /**
   * The token form of the cluster instead of a kubeconfig (Jenkins: a server URL, a secret text credential and a
   * CA certificate): {@code server} is the API server's https URL, {@code certificateAuthority} the PEM certificate
   * that signed its certificate (null: the system's trusted CAs). The session turns them into a kubeconfig in its
   * private folder, deleted when it closes.
   */
  public StepSettings withClusterToken(String server, Secret token, String certificateAuthority) {
    StepSettings s = new StepSettings(this);
    s.clusterServer = server;
    s.clusterToken = token;
    s.clusterCertificateAuthority = certificateAuthority;
    return s;
  }

  /** The Stackpipe installation whose stacks these are (default {@code default}). */
  public StepSettings withInstallation(String value) {
    StepSettings s = new StepSettings(this);
    s.installation = Objects.requireNonNull(value);
    return s;
  }

  /** Stack NAME lives in namespace PREFIX+NAME (default none). */
  public StepSettings withNamespacePrefix(String value) {
    StepSettings s = new StepSettings(this);
    s.namespacePrefix = Objects.requireNonNull(value);
    return s;
  }

  /** The namespace that holds the L3 pointer and the candidates (null: the engine's default). */
  public StepSettings withControlNamespace(String value) {
    StepSettings s = new StepSettings(this);
    s.controlNamespace = value;
    return s;
  }

  /** The manifest's (umbrella chart's) name (default {@code platform}). */
  public StepSettings withManifestName(String value) {
    StepSettings s = new StepSettings(this);
    s.manifestName = Objects.requireNonNull(value);
    return s;
  }

  /** The stack policy file's content (YAML, see docs/deploying.md); {@code name} is how refusals name it. */
  public StepSettings withPolicy(String yaml, String name) {
    StepSettings s = new StepSettings(this);
    s.policy = yaml;
    s.policyName = Objects.requireNonNull(name);
    return s;
  }

  /** age identities (an age key file's content) that open profile secrets. */
  public StepSettings withAgeKey(Secret value) {
    StepSettings s = new StepSettings(this);
    s.ageKey = value;
    return s;
  }

  /**
   * Another AWS KMS endpoint (an emulator in tests). KMS keys name their region in their ARN, and AWS credentials
   * come from the environment of the process running the step (or the role a secrets file names).
   */
  public StepSettings withKmsEndpoint(String value) {
    StepSettings s = new StepSettings(this);
    s.kmsEndpoint = value;
    return s;
  }

  /** How long pods may take to be Ready (default 5 minutes). */
  public StepSettings withTimeout(Duration value) {
    StepSettings s = new StepSettings(this);
    s.timeout = Objects.requireNonNull(value);
    return s;
  }

  /**
   * The user name and password {@code host} is given when it asks (Jenkins: a username/password credential of
   * the registry list, or a step's {@code registryCredentialsId}); another for the same host replaces it.
   */
  public StepSettings withRegistryCredential(String host, String username, Secret password) {
    StepSettings s = new StepSettings(this);
    s.registryCredentials.put(host, RegistryCredential.password(username, password, "registryCredentials " + host));
    return s;
  }

  /** A Docker-style config file on the machine that runs the step, asked after the registry credentials. */
  public StepSettings withRegistryConfig(String file) {
    StepSettings s = new StepSettings(this);
    s.registryConfig = file;
    return s;
  }

  /**
   * The credential a step's {@code registryCredentialsId} names, resolved by the front end (Jenkins: on the
   * controller, with the build's access to credentials): the chart registry's host gets it for this step instead of
   * the registry list's entry. The step layer refuses a step whose {@code registryCredentialsId} was not resolved so.
   */
  public StepSettings withStepRegistryCredential(String credentialsId, String username, Secret password) {
    StepSettings s = new StepSettings(this);
    s.stepCredentialsId = Objects.requireNonNull(credentialsId);
    s.stepCredential = RegistryCredential.password(username, password, "registryCredentialsId " + credentialsId);
    return s;
  }

  /** The {@code registryCredentialsId} resolved by {@link #withStepRegistryCredential}, or null. */
  public String stepRegistryCredentialsId() {
    return stepCredentialsId;
  }

  /** Create an ECR repository before the first push to it (ECR refuses pushes to a repository nobody created). */
  public StepSettings withCreateRepositories(boolean value) {
    StepSettings s = new StepSettings(this);
    s.createRepositories = value;
    return s;
  }

  public boolean createRepositories() {
    return createRepositories;
  }

  /** Registry host → its credential, in the order given. */
  public Map<String, RegistryCredential> registryCredentials() {
    return Collections.unmodifiableMap(registryCredentials);
  }

  public String registryConfig() {
    return registryConfig;
  }

  public String charts() {
    return charts;
  }

  public boolean plainHttp() {
    return plainHttp;
  }

  public String kubeconfigFile() {
    return kubeconfigFile;
  }

  public Secret kubeconfig() {
    return kubeconfig;
  }

  public String context() {
    return context;
  }

  public String clusterServer() {
    return clusterServer;
  }

  public Secret clusterToken() {
    return clusterToken;
  }

  public String clusterCertificateAuthority() {
    return clusterCertificateAuthority;
  }

  public String installation() {
    return installation;
  }

  public String namespacePrefix() {
    return namespacePrefix;
  }

  public String controlNamespace() {
    return controlNamespace;
  }

  public String manifestName() {
    return manifestName;
  }

  public String policy() {
    return policy;
  }

  public String policyName() {
    return policyName;
  }

  public Secret ageKey() {
    return ageKey;
  }

  public String kmsEndpoint() {
    return kmsEndpoint;
  }

  public Duration timeout() {
    return timeout;
  }

  /**
   * These settings as the engine's {@link Installation}, validated once here (naming the wrong setting), whatever
   * order the withers were called in.
   */
  public Installation toInstallation() {
    Installation.Builder b = Installation.builder().withRegistryConfig(registryConfig)
        .withCreateRepositories(createRepositories);
    registryCredentials.forEach((host, c) -> b.withRegistryCredential(host, c.username(), c.password()));
    if (stepCredential != null) {
      if (charts == null) {
        throw StackpipeException.ofField("registryCredentialsId",
            "is the chart registry's credential, and no chart registry is configured");
      }
      b.withRegistryCredential(OciChartTarget.parse(charts).host(), stepCredential);
    }
    return b.withCharts(charts).withPlainHttp(plainHttp).withKubeconfigFile(kubeconfigFile)
        .withKubeconfig(kubeconfig == null ? null : kubeconfig).withContext(context)
        .withClusterServer(clusterServer).withClusterToken(clusterToken)
        .withClusterCertificateAuthority(clusterCertificateAuthority).withId(installation)
        .withNamespacePrefix(namespacePrefix).withControlNamespace(controlNamespace).withManifestName(manifestName)
        .withPolicy(policy, policyName).withAgeKey(ageKey == null ? null : ageKey)
        .withKmsEndpoint(kmsEndpoint).withTimeout(timeout).build();
  }

  @Override
  public String toString() {
    return "StepSettings[charts=" + charts + ", installation=" + installation + ", kubeconfig="
        + (kubeconfig != null ? kubeconfig : clusterToken != null ? clusterServer + " with token " + clusterToken
        : kubeconfigFile) + ", ageKey=" + ageKey + ", registryCredentials=" + registryCredentials.keySet() + "]";
  }
}
