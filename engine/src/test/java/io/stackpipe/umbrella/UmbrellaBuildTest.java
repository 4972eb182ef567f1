package io.stackpipe.umbrella;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.StackpipeException;
import io.stackpipe.chart.ChartArchive;
import io.stackpipe.chart.ChartPublish;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.registry.OciRegistry;
import io.stackpipe.testsupport.kube.ExampleImages;
import io.stackpipe.testsupport.registry.RegistryExtension;
import io.stackpipe.yaml.SafeYaml;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Umbrella charts assembled from, pushed to and pulled from a real registry. */
@ExtendWith(RegistryExtension.class)
class UmbrellaBuildTest {

  private static final List<ServiceVersion> THREE =
      ServiceVersion.parseList("orders=1.0.0, billing=1.0.0, gateway=1.0.0", "manifest");

  @TempDir
  Path work;
  String charts;
  OciRegistry oci;

  @BeforeEach
  void publishTheExamples(LocalRegistry registry) {
    charts = registry.ociUrl("umbrella-" + UUID.randomUUID().toString().substring(0, 8));
    ChartPublish.of(ExampleImages.examples()).withVersion("1.0.0").withImages(service -> null).pushTo(charts)
        .withOutputDirectory(work.resolve("published")).call();
    oci = new OciRegistry(registry.host(), true);
  }

  private String repository(String chart) {
    return charts.substring(charts.indexOf('/', "oci://".length()) + 1) + "/" + chart;
  }

  @Nested
  class Assembling {

    @Test
    @SuppressWarnings("unchecked")
    void pinsEachVersionWithItsRepositoryAndVendorsTheChartsAsTheRegistryHoldsThem() throws Exception {
      Umbrella umbrella = UmbrellaBuild.of(THREE).from(charts).withVersion("2.0.0")
          .withOutputDirectory(work.resolve("out")).call();

      assertThat(umbrella.name()).isEqualTo("platform");
      assertThat(umbrella.reference()).isNull();
      assertThat(umbrella.archive()).hasFileName("platform-2.0.0.tgz");
      assertThat(umbrella.services()).extracting(Umbrella.Service::name)
          .containsExactly("billing", "gateway", "orders");
      Map<String, byte[]> files = ChartArchive.files(umbrella.archive());
      assertThat(files.keySet()).containsExactly("platform/Chart.yaml", "platform/charts/billing-1.0.0.tgz",
          "platform/charts/gateway-1.0.0.tgz", "platform/charts/orders-1.0.0.tgz", "platform/values.yaml");
      Map<?, ?> chart = (Map<?, ?>) SafeYaml.load(new String(files.get("platform/Chart.yaml"),
          StandardCharsets.UTF_8), "Chart.yaml");
      assertThat(chart.get("version")).isEqualTo("2.0.0");
      assertThat((List<Object>) chart.get("dependencies")).containsExactly(
          Map.of("name", "billing", "version", "1.0.0", "repository", charts),
          Map.of("name", "gateway", "version", "1.0.0", "repository", charts),
          Map.of("name", "orders", "version", "1.0.0", "repository", charts));
      for (Umbrella.Service service : umbrella.services()) {
        byte[] vendored = files.get(service.entry());
        String layer = oci.manifest(repository(service.name()), "1.0.0").orElseThrow().path("layers").get(0)
            .path("digest").asText();
        assertThat(service.digest()).isEqualTo(layer).isEqualTo(io.stackpipe.registry.OciDigest.of(vendored));
      }
      assertThat(new String(files.get("platform/values.yaml"), StandardCharsets.UTF_8))
          .contains("orders:\n  fullnameOverride: orders\n");
    }

    @Test
    void theSameChartsMakeTheSameBytesAndTheSameDefaultVersionWhateverTheOrder() throws Exception {
      Umbrella first = UmbrellaBuild.of(THREE).from(charts).withOutputDirectory(work.resolve("a")).call();
      Umbrella second = UmbrellaBuild.of(List.of(THREE.get(2), THREE.get(0), THREE.get(1))).from(charts).withOutputDirectory(work.resolve("b")).call();

      assertThat(first.version()).matches("0\\.0\\.0-sha-[0-9a-f]{12}").isEqualTo(second.version());
      assertThat(Files.readAllBytes(second.archive())).isEqualTo(Files.readAllBytes(first.archive()));
      assertThat(second.digest()).isEqualTo(first.digest());
    }

