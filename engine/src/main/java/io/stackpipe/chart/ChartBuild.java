package io.stackpipe.chart;

import io.stackpipe.HelmRuntime;
import io.stackpipe.SemVer;
import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.stackpipe.StackpipeException;
import io.stackpipe.chart.ChartBuildResult.Publication;
import io.stackpipe.profile.Profile;
import io.stackpipe.profile.Profiles;
import io.stackpipe.registry.ImageReference;
import io.stackpipe.registry.OciRegistry;
import io.stackpipe.registry.auth.RegistryAuth;
import io.stackpipe.yaml.SafeYaml;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * buildChart: validate a chart and every profile, package it with its profiles/ folder, pin its image, and
 * publish it immutably to an OCI registry.
 *
 * <pre>{@code
 * ChartBuildResult result = ChartBuild.of(Path.of("services/orders"))
 *     .withVersion("1.4.0")
 *     .withImage("registry.example.com/orders:1.4.0")
 *     .pushTo("oci://registry.example.com/charts")
 *     .withOutputDirectory(workspace)
 *     .call();
 * }</pre>
 */
public final class ChartBuild {

  private final Path chartDir;
  private String version;
  private String appVersion;
  private String image;
  private String target;
  private boolean plainHttp;
  private RegistryAuth auth = RegistryAuth.anonymous();
  private Path outputDir;
  private Consumer<String> progress = line -> { };

  private ChartBuild(Path chartDir) {
    this.chartDir = chartDir;
  }

  public static ChartBuild of(Path chartDir) {
    return new ChartBuild(chartDir);
  }

  /** The version to stamp into Chart.yaml (SemVer 2); default: the chart's own. */
  public ChartBuild withVersion(String version) {
    this.version = version;
    return this;
  }

  public ChartBuild withAppVersion(String appVersion) {
    this.appVersion = appVersion;
    return this;
  }

  /** The image this chart runs; its digest is resolved from the registry and pinned in the chart's values. */
  public ChartBuild withImage(String image) {
    this.image = image;
    return this;
  }

  /** {@code oci://host/path}: where to push the packaged chart. */
  public ChartBuild pushTo(String target) {
    this.target = target;
    return this;
  }

  /** Speak plain HTTP to registries that are not on loopback (loopback always uses plain HTTP). */
  public ChartBuild plainHttp() {
    this.plainHttp = true;
    return this;
  }

  /** Where registry credentials come from, for the image's registry and the push target (default: anonymous). */
  public ChartBuild withRegistryAuth(RegistryAuth value) {
    this.auth = value;
    return this;
  }

  /** Where the .tgz goes (required: a front end passes its working directory when the user names none). */
  public ChartBuild withOutputDirectory(Path outputDir) {
    this.outputDir = outputDir;
    return this;
  }

  /** Receives one line per step of long work. */
  public ChartBuild withProgress(Consumer<String> progress) {
    this.progress = progress;
    return this;
  }

  public ChartBuildResult call() {
    if (outputDir == null) {
      throw new IllegalStateException("ChartBuild needs withOutputDirectory: the engine never assumes a working directory");
    }
    if (!Files.isDirectory(chartDir)) {
      throw new StackpipeException(chartDir + ": not a directory");
    }
    // Before any file is read: a linked Chart.yaml or values file must not even reach an error message.
    ChartLinks.refuseLinksOutOf(chartDir);
    ChartMetadata chart = ChartMetadata.read(chartDir);
    String finalVersion = version != null ? version : chart.version();
    // The chart's own version was checked by read(); a requested one is the caller's input.
    if (version != null) {
      SemVer.parse("version", version);
    }
    String finalAppVersion = appVersion != null ? appVersion : chart.appVersion();
    List<Profile> profiles = Profiles.scan(chartDir);
    if (Files.exists(chartDir.resolve("values.yaml"))) {
      SafeYaml.requireMapping(chartDir.resolve("values.yaml"), "values.yaml");
    }
    OciChartTarget push = target == null ? null : OciChartTarget.parse(target);
    ImageReference imageRef = image == null ? null : ImageReference.parse(image);
    if (chart.library()) {
      refuseForLibrary(profiles, imageRef);
    }
    if (imageRef != null) {
      refuseImageOverrides(profiles);
    }
    Path out = outputDir;
    progress.accept("chart " + chart.name() + " " + finalVersion + ": " + profiles.size() + " profile(s) "
        + profiles.stream().map(Profile::name).toList());

    // Whether the registry already has this version does not depend on the build: ask while it runs.
    CompletableFuture<Optional<JsonNode>> existing = push == null ? null : CompletableFuture.supplyAsync(
        () -> push.registry(plainHttp, auth).manifest(push.repository(chart.name()), finalVersion));
    try (ChartStage stage = ChartStage.create()) {
      String digest = imageRef == null ? null : resolveImage(imageRef);
      Path pin = imageRef == null ? null : stage.writePin(imageRef, digest);
      String pinned = imageRef == null ? null : imageRef.fullRepository() + "@" + digest;
      if (pinned != null) {
        progress.accept("image pinned: " + pinned);
      }
      String fileName = chart.name() + "-" + finalVersion + ".tgz";
      Path staged = stage.root().resolve(fileName);
      List<RenderedProfile> rendered = checkAndPackage(stage, chart, profiles, pin,
          () -> packageInto(stage, chart, finalVersion, finalAppVersion, pin, profiles, staged));
      verifyListing(staged, chart.name(), profiles);
      String chartDigest = ChartArchive.digest(staged);
      progress.accept("packaged " + fileName + " (" + chartDigest + ")");

      Publication publication = Publication.NOT_PUSHED;
      String published = null;
      if (push != null) {
        published = push + "/" + chart.name() + ":" + OciRegistry.tag(finalVersion);
        publication = publish(push, chart.name(), finalVersion, staged, chartDigest, join(existing));
        progress.accept((publication == Publication.PUSHED ? "pushed " : "already published with the same content: ")
            + published);
      }
      // Only a build that passed every check, publication included, leaves an artifact behind.
      Path artifact = out.resolve(fileName);
      createDirectories(out);
      copy(staged, artifact);
      return new ChartBuildResult(chart.name(), finalVersion, finalAppVersion, chartDigest, pinned,
          profiles.stream().map(Profile::name).toList(), rendered, artifact.toAbsolutePath(), published,
          publication);
    }
  }

