package io.stackpipe.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.StackpipeException;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.NamespaceAccess;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A system-test command run against a stack's namespace on a real API server (Services need no pods). */
@WithControlPlane
class SystemTestTest {
  static final String CANARY = "CANARY-5d1e-system-test-never-log-me";

  @TempDir
  Path work;
  KubeConnection kube;
  String ns;
  List<String> progress = new ArrayList<>();

  @BeforeEach
  void servicesInTheNamespace(@KubeConfigPath Path kubeconfig, @TestNamespace String namespace,
      KubernetesClient admin) {
    kube = KubeConnection.fromKubeconfig(kubeconfig, null);
    ns = namespace;
    for (var service : Map.of("order-api", 8080, "billing", 8081).entrySet()) {
      admin.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName(service.getKey())
          .endMetadata().withNewSpec().addToSelector("app", service.getKey()).addNewPort().withName("http")
          .withPort(service.getValue()).endPort().endSpec().build()).create();
    }
  }

  @AfterEach
  void disconnect() {
    kube.close();
  }

  SystemTest sh(String script) {
    return SystemTest.of(List.of("sh", "-c", script)).against(kube, ns).in(work)
        .withEnvironment(Map.of("PATH", System.getenv("PATH"))).withProgress(progress::add);
  }

  @Test
  void theCommandFindsTheStacksNamespaceServicesAndAKubeconfigThatIsDeletedAfterwards(KubernetesClient admin)
      throws Exception {
    String orderApi = admin.services().inNamespace(ns).withName("order-api").get().getSpec().getClusterIP();

    SystemTestResult result = sh("echo ns=$STACK_NAMESPACE; echo services=$STACK_SERVICES; echo url=$ORDER_API_URL;"
        + " echo home=${HOME:-unset}; cp \"$KUBECONFIG\" copied; echo kubeconfig=$KUBECONFIG").call();

    assertThat(result.passed()).isTrue();
    assertThat(result.exitCode()).isZero();
    assertThat(progress).contains("ns=" + ns, "services=billing order-api", "url=http://" + orderApi + ":8080",
        "home=unset"); // only the environment given, not the JVM's
    assertThat(result.lastLines()).startsWith("ns=" + ns);
    // The kubeconfig reaches the same cluster with the stack's namespace as its default, and is gone afterwards;
    // its credential was the namespace's own, and it is revoked once the command has ended.
    try (KubeConnection copied = KubeConnection.fromKubeconfig(work.resolve("copied"), null)) {
      assertThat(copied.client().getNamespace()).isEqualTo(ns);
      assertThatThrownBy(() -> copied.services().list(ns)).hasMessageContaining("unauthorized");
    }
    assertThat(admin.serviceAccounts().inNamespace(ns).withName(NamespaceAccess.ACCOUNT).get()).isNull();
    String file = progress.stream().filter(l -> l.startsWith("kubeconfig=")).findFirst().orElseThrow()
        .substring("kubeconfig=".length());
    assertThat(Path.of(file)).doesNotExist();
    assertThat(Path.of(file).getParent()).doesNotExist();
    assertThat(result.toMap()).containsEntry("exitCode", 0).containsEntry("passed", true).containsKey("durationMillis");
  }

  @Test
  void theCommandsCredentialChangesItsNamespaceAndNothingElse() {
    // Granted as the gate grants it, used while it lives: the namespace yes, anything else no.
    NamespaceAccess access = NamespaceAccess.grant(kube, ns, java.time.Duration.ofMinutes(10));
    try {
      access.writeKubeconfig(work.resolve("live"));
      try (KubeConnection scoped = KubeConnection.fromKubeconfig(work.resolve("live"), null)) {
        assertThat(scoped.services().list(ns)).extracting(a -> a.service()).containsExactly("billing", "order-api");
        scoped.client().configMaps().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
            .withNewMetadata().withName("written-by-tests").endMetadata().build()).create();
        assertThatThrownBy(() -> scoped.namespaces().list(io.stackpipe.kube.Selector.all()))
            .isInstanceOf(io.stackpipe.kube.KubeAccessDeniedException.class);
        assertThatThrownBy(() -> scoped.client().secrets().inNamespace("kube-system").list())
            .hasMessageContaining("Forbidden");
        assertThatThrownBy(() -> scoped.client().rbac().roleBindings().inNamespace(ns).resource(
            new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder().withNewMetadata().withName("escalate")
                .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "cluster-admin")
                .addNewSubject().withKind("ServiceAccount").withName(NamespaceAccess.ACCOUNT).withNamespace(ns)
                .endSubject().build()).create()).hasMessageContaining("Forbidden");
      }
    } finally {
      access.revoke();
    }
  }

  @Test
  void aFailingCommandReportsItsExitCodeAndItsLastLines() {
    SystemTestResult result = sh("for i in $(seq 1 30); do echo line $i; done; echo broken >&2; exit 3").call();

    assertThat(result.passed()).isFalse();
    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.lastLines()).hasSize(SystemTest.TAIL_LINES).endsWith("line 30", "broken");
    assertThat(result.reason()).isEqualTo("exit 3: line 29 | line 30 | broken");
    assertThat(progress).contains("line 1", "broken").last().asString().startsWith("system test exited 3 in ");
  }

  @Test
  void secretValuesAndTheKubeconfigsCredentialsNeverReachTheOutput() throws Exception {
    SystemTestResult result = sh("echo the secret is " + CANARY + "; cat \"$KUBECONFIG\"").masking(List.of(CANARY))
        .call();

    assertThat(String.join("\n", progress)).doesNotContain(CANARY).contains("the secret is ****")
        .contains("token: ****");
    assertThat(result.lastLines()).noneMatch(l -> l.contains(CANARY));
    try (Stream<String> lines = Files.lines(kube.kubeconfig())) {
      List<String> credentials = lines.filter(l -> l.strip().startsWith("client-key-data:") || l.strip()
          .startsWith("token:")).map(l -> l.substring(l.indexOf(':') + 1).strip()).toList();
      credentials.forEach(c -> assertThat(String.join("\n", progress)).doesNotContain(c));
    }
  }

  @Test
  void aCommandRunningPastItsTimeoutIsKilledWithItsChildrenAndFails() {
    long start = System.nanoTime();

    SystemTestResult result = sh("echo started; sleep 60 & sleep 60; echo never").withTimeout(Duration.ofSeconds(1))
        .call();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    assertThat(result.timedOut()).isTrue();
    assertThat(result.passed()).isFalse();
    assertThat(result.exitCode()).isEqualTo(-1);
    assertThat(result.reason()).startsWith("timed out after 1 s: started");
    assertThat(progress).doesNotContain("never");
  }

  @Test
  void aCommandThatCannotRunIsRefusedBeforeAnythingRuns() {
    assertThatThrownBy(() -> SystemTest.of(List.of("no-such-system-test")).against(kube, ns).in(work)
        .withEnvironment(Map.of("PATH", System.getenv("PATH"))).call())
        .isInstanceOf(StackpipeException.class).hasMessage("no-such-system-test: not found on PATH")
        .extracting(e -> ((StackpipeException) e).field().orElseThrow()).isEqualTo("command");
    assertThatThrownBy(() -> SystemTest.of(List.of("./tests.sh")).against(kube, ns).in(work).call())
        .isInstanceOf(StackpipeException.class).hasMessage("./tests.sh: no executable file (in " + work + ")");
    assertThatThrownBy(() -> SystemTest.of(List.of()).against(kube, ns).in(work).call())
        .isInstanceOf(StackpipeException.class).hasMessageStartingWith("is required");
  }
}
