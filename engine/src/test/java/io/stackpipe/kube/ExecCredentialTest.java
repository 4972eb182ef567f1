package io.stackpipe.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.Secret;
import io.stackpipe.StackpipeException;
import io.stackpipe.installation.Installation;
import io.stackpipe.installation.Session;
import io.stackpipe.installation.SessionEnvironment;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.stack.Stack;
import io.stackpipe.testsupport.TestFiles;
import io.stackpipe.testsupport.kube.ExpiringTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kubeconfigs whose user is an exec credential plugin (EKS, GKE, AKS, OIDC helpers), against a real API server whose
 * tokens expire every few seconds: the engine (fabric8) and Helm (helm-java, in this JVM) each run the plugin again
 * when the token runs out, so operations that outlast many tokens succeed.
 */
class ExecCredentialTest {

  private static final Duration TTL = Duration.ofSeconds(3);

  @TempDir
  static Path dir;
  private static ExpiringTokens tokens;
  private static ControlPlane plane;
  private static Path kubeconfig;

  @BeforeAll
  static void start() throws Exception {
    tokens = ExpiringTokens.start(dir, TTL);
    plane = ControlPlane.builder().withTokenWebhook(tokens.uri()).start();
    kubeconfig = Files.writeString(dir.resolve("exec.kubeconfig"),
        tokens.kubeconfig("eks", plane.server(), plane.caCertificate()));
  }

  @AfterAll
  static void stop() {
    if (plane != null) {
      plane.close();
    }
    if (tokens != null) {
      tokens.close();
    }
  }

  @Test
  void stacksMadeAndDestroyedOverTwentyFiveSecondsOutlastSeveralTokens(@TempDir Path home) {
    Installation installation = Installation.builder().withKubeconfigFile(kubeconfig.toString()).withId("exec")
        .build();
    int mintedBefore = tokens.minted();
    int refusedBefore = tokens.refusedExpired();
    Instant end = Instant.now().plusSeconds(25);
    int rounds = 0;
    SessionEnvironment environment = SessionEnvironment.of(Map.of(), home).withTempDirectory(home.resolve("s"));
    try (Session session = installation.open(environment)) {
      while (Instant.now().isBefore(end)) {
        String name = "exec-" + rounds++;
        Stack created = session.stacks().create(name).withOwner("alice").call();
        assertThat(session.stacks().list(null).stacks()).extracting(Stack::name).contains(name);
        assertThat(created.owner()).isEqualTo("alice");
        // destroy waits (a watch) until the namespace controller has removed it
        session.stacks().destroy(name);
      }
    }
    assertThat(rounds).isGreaterThanOrEqualTo(2);
    // The API server caches a successful review for 10 s (not configurable), so a token is refused at the first
    // request after both its expiry and that: over 25 s at least two ran out under the client, which ran the
    // plugin again each time (plus once at the start).
    assertThat(tokens.refusedExpired() - refusedBefore).isGreaterThanOrEqualTo(2);
    assertThat(tokens.minted() - mintedBefore).isGreaterThanOrEqualTo(3);
    // The plugin's tokens lived in memory only: nothing the session wrote holds one.
    assertThat(TestFiles.containing(home, ExpiringTokens.CANARY)).isEmpty();
  }

  @Test
  void helmRunsThePluginItselfWhenItsTokenExpired() throws Exception {
    Path chart = Path.of(getClass().getResource("/charts/demo-app").toURI());
    String ns = "exec-helm";
    try (KubernetesClient admin = plane.newClient()) {
      admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
    try (KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig, null)) {
      HelmReleases helm = kube.releases();
      assertThat(helm.install("web", ns, chart, Map.of()).revision()).isEqualTo(1);
      for (int revision = 2; revision <= 3; revision++) {
        awaitExpiryOfTheLastToken();
        int before = tokens.minted();
        // Without waitingUpTo an upgrade is helm-java alone: a new token here is one Helm's client-go asked for.
        assertThat(helm.upgrade("web", ns, chart, Map.of("message", "r" + revision)).revision())
            .isEqualTo(revision);
        assertThat(tokens.minted()).isGreaterThan(before);
      }
      assertThat(helm.status("web", ns).status()).isEqualTo("deployed");
    }
  }

  @Test
  void aServerTokenAndCaBecomeAKubeconfigInTheSessionsPrivateFolderOnly(@TempDir Path temp) throws Exception {
    String token = tokens.issue(Duration.ofMinutes(5));
    Installation installation = Installation.builder().withClusterServer(plane.server().toString())
        .withClusterToken(Secret.of(token)).withClusterCertificateAuthority(Files.readString(plane.caCertificate()))
        .withId("token-form").build();
    SessionEnvironment environment = SessionEnvironment.of(Map.of(), temp).withTempDirectory(temp.resolve("s"));
    Path written;
    try (Session session = installation.open(environment)) {
      written = session.kubeconfig();
      assertThat(written).startsWith(temp.resolve("s"));
      assertThat(session.stacks().create("by-token").withOwner("ci").call().name()).isEqualTo("by-token");
      session.stacks().destroy("by-token");
    }
    assertThat(written).doesNotExist();
    assertThat(TestFiles.containing(temp, token)).isEmpty();
    assertThat(installation.toString()).doesNotContain(token);

    // A token the cluster does not accept: one line, without the token.
    Installation expired = installation.toBuilder().withClusterToken(Secret.of(tokens.issue(Duration.ZERO)))
        .build();
    try (Session session = expired.open(environment)) {
      assertThatThrownBy(() -> session.stacks().list(null)).isInstanceOf(StackpipeException.class)
          .hasMessageNotContaining(ExpiringTokens.CANARY).satisfies(e -> assertThat(e.getMessage()).hasLineCount(1));
    }
  }

  /** Waits (bounded) until the last minted token has expired, so the next call must get a fresh one. */
  private static void awaitExpiryOfTheLastToken() throws InterruptedException {
    Instant deadline = Instant.now().plus(TTL.multipliedBy(3));
    while (!Instant.now().isAfter(tokens.lastExpiry()) && Instant.now().isBefore(deadline)) {
      Thread.sleep(100);
    }
    assertThat(Instant.now()).isAfter(tokens.lastExpiry());
  }
}
