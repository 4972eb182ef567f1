package io.stackpipe.testsupport.kube;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Short-lived bearer tokens for a real API server, as EKS hands them out: a TokenReview webhook (start the control
 * plane with {@code ControlPlane.builder().withTokenWebhook(tokens.uri())}) that accepts only the tokens minted here
 * and only until they expire, and an exec credential plugin (a shell script, {@link #plugin()}) that mints one per
 * run, as {@code aws eks get-token} does. Every token starts with {@link #CANARY}, so a test can search logs and files
 * for it. The tokens act as {@link #USER} in {@code system:masters}.
 */
public final class ExpiringTokens implements AutoCloseable {

  /** What every token starts with. */
  public static final String CANARY = "canary-kube-token-";
  public static final String USER = "exec-user";

  private final Path directory;
  private final HttpServer server;
  private final Map<String, Instant> issued = new ConcurrentHashMap<>();
  private final AtomicInteger refusedExpired = new AtomicInteger();

  private ExpiringTokens(Path directory, Duration ttl) throws IOException {
    this.directory = directory;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::review);
    server.start();
    Path script = plugin();
    Files.writeString(script, """
        #!/bin/sh
        set -eu
        expiry=$(( $(date +%%s) + %d ))
        token="%s$(od -An -N12 -tx1 /dev/urandom | tr -d ' \\n')"
        printf '%%s %%s\\n' "$token" "$expiry" >> '%s'
        printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",\
        "status":{"token":"%%s","expirationTimestamp":"%%s"}}\\n' "$token" "$(date -u -d "@$expiry" +%%Y-%%m-%%dT%%H:%%M:%%SZ)"
        """.formatted(ttl.toSeconds(), CANARY, directory.resolve("minted")));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
  }

  /** Tokens valid for {@code ttl} (whole seconds), the plugin and its record of minted tokens in {@code directory}. */
  public static ExpiringTokens start(Path directory, Duration ttl) {
    try {
      return new ExpiringTokens(directory, ttl);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The webhook's address (plain HTTP on loopback). */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  /** The exec credential plugin: prints an {@code ExecCredential} (v1) with a new token and its expiry. */
  public Path plugin() {
    return directory.resolve("mint-token");
  }

  /** A token minted by the test itself (as a CI system's credential store holds one), valid for {@code validFor}. */
  public String issue(Duration validFor) {
    byte[] random = new byte[12];
    new SecureRandom().nextBytes(random);
    String token = CANARY + HexFormat.of().formatHex(random);
    issued.put(token, Instant.now().plus(validFor));
    return token;
  }

  /** How many tokens the plugin minted: how many times a client ran it. */
  public int minted() {
    return mintedTokens().size();
  }

  /** How many requests came with a token that had expired: proves the tokens really ran out under the client. */
  public int refusedExpired() {
    return refusedExpired.get();
  }

  /** When the last token the plugin minted expires (or now, when it minted none). */
  public Instant lastExpiry() {
    List<Map.Entry<String, Instant>> tokens = mintedTokens();
    return tokens.isEmpty() ? Instant.now() : tokens.get(tokens.size() - 1).getValue();
  }

  /** A kubeconfig of one context, cluster and user {@code name}; the user runs {@link #plugin()}. */
  public String kubeconfig(String name, URI apiServer, Path caCertificate) {
    String ca;
    try {
      ca = Base64.getEncoder().encodeToString(Files.readAllBytes(caCertificate));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: %1$s
          cluster:
            server: %2$s
            certificate-authority-data: %3$s
        users:
        - name: %1$s
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: %4$s
              interactiveMode: Never
        contexts:
        - name: %1$s
          context:
            cluster: %1$s
            user: %1$s
        current-context: %1$s
        """.formatted(name, apiServer, ca, plugin());
  }

  private List<Map.Entry<String, Instant>> mintedTokens() {
    Path file = directory.resolve("minted");
    List<Map.Entry<String, Instant>> tokens = new ArrayList<>();
    try {
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file)) {
          String[] parts = line.split(" ");
          if (parts.length == 2) {
            tokens.add(Map.entry(parts[0], Instant.ofEpochSecond(Long.parseLong(parts[1]))));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return tokens;
  }

  private void review(HttpExchange exchange) throws IOException {
    try (exchange) {
      TokenReview review = Serialization.unmarshal(new String(exchange.getRequestBody().readAllBytes(),
          StandardCharsets.UTF_8), TokenReview.class);
      String token = review.getSpec().getToken();
      Instant expiry = issued.get(token);
      if (expiry == null) {
        expiry = mintedTokens().stream().filter(e -> e.getKey().equals(token)).map(Map.Entry::getValue)
            .findFirst().orElse(null);
      }
      boolean valid = expiry != null && Instant.now().isBefore(expiry);
      if (expiry != null && !valid) {
        refusedExpired.incrementAndGet();
      }
      review.setStatus(valid
          ? new TokenReviewStatusBuilder().withAuthenticated(true).withNewUser().withUsername(USER)
              .withGroups("system:masters").endUser().build()
          : new TokenReviewStatusBuilder().withAuthenticated(false).build());
      review.getSpec().setToken(null);
      byte[] body = Serialization.asJson(review).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