  /**
   * The package task: helm package of the source chart, rewritten reproducibly to {@code target} with the
   * version stamped, the image pinned and every profile file present. Returns the profile files that
   * .helmignore would have dropped.
   */
  private List<String> packageInto(ChartStage stage, ChartMetadata chart, String version, String appVersion,
      Path pin, List<Profile> profiles, Path target) {
    Path destination = stage.root().resolve("package");
    createDirectories(destination);
    try {
      HelmRuntime.call(new Helm(chartDir).packageIt().withDestination(destination)::call);
    } catch (RuntimeException e) {
      throw new StackpipeException("helm package: " + ProfileRenderer.describeHelmError(e));
    }
    Map<String, byte[]> files = ChartArchive.files(destination.resolve(chart.name() + "-" + chart.version() + ".tgz"));
    Map<String, byte[]> missing = PackageEdits.missingProfileFiles(List.copyOf(files.keySet()), chart.name(), profiles);
    files.putAll(missing);
    String chartYaml = chart.name() + "/" + ChartMetadata.FILE;
    files.put(chartYaml, PackageEdits.stamp(files.get(chartYaml), version, appVersion));
    if (pin != null) {
      String values = chart.name() + "/values.yaml";
      files.put(values, PackageEdits.pinImage(files.get(values), pin));
    }
    ChartArchive.write(files, target);
    return List.copyOf(missing.keySet());
  }

  /** A library chart is never installed: it has no stack to configure and runs no image. */
  private static void refuseForLibrary(List<Profile> profiles, ImageReference image) {
    if (!profiles.isEmpty()) {
      throw new StackpipeException(Profiles.DIRECTORY + ": a library chart (" + ChartMetadata.FILE
          + " type: library) is never installed, so it has no profiles: remove the folder");
    }
    if (image != null) {
      throw StackpipeException.ofField("image", "a library chart (" + ChartMetadata.FILE
          + " type: library) runs no image: build it without one");
    }
  }

  private static void refuseImageOverrides(List<Profile> profiles) {
    for (Profile profile : profiles) {
      if (profile.values().orElse(Map.of()).get("image") instanceof Map<?, ?> section) {
        for (String field : List.of("repository", "tag", "digest")) {
          if (section.containsKey(field)) {
            throw new StackpipeException(profile.display(Profiles.VALUES) + ": field image." + field + " in profile "
                + profile.name() + " would replace the pinned image: remove it, the build pins one image for every profile");
          }
        }
      }
    }
  }

  private String resolveImage(ImageReference ref) {
    OciRegistry registry = new OciRegistry(ref.host(), plainHttp || OciRegistry.isLoopback(ref.host()), auth);
    Optional<String> digest = registry.manifestDigest(ref.repository(), ref.reference());
    if (digest.isEmpty()) {
      throw new StackpipeException("image " + ref + " not found in registry " + ref.host());
    }
    if (ref.digest() != null && !ref.digest().equals(digest.get())) {
      throw new StackpipeException("image " + ref + ": the registry holds digest " + digest.get() + " for this reference");
    }
    return digest.get();
  }

  private static void lint(Path chart) {
    LintResult lint;
    try {
      lint = HelmRuntime.call(new Helm(chart).lint().strict()::call);
    } catch (RuntimeException e) {
      throw new StackpipeException("helm lint: " + ProfileRenderer.describeHelmError(e));
    }
    if (lint.isFailed()) {
      String problem = lint.getMessages().stream()
          .filter(m -> m.contains("[ERROR]") || m.contains("[WARNING]"))
          .findFirst().orElse(String.join("; ", lint.getMessages()));
      throw new StackpipeException("helm lint (strict): " + problem.strip());
    }
  }


