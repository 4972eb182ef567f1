package io.stackpipe.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.stackpipe.StackpipeException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The report over HTTP, read-only, from the JDK's HttpServer: {@code /} the page (reloading itself every refresh
 * interval), {@code /status.json} the JSON, {@code /healthz} {@code ok}. Loopback by default. A report is built at
 * most once per refresh interval, however many clients ask, so the API server sees a fixed request rate.
 *
 * <pre>{@code
 * try (StatusServer.Running server = StatusServer.of(() -> Status.of(stacks).call()).withPort(8080).start()) { … }
 * }</pre>
 */
public final class StatusServer {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  // Nothing but the page's own inline style and script: no outside asset can load, even if one slipped in.
  private static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline';"
      + " img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

  private final Supplier<StatusReport> reports;
  private String bind = "127.0.0.1";
  private int port = 8080;
  private Duration refresh = Duration.ofSeconds(30);
  private Clock clock = Clock.systemUTC();

  private StatusServer(Supplier<StatusReport> reports) {
    this.reports = reports;
  }

  public static StatusServer of(Supplier<StatusReport> reports) {
    return new StatusServer(reports);
  }

  /** The address to listen on (default {@code 127.0.0.1}: this machine only). */
  public StatusServer withBind(String value) {
    this.bind = value;
    return this;
  }

  /** The port (default 8080; 0 picks a free one). */
  public StatusServer withPort(int value) {
    this.port = value;
    return this;
  }

  /** How old a served report may be, and how often the page reloads (default 30 s). */
  public StatusServer withRefresh(Duration value) {
    this.refresh = value;
    return this;
  }

  public StatusServer withClock(Clock value) {
    this.clock = value;
    return this;
  }

  /** Listens until the returned server is closed. */
  public Running start() {
    if (port < 0 || port > 65535) {
      throw StackpipeException.ofField("port", port + " is not a TCP port (0 to 65535)");
    }
    if (refresh.isNegative() || refresh.isZero()) {
      throw StackpipeException.ofField("refresh", "must be positive");
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(bind);
    } catch (IOException e) {
      throw StackpipeException.ofField("bind", "\"" + bind + "\" is not an address of this machine");
    }
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(address, port), 50);
    } catch (IOException e) {
      throw StackpipeException.ofField("port", "cannot listen on " + bind + ":" + port + ": " + e.getMessage());
    }
    Running running = new Running(server);
    server.createContext("/", running::handle);
    ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "stackpipe-status");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(pool);
    server.start();
    return running;
  }

  /** A listening server. */
  public final class Running implements AutoCloseable {
    private final HttpServer server;
    private StatusReport cached;
    private Instant cachedAt;

    private Running(HttpServer server) {
      this.server = server;
    }

    /** Where the page is, e.g. {@code http://127.0.0.1:8080/}. */
    public URI address() {
      InetSocketAddress a = server.getAddress();
      String host = a.getAddress().getHostAddress();
      return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/");
    }

    private synchronized StatusReport report() {
      Instant now = clock.instant();
      if (cached == null || !now.isBefore(cachedAt.plus(refresh))) {
        cached = reports.get();
        cachedAt = now;
      }
      return cached;
    }

    private void handle(HttpExchange exchange) throws IOException {
      try (exchange) {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        if (!method.equals("GET") && !method.equals("HEAD")) {
          exchange.getResponseHeaders().set("Allow", "GET, HEAD");
          send(exchange, 405, "text/plain", "read-only: GET or HEAD\n");
          return;
        }
        switch (path) {
          case "/healthz" -> send(exchange, 200, "text/plain", "ok\n");
          case "/", "/index.html" -> send(exchange, 200, "text/html",
              StatusHtml.page(report(), (int) Math.max(1, refresh.toSeconds())));
          case "/status.json" -> send(exchange, 200, "application/json", JSON.writeValueAsString(report().toMap()));
          default -> send(exchange, 404, "text/plain", "not found: / (page), /status.json, /healthz\n");
        }
      } catch (RuntimeException e) {
        // One line, never a stack trace to the client; the report holds no secret and neither does its error.
        send(exchange, 503, "text/plain", "status unavailable: " + io.stackpipe.base.Messages.firstLine(e) + "\n");
      }
    }

    private void send(HttpExchange exchange, int code, String type, String body) throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
      exchange.getResponseHeaders().set("Content-Security-Policy", CSP);
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(code, head ? -1 : bytes.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    }

    @Override
    public void close() {
      server.stop(0);
      ((ExecutorService) server.getExecutor()).shutdownNow();
    }
  }
}
