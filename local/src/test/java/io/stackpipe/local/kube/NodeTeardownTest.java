package io.stackpipe.local.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.local.registry.LocalRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node changes the machine (processes, mounts, network, iptables, cgroups, a few global paths, ip_forward):
 * after a clean close, and after every one of its processes was SIGKILLed and the cluster then stopped, none of it
 * is left. Each check below looks at the machine itself, not at the node's own bookkeeping.
 */
@Tag("node") // as test-support's @WithNode: scripts/test --fast leaves it out
class NodeTeardownTest {

  private static LocalRegistry registry;
  private static Machine before;

  @BeforeAll
  static void startRegistry() throws Exception {
    registry = LocalRegistry.start();
    before = Machine.observe();
  }

  @AfterAll
  static void stopRegistry() {
    registry.close();
  }

  @Test
  void closeLeavesNothingBehindAndOnlyOneNodeRunsAtATime() throws Exception {
    ControlPlane plane = ControlPlane.builder().withNode(registry.host()).start();
    Path directory = plane.directory();
    try {
      runPods(plane);
      assertThat(Machine.observe().differencesFrom(before, directory)).isNotEmpty(); // the checks see a node

      assertThatThrownBy(() -> ControlPlane.builder().withNode(registry.host()).start())
          .hasMessageContaining("a Kubernetes node already runs on this machine")
          .hasMessageContaining("only one can run at a time");
    } finally {
      plane.close();
    }
    assertThat(Machine.observe().differencesFrom(before, directory)).isEmpty();
  }

  @Test
  void stopAfterEveryProcessWasKilledLeavesNothingBehind(@TempDir Path dir) throws Exception {
    Path directory = dir.resolve("cluster");
    try (ControlPlane plane = ControlPlane.builder().withNode(registry.host()).withDirectory(directory).detached()
        .start()) {
      runPods(plane);
    }
    // The crash: every daemon, every shim and every container process dies at once.
    List<ProcessHandle> all = new ArrayList<>();
    ControlPlane.status(directory).livePids().values().forEach(pid -> ProcessHandle.of(pid).ifPresent(all::add));
    ProcessHandle.allProcesses().filter(h -> cmdline(h).contains("containerd-shim")).forEach(all::add);
    all.addAll(NodeMopUp.podProcesses());
    assertThat(all).hasSizeGreaterThan(7 + 2);
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle h : all) {
      h.onExit().get(10, TimeUnit.SECONDS);
    }
    assertThat(ControlPlane.status(directory).running()).isFalse();
    assertThat(Machine.observe().differencesFrom(before, directory)).isNotEmpty();

    ControlPlane.stop(directory);

