package io.stackpipe.cli;

import io.stackpipe.StackpipeException;
import io.stackpipe.installation.Installation;
import io.stackpipe.installation.Session;
import io.stackpipe.installation.SessionEnvironment;
import io.stackpipe.umbrella.UmbrellaBuild;
import io.stackpipe.manifest.l3.L3;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The installation options every command that works on one shares — the same names, defaults and meanings
 * everywhere: they build the engine's {@link Installation}, and {@link #open()} its session as the CLI's user.
 */
final class InstallationOptions {

  @Option(names = "--kubeconfig", paramLabel = "FILE",
      description = "The cluster (default: $KUBECONFIG, the pod's service account, the demo cluster, ~/.kube/config).")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME",
      description = "A context of that kubeconfig other than its current one (Helm uses it too).")
  String context;

  @Option(names = "--charts", paramLabel = "OCI",
      description = "oci://host/path of the service charts and the umbrellas (L3, candidates).")
  String charts;

  @Option(names = "--umbrella", paramLabel = "NAME", defaultValue = UmbrellaBuild.DEFAULT_NAME,
      description = "The umbrella chart's name; each has its own L3 (default: ${DEFAULT-VALUE}).")
  String umbrella;

  @Option(names = "--l3-namespace", paramLabel = "NS", defaultValue = L3.DEFAULT_NAMESPACE,
      description = "The control namespace of the L3 pointer and candidates (default: ${DEFAULT-VALUE}).")
  String l3Namespace;

  @Option(names = "--installation", paramLabel = "ID", defaultValue = "default",
      description = "The Stackpipe installation whose stacks these are (default: ${DEFAULT-VALUE}).")
  String installation;

  @Option(names = "--namespace-prefix", paramLabel = "PREFIX", defaultValue = "",
      description = "Stack NAME lives in namespace PREFIX+NAME (default: none).")
  String namespacePrefix;

  @Option(names = "--policy", paramLabel = "FILE", description = "The stack policy file.")
  Path policy;

  @Option(names = "--registry-config", paramLabel = "FILE", description = {
      "Registry credentials: a Docker config file (auths, credHelpers, credsStore).",
      REGISTRY_ORDER})
  Path registryConfig;

  @Option(names = "--create-repositories", description = CREATE_REPOSITORIES)
  boolean createRepositories;

  static final String CREATE_REPOSITORIES = "Create an ECR repository (CreateRepository, unless it exists) before"
      + " the first push to it, with the AWS credentials: ECR refuses pushes to a repository nobody created.";

  /** The lookup order of registry credentials, as every command that talks to a registry says it. */
  static final String REGISTRY_ORDER = "Per registry host, credentials come from --registry-config, then"
      + " $DOCKER_CONFIG/config.json or ~/.docker/config.json, then Helm's registry config"
      + " (~/.config/helm/registry/config.json), else none (anonymous).";

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  /** The installation these options describe, validated once by the engine. */
  Installation installation() {
    Installation.Builder b = Installation.builder().withCharts(charts).withManifestName(umbrella)
        .withControlNamespace(l3Namespace).withId(installation).withNamespacePrefix(namespacePrefix)
        .withKubeconfigFile(kubeconfig == null ? null : kubeconfig.toString()).withContext(context)
        .withRegistryConfig(registryConfig == null ? null : registryConfig.toString())
        .withCreateRepositories(createRepositories);
    if (policy != null) {
      try {
        b.withPolicy(Files.readString(policy, StandardCharsets.UTF_8), policy.toString());
      } catch (IOException e) {
        throw StackpipeException.ofField("policy", "cannot read " + policy + " (" + e.getClass().getSimpleName() + ")");
      }
    }
    return b.build();
  }

  /** A session on the installation in the CLI's environment, acting as its user, progress on stderr. */
  Session open() {
    return installation().open(environment());
  }

  /** The CLI's environment: its variables, home and user, progress on stderr. */
  SessionEnvironment environment() {
    return new SessionEnvironment(Stackpipe.environment(), Stackpipe.home(), null, Stackpipe.user(), Set.of(),
        progress());
  }

  Consumer<String> progress() {
    PrintWriter err = spec.commandLine().getErr();
    return line -> {
      err.println(line);
      err.flush();
    };
  }
}
