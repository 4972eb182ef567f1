package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.testsupport.kube.OwnNode;
import io.stackpipe.testsupport.kube.WithNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterCommandTest {

  @TempDir
  Path tmp;

  /** Detached processes outlive the test JVM by design: stop them even when an assertion failed. */
  @AfterEach
  void stopAnythingStarted() {
    ControlPlane.stop(tmp.resolve("cluster"));
  }

  @Nested
  class StartStatusStop {

    @Test
    void startsAControlPlaneThatOutlivesTheCommandAndStopKillsItAndItsData() {
      String dir = tmp.resolve("cluster").toString();

      CliRun start = CliRun.run("cluster", "start", "--no-node", "--dir", dir);
      assertThat(start.exitCode()).as(start.err()).isZero();
      assertThat(start.out()).containsPattern("Kubernetes v1\\.34\\.\\d+ control plane running at https://127\\.0\\.0\\.1:\\d+")
          .contains("export KUBECONFIG=" + dir + "/kubeconfig", "stackpipe cluster stop --dir " + dir);
      ControlPlane.Status status = ControlPlane.status(Path.of(dir));
      Collection<Long> pids = status.livePids().values();
      try (KubernetesClient client = ControlPlane.clientFor(Path.of(dir, "kubeconfig"))) {
        assertThat(client.namespaces().withName("kube-system").get()).isNotNull();
      }

      CliRun running = CliRun.run("cluster", "status", "--dir", dir);
      assertThat(running.exitCode()).isZero();
      assertThat(running.out()).startsWith("running at " + status.server()).contains("kubeconfig: " + dir + "/kubeconfig");
      assertThat(CliRun.run("cluster", "start", "--dir", dir).out()).startsWith("already running at " + status.server());

      CliRun stop = CliRun.run("cluster", "stop", "--dir", dir);
      assertThat(stop.exitCode()).isZero();
      assertThat(stop.out()).startsWith("stopped (killed PIDs etcd ");
      assertThat(pids).hasSize(3).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
      assertThat(Path.of(dir)).isEmptyDirectory();

      CliRun stopped = CliRun.run("cluster", "status", "--dir", dir);
      assertThat(stopped.exitCode()).isEqualTo(3);
      assertThat(stopped.out()).isEqualTo("not running (no live control plane recorded in " + dir + ")\n");
      assertThat(CliRun.run("cluster", "stop", "--dir", dir).out()).startsWith("not running");
    }

    @Test
    @Tag(WithNode.TAG)
    @OwnNode
    void startsTheNodeTooAndStatusShowsItReadyWithItsPods() {
      String dir = tmp.resolve("cluster").toString();

      CliRun start = CliRun.run("cluster", "start", "--dir", dir);
      assertThat(start.exitCode()).as(start.err()).isZero();
      assertThat(start.out()).containsPattern(
          "Kubernetes v1\\.34\\.\\d+ control plane and node stackpipe-node running at https://10\\.244\\.0\\.1:\\d+");
      ControlPlane.Status status = ControlPlane.status(Path.of(dir));
      assertThat(status.livePids()).containsOnlyKeys("etcd", "kube-apiserver", "kube-controller-manager",
          "kube-scheduler", "containerd", "kubelet", "kube-proxy");

      CliRun running = CliRun.run("cluster", "status", "--dir", dir);
      assertThat(running.exitCode()).isZero();
      assertThat(running.out()).contains("node stackpipe-node Ready, 0 pods running (of 0)");

      CliRun stop = CliRun.run("cluster", "stop", "--dir", dir);
      assertThat(stop.exitCode()).isZero();
      assertThat(status.livePids().values()).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive)
          .orElse(false));
      assertThat(Path.of(dir)).isEmptyDirectory();
      assertThat(Path.of("/sys/class/net/stackpipe0")).doesNotExist();
    }
  }

  @Nested
  class BadInput {

    @Test
    void aDirectoryWithForeignFilesIsRefusedInOneLineAndLeftAlone() throws Exception {
      Path dir = Files.createDirectories(tmp.resolve("cluster"));
      Files.writeString(dir.resolve("notes.txt"), "mine");

      CliRun start = CliRun.run("cluster", "start", "--dir", dir.toString());

      assertThat(start.exitCode()).isEqualTo(1);
      assertThat(start.err()).isEqualTo("stackpipe: cannot start the cluster in " + dir + ": directory " + dir
          + " holds files that are not a control plane's: [notes.txt]; choose an empty directory\n");
      assertThat(dir.resolve("notes.txt")).hasContent("mine");
      assertThat(CliRun.run("cluster", "status", "--dir", dir.toString()).exitCode()).isEqualTo(3);
    }
  }
}
