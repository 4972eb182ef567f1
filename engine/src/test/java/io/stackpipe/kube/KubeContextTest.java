package io.stackpipe.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.StackpipeException;
import io.stackpipe.installation.Installation;
import io.stackpipe.installation.Session;
import io.stackpipe.installation.SessionEnvironment;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.Kubeconfigs;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Choosing a context of a kubeconfig with several: the engine and Helm both act in it. The kubeconfig here has
 * {@code admin} (current, cluster-admin) and {@code alice} (a user without any RBAC right), so a refusal naming alice
 * proves which context a client used.
 */
@WithControlPlane
class KubeContextTest {

  private static Path twoContexts(ControlPlane plane, Path kubeconfig, Path dir) {
    Map<String, Path> contexts = new LinkedHashMap<>();
    contexts.put("admin", kubeconfig);
    contexts.put("alice", plane.writeKubeconfig(dir.resolve("alice.kubeconfig"), "alice", Set.of()));
    return Kubeconfigs.merge(dir.resolve("two.kubeconfig"), contexts, "admin");
  }

  @Test
  void theSessionAndHelmActInTheChosenContext(ControlPlane plane, @KubeConfigPath Path kubeconfig,
      @TestNamespace String ns, @TempDir Path dir) throws Exception {
    Path two = twoContexts(plane, kubeconfig, dir);
    Installation alice = Installation.builder().withKubeconfigFile(two.toString()).withContext("alice").build();
    Path sessions = Files.createDirectories(dir.resolve("sessions"));
    SessionEnvironment environment = SessionEnvironment.of(Map.of(), dir).withTempDirectory(sessions);
    try (Session session = alice.open(environment)) {
      assertThatThrownBy(() -> session.stacks().list(null)).isInstanceOf(KubeAccessDeniedException.class)
          .hasMessageContaining("\"alice\"");
    }
    try (Session session = alice.toBuilder().withContext(null).build().open(environment)) {
      assertThat(session.stacks().list(null).stacks()).isEmpty();
    }
    // The context's kubeconfig lived in the session's private folder only while it was open.
    try (Stream<Path> left = Files.list(sessions)) {
      assertThat(left).isEmpty();
    }

    Path chart = Path.of(getClass().getResource("/charts/demo-app").toURI());
    Path contextFile = dir.resolve("context.kubeconfig");
    try (KubeConnection kube = KubeConnection.resolve(two, Map.of(), dir, "alice", contextFile)) {
      assertThat(kube.source()).isEqualTo("kubeconfig " + two + ", context alice");
      assertThatThrownBy(() -> kube.releases().install("web", ns, chart, Map.of()))
          .isInstanceOf(KubeAccessDeniedException.class).hasMessageContaining("alice");
    }
    try (KubeConnection kube = KubeConnection.resolve(two, Map.of(), dir, "admin", contextFile)) {
      assertThat(kube.releases().install("web", ns, chart, Map.of()).revision()).isEqualTo(1);
    }
  }

  @Test
  void anUnknownContextIsOneRefusalNamingItAndTheOnesThereAre(ControlPlane plane, @KubeConfigPath Path kubeconfig,
      @TempDir Path dir) throws Exception {
    Path two = twoContexts(plane, kubeconfig, dir);
    Path sessions = Files.createDirectories(dir.resolve("sessions"));
    Installation prod = Installation.builder().withKubeconfigFile(two.toString()).withContext("prod").build();
    assertThatThrownBy(() -> prod.open(SessionEnvironment.of(Map.of(), dir).withTempDirectory(sessions)))
        .isInstanceOf(StackpipeException.class)
        .hasMessage("no context 'prod' in kubeconfig " + two + " (it has: admin, alice)")
        .satisfies(e -> assertThat(((StackpipeException) e).field()).contains("context"));
    try (Stream<Path> left = Files.list(sessions)) {
      assertThat(left).isEmpty();
    }
    // Through $KUBECONFIG the same.
    assertThatThrownBy(() -> KubeConnection.resolve(null, Map.of("KUBECONFIG", two.toString()), dir, "prod",
        dir.resolve("unused"))).hasMessage("no context 'prod' in kubeconfig " + two + " (it has: admin, alice)");
    assertThat(dir.resolve("unused")).doesNotExist();
    // fromKubeconfig keeps Helm and fabric8 together: only the file's current context.
    assertThatThrownBy(() -> KubeConnection.fromKubeconfig(two, "alice"))
        .hasMessage("'alice' is not the current context of kubeconfig " + two + ", which Helm would use");
  }

  @Test
  void theContextsFileKeepsARelativeExecCommandWorkingFromTheSessionsFolder(@TempDir Path dir, @TempDir Path session)
      throws Exception {
    Path plugin = Files.createDirectories(dir.resolve("bin")).resolve("token");
    Files.writeString(plugin, """
        #!/bin/sh
        echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t"}}'
        """);
    Files.setPosixFilePermissions(plugin, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    Path kubeconfig = Files.writeString(dir.resolve("config"), """
        apiVersion: v1
        kind: Config
        clusters:
        - {name: c, cluster: {server: "https://127.0.0.1:1"}}
        users:
        - {name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/token, interactiveMode: Never}}}
        - {name: other, user: {token: x}}
        contexts:
        - {name: eks, context: {cluster: c, user: u}}
        - {name: other, context: {cluster: c, user: other}}
        current-context: other
        """);
    Path contextFile = session.resolve("kubeconfig-context");
    try (KubeConnection kube = KubeConnection.resolve(kubeconfig, Map.of(), dir, "eks", contextFile)) {
      assertThat(Files.readString(contextFile)).contains("command: " + plugin).doesNotContain("other");
      // fabric8 ran the plugin from the context's file, in another folder than the kubeconfig's
      assertThat(kube.client().getConfiguration().getAutoOAuthToken()).isEqualTo("t");
    }
  }
}
