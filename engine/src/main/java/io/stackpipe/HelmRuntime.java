package io.stackpipe;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Every helm-java call of the engine goes through {@link #call}, because the embedded Helm (a Go library loaded
 * into this JVM) changes the process in two ways a controller, an agent or the CLI cannot live with:
 * <ul>
 *   <li>helm-java's install and template call {@code signal.Notify(SIGINT, SIGTERM, SIGQUIT)} and never stop it, so
 *   the Go runtime takes those signals from the JVM: after the first render, {@code kill -TERM} no longer runs the
 *   shutdown hooks (Jenkins does not stop, a pod waits out its grace period). The JVM's own handlers are saved
 *   before Helm loads and put back after every call; Go installs its handler only once per process, so from then
 *   on the signals stay the JVM's (one sent during the process's very first render only cancels that render).</li>
 *   <li>helm-java copies its 94 MB library into a fresh {@code helm-java*} folder of the temporary directory and
 *   removes it only on a clean exit, so every killed or crashed JVM leaves one behind. Once loaded, the copy is
 *   deleted at once (the mapping stays valid), and copies older than a minute left by earlier JVMs are removed.</li>
 * </ul>
 */
public final class HelmRuntime {

  private static final String FOLDER_PREFIX = "helm-java";
  // SIGHUP, SIGINT, SIGQUIT, SIGTERM: the same numbers on Linux and macOS.
  private static final int[] SIGNALS = {1, 2, 3, 15};
  // A copy younger than this may belong to a JVM that has not loaded it yet.
  private static final Duration STALE = Duration.ofMinutes(1);
  private static final Handlers HANDLERS = load();

  private HelmRuntime() {
  }

  /** Runs one helm-java call, then gives the JVM its signal handlers back. */
  public static <T> T call(Supplier<T> helmCall) {
    try {
      return helmCall.get();
    } finally {
      HANDLERS.restore();
    }
  }

  /** Runs one helm-java call that returns nothing. */
  public static void run(Runnable helmCall) {
    call(() -> {
      helmCall.run();
      return null;
    });
  }

  /** Removes the {@code helm-java*} folders in {@code temp} older than {@link #STALE}; returns what it removed. */
  static List<Path> removeStaleCopies(Path temp, Instant now) {
    List<Path> removed = new ArrayList<>();
    try (DirectoryStream<Path> folders = Files.newDirectoryStream(temp, FOLDER_PREFIX + "*")) {
      for (Path folder : folders) {
        if (Files.isDirectory(folder)
            && Files.getLastModifiedTime(folder).toInstant().isBefore(now.minus(STALE)) && delete(folder)) {
          removed.add(folder);
        }
      }
    } catch (IOException e) {
      // An unreadable temporary directory only means nothing is cleaned.
    }
    return removed;
  }

  private static Handlers load() {
    Handlers handlers = Handlers.save();
    Path temp = Path.of(System.getProperty("java.io.tmpdir"));
    removeStaleCopies(temp, Instant.now());
    try {
      // The library loads in this holder's initializer: load it now to delete the copy it was loaded from.
      Class.forName("com.marcnuri.helm.Helm$HelmLibHolder", true, HelmRuntime.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      return handlers;
    }
    loadedCopies(temp).forEach(HelmRuntime::delete);
    return handlers;
  }

  /** The helm-java folders in {@code temp} whose library this process has mapped (Linux: /proc/self/maps). */
  private static List<Path> loadedCopies(Path temp) {
    Path maps = Path.of("/proc/self/maps");
    if (!Files.isReadable(maps)) {
      return List.of();
    }
    try (Stream<String> lines = Files.lines(maps)) {
      return lines.map(line -> line.substring(line.indexOf('/') < 0 ? line.length() : line.indexOf('/')))
          .filter(path -> !path.isEmpty()).map(Path::of)
          .filter(path -> path.getParent() != null && temp.equals(path.getParent().getParent())
              && path.getParent().getFileName().toString().startsWith(FOLDER_PREFIX))
          .map(Path::getParent).distinct().toList();
    } catch (IOException | UncheckedIOException e) {
      return List.of();
    }
  }

  private static boolean delete(Path folder) {
    try (Stream<Path> tree = Files.walk(folder)) {
      for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
      return true;
    } catch (IOException | UncheckedIOException e) {
      return false;
    }
  }

  /** The JVM's {@code sigaction} for each signal, as opaque bytes saved before Helm loads. */
  private record Handlers(LibC libc, List<Memory> saved) {

    // Larger than any platform's struct sigaction: the bytes are only read back, never interpreted.
    private static final int SIGACTION_BYTES = 512;

    interface LibC extends Library {
      int sigaction(int signal, Pointer action, Pointer previous);
    }

    static Handlers save() {
      if (!Platform.isLinux() && !Platform.isMac()) {
        return new Handlers(null, List.of());
      }
      LibC libc = Native.load("c", LibC.class);
      List<Memory> saved = new ArrayList<>();
      for (int signal : SIGNALS) {
        Memory action = new Memory(SIGACTION_BYTES);
        action.clear();
        if (libc.sigaction(signal, null, action) != 0) {
          return new Handlers(null, List.of());
        }
        saved.add(action);
      }
      return new Handlers(libc, saved);
    }

    void restore() {
      for (int i = 0; i < saved.size(); i++) {
        libc.sigaction(SIGNALS[i], saved.get(i), null);
      }
    }
  }
}
