package io.stackpipe.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback TCP proxy that adds a fixed delay before forwarding each chunk the client sends, so every HTTP request
 * to the target pays roughly one network round trip of latency (used to put moto "far away" in benchmarks).
 */
public final class DelayProxy implements AutoCloseable {
  private final ServerSocket server;
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "delay-proxy");
    t.setDaemon(true);
    return t;
  });

  private DelayProxy(ServerSocket server) {
    this.server = server;
  }

  public static DelayProxy start(URI target, Duration delay) {
    try {
      ServerSocket s = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
      DelayProxy p = new DelayProxy(s);
      p.pool.submit(() -> p.accept(new InetSocketAddress(target.getHost(), target.getPort()), delay.toMillis()));
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  private void accept(InetSocketAddress target, long delayMs) {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(target.getAddress(), target.getPort());
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        pool.submit(() -> pump(client, upstream, delayMs));
        pool.submit(() -> pump(upstream, client, 0));
      } catch (IOException e) {
        // closed, or one connection failed: keep serving others
      }
    }
  }

  private static void pump(Socket from, Socket to, long delayMs) {
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        if (delayMs > 0) {
          Thread.sleep(delayMs);
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // connection closed
    } finally {
      try {
        from.close();
        to.close();
      } catch (IOException e) {
        // already closed
      }
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // already closed
    }
    pool.shutdownNow();
  }
}
