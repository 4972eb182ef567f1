package io.stackpipe.steps;

import io.stackpipe.PrivateTempDir;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.secrets.core.SecretsEnvironment;
import io.stackpipe.secrets.keys.SecretKeys;
import io.stackpipe.stack.Stacks;
import io.stackpipe.stack.policy.StackPolicies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster and keys of one step call, from the settings and the context: the kubeconfig (a file named by the
 * settings, a credential's content written to a private file for the call's duration, else the environment's
 * {@code KUBECONFIG} or in-cluster account), the installation's {@link Stacks}, the stack policy and the secret
 * keys. Closing it closes the connection and deletes every file it wrote. Also used by the Jenkins reaper and page,
 * which run on the controller without a workspace.
 */
public final class StepCluster implements AutoCloseable {

  private final StepSettings settings;
  private final PrivateTempDir files;
  private final Path kubeconfig;
  private final KubeConnection kube;
  private final Map<String, String> environment;
  private final Path home;

  private StepCluster(StepSettings settings, PrivateTempDir files, Path kubeconfig, KubeConnection kube,
      Map<String, String> environment, Path home) {
    this.settings = settings;
    this.files = files;
    this.kubeconfig = kubeconfig;
    this.kube = kube;
    this.environment = environment;
    this.home = home;
  }

  public static StepCluster open(StepContext context) {
    return open(context.settings(), context.tempDirectory(), context.environment(), context.home());
  }

  /**
   * @param tempDirectory where a kubeconfig credential is written (in a private folder) while the cluster is open
   * @param environment the variables of the process (KUBECONFIG, in-cluster, AWS credentials)
   * @param home its home folder, or null
   */
  public static StepCluster open(StepSettings settings, Path tempDirectory, Map<String, String> environment, Path home) {
    PrivateTempDir files = PrivateTempDir.create(Optional.of(directory(tempDirectory)), "stackpipe-step-");
    try {
      Path kubeconfig = null;
      if (settings.kubeconfig() != null) {
        kubeconfig = files.newFile("kubeconfig");
        Files.writeString(kubeconfig, settings.kubeconfig().plainText(), StandardCharsets.UTF_8);
      } else if (settings.kubeconfigFile() != null) {
        kubeconfig = Path.of(settings.kubeconfigFile());
      }
      KubeConnection kube = KubeConnection.resolve(kubeconfig, environment, home == null ? Path.of("/nonexistent") : home);
      return new StepCluster(settings, files, kube.kubeconfig(), kube, environment, home);
    } catch (IOException e) {
      files.close();
      throw new UncheckedIOException("cannot write the kubeconfig for the step", e);
    } catch (RuntimeException e) {
      files.close();
      throw e;
    }
  }

  public KubeConnection kube() {
    return kube;
  }

  /** The kubeconfig file Helm and fabric8 use (valid until {@link #close()}); null in-cluster. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  /** This call's private folder (deleted on {@link #close()}), for other per-call files. */
  public Path files() {
    return files.path();
  }

  public Stacks stacks() {
    return Stacks.on(kube, settings.installation()).withNamespacePrefix(settings.namespacePrefix());
  }

  /** The installation's stack policy, or none. */
  public StackPolicies policies() {
    if (settings.policy() == null) {
      return StackPolicies.none();
    }
    try {
      Path file = files.newFile("policy.yaml");
      Files.writeString(file, settings.policy(), StandardCharsets.UTF_8);
      return StackPolicies.load(file, settings.policyName());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the stack policy", e);
    }
  }

  /** The keys that open profile secrets: the settings' age key and KMS endpoint over the process's environment. */
  public SecretKeys secretKeys() {
    Map<String, String> variables = new HashMap<>(environment);
    if (settings.ageKey() != null) {
      variables.put("SOPS_AGE_KEY", settings.ageKey().plainText());
    }
    if (settings.kmsEndpoint() != null) {
      variables.put("STACKPIPE_KMS_ENDPOINT", settings.kmsEndpoint());
    }
    return SecretKeys.fromEnvironment(SecretsEnvironment.of(variables, home));
  }

  @Override
  public void close() {
    try {
      kube.close();
    } finally {
      files.close();
    }
  }

  private static Path directory(Path tempDirectory) {
    try {
      return Files.createDirectories(tempDirectory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + tempDirectory, e);
    }
  }
}