  /**
   * Lint and render the source chart (the defaults and every profile) while the package task runs, in
   * parallel: they are independent. Failures are reported in a fixed order (lint, defaults, profiles by
   * name, package), whichever finished first.
   */
  private List<RenderedProfile> checkAndPackage(ChartStage stage, ChartMetadata chart, List<Profile> profiles, Path pin,
      java.util.concurrent.Callable<List<String>> packageTask) {
    ProfileRenderer renderer = new ProfileRenderer(chartDir, chart.name(), pin, stage.root());
    List<Optional<Profile>> all = new ArrayList<>();
    // Helm refuses to render a library chart: it only lends templates to the charts that depend on it.
    if (!chart.library()) {
      all.add(Optional.empty());
      profiles.forEach(p -> all.add(Optional.of(p)));
    } else {
      progress.accept("library chart: linted and packaged, not rendered");
    }
    int threads = Math.max(1, Math.min(all.size() + 2, Runtime.getRuntime().availableProcessors()));
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread thread = new Thread(r, "stackpipe-chart-build");
      thread.setDaemon(true);
      return thread;
    });
    try {
      Future<List<String>> packaged = pool.submit(packageTask);
      Future<?> lint = pool.submit(() -> lint(chartDir));
      List<Future<RenderedProfile>> renders = all.stream().map(p -> pool.submit(() -> renderer.render(p))).toList();
      join(lint);
      progress.accept("lint (strict): ok");
      List<RenderedProfile> rendered = new ArrayList<>();
      for (Future<RenderedProfile> render : renders) {
        RenderedProfile result = join(render);
        progress.accept("rendered " + result.profile() + ": " + result.objects().size() + " object(s)");
        rendered.add(result);
      }
      List<String> restored = join(packaged);
      if (!restored.isEmpty()) {
        progress.accept(".helmignore would drop " + restored.size() + " profile file(s): packaged anyway");
      }
      return rendered;
    } finally {
      pool.shutdownNow();
      awaitTermination(pool);
    }
  }

  // The stage is deleted after this returns: no task may still be writing into it.
  private static void awaitTermination(ExecutorService pool) {
    try {
      pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static <T> T join(Future<T> future) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new StackpipeException("chart build failed: " + e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StackpipeException("interrupted while building the chart");
    }
  }

  private static void copy(Path from, Path to) {
    try {
      Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new StackpipeException(to + ": cannot write the chart archive (" + e.getMessage() + ")");
    }
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StackpipeException(dir + ": cannot create the directory (" + e.getMessage() + ")");
    }
  }

  private static void verifyListing(Path artifact, String name, List<Profile> profiles) {
    List<String> listing = ChartArchive.listing(artifact);
    for (Profile profile : profiles) {
      for (String file : profile.files().keySet()) {
        String entry = name + "/" + profile.display(file);
        if (!listing.contains(entry)) {
          throw new StackpipeException(artifact + ": " + entry + " is missing from the package");
        }
      }
    }
  }

  /** Immutable publication: a version is pushed once; the same content again is a no-op, other content refused. */
  private Publication publish(OciChartTarget push, String name, String version, Path artifact, String chartDigest,
      Optional<JsonNode> existing) {
    OciRegistry registry = push.registry(plainHttp, auth);
    String repository = push.repository(name);
    if (existing.isPresent()) {
      String publishedDigest = chartLayerDigest(existing.get(), name, version);
      if (publishedDigest.equals(chartDigest) || sameContent(registry, repository, publishedDigest, artifact)) {
        return Publication.ALREADY_PUBLISHED;
      }
      throw new StackpipeException(name + " " + version + " is already published with digest " + publishedDigest
          + " at " + push + ": versions are immutable, build a new version (this build: " + chartDigest + ")");
    }
    byte[] chartYaml = ChartArchive.entry(artifact, name + "/" + ChartMetadata.FILE).orElseThrow(
        () -> new StackpipeException(artifact + ": no " + name + "/" + ChartMetadata.FILE + " in the package"));
    if (!(SafeYaml.load(new String(chartYaml, StandardCharsets.UTF_8), artifact + ":" + ChartMetadata.FILE)
        instanceof Map<?, ?> metadata)) {
      throw new StackpipeException(artifact + ": " + ChartMetadata.FILE + " is not a mapping");
    }
    HelmOci.push(registry, repository, version, artifact, metadata);
    return Publication.PUSHED;
  }

  private static String chartLayerDigest(JsonNode manifest, String name, String version) {
    for (JsonNode layer : manifest.path("layers")) {
      if (HelmOci.LAYER.equals(layer.path("mediaType").asText())) {
        return layer.path("digest").asText();
      }
    }
    throw new StackpipeException(name + " " + version + " exists in the registry but is not a Helm chart");
  }

  private static boolean sameContent(OciRegistry registry, String repository, String digest, Path artifact) {
    try (InputStream published = registry.blob(repository, digest)) {
      return ChartArchive.contentDigest(published, repository + "@" + digest)
          .equals(ChartArchive.contentDigest(artifact));
    } catch (IOException e) {
      throw new StackpipeException("registry " + registry.host() + ": cannot read " + repository + "@" + digest);
    }
  }
}
