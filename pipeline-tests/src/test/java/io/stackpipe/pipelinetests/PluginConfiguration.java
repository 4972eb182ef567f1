package io.stackpipe.pipelinetests;

import io.stackpipe.Secret;
import io.stackpipe.steps.StepSettings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Jenkins plugin's configuration as a build sees it: the global settings, the global configuration's
 * <em>Registry credentials</em> list (registry host → credentials id) and the Jenkins credentials store (id → a
 * username with password). {@link #forBuild()} resolves them as {@code io.stackpipe.jenkins.Settings.forRun} does on
 * the controller, with the same refusal for an id the store does not hold.
 */
record PluginConfiguration(StepSettings global, Map<String, String> registryCredentials,
    Map<String, UsernamePassword> store) {

  /** A username/password credential of the store. */
  record UsernamePassword(String username, String password) {
    @Override
    public String toString() {
      return "UsernamePassword[" + username + "]";
    }
  }

  PluginConfiguration {
    registryCredentials = new LinkedHashMap<>(registryCredentials);
    store = Map.copyOf(store);
  }

  static PluginConfiguration of(StepSettings global) {
    return new PluginConfiguration(global, Map.of(), Map.of());
  }

  /** Adds a credential to the store and a host → id entry to the registry list. */
  PluginConfiguration withRegistry(String host, String credentialsId, String username, String password) {
    Map<String, String> list = new LinkedHashMap<>(registryCredentials);
    list.put(host, credentialsId);
    Map<String, UsernamePassword> credentials = new LinkedHashMap<>(store);
    credentials.put(credentialsId, new UsernamePassword(username, password));
    return new PluginConfiguration(global, list, credentials);
  }

  /**
   * The settings of one step: the build's, and the step's own {@code registryCredentialsId} (null for none) resolved
   * from the store as {@code Settings.forRun(run, registryCredentialsId)} resolves it.
   */
  StepSettings forStep(String registryCredentialsId) {
    StepSettings s = forBuild();
    if (registryCredentialsId == null) {
      return s;
    }
    UsernamePassword login = store.get(registryCredentialsId);
    if (login == null) {
      throw new JenkinsPipeline.PipelineError("Stackpipe settings: registryCredentialsId: no credentials '"
          + registryCredentialsId + "' of kind a username with password visible to this build");
    }
    return s.withStepRegistryCredential(registryCredentialsId, login.username(), Secret.of(login.password()));
  }

  /** Adds a credential to the store only (for a step's {@code registryCredentialsId}). */
  PluginConfiguration withCredential(String credentialsId, String username, String password) {
    Map<String, UsernamePassword> credentials = new LinkedHashMap<>(store);
    credentials.put(credentialsId, new UsernamePassword(username, password));
    return new PluginConfiguration(global, registryCredentials, credentials);
  }

  /** The step layer's settings of one build, the registry list's credentials resolved. */
  StepSettings forBuild() {
    StepSettings s = global;
    for (Map.Entry<String, String> entry : registryCredentials.entrySet()) {
      UsernamePassword login = store.get(entry.getValue());
      if (login == null) {
        throw new JenkinsPipeline.PipelineError("Stackpipe settings: registryCredentials " + entry.getKey()
            + ": no credentials '" + entry.getValue() + "' of kind a username with password visible to this build");
      }
      s = s.withRegistryCredential(entry.getKey(), login.username(), Secret.of(login.password()));
    }
    return s;
  }
}
