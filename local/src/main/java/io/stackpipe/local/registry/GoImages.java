package io.stackpipe.local.registry;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import io.stackpipe.base.FileTrees;
import io.stackpipe.base.Messages;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Images built on this machine from Go source, without Docker or any base image: {@code go build} of a
 * stdlib-only main package into a static binary (CGO_ENABLED=0), packed FROM scratch by jib-core as the one
 * file {@code /<name>}, run as nobody. Jib and {@code -trimpath} build reproducibly: the same source always
 * yields the same digest. This is what the example services' Dockerfiles describe, and how the node's pause
 * image is made.
 */
public final class GoImages {

  private static final long BUILD_TIMEOUT_MINUTES = 5;

  private GoImages() {
  }

  /**
   * Builds the Go main package in {@code source} and pushes it as {@code reference} (host/repository:tag) to a
   * plain-HTTP registry. Returns the manifest digest.
   */
  public static String push(Path source, String name, String reference) {
    Path work = null;
    try {
      work = Files.createTempDirectory("stackpipe-go-image-");
      Path binary = work.resolve(name);
      build(source, binary);
      FileEntriesLayer layer = FileEntriesLayer.builder().setName("binary")
          .addEntry(binary, AbsoluteUnixPath.get("/" + name), FilePermissions.fromOctalString("755"))
          .build();
      var container = Jib.fromScratch()
          .addFileEntriesLayer(layer)
          .setEntrypoint("/" + name)
          .setUser("65534")
          .containerize(Containerizer.to(RegistryImage.named(ImageReference.parse(reference)))
              .setAllowInsecureRegistries(true));
      return container.getDigest().toString();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build image " + reference + " from " + source, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building image " + reference, e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot push image " + reference + ": " + Messages.firstLine(e), e);
    } finally {
      if (work != null) {
        FileTrees.deleteQuietly(work);
      }
    }
  }

  /** Like {@link #push(Path, String, String)} for a main package shipped as class-path resources beside {@code anchor}. */
  public static String pushResource(Class<?> anchor, String folder, List<String> files, String name, String reference) {
    Path source = null;
    try {
      source = Files.createTempDirectory("stackpipe-go-source-");
      for (String file : files) {
        try (InputStream in = anchor.getResourceAsStream(folder + "/" + file)) {
          if (in == null) {
            throw new IllegalStateException("missing resource " + folder + "/" + file + " beside " + anchor.getName());
          }
          Files.copy(in, source.resolve(file));
        }
      }
      return push(source, name, reference);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (source != null) {
        FileTrees.deleteQuietly(source);
      }
    }
  }

  private static void build(Path source, Path binary) throws IOException, InterruptedException {
    Path log = binary.resolveSibling("go-build.log");
    ProcessBuilder builder = new ProcessBuilder(go(), "build", "-trimpath", "-ldflags", "-s -w", "-o",
        binary.toString(), ".")
        .directory(source.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("CGO_ENABLED", "0");
    builder.environment().put("GOFLAGS", "-buildvcs=false");
    builder.environment().put("GOTOOLCHAIN", "local");
    Process process = builder.start();
    if (!process.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("go build in " + source + " took over " + BUILD_TIMEOUT_MINUTES + " min");
    }
    if (process.exitValue() != 0) {
      // The first line names the package ("# example.com/x"); the error follows it.
      String error = Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> !l.startsWith("#"))
          .findFirst().orElse("exit " + process.exitValue());
      throw new IllegalStateException("go build in " + source + " failed: " + error.strip());
    }
  }

  /** The Go toolchain: on PATH, else where the official archive installs it. */
  static String go() {
    Stream<Path> onPath = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .filter(d -> !d.isEmpty()).map(d -> Path.of(d, "go"));
    return Stream.concat(onPath, Stream.of(Path.of("/usr/local/go/bin/go")))
        .filter(Files::isExecutable).findFirst().map(Path::toString)
        .orElseThrow(() -> new IllegalStateException(
            "the Go toolchain is missing: images are built from source with go build (install Go >= 1.22)"));
  }
}
