package io.stackpipe.installation;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.Secret;
import io.stackpipe.base.FileTrees;
import io.stackpipe.installation.InstallationCheck.Outcome;
import io.stackpipe.installation.InstallationCheck.Part;
import io.stackpipe.installation.InstallationCheck.Report;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.NamespaceAccess;
import io.stackpipe.local.MotoServer;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.testsupport.MotoExtension;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import io.stackpipe.testsupport.registry.AuthRegistries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Test connection" against the real control plane, a registry that wants a password and moto as KMS: the
 * installation's own settings pass; a namespace-bound credential, a wrong password, an age key that does not parse
 * and a KMS endpoint nobody serves each fail their own line, in one line, and no line shows a credential.
 */
@WithControlPlane
@ExtendWith(MotoExtension.class)
class InstallationCheckTest {

  static final String PASSWORD = "canary-" + UUID.randomUUID();
  static final Path REPO = Path.of(System.getProperty("stackpipe.repo.root", "..")).toAbsolutePath().normalize();
  static Path files;
  static LocalRegistry registry;

  @TempDir
  Path work;

  @BeforeAll
  static void startARegistryWithAPassword() throws IOException {
    files = Files.createTempDirectory("stackpipe-check-");
    registry = AuthRegistries.basic(Map.of("ci", PASSWORD), files);
  }

  @AfterAll
  static void stop() throws IOException {
    registry.close();
    FileTrees.delete(files);
  }

  SessionEnvironment environment() {
    return SessionEnvironment.of(Map.of(), work).withTempDirectory(work);
  }

  static String ageKey() throws IOException {
    return Files.readString(REPO.resolve("examples/keys/demo-age-key.txt"));
  }

  @Test
  void theInstallationsOwnSettingsPassEveryPart(@KubeConfigPath Path kubeconfig, MotoServer moto) throws IOException {
    Installation installation = Installation.builder().withCharts(registry.ociUrl("charts"))
        .withRegistryCredential(registry.host(), "ci", Secret.of(PASSWORD))
        .withKubeconfig(Secret.of(Files.readString(kubeconfig))).withAgeKey(Secret.of(ageKey()))
        .withKmsEndpoint(moto.endpoint().toString()).build();

    Report report = installation.check(environment()).call();

    assertThat(report.ok()).as(report.lines().toString()).isTrue();
    assertThat(report.line(Part.CLUSTER).message()).matches("https://127\\.0\\.0\\.1:\\d+ as \\S+: may create and"
        + " delete namespaces");
    assertThat(report.line(Part.REGISTRY).message()).isEqualTo(registry.ociUrl("charts") + " reachable with"
        + " credential installation registryCredentials for " + registry.host() + ": 0 version(s) of platform");
    assertThat(report.line(Part.KEYS).message()).startsWith("1 age identity parsed; KMS endpoint " + moto.endpoint()
        + " answers (HTTP ");
    assertThat(report.toMap()).containsEntry("ok", true).containsKeys("cluster", "registry", "keys");
  }

  @Test
  void eachWrongPartFailsItsOwnLineWithoutShowingACredential(@KubeConfigPath Path admin, @TestNamespace String namespace)
      throws IOException {
    Path limited = work.resolve("limited-kubeconfig");
    try (KubeConnection kube = KubeConnection.fromKubeconfig(admin, null)) {
      NamespaceAccess.grant(kube, namespace, Duration.ofMinutes(10)).writeKubeconfig(limited);
    }
    String token = Files.readString(limited).lines().filter(l -> l.strip().startsWith("token:")).findFirst()
        .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElseThrow();
    Installation installation = Installation.builder().withCharts(registry.ociUrl("charts"))
        .withRegistryCredential(registry.host(), "ci", Secret.of("wrong-" + PASSWORD))
        .withKubeconfig(Secret.of(Files.readString(limited)))
        .withAgeKey(Secret.of("AGE-SECRET-KEY-1" + PASSWORD.toUpperCase().replace("-", "")))
        .withKmsEndpoint("http://127.0.0.1:" + io.stackpipe.base.Ports.free()).build();

    Report report = installation.check(environment()).call();

    assertThat(report.ok()).isFalse();
    assertThat(report.lines()).extracting(InstallationCheck.Line::outcome).containsOnly(Outcome.FAILED);
    assertThat(report.line(Part.CLUSTER).message()).endsWith(" as system:serviceaccount:" + namespace
        + ":stackpipe-system-tests may not create or delete namespaces, which stacks need");
    assertThat(report.line(Part.REGISTRY).message()).contains("(HTTP 401)");
    assertThat(report.line(Part.KEYS).message()).contains("age key");
    for (InstallationCheck.Line line : report.lines()) {
      assertThat(line.message()).doesNotContain(PASSWORD).doesNotContain(PASSWORD.toUpperCase().replace("-", ""))
          .doesNotContain(token).doesNotContain("\n");
    }
  }

  @Test
  void aClusterNobodyServesIsOneLineSayingSo(@KubeConfigPath Path kubeconfig) throws IOException {
    String dead = Files.readString(kubeconfig).replaceAll("server: https://127\\.0\\.0\\.1:\\d+",
        "server: https://127.0.0.1:" + io.stackpipe.base.Ports.free());

    Report report = Installation.builder().withKubeconfig(Secret.of(dead)).build().check(environment()).call();

    assertThat(report.line(Part.CLUSTER).outcome()).isEqualTo(Outcome.FAILED);
    assertThat(report.line(Part.CLUSTER).message()).startsWith("cannot reach the Kubernetes API at https://127.0.0.1:");
  }

  @Test
  void partsTheSettingsDoNotNameAreSkipped(@KubeConfigPath Path kubeconfig) throws IOException {
    Report report = Installation.builder().withKubeconfig(Secret.of(Files.readString(kubeconfig))).build()
        .check(environment()).call();

    assertThat(report.line(Part.REGISTRY).outcome()).isEqualTo(Outcome.SKIPPED);
    assertThat(report.line(Part.KEYS).outcome()).isEqualTo(Outcome.SKIPPED);
    assertThat(report.ok()).isTrue();
  }
}
