package io.stackpipe.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackpipe.PrivateTempDir;
import io.stackpipe.StackpipeException;
import io.stackpipe.kube.HelmReleases;
import io.stackpipe.kube.HelmReleases.Release;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.manifest.Umbrella;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Installs an umbrella chart as ONE Helm release, with each subchart's profile values nested under its key
 * ({@link UmbrellaValues}). The values reach Helm as a 0600 file in a private directory deleted when the install
 * returns or throws.
 *
 * <pre>{@code
 * Release release = UmbrellaInstall.into(kube)
 *     .withUmbrella(umbrella)
 *     .withValues(UmbrellaValues.compose(umbrella, "ephemeral"))
 *     .withNamespace("pr-42")
 *     .waitingUpTo(Duration.ofMinutes(5))
 *     .call();
 * }</pre>
 */
public final class UmbrellaInstall {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubeConnection kube;
  private Umbrella umbrella;
  private UmbrellaValues values;
  private String namespace;
  private String releaseName;
  private Duration wait;
  private Consumer<String> progress = line -> { };

  private UmbrellaInstall(KubeConnection kube) {
    this.kube = kube;
  }

  public static UmbrellaInstall into(KubeConnection kube) {
    return new UmbrellaInstall(kube);
  }

  public UmbrellaInstall withUmbrella(Umbrella value) {
    this.umbrella = value;
    return this;
  }

  /** The composed values (required: compose them first, so a missing profile is refused before anything is made). */
  public UmbrellaInstall withValues(UmbrellaValues value) {
    this.values = value;
    return this;
  }

  public UmbrellaInstall withNamespace(String value) {
    this.namespace = value;
    return this;
  }

  /** Default: the umbrella's name. */
  public UmbrellaInstall withReleaseName(String value) {
    this.releaseName = value;
    return this;
  }

  /** Returns only once the pods are Ready (on failure the release is uninstalled); without it, once created. */
  public UmbrellaInstall waitingUpTo(Duration value) {
    this.wait = value;
    return this;
  }

  public UmbrellaInstall withProgress(Consumer<String> value) {
    this.progress = value;
    return this;
  }

  public Release call() {
    if (umbrella == null || values == null || namespace == null) {
      throw new StackpipeException("an umbrella install needs the umbrella, its composed values and a namespace");
    }
    String release = releaseName != null ? releaseName : umbrella.name();
    HelmReleases releases = wait == null ? kube.releases() : kube.releases().waitingUpTo(wait);
    try (PrivateTempDir temp = PrivateTempDir.create("stackpipe-umbrella-")) {
      Path file = temp.newFile("values.json");
      Files.write(file, JSON.writeValueAsBytes(values.values()));
      Release installed = releases.install(release, namespace, umbrella.archive(), List.of(file));
      progress.accept(release + ": installed " + installed.chart() + " (" + umbrella.services().size()
          + " services) with profile " + values.profile() + " into " + namespace + " (" + installed.status()
          + (wait == null ? "" : ", pods Ready") + ")");
      return installed;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
