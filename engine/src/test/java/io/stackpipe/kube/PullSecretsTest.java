package io.stackpipe.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.Secret;
import io.stackpipe.chart.ChartArchive;
import io.stackpipe.registry.auth.RegistryAuth;
import io.stackpipe.registry.auth.RegistryCredential;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stack's pull secret: only the hosts its images use, on the default ServiceAccount, on a real API server. */
class PullSecretsTest {

  static final String CANARY = "canary-" + UUID.randomUUID();
  static final String DIGEST = "sha256:" + "a".repeat(64);

  static RegistryAuth auth(String... hosts) {
    Map<String, RegistryCredential> byHost = new LinkedHashMap<>();
    for (String host : hosts) {
      byHost.put(host, RegistryCredential.password("ci", Secret.of(CANARY + host), "installation for " + host));
    }
    return RegistryAuth.of(List.of(RegistryAuth.explicit(byHost, "installation")));
  }

  @Nested
  class TheHostsOfAChartsImages {

    @TempDir
    Path work;

    @Test
    void areFoundInValuesTemplatesAndVendoredSubcharts() throws Exception {
      Path sub = work.resolve("orders.tgz");
      ChartArchive.write(Map.of("orders/Chart.yaml", "name: orders\n".getBytes(StandardCharsets.UTF_8),
          "orders/values.yaml", ("image:\n  repository: 127.0.0.1:5000/services/orders\n  digest: " + DIGEST
              + "\n").getBytes(StandardCharsets.UTF_8)), sub);
      Map<String, byte[]> umbrella = Map.of(
          "platform/values.yaml", ("sidecar: registry.example.com/tools/proxy:1.2\nnote: see example.com/docs\n"
              + "cache:\n  image:\n    registry: \"quay.io\"\n    repository: team/cache\n")
              .getBytes(StandardCharsets.UTF_8),
          "platform/templates/job.yaml", "image: \"{{ .Values.x }}\"\n# ghcr.io/acme/migrate:v3\n"
              .getBytes(StandardCharsets.UTF_8),
          "platform/charts/orders-1.0.0.tgz", Files.readAllBytes(sub));

      assertThat(PullSecrets.hosts(umbrella)).containsExactly("127.0.0.1:5000", "ghcr.io", "quay.io",
          "registry.example.com");
    }

    @Test
    void bareDockerHubNamesHaveNoHost() {
      assertThat(PullSecrets.hosts(Map.of("c/values.yaml", "image: nginx:1.25\nother: library/redis:7\n"
          .getBytes(StandardCharsets.UTF_8)))).isEmpty();
    }
  }

  @Nested
  @WithControlPlane
  class InANamespace {

    @Test
    void holdsOnlyTheUsedHostsWithCredentialsAndTheDefaultAccountUsesItOnce(@KubeConfigPath Path kubeconfig,
        @TestNamespace String ns, KubernetesClient admin) throws Exception {
      try (KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig, null)) {
        RegistryAuth auth = auth("127.0.0.1:5000", "unused.example.com");

        List<String> held = PullSecrets.apply(kube, ns, Set.of("127.0.0.1:5000", "ghcr.io"), auth);
        PullSecrets.apply(kube, ns, Set.of("127.0.0.1:5000", "ghcr.io"), auth);

        assertThat(held).containsExactly("127.0.0.1:5000");
        var secret = admin.secrets().inNamespace(ns).withName(PullSecrets.NAME).get();
        assertThat(secret.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
        JsonNode config = new ObjectMapper().readTree(Base64.getDecoder().decode(
            secret.getData().get(".dockerconfigjson")));
        assertThat(config.path("auths").fieldNames()).toIterable().containsExactly("127.0.0.1:5000");
        assertThat(config.path("auths").path("127.0.0.1:5000").path("auth").asText()).isEqualTo(Base64.getEncoder()
            .encodeToString(("ci:" + CANARY + "127.0.0.1:5000").getBytes(StandardCharsets.UTF_8)));
        assertThat(admin.serviceAccounts().inNamespace(ns).withName("default").get().getImagePullSecrets())
            .extracting(LocalObjectReference::getName).containsExactly(PullSecrets.NAME);
      }
    }

    @Test
    void withoutACredentialForAnyOfItsHostsNothingIsWritten(@KubeConfigPath Path kubeconfig,
        @TestNamespace String ns, KubernetesClient admin) {
      try (KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig, null)) {
        assertThat(PullSecrets.apply(kube, ns, Set.of("ghcr.io"), auth("127.0.0.1:5000"))).isEmpty();

        assertThat(admin.secrets().inNamespace(ns).withName(PullSecrets.NAME).get()).isNull();
      }
    }
  }
}
