package io.stackpipe.chart;

import static io.stackpipe.chart.Fixtures.exampleService;
import static io.stackpipe.chart.Fixtures.treeDigest;
import static io.stackpipe.chart.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.StackpipeException;
import io.stackpipe.chart.ChartBuildResult.Publication;
import io.stackpipe.profile.SecretsStandIn;
import io.stackpipe.registry.OciRegistry;
import io.stackpipe.secrets.SopsFixtures;
import io.stackpipe.secrets.keys.Age;
import io.stackpipe.testsupport.SopsCli;
import io.stackpipe.testsupport.registry.LocalRegistry;
import io.stackpipe.testsupport.registry.RegistryExtension;
import io.stackpipe.testsupport.registry.TestImages;
import io.stackpipe.yaml.SafeYaml;
import java.io.IOException;
import java.net.ServerSocket;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ExtendWith(RegistryExtension.class)
class ChartBuildTest {

  @TempDir
  Path work;
  Path orders;
  Path out;

  @BeforeEach
  void copyExample() {
    orders = exampleService("orders", work);
    out = work.resolve("out");
  }

  private static String entry(Path archive, String path) {
    return new String(ChartArchive.entry(archive, path).orElseThrow(() -> new AssertionError(path + " missing")),
        StandardCharsets.UTF_8);
  }

  @Nested
  class PackagingAValidChart {

    @Test
    void packagesTheChartWithEveryProfileAndStampsTheVersion() {
      ChartBuildResult result = ChartBuild.of(orders).withVersion("1.4.0").withAppVersion("2.0.1")
          .withOutputDirectory(out).call();

      assertThat(result.artifact()).isEqualTo(out.resolve("orders-1.4.0.tgz").toAbsolutePath());
      assertThat(ChartArchive.listing(result.artifact())).contains(
          "orders/Chart.yaml", "orders/values.yaml", "orders/templates/deployment.yaml",
          "orders/profiles/ephemeral/values.yaml", "orders/profiles/qa1/values.yaml",
          "orders/profiles/production/values.yaml", "orders/profiles/qa1/secrets.yaml",
          "orders/profiles/qa1/.sops.yaml", "orders/profiles/production/.sops.yaml")
          .noneMatch(p -> p.startsWith("orders/app/") || p.endsWith("Dockerfile"));
      assertThat(entry(result.artifact(), "orders/profiles/qa1/secrets.yaml"))
          .contains("databasePassword: ENC[AES256_GCM").doesNotContain("orders-db-qa1");
      Map<?, ?> chart = (Map<?, ?>) SafeYaml.load(entry(result.artifact(), "orders/Chart.yaml"), "Chart.yaml");
      assertThat(chart.get("version")).isEqualTo("1.4.0");
      assertThat(chart.get("appVersion")).isEqualTo("2.0.1");
      assertThat(result.profiles()).containsExactly("ephemeral", "production", "qa1");
      assertThat(result.publication()).isEqualTo(Publication.NOT_PUSHED);
    }

    @Test
    void rendersTheDefaultsAndEveryProfile() {
      ChartBuildResult result = ChartBuild.of(orders).withOutputDirectory(out).call();

      assertThat(result.rendered()).extracting(RenderedProfile::profile)
          .containsExactly("(defaults)", "ephemeral", "production", "qa1");
      RenderedProfile ephemeral = result.rendered().get(1);
      assertThat(ephemeral.objects()).contains("Deployment/orders", "Secret/orders", "ConfigMap/orders")
          .doesNotContain("Ingress/orders");
      assertThat(result.rendered().get(3).objects()).contains("Ingress/orders");
    }

    @Test
    void theSameSourceAlwaysMakesTheSameArchive() {
      String first = ChartBuild.of(orders).withOutputDirectory(work.resolve("a")).call().chartDigest();
      String second = ChartBuild.of(orders).withOutputDirectory(work.resolve("b")).call().chartDigest();

      assertThat(first).startsWith("sha256:").isEqualTo(second);
    }

    @Test
    void helmignorePatternsNeverDropProfiles() {
      write(orders.resolve(".helmignore"), "profiles/\n*.yaml~\nvalues.yaml.bak\n");
      List<String> progress = new ArrayList<>();

      ChartBuildResult result = ChartBuild.of(orders).withOutputDirectory(out).withProgress(progress::add).call();

      assertThat(ChartArchive.listing(result.artifact())).contains("orders/profiles/qa1/values.yaml");
      assertThat(progress).contains(".helmignore would drop 8 profile file(s): packaged anyway");
    }

