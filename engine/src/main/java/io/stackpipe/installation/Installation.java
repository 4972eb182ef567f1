package io.stackpipe.installation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackpipe.Masking;
import io.stackpipe.Names;
import io.stackpipe.Secret;
import io.stackpipe.StackpipeException;
import io.stackpipe.chart.ChartBuild;
import io.stackpipe.chart.OciChartTarget;
import io.stackpipe.manifest.l3.L3;
import io.stackpipe.registry.auth.CredentialSource;
import io.stackpipe.registry.auth.DockerConfig;
import io.stackpipe.registry.auth.RegistryAuth;
import io.stackpipe.registry.auth.RegistryCredential;
import io.stackpipe.registry.ecr.EcrSource;
import io.stackpipe.secrets.core.SecretsEnvironment;
import io.stackpipe.secrets.keys.AwsKms;
import io.stackpipe.stack.Durations;
import io.stackpipe.stack.StackNames;
import io.stackpipe.stack.policy.StackPolicies;
import io.stackpipe.umbrella.UmbrellaBuild;
import io.stackpipe.yaml.SafeYaml;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One Stackpipe installation as every front end describes it, and the engine's one front door: the chart registry,
 * the cluster, the installation's names, its stack policy, the keys that open profile secrets and its timeouts.
 * Immutable and serializable (Jenkins sends it to the agent with a step); secrets are {@link Secret}s, so printing it
 * prints no secret. Built by {@link #builder()} (or {@link #fromMap}), validated once, at {@link Builder#build()},
 * whatever order the settings were given in; {@link #open} gives the {@link Session} that does the work.
 *
 * <pre>{@code
 * Installation installation = Installation.builder()
 *     .withCharts("oci://registry.example.com/charts")
 *     .withKubeconfig(Secret.of(kubeconfigYaml))
 *     .withAgeKey(Secret.of(ageIdentities))
 *     .build();
 * try (Session session = installation.open(SessionEnvironment.of(System.getenv(), home))) {
 *   session.stacks().list(null);
 * }
 * }</pre>
 */
public final class Installation implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The keys of {@link #fromMap}, as the plugin's configuration and the step layer's settings name them. */
  public static final Set<String> KEYS = Set.of("charts", "plainHttp", "kubeconfigFile", "kubeconfig", "context", "clusterServer", "clusterToken",
      "clusterCertificateAuthority", "installation",
      "namespacePrefix", "controlNamespace", "manifestName", "policy", "policyName", "ageKey", "kmsEndpoint",
      "timeout", "registryCredentials", "registryConfig", "createRepositories");

  /** How an installation's own registry credentials are named in messages: the source, never the secret. */
  static final String CREDENTIALS_SOURCE = "installation registryCredentials for ";
  private static final Pattern REGISTRY_HOST = Pattern.compile(
      "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?");

  private final String charts;
  private final boolean plainHttp;
  private final String kubeconfigFile;
  private final Secret kubeconfig;
  private final String context;
  private final String clusterServer;
  private final Secret clusterToken;
  private final String clusterCertificateAuthority;
  private final String id;
  private final String namespacePrefix;
  private final String controlNamespace;
  private final String manifestName;
  private final String policy;
  private final String policyName;
  private final Secret ageKey;
  private final String kmsEndpoint;
  private final Duration timeout;
  private final Map<String, RegistryCredential> registryCredentials;
  private final String registryConfig;
  private final boolean createRepositories;

  private Installation(Builder b) {
    charts = b.charts;
    plainHttp = b.plainHttp;
    kubeconfigFile = b.kubeconfigFile;
    kubeconfig = b.kubeconfig;
    context = b.context;
    clusterServer = b.clusterServer;
    clusterToken = b.clusterToken;
    clusterCertificateAuthority = b.clusterCertificateAuthority;
    id = b.id;
    namespacePrefix = b.namespacePrefix;
    controlNamespace = b.controlNamespace;
    manifestName = b.manifestName;
    policy = b.policy;
    policyName = b.policyName;
    ageKey = b.ageKey;
    kmsEndpoint = b.kmsEndpoint;
    timeout = b.timeout;
    registryCredentials = Collections.unmodifiableMap(new LinkedHashMap<>(b.registryCredentials));
    registryConfig = b.registryConfig;
    createRepositories = b.createRepositories;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * An installation from settings as text ({@link #KEYS}; {@code kubeconfig} and {@code ageKey} are secrets,
   * {@code timeout} a duration such as {@code 5m}, {@code registryCredentials} a secret JSON object
   * {@code {"HOST": {"username": "…", "password": "…"}}}, {@code registryConfig} a Docker config file); an unknown
   * key is refused.
   */
  public static Installation fromMap(Map<String, String> settings) {
    Builder b = builder();
    settings.forEach((key, value) -> {
      if (value == null) {
        return;
      }
      switch (key) {
        case "charts" -> b.withCharts(value);
        case "plainHttp" -> b.withPlainHttp(Boolean.parseBoolean(value));
        case "kubeconfigFile" -> b.withKubeconfigFile(value);
        case "kubeconfig" -> b.withKubeconfig(Secret.of(value));
        case "context" -> b.withContext(value);
        case "clusterServer" -> b.withClusterServer(value);
        case "clusterToken" -> b.withClusterToken(Secret.of(value));
        case "clusterCertificateAuthority" -> b.withClusterCertificateAuthority(value);
        case "installation" -> b.withId(value);
        case "namespacePrefix" -> b.withNamespacePrefix(value);
        case "controlNamespace" -> b.withControlNamespace(value);
        case "manifestName" -> b.withManifestName(value);
        case "policy" -> b.withPolicy(value, settings.getOrDefault("policyName", b.policyName));
        case "policyName" -> b.policyName = value;
        case "ageKey" -> b.withAgeKey(Secret.of(value));
        case "kmsEndpoint" -> b.withKmsEndpoint(value);
        case "timeout" -> b.withTimeout(duration("timeout", value));
        case "registryCredentials" -> registryCredentials(value).forEach(
            (host, credential) -> b.withRegistryCredential(host, credential.username(), credential.password()));
        case "registryConfig" -> b.withRegistryConfig(value);
        case "createRepositories" -> b.withCreateRepositories(Boolean.parseBoolean(value));
        default -> throw StackpipeException.ofField(key, "is not an installation setting (one of "
            + String.join(", ", KEYS.stream().sorted().toList()) + ")");
      }
    });
    return b.build();
  }

  /** A builder holding these settings, to change some and build another installation. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.charts = charts;
    b.plainHttp = plainHttp;
    b.kubeconfigFile = kubeconfigFile;
    b.kubeconfig = kubeconfig;
    b.context = context;
    b.clusterServer = clusterServer;
    b.clusterToken = clusterToken;
    b.clusterCertificateAuthority = clusterCertificateAuthority;
    b.id = id;
    b.namespacePrefix = namespacePrefix;
    b.controlNamespace = controlNamespace;
    b.manifestName = manifestName;
    b.policy = policy;
    b.policyName = policyName;
    b.ageKey = ageKey;
    b.kmsEndpoint = kmsEndpoint;
    b.timeout = timeout;
    b.registryCredentials.putAll(registryCredentials);
    b.registryConfig = registryConfig;
    b.createRepositories = createRepositories;
    return b;
  }

  /** Opens a session on this installation in {@code environment}; close it to release every client and file. */
  public Session open(SessionEnvironment environment) {
    return Session.open(this, environment);
  }

  /**
   * A chart build of {@code chartDir} for this installation, pushed to its registry when {@code push} (refused
   * naming {@code charts} without one), with the registry credentials {@code environment} and the installation
   * give: the one operation that needs no cluster, so no session.
   */
  public ChartBuild buildChart(Path chartDir, boolean push, SessionEnvironment environment) {
    ChartBuild build = ChartBuild.of(chartDir).withRegistryAuth(registryAuth(environment));
    if (push) {
      build.pushTo(requireCharts());
    }
    return plainHttp ? build.plainHttp() : build;
  }

  /**
   * Where registry credentials come from for this installation in {@code environment}: its own
   * {@code registryCredentials}, then its {@code registryConfig} file, then Docker's and Helm's configs in the
   * environment ({@link RegistryAuth#standard}), else anonymous. A {@code registryConfig} file that does not exist is
   * refused naming it.
   */
  public RegistryAuth registryAuth(SessionEnvironment environment) {
    List<CredentialSource> own = new ArrayList<>();
    if (!registryCredentials.isEmpty()) {
      own.add(RegistryAuth.explicit(registryCredentials, "installation registryCredentials ("
          + String.join(", ", registryCredentials.keySet()) + ")"));
    }
    if (registryConfig != null) {
      if (!Files.isRegularFile(Path.of(registryConfig))) {
        throw StackpipeException.ofField("registryConfig", registryConfig + ": no such file");
      }
      own.add(new DockerConfig(Path.of(registryConfig), "registryConfig", environment.variables()));
    }
    // Last: ECR hosts from their token service, with the AWS credentials the installation opens KMS keys with.
    Map<String, String> variables = environment.variables();
    String ecrEndpoint = Optional.ofNullable(variables.get("AWS_ENDPOINT_URL_ECR"))
        .orElse(variables.get("AWS_ENDPOINT_URL"));
    return RegistryAuth.standard(own, variables, environment.home()).then(new EcrSource(
        AwsKms.fromEnvironment(SecretsEnvironment.of(variables, environment.home())).credentials(),
        ecrEndpoint == null || ecrEndpoint.isBlank() ? null : URI.create(ecrEndpoint), createRepositories));
  }

  /** Whether an ECR repository is created before the first push to it (ECR refuses pushes to missing ones). */
  public boolean createRepositories() {
    return createRepositories;
  }

  /** Registry host → the installation's own credential for it (username and password). */
  public Map<String, RegistryCredential> registryCredentials() {
    return registryCredentials;
  }

  /** A Docker-style config file (auths, credHelpers, credsStore) on the machine that opens the session, or null. */
  public String registryConfig() {
    return registryConfig;
  }

  /** The chart registry, or a refusal naming the {@code charts} setting when there is none. */
  public String requireCharts() {
    if (charts == null) {
      throw StackpipeException.ofField("charts", "no chart registry configured (the installation's registry,"
          + " oci://host/path)");
    }
    return charts;
  }

  /** {@code oci://host/path}: service charts, umbrellas, candidates and L3 versions; null when none is set. */
  public String charts() {
    return charts;
  }

  public boolean plainHttp() {
    return plainHttp;
  }

  /** A kubeconfig file on the machine that opens the session, or null. */
  public String kubeconfigFile() {
    return kubeconfigFile;
  }

  /** A kubeconfig's content (a credential), or null. */
  public Secret kubeconfig() {
    return kubeconfig;
  }

  /** The kubeconfig context to use, or null for its current context. */
  public String context() {
    return context;
  }

  /** The API server's URL of the token form (with {@link #clusterToken()}), or null. */
  public String clusterServer() {
    return clusterServer;
  }

  /** The bearer token of the token form, or null. */
  public Secret clusterToken() {
    return clusterToken;
  }

  /** The token form's CA certificate (PEM) for the API server, or null (the system's trusted CAs). */
  public String clusterCertificateAuthority() {
    return clusterCertificateAuthority;
  }

  /** The installation's id: the label its stacks carry (default {@code default}). */
  public String id() {
    return id;
  }

  public String namespacePrefix() {
    return namespacePrefix;
  }

  /** The namespace of the L3 pointer and the candidates. */
  public String controlNamespace() {
    return controlNamespace;
  }

  /** The manifest's (umbrella chart's) name; each has its own L3. */
  public String manifestName() {
    return manifestName;
  }

  /** The stack policy's text, or null. */
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

  /** How long pods may take to be Ready. */
  public Duration timeout() {
    return timeout;
  }

  /** The stack policy, parsed from its text (validated at build time, so this does not refuse). */
  public StackPolicies policies() {
    return policy == null ? StackPolicies.none() : StackPolicies.parse(policy, policyName);
  }

  /**
   * What no output of the installation's work may show: its registry passwords and tokens, the cluster token, the
   * credentials in the kubeconfig's content (tokens, passwords, client keys, auth-provider secrets), the age
   * identities, and of {@code variables} the AWS secret key and session token. A kubeconfig that does not parse
   * adds nothing here (the session refuses it).
   */
  public Masking masking(Map<String, String> variables) {
    List<String> values = new ArrayList<>();
    registryCredentials.values().forEach(c -> {
      if (c.password() != null) {
        values.add(c.password().reveal());
      }
      if (c.identityToken() != null) {
        values.add(c.identityToken().reveal());
      }
    });
    if (clusterToken != null) {
      values.add(clusterToken.reveal());
    }
    if (kubeconfig != null) {
      values.addAll(kubeconfigCredentials(kubeconfig.reveal()));
    }
    if (ageKey != null) {
      ageKey.reveal().lines().map(String::strip).filter(line -> line.startsWith("AGE-SECRET-KEY-"))
          .forEach(values::add);
    }
    for (String name : List.of("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")) {
      if (variables.get(name) != null) {
        values.add(variables.get(name));
      }
    }
    return Masking.of(values);
  }

  private static final Set<String> CREDENTIAL_KEYS = Set.of("token", "password", "client-key-data",
      "id-token", "refresh-token", "access-token", "client-secret");

  /** Every credential value of a kubeconfig's users (a client key also decoded: its PEM lines). */
  private static List<String> kubeconfigCredentials(String yaml) {
    List<String> found = new ArrayList<>();
    Object root;
    try {
      root = SafeYaml.load(yaml, "kubeconfig");
    } catch (RuntimeException e) {
      return found;
    }
    if (root instanceof Map<?, ?> map && map.get("users") instanceof List<?> users) {
      for (Object user : users) {
        if (user instanceof Map<?, ?> entry) {
          credentialsIn(entry.get("user"), found);
        }
      }
    }
    return found;
  }

  private static void credentialsIn(Object node, List<String> found) {
    if (node instanceof Map<?, ?> map) {
      map.forEach((key, value) -> {
        if (CREDENTIAL_KEYS.contains(String.valueOf(key)) && value instanceof String text && !text.isBlank()) {
          found.add(text);
          if ("client-key-data".equals(key)) {
            try {
              found.add(new String(Base64.getMimeDecoder().decode(text), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
              // not base64: the session refuses it; the text itself is masked
            }
          }
        } else {
          credentialsIn(value, found);
        }
      });
    } else if (node instanceof List<?> list) {
      list.forEach(item -> credentialsIn(item, found));
    }
  }

  /**
   * "Test connection": the cluster, the chart registry and the keys of these settings checked from
   * {@code environment}, one line each ({@link InstallationCheck#call()}); reads only.
   */
  public InstallationCheck check(SessionEnvironment environment) {
    return new InstallationCheck(this, environment);
  }

  /** The settings as {@link #fromMap} reads them, secrets masked: what a front end may show or log. */
  public Map<String, String> toMap() {
    Map<String, String> map = new LinkedHashMap<>();
    map.put("charts", charts);
    map.put("plainHttp", String.valueOf(plainHttp));
    map.put("kubeconfigFile", kubeconfigFile);
    map.put("kubeconfig", kubeconfig == null ? null : kubeconfig.toString());
    map.put("context", context);
    map.put("clusterServer", clusterServer);
    map.put("clusterToken", clusterToken == null ? null : clusterToken.toString());
    map.put("clusterCertificateAuthority", clusterCertificateAuthority == null ? null : "(PEM)");
    map.put("installation", id);
    map.put("namespacePrefix", namespacePrefix);
    map.put("controlNamespace", controlNamespace);
    map.put("manifestName", manifestName);
    map.put("policyName", policy == null ? null : policyName);
    map.put("ageKey", ageKey == null ? null : ageKey.toString());
    map.put("kmsEndpoint", kmsEndpoint);
    map.put("timeout", Durations.format(timeout));
    map.put("registryCredentials", registryCredentials.isEmpty() ? null : registryCredentials.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue().username() + ":" + e.getValue().password())
        .collect(Collectors.joining(",")));
    map.put("registryConfig", registryConfig);
    map.put("createRepositories", createRepositories ? "true" : null);
    map.values().removeIf(Objects::isNull);
    return map;
  }

  @Override
  public String toString() {
    return "Installation" + toMap();
  }

  private static Duration duration(String field, String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw StackpipeException.ofField(field, e.getMessage());
    }
  }

  /** {@code {"HOST": {"username": "…", "password": "…"}}}; its refusals never quote the text (it holds passwords). */
  private static Map<String, RegistryCredential> registryCredentials(String json) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      root = null;
    }
    if (root == null || !root.isObject()) {
      throw StackpipeException.ofField("registryCredentials", "is not a JSON object {\"HOST\": {\"username\": …,"
          + " \"password\": …}}");
    }
    Map<String, RegistryCredential> credentials = new LinkedHashMap<>();
    root.fields().forEachRemaining(entry -> {
      JsonNode username = entry.getValue().get("username");
      JsonNode password = entry.getValue().get("password");
      if (username == null || !username.isTextual() || password == null || !password.isTextual()) {
        throw StackpipeException.ofField("registryCredentials", entry.getKey() + " needs a username and a password");
      }
      credentials.put(entry.getKey(), RegistryCredential.password(username.asText(), Secret.of(password.asText()),
          CREDENTIALS_SOURCE + entry.getKey()));
    });
    return credentials;
  }

  /** Collects settings in any order; {@link #build()} validates them all at once. {@code withX} returns this. */
  public static final class Builder {
    private String charts;
    private boolean plainHttp;
    private String kubeconfigFile;
    private Secret kubeconfig;
    private String context;
    private String clusterServer;
    private Secret clusterToken;
    private String clusterCertificateAuthority;
    private String id = "default";
    private String namespacePrefix = "";
    private String controlNamespace = L3.DEFAULT_NAMESPACE;
    private String manifestName = UmbrellaBuild.DEFAULT_NAME;
    private String policy;
    private String policyName = "stack policy";
    private Secret ageKey;
    private String kmsEndpoint;
    private Duration timeout = Duration.ofMinutes(5);
    private final Map<String, RegistryCredential> registryCredentials = new LinkedHashMap<>();
    private String registryConfig;
    private boolean createRepositories;

    private Builder() {
    }

    /**
     * The user name and password {@code host} ({@code registry.example.com[:port]}) is given when it asks, before
     * any Docker or Helm config: the installation's own, as the Jenkins plugin's registry list or a CLI option give
     * them. Another call for the same host replaces it; a null password removes it.
     */
    public Builder withRegistryCredential(String host, String username, Secret password) {
      if (password == null) {
        registryCredentials.remove(host);
      } else {
        registryCredentials.put(host, new RegistryCredential(username, password, null, CREDENTIALS_SOURCE + host,
            null));
      }
      return this;
    }

    /**
     * {@code credential} for {@code host}, named in messages by its own source (a step's {@code
     * registryCredentialsId}); it replaces the installation's credential for that host.
     */
    public Builder withRegistryCredential(String host, RegistryCredential credential) {
      registryCredentials.put(host, java.util.Objects.requireNonNull(credential, "credential"));
      return this;
    }

    /** A Docker-style config file (auths, credHelpers, credsStore) asked after the installation's credentials. */
    public Builder withRegistryConfig(String file) {
      registryConfig = file == null || file.isBlank() ? null : file;
      return this;
    }

    /** {@code oci://host/path}: where service charts are pushed and pulled, and manifests (L3, candidates) live. */
    public Builder withCharts(String value) {
      charts = value;
      return this;
    }

    /**
     * Create an ECR repository (CreateRepository, unless it exists) before the first push to it, with the AWS
     * credentials the installation has: ECR refuses pushes to a repository nobody created.
     */
    public Builder withCreateRepositories(boolean value) {
      createRepositories = value;
      return this;
    }

    /** Speak plain HTTP to a registry that is not on loopback (loopback always does). */
    public Builder withPlainHttp(boolean value) {
      plainHttp = value;
      return this;
    }

    /** A kubeconfig file on the machine that opens the session. */
    public Builder withKubeconfigFile(String value) {
      kubeconfigFile = value;
      return this;
    }

    /** A kubeconfig's content: written to a private file while a session is open, then deleted. */
    public Builder withKubeconfig(Secret value) {
      kubeconfig = value;
      return this;
    }

    /**
     * A context of the kubeconfig (the given one, or the one found as {@code KubeConnection.resolve} finds it)
     * other than its current context; the engine and Helm both use it. Null or blank: the current context.
     */
    public Builder withContext(String value) {
      context = value;
      return this;
    }

    /**
     * The token form of a cluster, instead of a kubeconfig: the API server's {@code https} URL, with {@link
     * #withClusterToken} and optionally {@link #withClusterCertificateAuthority}. A session writes them as a
     * kubeconfig in its private folder, deleted when it closes.
     */
    public Builder withClusterServer(String value) {
      clusterServer = value;
      return this;
    }

    /** The bearer token of the token form (a service account's token, for instance). */
    public Builder withClusterToken(Secret value) {
      clusterToken = value;
      return this;
    }

    /** The CA certificate (PEM) that signed the API server's certificate (null: the system's trusted CAs). */
    public Builder withClusterCertificateAuthority(String value) {
      clusterCertificateAuthority = value;
      return this;
    }

    /** The installation whose stacks these are (default {@code default}). */
    public Builder withId(String value) {
      id = value;
      return this;
    }

    /** Stack NAME lives in namespace PREFIX+NAME (default none). */
    public Builder withNamespacePrefix(String value) {
      namespacePrefix = value;
      return this;
    }

    /** The namespace of the L3 pointer and the candidates (null: {@value L3#DEFAULT_NAMESPACE}). */
    public Builder withControlNamespace(String value) {
      controlNamespace = value == null ? L3.DEFAULT_NAMESPACE : value;
      return this;
    }

    /** The manifest's (umbrella chart's) name (default {@code platform}). */
    public Builder withManifestName(String value) {
      manifestName = value;
      return this;
    }

    /** The stack policy's content (YAML, see docs/deploying.md); {@code name} is how refusals name it. */
    public Builder withPolicy(String yaml, String name) {
      policy = yaml;
      policyName = name;
      return this;
    }

    /** age identities (an age key file's content) that open profile secrets. */
    public Builder withAgeKey(Secret value) {
      ageKey = value;
      return this;
    }

    /** Another AWS KMS endpoint (an emulator in tests); credentials come from the session's environment. */
    public Builder withKmsEndpoint(String value) {
      kmsEndpoint = value;
      return this;
    }

    /** How long pods may take to be Ready (default 5 minutes). */
    public Builder withTimeout(Duration value) {
      timeout = value;
      return this;
    }

    /** Validates every setting, naming the first wrong one, and returns the installation. */
    public Installation build() {
      if (charts != null && !charts.isBlank()) {
        try {
          OciChartTarget.parse(charts);
        } catch (StackpipeException e) {
          throw StackpipeException.ofField("charts", "'" + charts + "' is not oci://host/path");
        }
      } else {
        charts = null;
      }
      if (kubeconfigFile != null && kubeconfig != null) {
        throw StackpipeException.ofField("kubeconfig", "give a kubeconfig file or a kubeconfig's content, not both");
      }
      if (context != null && context.isBlank()) {
        context = null;
      }
      checkTokenForm();
      try {
        StackNames.checkInstallation(id);
      } catch (StackpipeException e) {
        throw e.field().isPresent() ? e : StackpipeException.ofField("installation", e.getMessage());
      }
      try {
        StackNames.checkPrefix(Objects.requireNonNullElse(namespacePrefix, ""));
      } catch (StackpipeException e) {
        throw e.field().isPresent() ? e : StackpipeException.ofField("namespacePrefix", e.getMessage());
      }
      namespacePrefix = Objects.requireNonNullElse(namespacePrefix, "");
      if (controlNamespace.isBlank()) {
        controlNamespace = L3.DEFAULT_NAMESPACE;
      } else if (!Names.isDns1123Label(controlNamespace)) {
        throw StackpipeException.ofField("controlNamespace", "'" + controlNamespace + "' is not a namespace name:"
            + " lowercase letters, digits and '-', at most 63, starting and ending with a letter or digit");
      }
      if (manifestName == null || manifestName.isBlank()) {
        throw StackpipeException.ofField("manifestName", "is required (the umbrella chart's name)");
      }
      if (policyName == null || policyName.isBlank()) {
        policyName = "stack policy";
      }
      if (policy != null) {
        StackPolicies.parse(policy, policyName);
      }
      if (kmsEndpoint != null) {
        URI uri;
        try {
          uri = URI.create(kmsEndpoint);
        } catch (IllegalArgumentException e) {
          throw StackpipeException.ofField("kmsEndpoint", "'" + kmsEndpoint + "' is not a URL");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
          throw StackpipeException.ofField("kmsEndpoint", "'" + kmsEndpoint + "' is not an http(s) URL");
        }
      }
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw StackpipeException.ofField("timeout", "must be a positive duration");
      }
      registryCredentials.forEach((host, credential) -> {
        if (host == null || !REGISTRY_HOST.matcher(host).matches()) {
          throw StackpipeException.ofField("registryCredentials", "'" + host + "' is not a registry host"
              + " (host[:port], without scheme or path)");
        }
        if (credential.username() == null || credential.username().isBlank()) {
          throw StackpipeException.ofField("registryCredentials", host + " needs a username");
        }
      });
      return new Installation(this);
    }

    private void checkTokenForm() {
      clusterServer = clusterServer == null || clusterServer.isBlank() ? null : clusterServer.strip();
      clusterCertificateAuthority = clusterCertificateAuthority == null || clusterCertificateAuthority.isBlank()
          ? null : clusterCertificateAuthority.strip();
      if (clusterToken != null && clusterToken.reveal().isBlank()) {
        clusterToken = null;
      }
      if (clusterServer == null && clusterToken == null && clusterCertificateAuthority == null) {
        return;
      }
      if (kubeconfigFile != null || kubeconfig != null) {
        throw StackpipeException.ofField("clusterServer", "give a kubeconfig or a server with a token, not both");
      }
      if (context != null) {
        throw StackpipeException.ofField("context", "chooses a context of a kubeconfig; a server with a token has"
            + " none");
      }
      if (clusterServer == null) {
        throw StackpipeException.ofField("clusterServer", "is required with a token (the API server's https URL)");
      }
      URI uri;
      try {
        uri = new URI(clusterServer);
      } catch (java.net.URISyntaxException e) {
        throw StackpipeException.ofField("clusterServer", "'" + clusterServer + "' is not a URL");
      }
      if (!"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw StackpipeException.ofField("clusterServer", "'" + clusterServer + "' is not an https URL (a token is"
            + " never sent in the clear)");
      }
      if (clusterToken == null) {
        throw StackpipeException.ofField("clusterToken", "is required with a server (a bearer token)");
      }
      if (clusterCertificateAuthority != null
          && !clusterCertificateAuthority.startsWith("-----BEGIN CERTIFICATE-----")) {
        throw StackpipeException.ofField("clusterCertificateAuthority", "is not a PEM certificate (-----BEGIN"
            + " CERTIFICATE-----)");
      }
    }
  }

  /** Where a kubeconfig file setting points, or null. */
  Path kubeconfigPath() {
    return kubeconfigFile == null ? null : Path.of(kubeconfigFile);
  }
}
