package io.stackpipe.chart;

import static io.stackpipe.chart.Fixtures.exampleService;
import static io.stackpipe.chart.Fixtures.treeDigest;
import static io.stackpipe.chart.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.StackpipeException;
import io.stackpipe.base.Ports;
import io.stackpipe.chart.ChartBuildResult.Publication;
import io.stackpipe.profile.SecretsStandIn;
import io.stackpipe.registry.OciRegistry;
import io.stackpipe.local.SopsCli;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.secrets.SopsFixtures;
import io.stackpipe.secrets.format.SopsFile;
import io.stackpipe.secrets.keys.Age;
import io.stackpipe.testsupport.TestFiles;
import io.stackpipe.testsupport.registry.RegistryExtension;
import io.stackpipe.local.registry.LocalImages;
import io.stackpipe.yaml.SafeYaml;
import java.io.IOException;
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
import org.junit.jupiter.params.provider.EnumSource;

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
    void itsMapViewHoldsThePairUnderStableNames() {
      ChartBuildResult result = ChartBuild.of(orders).withVersion("1.4.0").withOutputDirectory(out).call();

      assertThat(result.toMap()).containsOnlyKeys("name", "version", "appVersion", "chartDigest", "image",
          "profiles", "artifact", "published", "publication");
      assertThat(List.copyOf(result.toMap().keySet())).startsWith("name", "version", "appVersion", "chartDigest");
      assertThat(result.toMap()).containsEntry("name", "orders").containsEntry("version", "1.4.0")
          .containsEntry("chartDigest", result.chartDigest()).containsEntry("image", null)
          .containsEntry("profiles", List.of("ephemeral", "production", "qa1"))
          .containsEntry("artifact", result.artifact().toString()).containsEntry("published", null)
          .containsEntry("publication", "NOT_PUSHED");
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
      Map<String, Object> standIn = SecretsStandIn.of(SopsFile.parse(secrets));
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
  class BuildingChartsWithoutTemplates {

    @Test
    void aChartWithOnlyChartYamlAndValuesBuildsAndRendersNothing() throws IOException {
      Path bare = work.resolve("bare");
      write(bare.resolve("Chart.yaml"), "apiVersion: v2\nname: bare\nversion: 1.0.0\n");
      write(bare.resolve("values.yaml"), "replicaCount: 1\n");

      ChartBuildResult result = ChartBuild.of(bare).withOutputDirectory(out).call();

      assertThat(result.rendered()).singleElement().satisfies(r -> assertThat(r.objects()).isEmpty());
      assertThat(ChartArchive.listing(result.artifact())).containsExactly("bare/Chart.yaml", "bare/values.yaml");
    }

    @Test
    void anUmbrellaChartRendersItsVendoredSubchartsWithEachProfile() throws IOException {
      Path umbrella = work.resolve("shop");
      write(umbrella.resolve("Chart.yaml"), """
          apiVersion: v2
          name: shop
          version: 1.0.0
          dependencies:
            - name: orders
              version: 0.1.0
          """);
      TestFiles.copyTree(orders.resolve("templates"), umbrella.resolve("charts/orders/templates"));
      copy(orders.resolve("Chart.yaml"), umbrella.resolve("charts/orders/Chart.yaml"));
      copy(orders.resolve("values.yaml"), umbrella.resolve("charts/orders/values.yaml"));
      write(umbrella.resolve("profiles/qa1/values.yaml"), "orders:\n  replicaCount: 2\n");

      ChartBuildResult result = ChartBuild.of(umbrella).withOutputDirectory(out).call();

      assertThat(result.rendered()).extracting(RenderedProfile::profile).containsExactly("(defaults)", "qa1");
      assertThat(result.rendered()).allSatisfy(r -> assertThat(r.objects()).contains("Deployment/shop"));
      assertThat(ChartArchive.listing(result.artifact()))
          .contains("shop/charts/orders/templates/deployment.yaml", "shop/profiles/qa1/values.yaml")
          .noneMatch(p -> p.startsWith("shop/templates/"));
    }

    @Test
    void aLibraryChartIsLintedAndPackagedButNotRendered() {
      Path library = work.resolve("common");
      write(library.resolve("Chart.yaml"), "apiVersion: v2\nname: common\nversion: 2.0.0\ntype: library\n");
      write(library.resolve("templates/_labels.tpl"), "{{- define \"common.labels\" -}}\napp: {{ .Chart.Name }}\n{{- end }}\n");
      List<String> progress = new ArrayList<>();

      ChartBuildResult result = ChartBuild.of(library).withOutputDirectory(out).withProgress(progress::add).call();

      assertThat(result.rendered()).isEmpty();
      assertThat(progress).contains("library chart: linted and packaged, not rendered");
      assertThat(ChartArchive.listing(result.artifact())).contains("common/templates/_labels.tpl");
    }
  }

  @Nested
  class FollowingLinksInsideTheChart {

    @Test
    void aLinkThatStaysInsideTheChartIsPackagedWithItsTargetsContent() throws IOException {
      write(orders.resolve("config/app.conf"), "mode=orders\n");
      Files.createDirectories(orders.resolve("files"));
      Files.createSymbolicLink(orders.resolve("files/app.conf"), Path.of("../config/app.conf"));
      write(orders.resolve("templates/app-conf.yaml"), """
          apiVersion: v1
          kind: ConfigMap
          metadata:
            name: app-conf
          data:
            app.conf: {{ .Files.Get "files/app.conf" | quote }}
          """);

      ChartBuildResult result = ChartBuild.of(orders).withOutputDirectory(out).call();

      assertThat(entry(result.artifact(), "orders/files/app.conf")).isEqualTo("mode=orders\n");
      assertThat(result.rendered().get(0).objects()).contains("ConfigMap/app-conf");
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
      String digest = LocalImages.push(registry.host(), "services/orders", "1.4.0", "orders " + UUID.randomUUID());

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
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n")
              .doesNotContainPattern("[A-Z]\\w*(Exception|Error)\\b").doesNotContain("java."));
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
    void aRequestedVersionThatIsNotSemVerIsARefusalOfTheVersionField() {
      assertRefusedUnchanged(ChartBuild.of(orders).withVersion("v1.2").withOutputDirectory(out),
          "'v1.2' is not SemVer 2");
      assertThatThrownBy(() -> ChartBuild.of(orders).withVersion("v1.2").withOutputDirectory(out).call())
          .isInstanceOfSatisfying(StackpipeException.class, e -> assertThat(e.field()).contains("version"));
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

    @ParameterizedTest(name = "{0}")
    @EnumSource(LinkOutOfTheChart.class)
    void aSymbolicLinkThatResolvesOutsideTheChart(LinkOutOfTheChart link) throws IOException {
      Path outside = work.resolve("agent-home");
      write(outside.resolve("kubeconfig"), "token: " + CANARY + "\n");
      Path planted = link.plant(orders, outside.resolve("kubeconfig"));
      String display = orders.relativize(planted).toString();

      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out).pushTo("oci://127.0.0.1:1/charts"),
          display + ": symbolic link to " + Files.readSymbolicLink(planted) + " resolves outside the chart ("
              + planted.toRealPath() + "): refused");
    }

    @Test
    void aSymbolicLinkThatPointsToNothing() throws IOException {
      Files.createSymbolicLink(orders.resolve("templates/gone.yaml"), Path.of("missing.yaml"));
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "templates/gone.yaml: symbolic link to missing.yaml points to nothing");
    }

    @Test
    void aProfileFileThatIsALinkInsideTheChart() throws IOException {
      Files.delete(orders.resolve("profiles/qa1/values.yaml"));
      Files.createSymbolicLink(orders.resolve("profiles/qa1/values.yaml"), Path.of("../production/values.yaml"));
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "profiles/qa1/values.yaml: must be a regular file (symbolic links are refused)");
    }

    @Test
    void anEmptyChartYaml() {
      write(orders.resolve("Chart.yaml"), "");
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out), "Chart.yaml: must be a YAML mapping");
    }

    @Test
    void aChartYamlThatIsAList() {
      write(orders.resolve("Chart.yaml"), "- apiVersion: v2\n- name: orders\n");
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out), "Chart.yaml: must be a YAML mapping");
    }

    @Test
    void aChartYamlThatIsAFolder() throws IOException {
      Files.delete(orders.resolve("Chart.yaml"));
      Files.createDirectories(orders.resolve("Chart.yaml"));
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out), "Chart.yaml: must be a file");
    }

    @Test
    void aChartNameThatIsAList() {
      write(orders.resolve("Chart.yaml"), "apiVersion: v2\nname: [orders]\nversion: 1.0.0\n");
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "Chart.yaml: field name must be a single value, found a list");
    }

    @Test
    void anAppVersionThatIsAMapping() {
      write(orders.resolve("Chart.yaml"), "apiVersion: v2\nname: orders\nversion: 1.0.0\nappVersion: {a: 1}\n");
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "Chart.yaml: field appVersion must be a single value, found a mapping");
    }

    @Test
    void aChartTypeHelmDoesNotKnow() {
      write(orders.resolve("Chart.yaml"), "apiVersion: v2\nname: orders\nversion: 1.0.0\ntype: umbrella\n");
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "Chart.yaml: field type must be application or library, found umbrella");
    }

    @Test
    void aChartYamlThatIsNotUtf8() throws IOException {
      Files.write(orders.resolve("Chart.yaml"), "apiVersion: v2\nname: orders\ndescription: caf\u00e9\nversion: 1.0.0\n"
          .getBytes(StandardCharsets.ISO_8859_1));
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out), "Chart.yaml: not valid UTF-8");
    }

    @Test
    void valuesThatAreAScalar() {
      write(orders.resolve("values.yaml"), "just a string\n");
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out), "values.yaml: must be a YAML mapping of values");
    }

    @Test
    void profileValuesThatAreAList() {
      write(orders.resolve("profiles/qa1/values.yaml"), "- replicaCount: 2\n");
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "profiles/qa1/values.yaml: must be a YAML mapping of values");
    }

    @Test
    void profileValuesThatAreNotUtf8() throws IOException {
      Files.write(orders.resolve("profiles/qa1/values.yaml"), new byte[] {'a', ':', ' ', (byte) 0xff, '\n'});
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out), "profiles/qa1/values.yaml: not valid UTF-8");
    }

    @Test
    void aSopsConfigThatIsAList() {
      write(orders.resolve("profiles/qa1/.sops.yaml"), "- creation_rules\n");
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "profiles/qa1/.sops.yaml: must be a YAML mapping (sops creation_rules)");
    }

    @Test
    void aSecretsFileThatIsNotYaml() {
      write(orders.resolve("profiles/qa1/secrets.yaml"), "sops: [unclosed\n");
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "profiles/qa1/secrets.yaml: not a valid SOPS file in profile qa1");
    }

    @Test
    void aProfileFileThatIsAFolder() throws IOException {
      Files.createDirectories(orders.resolve("profiles/qa1/secrets.yaml.d"));
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "profiles/qa1/secrets.yaml.d: must be a regular file");
    }

    @Test
    void profilesInALibraryChart() {
      write(orders.resolve("Chart.yaml"), "apiVersion: v2\nname: orders\nversion: 1.0.0\ntype: library\n");
      assertRefusedUnchanged(ChartBuild.of(orders).withOutputDirectory(out),
          "profiles: a library chart (Chart.yaml type: library) is never installed, so it has no profiles");
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
      int port = Ports.free();
      assertRefusedUnchanged(ChartBuild.of(orders).withImage("127.0.0.1:" + port + "/services/orders:1.0.0")
          .withOutputDirectory(out), "registry 127.0.0.1:" + port + " is not reachable (connection refused)");
    }

    @Test
    void aPushTargetRegistryThatIsDown() throws IOException {
      int port = Ports.free();
      assertRefusedUnchanged(ChartBuild.of(orders).pushTo("oci://127.0.0.1:" + port + "/charts")
          .withOutputDirectory(out), "registry 127.0.0.1:" + port + " is not reachable (connection refused)");
    }

    @Test
    void aPushTargetThatIsNotOci() {
      assertRefusedUnchanged(ChartBuild.of(orders).pushTo("https://registry.example.com/charts")
          .withOutputDirectory(out), "push target 'https://registry.example.com/charts' must start with oci://");
    }
  }

  /** A value that must never reach an archive, a registry or a message. */
  static final String CANARY = "canary-" + UUID.randomUUID();

  /** Every way a chart can hold a link out of itself; each plants one and returns it. */
  enum LinkOutOfTheChart {
    TEMPLATE {
      @Override
      Path plant(Path chart, Path outsideFile) throws IOException {
        return Files.createSymbolicLink(chart.resolve("templates/leak.yaml"), outsideFile);
      }
    },
    FILE_READ_WITH_FILES_GET {
      @Override
      Path plant(Path chart, Path outsideFile) throws IOException {
        write(chart.resolve("templates/files.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: files\n"
            + "data:\n  config: {{ .Files.Get \"files/config\" | quote }}\n");
        Files.createDirectories(chart.resolve("files"));
        return Files.createSymbolicLink(chart.resolve("files/config"), outsideFile);
      }
    },
    WHOLE_LINKED_FOLDER {
      @Override
      Path plant(Path chart, Path outsideFile) throws IOException {
        return Files.createSymbolicLink(chart.resolve("templates/extra"), outsideFile.getParent());
      }
    },
    PROFILE_FILE {
      @Override
      Path plant(Path chart, Path outsideFile) throws IOException {
        Files.delete(chart.resolve("profiles/qa1/values.yaml"));
        return Files.createSymbolicLink(chart.resolve("profiles/qa1/values.yaml"), outsideFile);
      }
    },
    PROFILE_FOLDER {
      @Override
      Path plant(Path chart, Path outsideFile) throws IOException {
        return Files.createSymbolicLink(chart.resolve("profiles/qa2"), outsideFile.getParent());
      }
    },
    LINK_TO_A_LINK_THAT_LEAVES {
      @Override
      Path plant(Path chart, Path outsideFile) throws IOException {
        // The outer link comes first in path order, so it is the one refused: through the inner one.
        Files.createSymbolicLink(chart.resolve("templates/z-inner.yaml"), outsideFile);
        Files.createDirectories(chart.resolve("files"));
        return Files.createSymbolicLink(chart.resolve("files/a-outer.yaml"), Path.of("../templates/z-inner.yaml"));
      }
    },
    RELATIVE_PARENT_LINK {
      @Override
      Path plant(Path chart, Path outsideFile) throws IOException {
        return Files.createSymbolicLink(chart.resolve("templates/relative.yaml"),
            chart.resolve("templates").relativize(outsideFile));
      }
    },
    LINK_IN_A_FOLDER_HELM_IGNORES {
      @Override
      Path plant(Path chart, Path outsideFile) throws IOException {
        return Files.createSymbolicLink(chart.resolve("app/credentials"), outsideFile);
      }
    };

    abstract Path plant(Path chart, Path outsideFile) throws IOException;
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


  private static void copy(Path from, Path to) {
    try {
      Files.createDirectories(to.getParent());
      Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
