package io.stackpipe.kube.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.kube.KubeException;
import org.junit.jupiter.api.Test;

class RenderedManifestTest {

  private static final String RENDERED = """
      ---
      # Source: platform/charts/a/templates/cm.yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: a
      data:
        ENABLED: "yes"
      ---
      # Source: platform/charts/a/templates/deploy.yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: a
        namespace: elsewhere
      spec:
        paused: off
        template:
          spec:
            volumes:
              - name: c
                configMap:
                  defaultMode: 0644
      ---
      # Source: platform/charts/a/templates/empty.yaml
      # only a comment
      ---
      # Source: platform/charts/a/templates/tests/test.yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: a-test
        annotations:
          helm.sh/hook: test
      """;

  @Test
  void splitsHelmsOutputIntoObjectsWithTheirSourceAndKeepsHooksApart() {
    RenderedManifest manifest = RenderedManifest.parse(RENDERED);
    assertThat(manifest.objects()).extracting(ManifestObject::source, ManifestObject::kind, ManifestObject::name,
        ManifestObject::namespace).containsExactly(
            org.assertj.core.api.Assertions.tuple("platform/charts/a/templates/cm.yaml", "ConfigMap", "a", null),
            org.assertj.core.api.Assertions.tuple("platform/charts/a/templates/deploy.yaml", "Deployment", "a",
                "elsewhere"));
    assertThat(manifest.hooks()).extracting(ManifestObject::name).containsExactly("a-test");
    assertThat(manifest.hasCustomResourceDefinitions()).isFalse();
  }

  @Test
  void readsScalarsAsGoDoes() {
    RenderedManifest manifest = RenderedManifest.parse(RENDERED);
    assertThat(manifest.objects().get(0).body().at("/data/ENABLED").asText()).isEqualTo("yes");
    var deployment = manifest.objects().get(1).body();
    assertThat(deployment.at("/spec/paused").isBoolean()).isTrue();
    assertThat(deployment.at("/spec/paused").asBoolean()).isFalse();
    assertThat(deployment.at("/spec/template/spec/volumes/0/configMap/defaultMode").asInt()).isEqualTo(420);
  }

  @Test
  void theReleaseManifestIsHelmsFormatAndParsesBackToTheSameObjects() {
    RenderedManifest manifest = RenderedManifest.parse(RENDERED);
    String stored = manifest.releaseManifest();
    assertThat(stored).startsWith("---\n# Source: platform/charts/a/templates/cm.yaml\napiVersion: v1\n")
        .doesNotContain("a-test").doesNotContain("only a comment");
    assertThat(RenderedManifest.parse(stored).objects()).extracting(ManifestObject::body)
        .containsExactlyElementsOf(manifest.objects().stream().map(ManifestObject::body).toList());
  }

  @Test
  void anObjectWithoutKindIsRefusedNamingItsTemplate() {
    assertThatThrownBy(() -> RenderedManifest.parse("---\n# Source: p/templates/x.yaml\napiVersion: v1\n"
        + "metadata:\n  name: x\n"))
        .isInstanceOf(KubeException.class)
        .hasMessage("rendered manifest p/templates/x.yaml has an object without apiVersion, kind or metadata.name");
  }
}
