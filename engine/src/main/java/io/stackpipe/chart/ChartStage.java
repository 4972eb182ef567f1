package io.stackpipe.chart;

import io.stackpipe.StackpipeException;
import io.stackpipe.profile.Profile;
import io.stackpipe.profile.Profiles;
import io.stackpipe.registry.ImageReference;
import io.stackpipe.yaml.SafeYaml;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A build's private working folder: the image pin as a values file, and a copy of the chart that packaging
 * may change (version and appVersion stamped, image pinned, a .helmignore that cannot drop profiles/).
 * The source chart is never modified.
 */
final class ChartStage implements AutoCloseable {

  private static final Pattern VERSION_LINE = Pattern.compile("(?m)^version:.*$");
  private static final Pattern APP_VERSION_LINE = Pattern.compile("(?m)^appVersion:.*$");

  private final Path source;
  private final Path root;
  private final Path chart;

  private ChartStage(Path source, Path root, Path chart) {
    this.source = source;
    this.root = root;
    this.chart = chart;
  }

  static ChartStage create(Path source, String name) {
    try {
      Path root = Files.createTempDirectory("stackpipe-build-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      return new ChartStage(source, root, root.resolve(name));
    } catch (IOException e) {
      throw new StackpipeException("cannot create a build folder (" + e.getMessage() + ")");
    }
  }

  Path root() {
    return root;
  }

  /** Copies the source chart into the stage and returns the copy. */
  Path copyChart() {
    try {
      copyTree(source.toRealPath(), chart);
      return chart;
    } catch (IOException e) {
      throw new StackpipeException(source + ": cannot be copied for the build (" + e.getMessage() + ")");
    }
  }

  /** Frees the chart copy once it is packaged, while other work still runs. */
  void deleteChartCopy() {
    deleteTree(chart);
  }

  /** Line edits: the rest of Chart.yaml reaches lint exactly as its author wrote it. */
  void stamp(String version, String appVersion) {
    Path file = chart.resolve(ChartMetadata.FILE);
    try {
      String text = Files.readString(file);
      text = VERSION_LINE.matcher(text).replaceFirst("version: " + quote(version));
      if (appVersion != null) {
        text = APP_VERSION_LINE.matcher(text).find()
            ? APP_VERSION_LINE.matcher(text).replaceFirst("appVersion: " + quote(appVersion))
            : text + (text.endsWith("\n") ? "" : "\n") + "appVersion: " + quote(appVersion) + "\n";
      }
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new StackpipeException(ChartMetadata.FILE + ": cannot be stamped (" + e.getMessage() + ")");
    }
  }

  /** The image as repository + digest (and its tag, for people) in a values file of its own. */
  Path writePin(ImageReference image, String digest) {
    Map<String, Object> pinned = new LinkedHashMap<>();
    pinned.put("repository", image.fullRepository());
    if (image.tag() != null) {
      pinned.put("tag", image.tag());
    }
    pinned.put("digest", digest);
    Path file = root.resolve("image-pin.yaml");
    try {
      Files.writeString(file, SafeYaml.dump(Map.of("image", pinned)));
      return file;
    } catch (IOException e) {
      throw new StackpipeException("cannot write the image pin (" + e.getMessage() + ")");
    }
  }

  /** Merges the pin into the copy's values.yaml, the chart's defaults, so every profile gets it. */
  @SuppressWarnings("unchecked")
  void pinImage(Path pin) {
    Path file = chart.resolve("values.yaml");
    Map<String, Object> values = new LinkedHashMap<>();
    if (Files.exists(file) && SafeYaml.load(file, "values.yaml") instanceof Map<?, ?> loaded) {
      values = (Map<String, Object>) loaded;
    }
    Object section = values.computeIfAbsent("image", k -> new LinkedHashMap<String, Object>());
    if (!(section instanceof Map)) {
      throw new StackpipeException("values.yaml: field image must be a mapping to pin the image, found " + section);
    }
    Map<String, Object> image = (Map<String, Object>) ((Map<String, Object>) SafeYaml.load(pin, "image pin")).get("image");
    ((Map<String, Object>) section).putAll(image);
    try {
      Files.writeString(file, "# image pinned by stackpipe chart build\n" + SafeYaml.dump(values));
    } catch (IOException e) {
      throw new StackpipeException("values.yaml: cannot pin the image (" + e.getMessage() + ")");
    }
  }

  /**
   * Drops the .helmignore patterns that would leave a profile file out of the package: profiles are part
   * of the artifact's contract. Returns the dropped patterns so the build can say so.
   */
  List<String> protectProfiles(List<Profile> profiles) {
    Path file = chart.resolve(".helmignore");
    if (!Files.exists(file) || profiles.isEmpty()) {
      return List.of();
    }
    List<Path> protectedPaths = new ArrayList<>();
    protectedPaths.add(Path.of(Profiles.DIRECTORY));
    for (Profile profile : profiles) {
      Path dir = Path.of(Profiles.DIRECTORY, profile.name());
      protectedPaths.add(dir);
      try (Stream<Path> files = Files.list(profile.directory())) {
        files.forEach(f -> protectedPaths.add(dir.resolve(f.getFileName())));
      } catch (IOException e) {
        throw new StackpipeException(profile.display("") + ": cannot be listed");
      }
    }
    try {
      List<String> kept = new ArrayList<>();
      List<String> dropped = new ArrayList<>();
      for (String line : Files.readAllLines(file)) {
        String pattern = line.strip();
        boolean rule = !pattern.isEmpty() && !pattern.startsWith("#") && !pattern.startsWith("!");
        if (rule && protectedPaths.stream().anyMatch(p -> ignores(pattern, p))) {
          dropped.add(pattern);
        } else {
          kept.add(line);
        }
      }
      if (!dropped.isEmpty()) {
        Files.write(file, kept);
      }
      return dropped;
    } catch (IOException e) {
      throw new StackpipeException(".helmignore: cannot be read (" + e.getMessage() + ")");
    }
  }

  // Helm's rules: a pattern without '/' matches any path element's base name; with '/', the relative path.
  private static boolean ignores(String pattern, Path path) {
    String glob = pattern.replaceAll("^/+", "").replaceAll("/+$", "");
    if (glob.isEmpty()) {
      return false;
    }
    try {
      var matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
      if (!glob.contains("/")) {
        for (Path element : path) {
          if (matcher.matches(element)) {
            return true;
          }
        }
        return false;
      }
      for (int i = 1; i <= path.getNameCount(); i++) {
        if (matcher.matches(path.subpath(0, i))) {
          return true;
        }
      }
      return false;
    } catch (IllegalArgumentException invalidGlob) {
      return false;
    }
  }

  private static String quote(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static void copyTree(Path source, Path target) throws IOException {
    Files.walkFileTree(source, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        if (source.relativize(dir).toString().equals(".git")) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        Files.createDirectories(target.resolve(source.relativize(dir).toString()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (Files.isRegularFile(file)) {
          Files.copy(file, target.resolve(source.relativize(file).toString()));
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }

  @Override
  public void close() {
    deleteTree(root);
  }

  // Best effort: the stage holds only files of the source chart, the image pin and the archive.
  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // nothing secret is left behind
    }
  }

  static String describe(List<String> patterns) {
    return patterns.stream().map(p -> "'" + p + "'").collect(Collectors.joining(", "));
  }
}