    assertThat(Machine.observe().differencesFrom(before, directory)).isEmpty();
  }

  /** Two pods behind a Service: shims, sandboxes, veths, mounts, log links and kube-proxy's rules all exist. */
  private static void runPods(ControlPlane plane) {
    try (KubernetesClient client = plane.newClient()) {
      Map<String, String> labels = Map.of("app", "sleeper");
      client.apps().deployments().inNamespace("default").resource(new DeploymentBuilder()
          .withNewMetadata().withName("sleeper").endMetadata()
          .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(labels).endSelector()
          .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
          .withNewSpec().addNewContainer().withName("sleeper").withImage(Node.pauseImage(registry.host()))
          .endContainer().endSpec().endTemplate().endSpec().build()).create();
      client.services().inNamespace("default").resource(new ServiceBuilder()
          .withNewMetadata().withName("sleeper").endMetadata()
          .withNewSpec().withSelector(labels).addNewPort().withPort(80).withTargetPort(new IntOrString(8080))
          .endPort().endSpec().build()).create();
      client.apps().deployments().inNamespace("default").withName("sleeper")
          .waitUntilCondition(d -> d.getStatus() != null && Integer.valueOf(2).equals(d.getStatus().getReadyReplicas()),
              60, TimeUnit.SECONDS);
    }
  }

  private static String cmdline(ProcessHandle h) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline")), StandardCharsets.UTF_8);
    } catch (IOException gone) {
      return "";
    }
  }

  /** What a node may leave on the machine, observed from the outside. */
  record Machine(List<String> processes, List<String> mounts, List<String> links, List<String> chains,
      List<String> cgroups, List<String> globalPaths, String ipForward, boolean record) {

    static Machine observe() throws IOException {
      List<String> processes = ProcessHandle.allProcesses().map(NodeTeardownTest::cmdline)
          .filter(c -> c.contains("containerd") || c.contains("kubelet") || c.contains("kube-proxy")
              || c.contains("kube-scheduler") || c.contains("/pause"))
          .map(c -> c.replace('\0', ' ').strip()).toList();
      List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
          .map(l -> l.split(" ")[4]).toList();
      List<String> links;
      try (Stream<Path> list = Files.list(Path.of("/sys/class/net"))) {
        links = list.map(p -> p.getFileName().toString()).sorted().toList();
      }
      List<String> chains = new ArrayList<>();
      for (String family : List.of("iptables", "ip6tables")) {
        for (String table : List.of("nat", "filter", "mangle")) {
          Process save = new ProcessBuilder(family + "-save", "-t", table).redirectErrorStream(true).start();
          new String(save.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
              .filter(l -> l.startsWith(":KUBE-") || l.startsWith(":CNI-") || l.contains("-j KUBE-")
                  || l.contains("-j CNI-"))
              .forEach(l -> chains.add(family + " " + table + " " + l));
        }
      }
      List<String> cgroups;
      try (Stream<Path> list = Files.list(Path.of("/sys/fs/cgroup"))) {
        cgroups = list.map(h -> h.resolve("kubepods")).filter(Files::exists).map(Path::toString).toList();
      }
      List<String> globalPaths = new ArrayList<>();
      for (String path : List.of("/var/lib/kubelet", "/var/log/containers", "/var/log/pods", "/var/lib/cni",
          "/run/containerd", "/usr/libexec/kubernetes", "/etc/cni/net.d", "/opt/cni")) {
        if (Files.exists(Path.of(path))) {
          try (Stream<Path> walk = Files.walk(Path.of(path))) {
            walk.map(Path::toString).forEach(globalPaths::add);
          }
        }
      }
      return new Machine(processes, mounts, links, chains, cgroups, globalPaths,
          Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip(), Files.exists(NodeHost.RECORD));
    }

    /** Everything that differs from {@code before}, and anything left under the node's directory. */
    List<String> differencesFrom(Machine before, Path directory) {
      List<String> found = new ArrayList<>();
      processes.stream().filter(p -> !before.processes.contains(p)).forEach(p -> found.add("process: " + p));
      mounts.stream().filter(m -> !before.mounts.contains(m) || m.startsWith(directory.toString()))
          .forEach(m -> found.add("mount: " + m));
      mounts.stream().filter(m -> m.startsWith(NodeHost.ROOT.toString())).forEach(m -> found.add("mount: " + m));
      links.stream().filter(l -> !before.links.contains(l)).forEach(l -> found.add("network link: " + l));
      chains.stream().filter(c -> !before.chains.contains(c)).forEach(c -> found.add("iptables: " + c));
      cgroups.stream().filter(c -> !before.cgroups.contains(c)).forEach(c -> found.add("cgroup: " + c));
      globalPaths.stream().filter(p -> !before.globalPaths.contains(p)).forEach(p -> found.add("path: " + p));
      if (!ipForward.equals(before.ipForward)) {
        found.add("net.ipv4.ip_forward: " + before.ipForward + " -> " + ipForward);
      }
      if (record) {
        found.add("node record: " + NodeHost.RECORD);
      }
      if (Files.exists(NodeHost.ROOT)) {
        found.add("node directory: " + NodeHost.ROOT);
      }
      return found;
    }
  }
}
