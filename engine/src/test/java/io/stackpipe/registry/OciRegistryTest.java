package io.stackpipe.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.registry.auth.RegistryAuth;
import io.stackpipe.StackpipeException;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.testsupport.registry.RegistryExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Against the real Debian docker-registry (distribution 2.8), directly or behind a token-authenticated front. */
@ExtendWith(RegistryExtension.class)
class OciRegistryTest {

  static final String CHART_CONFIG = "application/vnd.cncf.helm.config.v1+json";
  static final String CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  @TempDir
  Path work;
  OciRegistry registry;
  String repository;

  @BeforeEach
  void privateRepository(LocalRegistry local) {
    registry = new OciRegistry(local.host(), true);
    repository = "t" + UUID.randomUUID().toString().substring(0, 8) + "/orders";
  }

  /** Pushes a chart-shaped artifact without helm: config, layer, and a manifest written by hand. */
  static Artifact pushArtifact(OciRegistry registry, String repository, String tag, byte[] layer) {
    byte[] config = "{\"name\":\"orders\",\"version\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);
    String configDigest = registry.pushBlob(repository, config);
    String layerDigest = registry.pushBlob(repository, layer);
    // Unusual spacing and key order on purpose: re-serializing would change the bytes and so the digest.
    byte[] manifest = ("{ \"schemaVersion\": 2,\n  \"mediaType\": \"" + OCI_MANIFEST + "\",\n"
        + "  \"config\": {\"mediaType\": \"" + CHART_CONFIG + "\", \"digest\": \"" + configDigest + "\", \"size\": "
        + config.length + "},\n  \"layers\": [ {\"size\": " + layer.length + ", \"mediaType\": \"" + CHART_LAYER
        + "\", \"digest\": \"" + layerDigest + "\"} ] }\n").getBytes(StandardCharsets.UTF_8);
    String digest = registry.pushManifest(repository, tag, OCI_MANIFEST, manifest);
    return new Artifact(digest, manifest, layerDigest);
  }

  record Artifact(String digest, byte[] manifest, String layerDigest) {
  }

  static byte[] layer() {
    return ("chart layer " + UUID.randomUUID()).repeat(100).getBytes(StandardCharsets.UTF_8);
  }

  @Nested
  class PushingAnArtifactWithoutHelm {

    @Test
    void blobsAndTheManifestArriveAsWritten() throws IOException {
      byte[] layer = layer();

      Artifact artifact = pushArtifact(registry, repository, "1.0.0", layer);

      assertThat(artifact.digest()).isEqualTo(OciDigest.of(artifact.manifest()));
      assertThat(registry.manifestDigest(repository, "1.0.0")).contains(artifact.digest());
      OciRegistry.Manifest pulled = registry.pullManifest(repository, "1.0.0").orElseThrow();
      assertThat(pulled.bytes()).isEqualTo(artifact.manifest());
      assertThat(pulled.mediaType()).isEqualTo(OCI_MANIFEST);
      try (InputStream blob = registry.blob(repository, artifact.layerDigest())) {
        assertThat(blob.readAllBytes()).isEqualTo(layer);
      }
    }

    @Test
    void aFileUploadsAsABlob() throws IOException {
      Path file = Files.write(work.resolve("orders-1.0.0.tgz"), layer());

      String digest = registry.pushBlob(repository, file);

      assertThat(digest).isEqualTo(OciDigest.of(file));
      assertThat(registry.hasBlob(repository, digest)).isTrue();
    }

    @Test
    void aBlobTheRegistryHoldsIsNotUploadedAgain(LocalRegistry local) throws IOException {
      try (TokenFront front = TokenFront.start(local.url())) {
        OciRegistry client = new OciRegistry(front.host(), true);
        byte[] layer = layer();
        client.pushBlob(repository, layer);
        front.forwarded.clear();

        client.pushBlob(repository, layer);

        assertThat(front.forwarded).singleElement().asString().startsWith("HEAD /v2/" + repository + "/blobs/sha256:");
      }
    }

    @Test
    void aManifestWhoseBlobsAreMissingIsRefusedWithTheRegistrysReason(LocalRegistry local) {
      String missing = OciDigest.of(layer());
      byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
          + CHART_CONFIG + "\",\"digest\":\"" + missing + "\",\"size\":3},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);

      assertThatThrownBy(() -> registry.pushManifest(repository, "1.0.0", OCI_MANIFEST, manifest))
          .isInstanceOf(StackpipeException.class)
          .hasMessageStartingWith("registry " + local.host() + " answered HTTP 400 to PUT " + local.url() + "/v2/"
              + repository + "/manifests/1.0.0 (MANIFEST_BLOB_UNKNOWN");
    }
  }

  @Nested
  class PullingByDigest {

