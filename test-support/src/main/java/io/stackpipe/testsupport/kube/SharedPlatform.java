package io.stackpipe.testsupport.kube;

import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.local.registry.LocalRegistry;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * One control plane with its node for a whole Maven build, shared by every test JVM in it: the machine runs one
 * node at a time, so without it each module's JVM starts (and ends) its own in turn. Its registry holds the node's
 * pause image; the tests' registries stay their JVM's or class's ({@code RegistryExtension}), trusted by the node.
 *
 * <p>On when system property {@value #PROPERTY} names a directory (the parent POM gives every test JVM the
 * build's {@code target/test-platform}). The first JVM that needs the node starts a keeper, this class's
 * {@link #main}: a JVM of its own that runs the registry and the control plane attached to it, writes
 * {@value #STATE} once they serve, and watches the Maven process. When Maven ends, normally, on Ctrl-C or killed,
 * the keeper stops both; killed itself, it takes its daemons along (parent-death signal), and the next node's
 * claim mops up what they changed on the machine. Every later JVM attaches through {@value #STATE}. Isolation
 * stays per test: its own namespaces and repository paths. Tests that need no node never start it, so the inner
 * loop ({@code scripts/test --fast}) runs beside another build's node.
 */
public final class SharedPlatform {

  public static final String PROPERTY = "stackpipe.test.platform";
  static final String STATE = "platform.properties";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(4);
  private static final Duration STOP_TIMEOUT = Duration.ofMinutes(2);

  /** The build's registry and node, as this JVM sees them: closing either leaves it running. */
  public record Attached(LocalRegistry registry, ControlPlane plane) {
  }

  private SharedPlatform() {
  }

  /** The platform's directory, when the build shares one. */
  public static Optional<Path> directory() {
    String dir = System.getProperty(PROPERTY, "");
    return dir.isBlank() ? Optional.empty() : Optional.of(Path.of(dir).toAbsolutePath().normalize());
  }

  /** Attaches to the build's platform in {@code dir}, starting its keeper when none runs for this build. */
  public static Attached attach(Path dir) {
    return attach(dir, mavenPid(), true);
  }

  /** Attaches to the platform in {@code dir} that lives as long as process {@code maven}; with or without the node. */
  static synchronized Attached attach(Path dir, long maven, boolean withNode) {
    try (FileChannel channel = lockFile(dir); FileLock lock = channel.lock()) {
      Properties state = read(dir);
      if (state != null && keeper(dir, state).isPresent()
          && Long.parseLong(state.getProperty("maven")) != maven) {
        throw new IllegalStateException("the test platform in " + dir + " belongs to another build (Maven PID "
            + state.getProperty("maven") + "): one build per checkout at a time");
      }
      if (state == null || keeper(dir, state).isEmpty()) {
        state = start(dir, maven, withNode);
      }
      return new Attached(LocalRegistry.attach(Integer.parseInt(state.getProperty("registry.port"))),
          ControlPlane.attach(Path.of(state.getProperty("cluster"))));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot attach to the test platform in " + dir, e);
    }
  }

  /**
   * Stops the build's platform, if one runs, and returns once its node is gone: for the tests that start the
   * machine's one node themselves ({@link OwnNode}).
   */
  public static synchronized void release(Path dir) {
    try (FileChannel channel = lockFile(dir); FileLock lock = channel.lock()) {
      Properties state = read(dir);
      if (state == null) {
        return;
      }
      Optional<ProcessHandle> keeper = keeper(dir, state);
      if (keeper.isPresent()) {
        keeper.get().destroy(); // SIGTERM: its shutdown hooks stop the node and the registry
        keeper.get().onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
      Files.deleteIfExists(dir.resolve(STATE));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stop the test platform in " + dir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping the test platform in " + dir, e);
    } catch (Exception e) {
      throw new IllegalStateException("the test platform's keeper in " + dir + " did not stop within "
          + STOP_TIMEOUT.toSeconds() + " s", e);
    }
  }

  private static Properties start(Path dir, long maven, boolean withNode) throws IOException {
    Files.deleteIfExists(dir.resolve(STATE));
    Path log = dir.resolve("keeper.log");
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString()),
        "-Djava.io.tmpdir=" + tmp, SharedPlatform.class.getName(), dir.toString(),
        Long.toString(maven), withNode ? "node" : "no-node"));
    // Its own streams: a keeper holding the test JVM's output pipe would keep Surefire waiting for it.
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    // The class path by the environment: a command line that long is cut where others read it (/proc/PID/cmdline),
    // and the keeper is known by the arguments after it.
    builder.environment().put("CLASSPATH", classPath());
    Process keeper = builder.start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Properties state = read(dir);
      if (state != null) {
        return state;
      }
      if (!keeper.isAlive()) {
        throw new IllegalStateException("the test platform's keeper exited " + keeper.exitValue() + " at start: "
            + tail(log));
      }
      sleep(200);
    }
    keeper.destroy();
    throw new IllegalStateException("the test platform did not start within " + START_TIMEOUT.toSeconds()
        + " s: " + tail(log));
  }

  /**
   * The keeper: {@code DIR MAVEN_PID node|no-node}. Runs the platform until the Maven process ends or it is told to
   * stop.
   */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Optional<ProcessHandle> maven = ProcessHandle.of(Long.parseLong(args[1])).filter(ProcessHandle::isAlive);
    if (maven.isEmpty()) {
      return;
    }
    // Both stop by their shutdown hooks: on SIGTERM or SIGINT, and when main ends below.
    LocalRegistry registry = LocalRegistry.start();
    ControlPlane.Builder builder = ControlPlane.builder();
    ControlPlane plane = (args[2].equals("node") ? builder.withNode(registry.host()) : builder).start();
    Properties state = new Properties();
    state.setProperty("keeper", Long.toString(ProcessHandle.current().pid()));
    state.setProperty("maven", args[1]);
    state.setProperty("registry.port", Integer.toString(registry.port()));
    state.setProperty("cluster", plane.directory().toString());
    Path temporary = dir.resolve(STATE + ".tmp");
    try (var out = Files.newBufferedWriter(temporary)) {
      state.store(out, "the build's test platform (test-support SharedPlatform)");
    }
    Files.move(temporary, dir.resolve(STATE), StandardCopyOption.ATOMIC_MOVE);
    System.out.println("test platform: registry " + registry.host() + ", cluster " + plane.directory()
        + "; until Maven (PID " + args[1] + ") ends");
    maven.get().onExit().join();
    System.out.println("test platform: Maven ended, stopping");
    System.exit(0);
  }

  /**
   * The keeper named in {@code state}, if it still runs. A recycled PID runs something else: the keeper's command
   * line names this class and {@code dir}. (Not its start time: a JVM derives it from the boot time, which moves
   * when the clock is adjusted, so two JVMs can disagree on it.)
   */
  private static Optional<ProcessHandle> keeper(Path dir, Properties state) {
    return ProcessHandle.of(Long.parseLong(state.getProperty("keeper"))).filter(ProcessHandle::isAlive)
        .filter(h -> h.info().arguments().map(List::of)
            .map(a -> a.contains(SharedPlatform.class.getName()) && a.contains(dir.toString())).orElse(false));
  }

  /** The Maven JVM this test JVM runs under (Surefire's fork is its child, maybe through a shell), else the parent. */
  private static long mavenPid() {
    Optional<ProcessHandle> ancestor = ProcessHandle.current().parent();
    while (ancestor.isPresent()) {
      String[] arguments = ancestor.get().info().arguments().orElse(new String[0]);
      if (List.of(arguments).stream().anyMatch(a -> a.startsWith("org.codehaus.plexus.classworlds"))) {
        return ancestor.get().pid();
      }
      ancestor = ancestor.get().parent();
    }
    return ProcessHandle.current().parent().orElseThrow().pid();
  }

  /** The test class path: Surefire's manifest-only booter jar is deleted when the test JVM ends, the keeper's not. */
  private static String classPath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  private static FileChannel lockFile(Path dir) throws IOException {
    Files.createDirectories(dir);
    return FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
  }

  private static Properties read(Path dir) throws IOException {
    Path file = dir.resolve(STATE);
    if (!Files.exists(file)) {
      return null;
    }
    Properties state = new Properties();
    try (var in = Files.newBufferedReader(file)) {
      state.load(in);
    }
    return state;
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the test platform", e);
    }
  }
}