    @Test
    void buildsNeverModifyTheSourceChart() {
      String before = treeDigest(orders);

      ChartBuild.of(orders).withVersion("9.9.9").withOutputDirectory(out).call();

      assertThat(treeDigest(orders)).isEqualTo(before);
    }

    @Test
    void templatesReadingSecretsRenderFromTheSopsFileKeysWithoutAnyKey() {
      // A file written by the real sops for a key the build never sees: keys in clear, values not decryptable here.
      Path secrets = orders.resolve("profiles/qa1/secrets.yaml");
      Path written = SopsFixtures.sopsEncrypted(new SopsCli(work, Map.of()), work.resolve("sops"), "secrets.yaml",
          "global_secret: x\nservice:\n    port: 8080\n",
          "    age: " + Age.Identity.generate().recipient() + "\n");
      copy(written, secrets);
      Map<String, Object> standIn = SecretsStandIn.of(secrets);
      assertThat(standIn).doesNotContainKey("sops")
          .containsEntry("global_secret", SecretsStandIn.PLACEHOLDER)
          .containsEntry("service", Map.of("port", 1));
      write(orders.resolve("templates/secret-check.yaml"), """
          apiVersion: v1
          kind: ConfigMap
          metadata:
            name: secret-keys
          data:
            keys: {{ keys .Values | sortAlpha | join "," | quote }}
          """);

      ChartBuildResult result = ChartBuild.of(orders).withOutputDirectory(out).call();

      assertThat(result.rendered().get(3).objects()).contains("ConfigMap/secret-keys");
      assertThat(ChartArchive.listing(result.artifact())).contains("orders/profiles/qa1/secrets.yaml");
    }
  }

  @Nested
  class PublishingToARegistry {

    String target;

    @BeforeEach
    void privateRepository(LocalRegistry registry) {
      target = registry.ociUrl("t" + UUID.randomUUID().toString().substring(0, 8));
    }

    @Test
    void pushesOnceAndASecondIdenticalBuildIsANoOp(LocalRegistry registry) {
      ChartBuildResult first = ChartBuild.of(orders).withVersion("1.0.0").pushTo(target)
          .withOutputDirectory(out).call();
      ChartBuildResult again = ChartBuild.of(orders).withVersion("1.0.0").pushTo(target)
          .withOutputDirectory(work.resolve("again")).call();

      assertThat(first.publication()).isEqualTo(Publication.PUSHED);
      assertThat(first.published()).isEqualTo(target + "/orders:1.0.0");
      assertThat(again.publication()).isEqualTo(Publication.ALREADY_PUBLISHED);
      var repository = OciChartTarget.parse(target).repository("orders");
      var manifest = new OciRegistry(registry.host(), true).manifest(repository, "1.0.0").orElseThrow();
      assertThat(manifest.path("layers").get(0).path("digest").asText()).isEqualTo(first.chartDigest());
    }

    @Test
    void refusesToOverwriteAPublishedVersionWithOtherContent(LocalRegistry registry) {
      ChartBuildResult first = ChartBuild.of(orders).withVersion("1.0.0").pushTo(target)
          .withOutputDirectory(out).call();
      write(orders.resolve("profiles/qa1/values.yaml"), "replicaCount: 5\n");

      assertThatThrownBy(() -> ChartBuild.of(orders).withVersion("1.0.0").pushTo(target)
          .withOutputDirectory(work.resolve("other")).call())
          .isInstanceOf(StackpipeException.class)
          .hasMessageStartingWith("orders 1.0.0 is already published with digest " + first.chartDigest());
      assertThat(work.resolve("other")).doesNotExist();
      var repository = OciChartTarget.parse(target).repository("orders");
      assertThat(new OciRegistry(registry.host(), true).manifest(repository, "1.0.0").orElseThrow()
          .path("layers").get(0).path("digest").asText()).isEqualTo(first.chartDigest());
    }