    @Test
    void aLayerIsWrittenToAFileThatMatchesItsDigest() {
      Artifact artifact = pushArtifact(registry, repository, "1.0.0", layer());
      Path target = work.resolve("layer.tgz");

      registry.pullBlob(repository, artifact.layerDigest(), target);

      assertThat(OciDigest.of(target)).isEqualTo(artifact.layerDigest());
    }

    @Test
    void contentThatDoesNotMatchItsDigestIsRefusedAndLeavesNoFile(LocalRegistry local) throws IOException {
      Artifact artifact = pushArtifact(registry, repository, "1.0.0", layer());
      Path target = work.resolve("layer.tgz");
      try (TokenFront front = TokenFront.start(local.url())) {
        front.corruptBlobs = true;
        OciRegistry client = new OciRegistry(front.host(), true);

        assertThatThrownBy(() -> client.pullBlob(repository, artifact.layerDigest(), target))
            .isInstanceOf(StackpipeException.class)
            .hasMessageStartingWith(repository + "@" + artifact.layerDigest() + ": the registry sent content with digest sha256:")
            .hasMessageEndingWith("not the one requested: refused");
        assertThatThrownBy(() -> {
          try (InputStream partlyRead = client.blob(repository, artifact.layerDigest())) {
            partlyRead.read(new byte[10]);
          }
        }).as("closing a partly read blob checks it too").hasMessageContaining("not the one requested: refused");
      }
      try (var files = Files.list(work)) {
        assertThat(files).isEmpty();
      }
    }

    @Test
    void aManifestPulledByDigestMustHashToIt() {
      Artifact artifact = pushArtifact(registry, repository, "1.0.0", layer());

      assertThat(registry.pullManifest(repository, artifact.digest()).orElseThrow().bytes())
          .isEqualTo(artifact.manifest());
    }

    @Test
    void anAbsentBlobNamesStatusMethodAndUrl(LocalRegistry local) {
      String absent = OciDigest.of(layer());
      assertThatThrownBy(() -> registry.pullBlob(repository, absent, work.resolve("x")))
          .hasMessage("registry " + local.host() + " answered HTTP 404 to GET " + local.url() + "/v2/" + repository
              + "/blobs/" + absent + " (BLOB_UNKNOWN: blob unknown to registry)");
      assertThat(work.resolve("x")).doesNotExist();
    }

    @Test
    void aReferenceThatIsNotADigestNeverReachesAUrl() {
      assertThatThrownBy(() -> registry.blob(repository, "../../etc/passwd"))
          .hasMessage("blob of " + repository + ": '../../etc/passwd' is not a digest (sha256:<64 hex>)");
    }
  }

  @Nested
  class Retagging {

    @Test
    void theNewTagHoldsTheExactManifestBytesUnderTheSameDigest() {
      Artifact artifact = pushArtifact(registry, repository, "1.0.0-rc.1", layer());

      String digest = registry.retag(repository, "1.0.0-rc.1", "1.0.0");

      assertThat(digest).isEqualTo(artifact.digest());
      assertThat(registry.manifestDigest(repository, "1.0.0")).contains(artifact.digest());
      assertThat(registry.pullManifest(repository, "1.0.0").orElseThrow().bytes()).isEqualTo(artifact.manifest());
    }

    @Test
    void aDigestCanBeTaggedToo() {
      Artifact artifact = pushArtifact(registry, repository, "1.0.0", layer());

      registry.retag(repository, artifact.digest(), "stable");

      assertThat(registry.manifestDigest(repository, "stable")).contains(artifact.digest());
    }

    @Test
    void anAbsentSourceIsRefused(LocalRegistry local) {
      assertThatThrownBy(() -> registry.retag(repository, "9.9.9", "stable"))
          .hasMessage("registry " + local.host() + ": " + repository + ":9.9.9 not found, nothing to tag stable");
    }
  }

  @Nested
  class ListingTags {

    @Test
    void everyPageIsFollowedThroughTheLinkHeader(LocalRegistry local) throws IOException {
      Artifact artifact = pushArtifact(registry, repository, "1.0.0", layer());
      for (String tag : List.of("1.0.1", "1.1.0", "2.0.0", "2.0.1")) {
        registry.retag(repository, artifact.digest(), tag);
      }
      try (TokenFront front = TokenFront.start(local.url())) {
        List<String> tags = new OciRegistry(front.host(), true).tags(repository, 2);

        assertThat(tags).containsExactly("1.0.0", "1.0.1", "1.1.0", "2.0.0", "2.0.1");
        assertThat(front.forwarded).filteredOn(r -> r.contains("/tags/list")).containsExactly(
            "GET /v2/" + repository + "/tags/list?n=2",
            "GET /v2/" + repository + "/tags/list?n=2&last=1.0.1",
            "GET /v2/" + repository + "/tags/list?n=2&last=2.0.0");
      }
    }

    @Test
    void anUnknownRepositoryHasNoTags() {
      assertThat(registry.tags(repository)).isEmpty();
    }
  }

  @Nested
  class Deleting {

