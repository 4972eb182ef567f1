package io.stackpipe.deploy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stackpipe.StackpipeException;
import io.stackpipe.chart.ChartArchive;
import io.stackpipe.stack.Stacks;
import io.stackpipe.yaml.SafeYaml;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * How big a canary is: a share of the traffic ({@code 10%}) or a number of pods ({@code 2}). The canary's pods join
 * the stable Service's endpoints, so with {@code s} stable pods and {@code c} canary pods it takes about
 * {@code c / (s + c)} of the requests; a share becomes the pod count that comes closest to it (at least one).
 */
public record Canary(Integer percent, Integer replicas) {

  public static Canary parse(String text) {
    try {
      if (text.endsWith("%")) {
        int percent = Integer.parseInt(text.substring(0, text.length() - 1));
        if (percent >= 1 && percent <= 99) {
          return new Canary(percent, null);
        }
      } else {
        int replicas = Integer.parseInt(text);
        if (replicas >= 1) {
          return new Canary(null, replicas);
        }
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw StackpipeException.ofField("canary", "'" + text + "' is not a share (1%..99%) or a pod count (1 or more)");
  }

  /** Canary pods beside {@code stable} stable pods. */
  int replicasBeside(int stable) {
    if (replicas != null) {
      return replicas;
    }
    return Math.max(1, (int) Math.round(percent * stable / (100.0 - percent)));
  }

  /** Pods the stable release runs now: its Deployments' desired replicas. */
  static int stableReplicas(Stacks stacks, String stack, String namespace, String main) {
    List<Deployment> deployments;
    try {
      deployments = stacks.kube().client().apps().deployments().inNamespace(namespace)
          .withLabel("app.kubernetes.io/instance", main).list().getItems();
    } catch (KubernetesClientException e) {
      throw stacks.kube().translate(e, "list", "deployments", namespace);
    }
    if (deployments.isEmpty()) {
      throw StackpipeException.ofField("canary", "no stable release " + main + " in stack " + stack
          + " to run a canary beside: deploy it first");
    }
    return deployments.stream().mapToInt(d -> d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas()).sum();
  }

  /** A chart supports canary mode when its values.yaml has {@code canary.of} (see docs/deploying.md). */
  static void requireCanaryMode(ChartSource.Fetched fetched, String service) {
    byte[] defaults = ChartArchive.entry(fetched.archive(), service + "/values.yaml").orElse(new byte[0]);
    Object loaded = SafeYaml.load(new String(defaults, StandardCharsets.UTF_8), service + "/values.yaml");
    if (!(loaded instanceof Map<?, ?> map) || !(map.get("canary") instanceof Map<?, ?> canary)
        || !canary.containsKey("of")) {
      throw StackpipeException.ofField("canary", "chart " + service + " has no canary mode (no canary.of in its"
          + " values.yaml; see docs/deploying.md)");
    }
  }

  @Override
  public String toString() {
    return percent != null ? percent + "%" : replicas + " pods";
  }
}
