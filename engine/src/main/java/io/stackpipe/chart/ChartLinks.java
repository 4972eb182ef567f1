package io.stackpipe.chart;

import io.stackpipe.StackpipeException;
import io.stackpipe.yaml.SafeYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Helm follows symbolic links when it packages a chart, so a link to {@code ~/.kube/config} would publish the
 * CI agent's file. Every link in the chart tree must resolve inside the chart; links that stay inside are
 * followed as Helm follows them. Checked before any file of the chart is read.
 */
final class ChartLinks {

  private ChartLinks() {
  }

  /** Refuses the first link (in path order) that resolves outside {@code chartDir} or to nothing. */
  static void refuseLinksOutOf(Path chartDir) {
    Path root = realPath(chartDir);
    walk(root, root);
  }

  // Sorted, so the same chart always names the same link; links are checked, never descended into: a linked
  // folder inside the chart is walked where it really is.
  private static void walk(Path root, Path dir) {
    List<Path> entries;
    try (Stream<Path> list = Files.list(dir)) {
      entries = list.sorted().toList();
    } catch (IOException e) {
      throw new StackpipeException(display(root, dir) + ": cannot be listed (" + SafeYaml.describe(e) + ")");
    }
    for (Path entry : entries) {
      if (Files.isSymbolicLink(entry)) {
        check(root, entry);
      } else if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
        walk(root, entry);
      }
    }
  }

  private static String display(Path root, Path path) {
    return path.equals(root) ? root.toString() : root.relativize(path).toString();
  }

  private static void check(Path root, Path link) {
    String display = root.relativize(link).toString();
    String target;
    try {
      target = Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      throw new StackpipeException(display + ": symbolic link cannot be read (" + SafeYaml.describe(e) + ")");
    }
    Path resolved;
    try {
      resolved = link.toRealPath();
    } catch (NoSuchFileException e) {
      throw new StackpipeException(display + ": symbolic link to " + target
          + " points to nothing: remove it or make it point to a file of the chart");
    } catch (IOException e) {
      throw new StackpipeException(display + ": symbolic link to " + target + " cannot be resolved ("
          + SafeYaml.describe(e) + ")");
    }
    if (!resolved.startsWith(root)) {
      throw new StackpipeException(display + ": symbolic link to " + target + " resolves outside the chart ("
          + resolved + "): refused, Helm would publish that file; copy what the chart needs into it");
    }
  }

  private static Path realPath(Path chartDir) {
    try {
      return chartDir.toRealPath();
    } catch (IOException e) {
      throw new StackpipeException(chartDir + ": cannot be read (" + SafeYaml.describe(e) + ")");
    }
  }
}