    @Test
    void pinsTheImageDigestIntoTheChartValues(LocalRegistry registry) {
      String digest = TestImages.push(registry.host(), "services/orders", "1.4.0", "orders " + UUID.randomUUID());

      ChartBuildResult result = ChartBuild.of(orders).withVersion("1.4.0")
          .withImage(registry.host() + "/services/orders:1.4.0").pushTo(target).withOutputDirectory(out).call();

      assertThat(result.image()).isEqualTo(registry.host() + "/services/orders@" + digest);
      Map<?, ?> values = (Map<?, ?>) SafeYaml.load(entry(result.artifact(), "orders/values.yaml"), "values.yaml");
      @SuppressWarnings("unchecked")
      Map<String, Object> image = (Map<String, Object>) values.get("image");
      assertThat(image).containsEntry("repository", registry.host() + "/services/orders")
          .containsEntry("digest", digest).containsEntry("tag", "1.4.0");
      assertThat(result.rendered()).allSatisfy(r -> assertThat(r.objects()).contains("Deployment/orders"));
    }
  }

  @Nested
  class RefusingBadInput {

    String before;

    @BeforeEach
    void snapshot() {
      before = treeDigest(orders);
    }

    private void assertRefused(ChartBuild build, String message) {
      List<String> leftoversBefore = buildLeftovers();
      assertThatThrownBy(build::call).isInstanceOf(StackpipeException.class).hasMessageContaining(message)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
      assertThat(out).doesNotExist();
      assertThat(buildLeftovers()).as("build folders and secrets stand-ins left in the temp dir")
          .isEqualTo(leftoversBefore);
    }

    private void assertRefusedUnchanged(ChartBuild build, String message) {
      before = treeDigest(orders);
      assertRefused(build, message);
      assertThat(treeDigest(orders)).isEqualTo(before);
    }