    @Test
    void aTagThatIsNotAVersionIsResolvedToTheChartsOwnVersionBeforeHelmSeesIt() {
      oci.retag(repository("orders"), "1.0.0", "l3");
      List<String> progress = new ArrayList<>();

      Umbrella umbrella = UmbrellaBuild.of(ServiceVersion.parseList("orders=l3,billing=1.0.0", "manifest"))
          .from(charts).withOutputDirectory(work.resolve("out")).withProgress(progress::add).call();

      assertThat(umbrella.services()).extracting(s -> s.name() + " " + s.version())
          .containsExactly("billing 1.0.0", "orders 1.0.0");
      String manifest = oci.manifestDigest(repository("orders"), "1.0.0").orElseThrow();
      assertThat(progress).contains("orders=l3 is orders 1.0.0 (" + manifest + ")");
    }
  }

  @Nested
  class PushingAndPulling {

    @Test
    void pushesAnImmutableVersionThatPullsBackByVersionTagAndDigest() {
      Umbrella pushed = UmbrellaBuild.of(THREE).from(charts).withVersion("3.0.0").push()
          .withOutputDirectory(work.resolve("out")).call();
      Umbrella again = UmbrellaBuild.of(THREE).from(charts).withVersion("3.0.0").push()
          .withOutputDirectory(work.resolve("again")).call();
      oci.retag(repository("platform"), "3.0.0", "l3");

      assertThat(again.reference()).isEqualTo(pushed.reference()).startsWith(charts + "/platform@sha256:");
      for (String manifest : List.of("3.0.0", "l3", pushed.reference().substring(pushed.reference().indexOf('@') + 1))) {
        Umbrella pulled = UmbrellaResolve.of(manifest).from(charts).withOutputDirectory(work.resolve("pulled"))
            .call();
        assertThat(pulled.reference()).as(manifest).isEqualTo(pushed.reference());
        assertThat(pulled.version()).isEqualTo("3.0.0");
        assertThat(pulled.digest()).isEqualTo(pushed.digest());
        assertThat(pulled.services()).isEqualTo(pushed.services());
      }
      Umbrella byReference = UmbrellaResolve.of(charts + "/platform:3.0.0").withOutputDirectory(work.resolve("ref"))
          .call();
      assertThat(byReference.services()).isEqualTo(pushed.services());
    }

    @Test
    void otherContentUnderAPublishedVersionIsRefused() {
      UmbrellaBuild.of(THREE).from(charts).withVersion("4.0.0").push().withOutputDirectory(work.resolve("a")).call();

      assertThatThrownBy(() -> UmbrellaBuild.of(THREE.subList(0, 2)).from(charts).withVersion("4.0.0").push()
          .withOutputDirectory(work.resolve("b")).call())
          .isInstanceOf(StackpipeException.class)
          .hasMessageStartingWith("platform 4.0.0 is already published at " + charts + " with digest sha256:")
          .hasMessageContaining("versions are immutable");
    }
  }

  @Nested
  class BadInput {

    @Test
    void anUnknownVersionNamesTheVersionsThereAre() {
      assertThatThrownBy(() -> UmbrellaBuild.of(ServiceVersion.parseList("orders=9.9.9", "manifest")).from(charts)
          .withOutputDirectory(work.resolve("out")).call())
          .isInstanceOf(StackpipeException.class)
          .hasMessage("orders 9.9.9 is not in " + charts + " (it has 1.0.0)");
      assertThatThrownBy(() -> UmbrellaResolve.of("7.0.0").from(charts).withOutputDirectory(work.resolve("out"))
          .call())
          .hasMessage("no chart platform in " + charts);
      assertThat(work.resolve("out")).doesNotExist();
    }

    @Test
    void aRegistryThatIsDownIsOneLine() {
      String down = "oci://127.0.0.1:" + io.stackpipe.base.Ports.free() + "/charts";

      assertThatThrownBy(() -> UmbrellaBuild.of(THREE).from(down).withOutputDirectory(work.resolve("out")).call())
          .isInstanceOf(StackpipeException.class)
          .hasMessageStartingWith("registry 127.0.0.1:")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void malformedListsAreRefusedNamingTheItem() {
      assertThatThrownBy(() -> ServiceVersion.parseList("orders=1.0.0,orders=1.1.0", "manifest"))
          .hasMessage("service orders is named twice");
      assertThatThrownBy(() -> ServiceVersion.parseList("orders", "manifest"))
          .hasMessage("'orders' is not name=version");
      assertThatThrownBy(() -> ServiceVersion.parseList("Orders=1.0.0", "manifest"))
          .hasMessage("'Orders' is not a chart name (a DNS-1123 label)");
      assertThatThrownBy(() -> UmbrellaBuild.of(ServiceVersion.parseList("platform=1.0.0", "manifest")).from(charts)
          .withOutputDirectory(work.resolve("out")).call())
          .hasMessage("service platform has the umbrella's own name");
    }
  }
}
