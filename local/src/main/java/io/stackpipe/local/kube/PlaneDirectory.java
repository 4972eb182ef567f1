package io.stackpipe.local.kube;

import io.stackpipe.base.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The directory of a {@link ControlPlane}'s data, certificates, logs, kubeconfigs and {@link StateFile}: a
 * temporary one of its own, or one the caller names, which must hold nothing but a control plane's entries.
 */
final class PlaneDirectory {

  private static final String TEMP_PREFIX = "stackpipe-kube-";
  private static final List<String> OWN_ENTRIES =
      List.of("etcd", "pki", "logs", ControlPlaneConfig.ADMIN_KUBECONFIG, "controller-manager.kubeconfig",
          StateFile.NAME, "kubelet-plugins");

  private PlaneDirectory() {
  }

  /** A new temporary directory, named after this JVM's PID; first removes those of JVMs that are gone. */
  static Path createTemporary() throws IOException {
    deleteOrphans();
    return Files.createTempDirectory(TEMP_PREFIX + ProcessHandle.current().pid() + "-");
  }

  /** Readies {@code directory} (absolute) for a new control plane: refuses foreign files and a running plane. */
  static void prepare(Path directory) throws IOException {
    Files.createDirectories(directory);
    try (Stream<Path> entries = Files.list(directory)) {
      List<String> foreign = entries.map(p -> p.getFileName().toString())
          .filter(n -> !OWN_ENTRIES.contains(n)).toList();
      if (!foreign.isEmpty()) {
        throw new IllegalArgumentException("directory " + directory + " holds files that are not a control plane's: "
            + foreign + "; choose an empty directory");
      }
    }
    if (Files.exists(directory.resolve(StateFile.NAME)) && StateFile.read(directory).running()) {
      throw new IllegalStateException("a control plane is already running from " + directory
          + "; stop it first");
    }
    empty(directory);
  }

  /** Deletes a control plane's entries, and only those: the directory stays. */
  static void empty(Path directory) {
    OWN_ENTRIES.forEach(name -> FileTrees.delete(directory.resolve(name)));
  }

  /**
   * A test JVM killed outright cannot delete its temp directory (its processes die by the parent-death
   * signal). The directory name carries the JVM's PID: the next start removes those whose JVM is gone.
   */
  private static void deleteOrphans() throws IOException {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    try (Stream<Path> entries = Files.list(tmp)) {
      for (Path dir : entries.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX)).toList()) {
        String rest = dir.getFileName().toString().substring(TEMP_PREFIX.length());
        int dash = rest.indexOf('-');
        if (dash > 0 && rest.substring(0, dash).chars().allMatch(Character::isDigit)
            && ProcessHandle.of(Long.parseLong(rest.substring(0, dash))).map(h -> !h.isAlive()).orElse(true)) {
          try {
            FileTrees.delete(dir);
          } catch (UncheckedIOException e) {
            // Someone else's, or half-deleted by a concurrent start: not ours to insist on.
          }
        }
      }
    }
  }
}