    @Test
    void aManifestDeletedByDigestTakesItsTagsWithIt() {
      Artifact artifact = pushArtifact(registry, repository, "1.0.0", layer());
      registry.retag(repository, "1.0.0", "stable");

      assertThat(registry.deleteManifest(repository, artifact.digest())).isTrue();

      assertThat(registry.manifestDigest(repository, "1.0.0")).isEmpty();
      assertThat(registry.manifestDigest(repository, "stable")).isEmpty();
      assertThat(registry.deleteManifest(repository, artifact.digest())).as("already gone").isFalse();
    }

    @Test
    void aTagIsRefusedBecauseRegistriesDeleteByDigestOnly() {
      assertThatThrownBy(() -> registry.deleteManifest(repository, "1.0.0"))
          .hasMessage("delete from " + repository + ": '1.0.0' is not a digest (sha256:<64 hex>)");
    }
  }

  @Nested
  class SemVerBuildMetadata {

    @Test
    void plusIsStoredAsUnderscoreAsHelmDoesInEveryTagPath() {
      Artifact artifact = pushArtifact(registry, repository, "1.4.0+build.7", layer());

      assertThat(registry.tags(repository)).containsExactly("1.4.0_build.7");
      assertThat(registry.manifestDigest(repository, "1.4.0+build.7")).contains(artifact.digest());
      assertThat(registry.manifest(repository, "1.4.0+build.7")).isPresent();
      registry.retag(repository, "1.4.0+build.7", "1.4.0+build.8");
      assertThat(registry.tags(repository)).containsExactlyInAnyOrder("1.4.0_build.7", "1.4.0_build.8");
    }
  }

  @Nested
  class BearerTokens {

    TokenFront front;
    OciRegistry client;

    @BeforeEach
    void front(LocalRegistry local) throws IOException {
      front = TokenFront.start(local.url());
      client = new OciRegistry(front.host(), true);
    }

    @AfterEach
    void stop() {
      front.close();
    }

    @Test
    void aChallengeWithSpacesAfterCommasIsAnsweredWithAnAnonymousToken() {
      Artifact artifact = pushArtifact(client, repository, "1.0.0", layer());

      assertThat(client.manifestDigest(repository, "1.0.0")).contains(artifact.digest());
      assertThat(client.tags(repository)).containsExactly("1.0.0");
      assertThat(front.tokenQueries).first().asString()
          .contains("scope=repository%3A" + repository.replace("/", "%2F") + "%3Apull%2Cpush")
          .contains("service=stackpipe+test+registry");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Bearer realm=\"%s\",service=\"stackpipe test registry\",scope=\"%s\"",
        "bearer  scope=\"%2$s\" ,\trealm = \"%1$s\" , service=\"stackpipe test registry\"",
        "Basic realm=\"registry\", Bearer realm=%s,scope=\"%s\""})
    void otherLegalSpellingsOfTheChallengeWorkToo(String challenge) {
      front.challenge = challenge;

      pushArtifact(client, repository, "1.0.0", layer());

      assertThat(client.tags(repository)).containsExactly("1.0.0");
    }

    @Test
    void aBasicOnlyChallengeWithoutCredentialsSaysWhereTheyWereLookedFor() {
      front.challenge = "Basic realm=\"%s %s\"";
      assertThatThrownBy(() -> client.tags(repository))
          .hasMessage("registry " + front.host() + " requires authentication for " + repository
              + ": no credential for " + front.host() + " in no credential sources");
    }

    @Test
    void aBlobRedirectedToAnotherOriginIsFetchedWithoutTheToken() {
      Artifact artifact = pushArtifact(client, repository, "1.0.0", layer());
      front.redirectBlobs = true;

      client.pullBlob(repository, artifact.layerDigest(), work.resolve("layer.tgz"));

      assertThat(front.storageAuthorization).containsExactly("none");
      assertThat(OciDigest.of(work.resolve("layer.tgz"))).isEqualTo(artifact.layerDigest());
    }

    @Test
    void noMessageCarriesTheTokenOrASignedUrl() {
      front.redirectBlobs = true;
      String absent = OciDigest.of(layer());

      assertThatThrownBy(() -> client.pullBlob(repository, absent, work.resolve("x")))
          .hasMessageContaining("answered HTTP 404 to GET http://localhost:")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(front.token).doesNotContain("Signature"));
    }
  }

  @Nested
  class Timeouts {

    @Test
    void aRegistryThatNeverAnswersIsGivenUpOnAfterTheTimeout() throws IOException {
      try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
        String host = "127.0.0.1:" + silent.getLocalPort();
        OciRegistry slow = new OciRegistry(host, true, Duration.ofSeconds(1), RegistryAuth.anonymous(), java.time.Clock.systemUTC());

        assertThatThrownBy(() -> slow.tags("charts/orders"))
            .hasMessage("registry " + host + " did not answer within 1 s (GET http://" + host
                + "/v2/charts/orders/tags/list)");
      }
    }
  }
}
