package io.stackpipe.local;

import io.stackpipe.base.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A real moto server (AWS KMS/STS/IAM emulator) on a free loopback port, for tests, the benchmark and demos. Its log
 * goes to a file; {@link #close} stops it and its children. Clients use {@link #endpoint()} with any static
 * credentials (moto does not check them unless IAM enforcement is switched on).
 */
public final class MotoServer implements AutoCloseable {
  public static final String REGION = "us-east-1";
  public static final String ACCESS_KEY = "testing";
  public static final String SECRET_KEY = "testing";

  private final Process process;
  private final int port;
  private final Path log;

  private MotoServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  public static MotoServer start() {
    return start(Map.of());
  }

  /** Starts moto with extra environment (e.g. INITIAL_NO_AUTH_ACTION_COUNT to enforce IAM after N requests). */
  public static MotoServer start(Map<String, String> env) {
    int port = Ports.free();
    try {
      Path log = Files.createTempFile("moto-", ".log");
      ProcessBuilder pb = new ProcessBuilder(LocalTools.motoServer().toString(), "-H", "127.0.0.1", "-p", String.valueOf(port))
          .redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().putAll(env);
      MotoServer m = new MotoServer(pb.start(), port, log);
      m.awaitReady(Duration.ofSeconds(60));
      return m;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start moto_server", e);
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public int port() {
    return port;
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("moto_server exited with " + process.exitValue() + "; log: " + tail());
      }
      try {
        HttpURLConnection c = (HttpURLConnection) endpoint().resolve("/moto-api/").toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(2000);
        if (c.getResponseCode() > 0) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for moto");
      }
    }
    close();
    throw new IllegalStateException("moto_server not ready after " + timeout + "; log: " + tail());
  }

  private String tail() {
    try {
      String s = Files.readString(log);
      return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
    } catch (IOException e) {
      return "(no log)";
    }
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      // a leftover moto log holds no secrets
    }
  }
}