    @Test
    void aMissingChartYaml() throws IOException {
      Files.delete(orders.resolve("Chart.yaml"));
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out), "Chart.yaml: missing in");
    }

    @Test
    void aChartYamlOfHelm2() {
      write(orders.resolve("Chart.yaml"), "apiVersion: v1\nname: orders\nversion: 1.0.0\n");
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out), "Chart.yaml: field apiVersion must be v2");
    }

    @Test
    void aChartNameThatIsNotDns1123() {
      write(orders.resolve("Chart.yaml"), "apiVersion: v2\nname: Orders_Service\nversion: 1.0.0\n");
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "Chart.yaml: field name 'Orders_Service' is not a DNS-1123 label");
    }

    @Test
    void aChartVersionThatIsNotSemVer() {
      write(orders.resolve("Chart.yaml"), "apiVersion: v2\nname: orders\nversion: 1.0\n");
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "Chart.yaml: field version '1.0' is not SemVer 2");
    }

    @Test
    void aRequestedVersionThatIsNotSemVer() {
      assertRefusedUnchanged(ChartBuild.of(orders).withVersion("v1.2").withOutputDirectory(out),
          "--version 'v1.2' is not SemVer 2");
    }

    @Test
    void aYamlBombInValues() {
      StringBuilder bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
      for (char c = 'b'; c <= 'j'; c++) {
        String prev = String.valueOf((char) (c - 1));
        bomb.append(c).append(": &").append(c).append(" [*").append(prev).append(",*").append(prev).append(",*")
            .append(prev).append(",*").append(prev).append(",*").append(prev).append(",*").append(prev).append(",*")
            .append(prev).append(",*").append(prev).append(",*").append(prev).append("]\n");
      }
      write(orders.resolve("profiles/qa1/values.yaml"), bomb.toString());
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "profiles/qa1/values.yaml: more than 50 aliases to collections: refused, alias expansion could exhaust memory");
    }

    @Test
    void anOversizeValuesFile() {
      write(orders.resolve("values.yaml"), "padding: \"" + "x".repeat((int) SafeYaml.MAX_FILE_BYTES) + "\"\n");
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "values.yaml: file is " + (SafeYaml.MAX_FILE_BYTES + 12) + " bytes, over the limit");
    }

    @Test
    void aProfileFolderWithAnInvalidName() throws IOException {
      Files.createDirectories(orders.resolve("profiles/QA_2"));
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "profiles/QA_2: profile name 'QA_2' is invalid");
    }

    @Test
    void aProfileFolderThatIsASymbolicLinkOutOfTheChart() throws IOException {
      Files.createSymbolicLink(orders.resolve("profiles/qa2"), work);
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "profiles/qa2: only profile folders belong in profiles/");
    }

    @Test
    void aTemplateErrorInOneProfileOnly() {
      write(orders.resolve("templates/limits.yaml"), """
          {{- if .Values.limits }}
          apiVersion: v1
          kind: ConfigMap
          metadata:
            name: limits
          data:
            max: {{ required "limits.max is required when limits is set" .Values.limits.max | quote }}
          {{- end }}
          """);
      write(orders.resolve("profiles/production/values.yaml"), "limits:\n  min: 1\n");
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "profile production: orders/templates/limits.yaml line 7: limits.max is required when limits is set");
    }

    @Test
    void aRenderedObjectWithoutAName() {
      write(orders.resolve("templates/broken.yaml"), """
          {{- if eq .Values.config.LOG_LEVEL "warn" }}
          apiVersion: v1
          kind: ConfigMap
          metadata:
            labels:
              app: orders
          {{- end }}
          """);
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "profile production: orders/templates/broken.yaml: rendered ConfigMap has no metadata.name");
    }

    @Test
    void aPlaintextSecretsFile() {
      write(orders.resolve("profiles/qa1/secrets.yaml"), "secrets:\n  databasePassword: hunter2\n");
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "profiles/qa1/secrets.yaml: not SOPS-encrypted (no sops metadata) in profile qa1");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        a malformed encrypted value | (apiToken: ENC\\[AES256_GCM,data:)[^,]+ | $1not*base64 | value at secrets.apiToken has invalid base64 in its data field
        metadata without its MAC    | (?m)^    mac: .*\\n                     | ''           | sops.mac is missing
        """)
    void aBrokenSecretsFileNamingTheFileAndKey(String name, String regex, String replacement, String problem) throws IOException {
      Path secrets = orders.resolve("profiles/qa1/secrets.yaml");
      Files.writeString(secrets, Files.readString(secrets).replaceFirst(regex, replacement));
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out), "profiles/qa1/secrets.yaml: " + problem);
    }

    @Test
    void aDecryptedLeftover() {
      write(orders.resolve("profiles/qa1/secrets.dec.yaml"), "secrets:\n  databasePassword: hunter2\n");
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "profiles/qa1/secrets.dec.yaml: decrypted leftover in profile qa1");
    }

    @Test
    void anUnknownFileInAProfile() {
      write(orders.resolve("profiles/qa1/notes.txt"), "remember the milk\n");
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "profiles/qa1/notes.txt: unknown file in profile qa1");
    }

    @Test
    void aProfileThatWouldReplaceThePinnedImage(LocalRegistry registry) {
      write(orders.resolve("profiles/qa1/values.yaml"), "image:\n  tag: latest\n");
      assertRefusedUnchanged(ChartBuild.of(orders).withImage(registry.host() + "/services/orders:1.0.0")
          .withOutputDirectory(out), "profiles/qa1/values.yaml: field image.tag in profile qa1 would replace the pinned image");
    }

    @Test
    void anImageThatIsNotInTheRegistry(LocalRegistry registry) {
      assertRefusedUnchanged(ChartBuild.of(orders).withImage(registry.host() + "/services/missing:1.0.0")
          .withOutputDirectory(out), "image " + registry.host() + "/services/missing:1.0.0 not found in registry");
    }

    @Test
    void aRegistryThatIsDown() throws IOException {
      int port = unusedPort();
      assertRefusedUnchanged(ChartBuild.of(orders).withImage("127.0.0.1:" + port + "/services/orders:1.0.0")
          .withOutputDirectory(out), "registry 127.0.0.1:" + port + " is not reachable (connection refused)");
    }

    @Test
    void aPushTargetRegistryThatIsDown() throws IOException {
      int port = unusedPort();
      assertRefusedUnchanged(ChartBuild.of(orders).pushTo("oci://127.0.0.1:" + port + "/charts")
          .withOutputDirectory(out), "registry 127.0.0.1:" + port + " is not reachable (connection refused)");
    }

    @Test
    void aPushTargetThatIsNotOci() {
      assertRefusedUnchanged(ChartBuild.of(orders).pushTo("https://registry.example.com/charts")
          .withOutputDirectory(out), "push target 'https://registry.example.com/charts' must start with oci://");
    }
  }

  /** What Stackpipe left in java.io.tmpdir (build folders with their secrets stand-ins, among others). */
  private static List<String> buildLeftovers() {
    try (var entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return entries.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("stackpipe-")).sorted().toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A loopback port nothing listens on: a registry that is down. */
  private static int unusedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void copy(Path from, Path to) {
    try {
      Files.createDirectories(to.getParent());
      Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
