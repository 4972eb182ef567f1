package io.stackpipe.testsupport.kube;

import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.api.model.NamedAuthInfo;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Kubeconfig files for tests of context selection. */
public final class Kubeconfigs {

  private Kubeconfigs() {
  }

  /**
   * Writes to {@code file} a kubeconfig with one context per entry of {@code contexts} (its name → a one-context
   * kubeconfig file), each with its own cluster and user entry of the same name; {@code current} is its current
   * context.
   */
  public static Path merge(Path file, Map<String, Path> contexts, String current) {
    List<NamedCluster> clusters = new ArrayList<>();
    List<NamedAuthInfo> users = new ArrayList<>();
    List<NamedContext> named = new ArrayList<>();
    try {
      for (Map.Entry<String, Path> entry : contexts.entrySet()) {
        Config one = Serialization.unmarshal(Files.readString(entry.getValue()), Config.class);
        String name = entry.getKey();
        NamedCluster cluster = one.getClusters().get(0);
        cluster.setName(name);
        clusters.add(cluster);
        NamedAuthInfo user = one.getUsers().get(0);
        user.setName(name);
        users.add(user);
        NamedContext context = one.getContexts().get(0);
        context.setName(name);
        context.getContext().setCluster(name);
        context.getContext().setUser(name);
        named.add(context);
      }
      Config merged = new Config();
      merged.setApiVersion("v1");
      merged.setKind("Config");
      merged.setClusters(clusters);
      merged.setUsers(users);
      merged.setContexts(named);
      merged.setCurrentContext(current);
      return Files.writeString(file, Serialization.asYaml(merged));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
