package io.stackpipe.installation;

import io.stackpipe.Secret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.StackpipeException;
import io.stackpipe.kube.KubeException;
import io.stackpipe.secrets.keys.SecretKeys;
import io.stackpipe.stack.Stacks;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallationTest {

  // A cluster nobody answers at: opening a session connects to nothing, so these tests need no node.
  private static final String KUBECONFIG = """
      apiVersion: v1
      kind: Config
      clusters:
      - name: c
        cluster:
          server: https://127.0.0.1:1
      contexts:
      - name: c
        context:
          cluster: c
          user: u
      current-context: c
      users:
      - name: u
        user:
          token: not-a-real-token
      """;

  @Nested
  class Validation {

    @Test
    void defaultsAreTheEnginesAndEverySettingIsKept() {
      Installation installation = Installation.builder().withCharts("oci://registry.example.com/charts")
          .withId("ci-eu").withNamespacePrefix("ci-").withTimeout(Duration.ofMinutes(2)).build();

      assertThat(installation.toMap()).containsEntry("charts", "oci://registry.example.com/charts")
          .containsEntry("installation", "ci-eu").containsEntry("namespacePrefix", "ci-")
          .containsEntry("controlNamespace", "stackpipe-system").containsEntry("manifestName", "platform")
          .containsEntry("timeout", "2m");
    }

    @Test
    void refusesTheWrongSettingByNameWhateverTheOrderOfTheCalls() {
      assertThatThrownBy(() -> Installation.builder().withCharts("https://registry.example.com").withId("x").build())
          .isInstanceOf(StackpipeException.class).hasMessageContaining("is not oci://host/path")
          .satisfies(e -> assertThat(((StackpipeException) e).field()).contains("charts"));
      // Both kubeconfig forms, given in either order, are refused once, at build.
      Installation.Builder fileFirst = Installation.builder().withKubeconfigFile("/k").withKubeconfig(Secret.of("k"));
      Installation.Builder contentFirst = Installation.builder().withKubeconfig(Secret.of("k")).withKubeconfigFile("/k");
      for (Installation.Builder b : new Installation.Builder[] {fileFirst, contentFirst}) {
        assertThatThrownBy(b::build).satisfies(e -> assertThat(((StackpipeException) e).field()).contains("kubeconfig"));
      }
    }

    @Test
    void eachNamedSettingIsCheckedAsTheJenkinsFormChecksIt() {
      Map<String, Installation.Builder> refused = new LinkedHashMap<>();
      refused.put("installation", Installation.builder().withId("has space"));
      refused.put("namespacePrefix", Installation.builder().withNamespacePrefix("Ci_"));
      refused.put("controlNamespace", Installation.builder().withControlNamespace("Stackpipe System"));
      refused.put("manifestName", Installation.builder().withManifestName(" "));
      refused.put("kmsEndpoint", Installation.builder().withKmsEndpoint("kms.example.com"));
      refused.put("timeout", Installation.builder().withTimeout(Duration.ZERO));
      refused.forEach((field, b) -> assertThatThrownBy(b::build).as(field)
          .satisfies(e -> assertThat(((StackpipeException) e).field()).contains(field)));
      assertThat(Installation.builder().withControlNamespace(" ").build().controlNamespace())
          .as("blank is the default").isEqualTo("stackpipe-system");
    }

    @Test
    void theTokenFormIsAServerATokenAndOptionallyACaAndExcludesAKubeconfig() {
      Secret token = Secret.of("canary-token-not-shown");
      Installation ok = Installation.builder().withClusterServer("https://api.example.com:6443")
          .withClusterToken(token).build();
      assertThat(ok.toString()).doesNotContain("canary-token-not-shown").contains("clusterToken=****");
      Map<String, Installation.Builder> refused = new LinkedHashMap<>();
      refused.put("clusterServer", Installation.builder().withClusterServer("https://api.example.com")
          .withClusterToken(token).withKubeconfigFile("/k"));
      refused.put("context", Installation.builder().withClusterServer("https://api.example.com")
          .withClusterToken(token).withContext("prod"));
      refused.put("clusterToken", Installation.builder().withClusterServer("https://api.example.com"));
      refused.put("clusterCertificateAuthority", Installation.builder().withClusterServer("https://api.example.com")
          .withClusterToken(token).withClusterCertificateAuthority("not a certificate"));
      refused.forEach((field, b) -> assertThatThrownBy(b::build).as(field)
          .satisfies(e -> assertThat(((StackpipeException) e).field()).contains(field)));
      assertThatThrownBy(() -> Installation.builder().withClusterToken(token).build())
          .hasMessage("is required with a token (the API server's https URL)");
      assertThatThrownBy(() -> Installation.builder().withClusterServer("http://api.example.com")
          .withClusterToken(token).build()).hasMessageContaining("is not an https URL")
          .hasMessageNotContaining("canary");
    }

    @Test
    void parsesThePolicyFromItsTextAtBuildNamingIt() {
      assertThatThrownBy(() -> Installation.builder().withPolicy("stacks: [ {match: 'x', nonsense: 1} ]", "the policy")
          .build()).isInstanceOf(StackpipeException.class).hasMessageContaining("the policy");

      Installation ok = Installation.builder().withPolicy("stacks:\n- match: 'prod-*'\n  canaryFirst: [web]\n", "p").build();
      assertThat(ok.policies().forStack("prod-eu")).isPresent();
    }

    @Test
    void readsAMapAndRefusesAnUnknownKey() {
      Map<String, String> settings = new LinkedHashMap<>();
      settings.put("charts", "oci://localhost:5000/charts");
      settings.put("timeout", "90s");
      settings.put("ageKey", "AGE-SECRET-KEY-NOT-SHOWN");
      Installation installation = Installation.fromMap(settings);
      assertThat(installation.timeout()).isEqualTo(Duration.ofSeconds(90));
      assertThat(installation.toString()).doesNotContain("AGE-SECRET-KEY-NOT-SHOWN").contains("ageKey=****");

      assertThatThrownBy(() -> Installation.fromMap(Map.of("chart", "oci://x/y")))
          .satisfies(e -> assertThat(((StackpipeException) e).field()).contains("chart"))
          .hasMessageContaining("is not an installation setting");
    }

    @Test
    void travelsSerializedWithoutShowingItsSecrets() throws Exception {
      Installation installation = Installation.builder().withKubeconfig(Secret.of("SECRET-KUBECONFIG")).build();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(installation);
      }
      try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        Installation back = (Installation) in.readObject();
        assertThat(back.kubeconfig().reveal()).isEqualTo("SECRET-KUBECONFIG");
        assertThat(back.toString()).doesNotContain("SECRET-KUBECONFIG");
      }
    }
  }

  @Nested
  class ItsSession {

    @Test
    void closesKeysClientAndFilesOnSuccess(@TempDir Path temp) {
      Installation installation = Installation.builder().withKubeconfig(Secret.of(KUBECONFIG)).build();
      SecretKeys keys;
      Stacks stacks;
      Path files;
      try (Session session = installation.open(SessionEnvironment.of(Map.of(), null).withTempDirectory(temp))) {
        files = session.files();
        assertThat(session.kubeconfig()).startsWith(files).isRegularFile();
        keys = session.keys();
        stacks = session.stacks();
        assertThat(keys.isClosed()).isFalse();
        assertThat(stacks.kube().isClosed()).isFalse();
      }
      assertThat(keys.isClosed()).isTrue();
      assertThat(stacks.kube().isClosed()).isTrue();
      assertThat(files).doesNotExist();
    }

    @Test
    void closesKeysClientAndFilesWhenItsOperationFails(@TempDir Path temp) {
      Installation installation = Installation.builder().withKubeconfig(Secret.of(KUBECONFIG)).build();
      SecretKeys[] keys = new SecretKeys[1];
      Stacks[] stacks = new Stacks[1];
      Path[] files = new Path[1];
      assertThatThrownBy(() -> {
        try (Session session = installation.open(SessionEnvironment.of(Map.of(), null).withTempDirectory(temp))) {
          files[0] = session.files();
          keys[0] = session.keys();
          stacks[0] = session.stacks();
          // Nothing answers at 127.0.0.1:1: the operation fails as any cluster call can.
          session.stacks().list(null);
        }
      }).isInstanceOf(RuntimeException.class);
      assertThat(keys[0].isClosed()).isTrue();
      assertThat(stacks[0].kube().isClosed()).isTrue();
      assertThat(files[0]).doesNotExist();
    }

    @Test
    void thatCannotOpenLeavesNoFileBehind(@TempDir Path temp) throws Exception {
      Installation installation = Installation.builder().build();
      assertThatThrownBy(() -> installation.open(SessionEnvironment.of(Map.of(), temp.resolve("home"))
          .withTempDirectory(temp.resolve("t")))).isInstanceOf(KubeException.class);
      try (var left = Files.list(temp.resolve("t"))) {
        assertThat(left).isEmpty();
      }
    }

    @Test
    void refusesL3WithoutARegistryNamingTheSetting(@TempDir Path temp) {
      Installation installation = Installation.builder().withKubeconfig(Secret.of(KUBECONFIG)).build();
      try (Session session = installation.open(SessionEnvironment.of(Map.of(), null).withTempDirectory(temp))) {
        assertThatThrownBy(session::l3).satisfies(e -> assertThat(((StackpipeException) e).field()).contains("charts"));
        assertThatThrownBy(() -> session.chart("orders", "1.0.0", false, temp))
            .satisfies(e -> assertThat(((StackpipeException) e).field()).contains("charts"));
      }
    }
  }
}
