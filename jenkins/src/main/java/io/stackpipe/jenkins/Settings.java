package io.stackpipe.jenkins;

import com.cloudbees.plugins.credentials.CredentialsMatchers;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.IdCredentials;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import hudson.AbortException;
import hudson.model.Run;
import hudson.security.ACL;
import io.stackpipe.Secret;
import io.stackpipe.stack.Durations;
import io.stackpipe.steps.StepSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import jenkins.model.Jenkins;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;

/**
 * The step layer's settings from {@link StackpipeConfiguration}, with its credentials resolved on the controller:
 * for a build through the build's own access ({@code findCredentialById}, so usage is tracked), for the reaper and
 * the page as SYSTEM. Secrets only travel as {@link Secret}s (masked when printed) and are never logged.
 *
 * @param environment AWS credentials for KMS-encrypted secrets, added to the environment of the step's process
 */
public record Settings(StepSettings steps, Map<String, Secret> environment) implements Serializable {

  private static final long serialVersionUID = 1L;

  /**
   * For a step of {@code run}; {@code registryCredentialsId}, the step's own credential for the chart registry (null
   * for none), is resolved with the same access as the registry list.
   */
  public static Settings forRun(Run<?, ?> run, String registryCredentialsId) throws IOException {
    Lookup lookup = new Lookup() {
      @Override
      public <C extends IdCredentials> C find(String id, Class<C> type) {
        return CredentialsProvider.findCredentialById(id, type, run);
      }
    };
    Settings settings = resolve(StackpipeConfiguration.get(), lookup);
    if (registryCredentialsId == null) {
      return settings;
    }
    StandardUsernamePasswordCredentials login = credential(lookup, "registryCredentialsId", registryCredentialsId,
        StandardUsernamePasswordCredentials.class, "a username with password");
    return new Settings(settings.steps().withStepRegistryCredential(registryCredentialsId, login.getUsername(),
        Secret.of(login.getPassword().getPlainText())), settings.environment());
  }

  /** For the controller's own work (reaper, status page), with the credentials of the Jenkins root. */
  public static Settings forController() throws IOException {
    return forController(StackpipeConfiguration.get());
  }

  /** The settings of {@code configuration} (saved or not: the form's "Test connection"), as the controller's. */
  static Settings forController(StackpipeConfiguration configuration) throws IOException {
    return resolve(configuration, new Lookup() {
      @Override
      public <C extends IdCredentials> C find(String id, Class<C> type) {
        return CredentialsMatchers.firstOrNull(
            CredentialsProvider.lookupCredentialsInItemGroup(type, Jenkins.get(), ACL.SYSTEM2),
            CredentialsMatchers.withId(id));
      }
    });
  }

  private interface Lookup {
    <C extends IdCredentials> C find(String id, Class<C> type);
  }

  private static Settings resolve(StackpipeConfiguration c, Lookup lookup) throws IOException {
    StepSettings s = StepSettings.defaults().withPlainHttp(c.isPlainHttp())
        .withCreateRepositories(c.isCreateRepositories()).withInstallation(c.getInstallation())
        .withNamespacePrefix(c.getNamespacePrefix()).withControlNamespace(c.getControlNamespace())
        .withManifestName(c.getManifestName()).withKmsEndpoint(c.getKmsEndpoint())
        .withTimeout(duration("readyTimeout", c.getReadyTimeout()));
    if (c.getChartRegistry() != null) {
      s = s.withCharts(c.getChartRegistry());
    }
    for (RegistryCredentials registry : c.getRegistryCredentials()) {
      StandardUsernamePasswordCredentials login = credential(lookup, "registryCredentials " + registry.getHost(),
          registry.getCredentialsId(), StandardUsernamePasswordCredentials.class, "a username with password");
      s = s.withRegistryCredential(registry.getHost(), login.getUsername(),
          Secret.of(login.getPassword().getPlainText()));
    }
    if (c.getKubeconfigCredentialsId() != null) {
      s = s.withKubeconfig(Secret.of(file(lookup, "kubeconfigCredentialsId", c.getKubeconfigCredentialsId())));
    }
    if (c.getContext() != null) {
      s = s.withContext(c.getContext());
    }
    if (c.getClusterServer() != null || c.getClusterTokenCredentialsId() != null) {
      // The token form; the engine checks the combination (server and token, no kubeconfig) at the step's start.
      Secret token = c.getClusterTokenCredentialsId() == null ? null
          : Secret.of(text(lookup, "clusterTokenCredentialsId", c.getClusterTokenCredentialsId()));
      s = s.withClusterToken(c.getClusterServer(), token, c.getClusterCertificateAuthority());
    }
    if (c.getAgeKeyCredentialsId() != null) {
      s = s.withAgeKey(Secret.of(file(lookup, "ageKeyCredentialsId", c.getAgeKeyCredentialsId())));
    }
    if (c.getPolicyFile() != null) {
      Path policy = Path.of(c.getPolicyFile());
      try {
        s = s.withPolicy(Files.readString(policy, StandardCharsets.UTF_8), policy.getFileName().toString());
      } catch (IOException e) {
        throw new AbortException("Stackpipe settings: policyFile: cannot read " + policy + " on the controller");
      }
    }
    Map<String, Secret> environment = new LinkedHashMap<>();
    if (c.getAwsCredentialsId() != null) {
      StandardUsernamePasswordCredentials aws = credential(lookup, "awsCredentialsId", c.getAwsCredentialsId(),
          StandardUsernamePasswordCredentials.class, "a username (access key id) with password (secret access key)");
      environment.put("AWS_ACCESS_KEY_ID", Secret.of(aws.getUsername()));
      environment.put("AWS_SECRET_ACCESS_KEY", Secret.of(aws.getPassword().getPlainText()));
    }
    return new Settings(s, environment);
  }

  /** The reaper's idle limit and warning period. */
  static java.time.Duration duration(String field, String text) throws AbortException {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new AbortException("Stackpipe settings: " + field + ": " + e.getMessage());
    }
  }

  private static String file(Lookup lookup, String field, String id) throws IOException {
    FileCredentials file = credential(lookup, field, id, FileCredentials.class, "a secret file");
    try (InputStream in = file.getContent()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String text(Lookup lookup, String field, String id) throws AbortException {
    return credential(lookup, field, id, StringCredentials.class, "a secret text").getSecret().getPlainText();
  }

  private static <C extends IdCredentials> C credential(Lookup lookup, String field, String id, Class<C> type,
      String kind) throws AbortException {
    C found = lookup.find(id, type);
    if (found == null) {
      throw new AbortException("Stackpipe settings: " + field + ": no credentials '" + id + "' of kind " + kind
          + " visible to this build");
    }
    return found;
  }
}
