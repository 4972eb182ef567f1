package io.stackpipe.deploy;

import io.stackpipe.PrivateTempDir;
import io.stackpipe.StackpipeException;
import io.stackpipe.chart.ChartArchive;
import io.stackpipe.Names;
import io.stackpipe.kube.HelmReleases;
import io.stackpipe.kube.HelmReleases.Release;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.profile.Profiles;
import io.stackpipe.yaml.SafeYaml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Installs a published chart artifact with one of the profiles packaged inside it: chart defaults ← the profile's
 * {@code values.yaml}, as {@code helm upgrade --install}, so running it again upgrades the release in place. The
 * seed of deployProfile; the profile is read from the artifact, never from a source checkout.
 *
 * <pre>{@code
 * ProfileRelease release = ProfileInstall.into(kube)
 *     .withChart(Path.of("orders-1.4.0.tgz"))
 *     .withProfile("qa1")
 *     .withNamespace("team-a-qa1")
 *     .call();
 * }</pre>
 */
public final class ProfileInstall {

  private final KubeConnection kube;
  private Path chart;
  private String profile;
  private String namespace;
  private String releaseName;
  private Consumer<String> progress = line -> { };
  private Duration readyTimeout;

  private ProfileInstall(KubeConnection kube) {
    this.kube = kube;
  }

  public static ProfileInstall into(KubeConnection kube) {
    return new ProfileInstall(kube);
  }

  /** The packaged chart (.tgz) as the chart build wrote it, profiles/ included. */
  public ProfileInstall withChart(Path chart) {
    this.chart = chart;
    return this;
  }

  public ProfileInstall withProfile(String profile) {
    this.profile = profile;
    return this;
  }

  /** An existing namespace (a stack) to install into. */
  public ProfileInstall withNamespace(String namespace) {
    this.namespace = namespace;
    return this;
  }

  /** Default: the chart's name. */
  public ProfileInstall withReleaseName(String releaseName) {
    this.releaseName = releaseName;
    return this;
  }

  /**
   * Return only once the release's pods are Ready, for up to {@code timeout}; a release that does not get Ready is
   * taken back (uninstalled, or rolled back to its previous revision) and the failure names the pod.
   */
  public ProfileInstall waitingUpTo(Duration timeout) {
    this.readyTimeout = timeout;
    return this;
  }

  /** Receives one line per step. */
  public ProfileInstall withProgress(Consumer<String> progress) {
    this.progress = progress;
    return this;
  }

  public ProfileRelease call() {
    require("chart", chart);
    require("profile", profile);
    require("namespace", namespace);
    if (!Files.isRegularFile(chart)) {
      throw StackpipeException.ofField("chart", chart + ": no such chart archive");
    }
    if (!Names.isDns1123Label(namespace)) {
      throw StackpipeException.ofField("namespace", "'" + namespace + "' is not a DNS-1123 label");
    }
    if (!Names.isDns1123Label(profile)) {
      throw StackpipeException.ofField("profile", "'" + profile + "' is not a profile name (a DNS-1123 label)");
    }
    List<String> listing = ChartArchive.listing(chart);
    String name = chartName(listing);
    String release = releaseName != null ? releaseName : name;
    String profileFolder = name + "/" + Profiles.DIRECTORY + "/" + profile + "/";
    if (listing.stream().noneMatch(entry -> entry.startsWith(profileFolder))) {
      throw StackpipeException.ofField("profile", "no profile " + profile + " in " + chart.getFileName()
          + " (it has " + profileNames(listing, name) + ")");
    }
    Optional<byte[]> values = ChartArchive.entry(chart, profileFolder + Profiles.VALUES);
    boolean secretsSkipped = listing.contains(profileFolder + Profiles.SECRETS);
    try (PrivateTempDir temp = PrivateTempDir.create("stackpipe-install-")) {
      List<Path> layers = new ArrayList<>();
      if (values.isPresent()) {
        String display = chart.getFileName() + ":" + profileFolder + Profiles.VALUES;
        if (!(SafeYaml.load(new String(values.get(), java.nio.charset.StandardCharsets.UTF_8), display)
            instanceof Map<?, ?>)) {
          throw new StackpipeException(display + ": must be a YAML mapping");
        }
        layers.add(write(temp, Profiles.VALUES, values.get()));
      }
      // Seam for deployProfile: the profile's decrypted secrets.yaml joins here, after values.yaml. Until then a
      // profile's secrets are not applied, and the result says so.
      if (secretsSkipped) {
        progress.accept(release + ": profile " + profile + " has secrets.yaml: not applied yet (no decryption at"
            + " install)");
      }
      HelmReleases releases = readyTimeout == null ? kube.releases() : kube.releases().waitingUpTo(readyTimeout);
      Release installed = releases.installOrUpgrade(release, namespace, chart, layers);
      progress.accept(release + ": " + (installed.revision() == 1 ? "installed " : "upgraded ") + installed.chart()
          + " with profile " + profile + " into " + namespace + " (revision " + installed.revision() + ", "
          + installed.status() + ")");
      return new ProfileRelease(installed.name(), installed.namespace(), profile, installed.chart(),
          installed.appVersion(), installed.revision(), installed.status(), secretsSkipped);
    }
  }

  private static void require(String field, Object value) {
    if (value == null) {
      throw StackpipeException.ofField(field, "is required");
    }
  }

  private String chartName(List<String> listing) {
    return listing.stream().filter(entry -> entry.matches("[^/]+/Chart\\.yaml")).findFirst()
        .map(entry -> entry.substring(0, entry.indexOf('/')))
        .orElseThrow(() -> StackpipeException.ofField("chart", chart + ": not a Helm chart archive (no Chart.yaml)"));
  }

  private static String profileNames(List<String> listing, String name) {
    String prefix = name + "/" + Profiles.DIRECTORY + "/";
    TreeSet<String> names = new TreeSet<>();
    for (String entry : listing) {
      if (entry.startsWith(prefix) && entry.indexOf('/', prefix.length()) > 0) {
        names.add(entry.substring(prefix.length(), entry.indexOf('/', prefix.length())));
      }
    }
    return names.isEmpty() ? "no profiles" : "profiles " + String.join(", ", names);
  }

  private static Path write(PrivateTempDir temp, String name, byte[] content) {
    try {
      return Files.write(temp.newFile(name), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
