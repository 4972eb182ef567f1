package io.stackpipe.manifest.l3;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;

/**
 * A loopback HTTP proxy in front of the real registry that forwards reads and, once {@link #refuseWrites()} is
 * called, answers every write (POST, PUT, PATCH, DELETE) with 503: a registry going down in the middle of a push.
 */
final class WriteRefusingProxy implements AutoCloseable {
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "host", "transfer-encoding",
      "upgrade", "expect", "keep-alive");

  private final HttpServer server;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private final String target;
  private volatile boolean refusing;

  private WriteRefusingProxy(String registryHost) throws IOException {
    this.target = "http://" + registryHost;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.createContext("/", this::forward);
    server.start();
  }

  static WriteRefusingProxy start(String registryHost) {
    try {
      return new WriteRefusingProxy(registryHost);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** host:port of the proxy. */
  String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  void refuseWrites() {
    refusing = true;
  }

  private void forward(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      if (refusing && !method.equals("GET") && !method.equals("HEAD")) {
        exchange.sendResponseHeaders(503, -1);
        return;
      }
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
          .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(body));
      exchange.getRequestHeaders().forEach((name, values) -> {
        if (!HOP_BY_HOP.contains(name.toLowerCase(java.util.Locale.ROOT))) {
          values.forEach(value -> request.header(name, value));
        }
      });
      HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      response.headers().map().forEach((name, values) -> {
        if (!HOP_BY_HOP.contains(name.toLowerCase(java.util.Locale.ROOT)) && !name.startsWith(":")) {
          // Uploads continue at the Location the registry names: through the proxy too.
          values.forEach(value -> exchange.getResponseHeaders().add(name,
              value.replace(target, "http://" + host())));
        }
      });
      boolean bodiless = method.equals("HEAD") || response.statusCode() == 204 || response.body().length == 0;
      exchange.sendResponseHeaders(response.statusCode(), bodiless ? -1 : response.body().length);
      if (!bodiless) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(response.body());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
