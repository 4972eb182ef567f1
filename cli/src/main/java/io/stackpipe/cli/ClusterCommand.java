package io.stackpipe.cli;

import io.stackpipe.StackpipeException;
import io.stackpipe.base.Messages;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.local.kube.KubeBinaries;
import io.stackpipe.local.registry.LocalRegistry;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The local demo's Kubernetes: the same etcd + kube-apiserver + kube-controller-manager the tests use, and by
 * default the node (kube-scheduler, containerd, kubelet, kube-proxy) so pods run, started in the background with
 * its state (PIDs, data, kubeconfig) in one directory.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = "Start, inspect or stop the local Kubernetes cluster (control plane and node) for the demo.",
    subcommands = {ClusterCommand.Start.class, ClusterCommand.Status.class, ClusterCommand.Stop.class})
final class ClusterCommand {

  /**
   * Where the demo cluster lives unless {@code --dir} says otherwise (beside the demo's registry data); the
   * engine's cluster resolution finds its kubeconfig there when no other is given.
   */
  static Path defaultDirectory() {
    return KubeConnection.demoKubeconfig(Stackpipe.home()).getParent();
  }

  abstract static class Subcommand implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "DIR",
        description = "The cluster's directory: data, logs, PIDs, kubeconfig (default: ~/.cache/stackpipe/demo/cluster).")
    Path dir = defaultDirectory();

    @Spec
    CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }
  }

  @Command(name = "start", mixinStandardHelpOptions = true,
      description = "Start the control plane and its node in the background and write the kubeconfig.")
  static final class Start extends Subcommand {
    @Option(names = "--no-node", description = "Start the control plane only: objects are stored, no pod runs.")
    boolean noNode;

    @Override
    public Integer call() {
      ControlPlane.Status running = ControlPlane.status(dir);
      if (running.running()) {
        out().println("already running at " + running.server() + " (PIDs " + pids(running.livePids()) + ")");
        printUsage(running.kubeconfig());
        return 0;
      }
      KubeBinaries binaries = KubeBinaries.locate();
      long t0 = System.nanoTime();
      ControlPlane plane;
      // The node's pause image is built here and pulled at start; this registry is needed for that only.
      try (LocalRegistry registry = noNode ? null : LocalRegistry.start()) {
        ControlPlane.Builder builder = ControlPlane.builder().withBinaries(binaries).withDirectory(dir).detached();
        plane = (noNode ? builder : builder.withNode(registry.host())).start();
      } catch (IllegalArgumentException | IllegalStateException e) {
        // The plane's own messages do not say which directory: the user may have several.
        throw new StackpipeException("cannot start the cluster in " + dir + ": " + Messages.firstLine(e));
      }
      try (plane) {
        out().printf("Kubernetes %s %s running at %s after %.1f s (PIDs %s; logs in %s)%n",
            binaries.kubernetesVersion(), plane.hasNode() ? "control plane and node " + ControlPlane.nodeName()
                : "control plane", plane.server(), (System.nanoTime() - t0) / 1e9, pids(plane.pids()),
            dir.resolve("logs"));
        printUsage(plane.kubeconfig());
      }
      return 0;
    }

    private void printUsage(Path kubeconfig) {
      PrintWriter out = out();
      out.println("kubeconfig: " + kubeconfig);
      out.println("  export KUBECONFIG=" + kubeconfig);
      out.println("  kubectl get namespaces            # any Kubernetes client works; the user is cluster-admin");
      out.println("stop it with: stackpipe cluster stop" + (dir.equals(defaultDirectory()) ? "" : " --dir " + dir));
      out.flush();
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Tell whether the control plane runs; exit 0 if it does, 3 if it does not.")
  static final class Status extends Subcommand {
    static final int NOT_RUNNING = 3;

    @Override
    public Integer call() {
      ControlPlane.Status status = ControlPlane.status(dir);
      if (!status.running()) {
        out().println("not running (no live control plane recorded in " + dir + ")");
        out().flush();
        return NOT_RUNNING;
      }
      out().println("running at " + status.server() + " (PIDs " + pids(status.livePids()) + ")");
      if (status.hasNode() && status.livePids().size() == status.expected().size()) {
        out().println(nodeLine(status.kubeconfig()));
      }
      if (status.livePids().size() < status.expected().size()) {
        out().println("  degraded: only " + String.join(", ", status.livePids().keySet()) + " still run; see "
            + dir.resolve("logs") + ", then stop and start again");
      }
      out().println("kubeconfig: " + status.kubeconfig());
      out().flush();
      return 0;
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true,
      description = "Kill the cluster and its pods, take back what its node changed on this machine, delete its data (idempotent).")
  static final class Stop extends Subcommand {
    @Override
    public Integer call() {
      if (!Files.isDirectory(dir)) {
        out().println("not running (" + dir + " does not exist)");
      } else {
        Map<String, Long> killed = ControlPlane.stop(dir);
        out().println(killed.isEmpty() ? "not running; removed any data left in " + dir
            : "stopped (killed PIDs " + pids(killed) + ") and removed its data in " + dir);
      }
      out().flush();
      return 0;
    }
  }

  /** "node stackpipe-node Ready, 4 pods running (of 5)". */
  private static String nodeLine(Path kubeconfig) {
    try (KubernetesClient client = ControlPlane.clientFor(kubeconfig)) {
      Node node = client.nodes().withName(ControlPlane.nodeName()).get();
      boolean ready = node != null && node.getStatus().getConditions().stream()
          .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
      List<Pod> pods = client.pods().inAnyNamespace().list().getItems();
      long running = pods.stream().filter(p -> "Running".equals(p.getStatus().getPhase())).count();
      return "node " + ControlPlane.nodeName() + " " + (node == null ? "not registered" : ready ? "Ready" : "NotReady")
          + ", " + running + " pods running (of " + pods.size() + ")";
    } catch (KubernetesClientException e) {
      return "node: the API does not answer (" + Messages.firstLine(e) + ")";
    }
  }

  private static String pids(Map<String, Long> pids) {
    return pids.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
  }
}
