package io.stackpipe.testsupport.kube;

import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.local.kube.KubeBinaries;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlPlaneTest {

  @Nested
  class AnAttachedControlPlane {

    @Test
    void servesTheApiAndLeavesNoProcessOrDirectoryBehindWhenClosed() {
      ControlPlane plane = ControlPlane.start();
      Collection<Long> pids = plane.pids().values();
      Path dir = plane.directory();
      try (KubernetesClient client = plane.newClient()) {
        assertThat(client.getKubernetesVersion().getGitVersion()).isEqualTo(plane.binaries().kubernetesVersion());
        assertThat(pids).hasSize(3).allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
      } finally {
        plane.close();
      }
      assertThat(pids).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
      assertThat(dir).doesNotExist();
    }
  }

  @Nested
  @WithControlPlane
  class TheSharedControlPlane {

    @Test
    void authorizesWithRbacSoAUserWithoutBindingsIsForbidden(ControlPlane plane, @TempDir Path tmp,
        @TestNamespace String namespace) {
      Path kubeconfig = plane.writeKubeconfig(tmp.resolve("nobody.kubeconfig"), "nobody", Set.of());
      try (KubernetesClient nobody = ControlPlane.clientFor(kubeconfig)) {
        assertThatThrownBy(() -> nobody.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
            .withNewMetadata().withName("x").endMetadata().build()).create())
            .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
      }
      assertThat(kubeconfig).satisfies(p ->
          assertThat(Files.getPosixFilePermissions(p)).isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    }

    @Test
    void collectsGarbageSoDependentsDisappearWithTheirOwner(KubernetesClient client, @TestNamespace String namespace)
        throws Exception {
      ConfigMap owner = client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
          .withNewMetadata().withName("owner").endMetadata().build()).create();
      client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata()
          .withName("dependent").addNewOwnerReference().withApiVersion("v1").withKind("ConfigMap")
          .withName("owner").withUid(owner.getMetadata().getUid()).endOwnerReference().endMetadata().build()).create();

      client.configMaps().inNamespace(namespace).withName("owner").delete();

      long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
      while (client.configMaps().inNamespace(namespace).withName("dependent").get() != null) {
        assertThat(System.nanoTime()).as("garbage collector removed the dependent within 30 s").isLessThan(deadline);
        Thread.sleep(100);
      }
    }

    @Test
    void givesEachTestItsOwnLabelledNamespace(KubernetesClient client, @TestNamespace String namespace,
        @KubeConfigPath Path kubeconfig) {
      // The method name, cut to leave room for suffixes a test adds, plus a random suffix.
      assertThat(namespace).matches("t-gives-each-test-its-own-labelled-namespa-[a-z0-9]{1,4}");
      assertThat(client.namespaces().withName(namespace).get().getMetadata().getLabels())
          .containsEntry(ControlPlaneExtension.TEST_LABEL, "true");
      assertThat(kubeconfig).isRegularFile();
    }
  }

  @Nested
  class MissingBinaries {

    @Test
    void failTheStartWithTheCommandThatProvidesThem(@TempDir Path empty) {
      String before = System.getProperty(KubeBinaries.BIN_PROPERTY);
      System.setProperty(KubeBinaries.BIN_PROPERTY, empty.toString());
      try {
        assertThatThrownBy(ControlPlane::start)
            .isInstanceOf(IllegalStateException.class)
            .hasMessage(empty.resolve("etcd") + " is missing: run scripts/kube-binaries.sh (scripts/setup runs it)"
                + " or point STACKPIPE_KUBE_BIN at a directory with the Kubernetes binaries and etcd");
      } finally {
        if (before == null) {
          System.clearProperty(KubeBinaries.BIN_PROPERTY);
        } else {
          System.setProperty(KubeBinaries.BIN_PROPERTY, before);
        }
      }
    }
  }

  @Nested
  class ADetachedControlPlane {

    @Test
    void outlivesItsHandleUntilStoppedThenIsGoneWithItsData(@TempDir Path tmp) {
      Path dir = tmp.resolve("demo");
      ControlPlane plane = ControlPlane.builder().withDirectory(dir).detached().start();
      plane.close();
      ControlPlane.Status status = ControlPlane.status(dir);
      assertThat(status.running()).isTrue();
      assertThat(status.livePids()).containsOnlyKeys("etcd", "kube-apiserver", "kube-controller-manager");
      try (KubernetesClient client = ControlPlane.clientFor(status.kubeconfig())) {
        assertThat(client.namespaces().withName("default").get()).isNotNull();
      }

      assertThat(ControlPlane.stop(dir)).isEqualTo(status.livePids());

      assertThat(status.livePids().values())
          .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
      assertThat(ControlPlane.status(dir).running()).isFalse();
      assertThat(dir).isEmptyDirectory();
    }

    @Test
    void refusesADirectoryWithSomeoneElsesFiles(@TempDir Path tmp) throws Exception {
      Files.writeString(tmp.resolve("notes.txt"), "mine");
      assertThatThrownBy(() -> ControlPlane.builder().withDirectory(tmp).detached().start())
          .hasMessage("directory " + tmp + " holds files that are not a control plane's: [notes.txt];"
              + " choose an empty directory");
      assertThat(tmp.resolve("notes.txt")).hasContent("mine");
    }
  }
}
