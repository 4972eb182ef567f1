package io.stackpipe.local.registry;

import io.stackpipe.local.ChildProcesses;
import io.stackpipe.base.FileTrees;
import io.stackpipe.base.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real OCI registry (Debian's {@code docker-registry}, distribution 2.8) on a free loopback port, with its
 * storage in a private directory and deletion enabled. Used by tests and by the local demo.
 */
public final class LocalRegistry implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path storage;
  private final boolean ownsStorage;
  private final int port;

  private LocalRegistry(Process process, Path storage, boolean ownsStorage, int port) {
    this.process = process;
    this.storage = storage;
    this.ownsStorage = ownsStorage;
    this.port = port;
  }

  /** A handle on a registry another process runs on loopback {@code port}: closing it leaves that registry alone. */
  public static LocalRegistry attach(int port) {
    return new LocalRegistry(null, null, false, port);
  }

  /** Starts a registry whose storage is a temporary directory removed on {@link #close()}. */
  public static LocalRegistry start() {
    return startWithAuth("");
  }

  /**
   * Starts a registry that requires authentication: {@code auth} is distribution's {@code auth:} section (an
   * {@code htpasswd:} or {@code token:} block, indented by two spaces, the {@code auth:} line included). Its
   * storage is a temporary directory removed on {@link #close()}.
   */
  public static LocalRegistry startWithAuth(String auth) {
    try {
      return start(Files.createTempDirectory("stackpipe-registry-"), true, auth);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts a registry on a storage directory that outlives it (the demo keeps its charts between runs), on the
   * port it had last time when that port is free: image references recorded in published charts stay valid.
   */
  public static LocalRegistry startWithStorage(Path storage) {
    return start(storage, false, "");
  }

  private static LocalRegistry start(Path storage, boolean ownsStorage, String auth) {
    String binary = findBinary();
    try {
      Files.createDirectories(storage);
      int port = ownsStorage ? Ports.free() : stablePort(storage.resolve("port"));
      Path config = storage.resolve("config.yml");
      Files.writeString(config, """
          version: 0.1
          log:
            level: error
            accesslog:
              disabled: true
          storage:
            filesystem:
              rootdirectory: %s
            delete:
              enabled: true
          http:
            addr: 127.0.0.1:%d
          """.formatted(storage.resolve("data"), port) + auth);
      Path log = storage.resolve("registry.log");
      Process process = ChildProcesses.startAttached(new ProcessBuilder(binary, "serve", config.toString())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile()));
      LocalRegistry registry = new LocalRegistry(process, storage, ownsStorage, port);
      Runtime.getRuntime().addShutdownHook(new Thread(registry::kill));
      registry.awaitReady(log);
      return registry;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start docker-registry", e);
    }
  }

  private static String findBinary() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path candidate = Path.of(dir, "docker-registry");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new IllegalStateException(
        "docker-registry is not installed: run scripts/setup (Debian package docker-registry)");
  }

  private void awaitReady(Path log) throws IOException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("docker-registry exited at start: " + Files.readString(log).strip());
      }
      try {
        HttpResponse<Void> response = http.send(
            HttpRequest.newBuilder(URI.create(url() + "/v2/")).timeout(Duration.ofSeconds(1)).build(),
            HttpResponse.BodyHandlers.discarding());
        // 401: it answers, and requires authentication
        if (response.statusCode() == 200 || response.statusCode() == 401) {
          return;
        }
      } catch (IOException retry) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      sleep(50);
    }
    kill();
    throw new IllegalStateException("docker-registry did not answer on " + url() + " within " + START_TIMEOUT);
  }

  private static int stablePort(Path record) throws IOException {
    if (Files.exists(record)) {
      int previous = Integer.parseInt(Files.readString(record).strip());
      if (Ports.isFree(previous)) {
        return previous;
      }
      // taken by something else now: pick another
    }
    int port = Ports.free();
    Files.writeString(record, Integer.toString(port));
    return port;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code 127.0.0.1:port}, the registry host as it appears in image references. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  /** {@code http://127.0.0.1:port}. */
  public String url() {
    return "http://" + host();
  }

  /** {@code oci://127.0.0.1:port/<path>}, a chart push target. */
  public String ociUrl(String path) {
    return "oci://" + host() + "/" + path;
  }

  public int port() {
    return port;
  }

  private void kill() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    kill();
    if (ownsStorage) {
      FileTrees.delete(storage);
    }
  }

}
