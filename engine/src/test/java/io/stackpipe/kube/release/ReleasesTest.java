package io.stackpipe.kube.release;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.kube.KubeConnection;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Releases} picks the writer from the rendered chart, on a real API server: Helm for hooks, else the fast one. */
@WithControlPlane
class ReleasesTest {

  @TempDir
  Path work;
  KubeConnection kube;
  String ns;

  @BeforeEach
  void connect(@KubeConfigPath Path kubeconfig, @TestNamespace String ns) {
    this.ns = ns;
    kube = KubeConnection.fromKubeconfig(kubeconfig, null);
  }

  @AfterEach
  void disconnect() {
    kube.close();
  }

  /** A chart of one ConfigMap; with {@code hook}, a second ConfigMap that is a post-install/upgrade hook. */
  private Path chart(String name, boolean hook) throws Exception {
    Path chart = Files.createDirectories(work.resolve(name));
    Files.writeString(chart.resolve("Chart.yaml"), "apiVersion: v2\nname: " + name + "\nversion: 1.0.0\n");
    Path templates = Files.createDirectories(chart.resolve("templates"));
    Files.writeString(templates.resolve("config.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name
        + "\ndata:\n  MESSAGE: {{ .Values.message | default \"hello\" | quote }}\n");
    if (hook) {
      Files.writeString(templates.resolve("hook.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name
          + "-hook\n  annotations:\n    helm.sh/hook: post-install,post-upgrade\n"
          + "    helm.sh/hook-delete-policy: before-hook-creation\ndata:\n  RUN: {{ .Release.Revision | quote }}\n");
    }
    return chart;
  }

  @Test
  void aChartWithAHookGoesThroughHelmWhichRunsTheHook() throws Exception {
    Path chart = chart("hooked", true);

    ReleaseApplied installed = Releases.on(kube).withChart(chart).withName("hooked").withNamespace(ns).install();
    ReleaseApplied upgraded = Releases.on(kube).withChart(chart).withName("hooked").withNamespace(ns)
        .withValues(Map.of("message", "again")).upgrade();

    assertThat(installed.path()).isEqualTo("helm");
    assertThat(installed.changes()).isNull();
    assertThat(upgraded.path()).isEqualTo("helm");
    assertThat(upgraded.revision()).isEqualTo(2);
    assertThat(kube.client().configMaps().inNamespace(ns).withName("hooked-hook").get().getData())
        .as("the post-upgrade hook ran").containsEntry("RUN", "2");
    assertThat(kube.client().configMaps().inNamespace(ns).withName("hooked").get().getData())
        .containsEntry("MESSAGE", "again");
  }

  @Test
  void aPlainChartGoesTheFastWay() throws Exception {
    Path chart = chart("plain", false);

    ReleaseApplied installed = Releases.on(kube).withChart(chart).withName("plain").withNamespace(ns).install();
    ReleaseApplied upgraded = Releases.on(kube).withChart(chart).withName("plain").withNamespace(ns)
        .withValues(Map.of("message", "again")).upgrade();

    assertThat(installed.path()).isEqualTo("fast");
    assertThat(installed.changes().created()).isEqualTo(1);
    assertThat(upgraded.path()).isEqualTo("fast");
    assertThat(upgraded.revision()).isEqualTo(2);
    assertThat(upgraded.changes().updated()).isEqualTo(1);
    assertThat(kube.releases().list(ns)).extracting(r -> r.name() + " " + r.revision() + " " + r.status())
        .containsExactly("plain 2 deployed");
  }
}
