package io.stackpipe.chart;

import io.stackpipe.PrivateTempDir;
import io.stackpipe.StackpipeException;
import io.stackpipe.registry.ImageReference;
import io.stackpipe.yaml.SafeYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A build's private working folder (0700): the image pin as a values file, Helm's package output and the
 * rewritten archive. Nothing in it is secret; it is deleted when the build ends, also on failure.
 */
final class ChartStage implements AutoCloseable {

  private final PrivateTempDir dir;
  private final Path root;

  private ChartStage(PrivateTempDir dir) {
    this.dir = dir;
    this.root = dir.path();
  }

  static ChartStage create() {
    return new ChartStage(PrivateTempDir.create("stackpipe-build-"));
  }

  Path root() {
    return root;
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

  @Override
  public void close() {
    dir.close();
  }
}
