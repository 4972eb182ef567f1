package io.stackpipe.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A token-authenticated front for the real test registry, as Docker Hub, GHCR or Harbor are: every /v2/ request
 * without its bearer token gets a 401 challenge, {@code /token} hands out the token anonymously, and blob
 * downloads can be redirected to "storage" on another origin (as S3 or a CDN behind a registry). Tag lists
 * asked with {@code ?n=} are served in pages with a {@code Link} header, as the distribution spec says
 * (distribution 2.8 ignores {@code n}): the tags are the registry's, only the paging is the front's.
 * Everything else is forwarded to the registry unchanged, so the registry's real behaviour is what the client sees.
 */
final class TokenFront implements AutoCloseable {

  /** How real registries format their challenge: spaces after commas, as Harbor and others send. */
  static final String SPACED_CHALLENGE = "Bearer realm=\"%s\", service=\"stackpipe test registry\", scope=\"%s\"";
  private static final Pattern REPOSITORY = Pattern.compile("/v2/(.+?)/(?:manifests|blobs|tags)/.*");
  private static final Pattern TAGS = Pattern.compile("/v2/(.+?)/tags/list");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern BLOB = Pattern.compile("/v2/(.+?)/blobs/(sha256:[a-f0-9]{64})");
  private static final Set<String> HOP_HEADERS = Set.of("content-length", "transfer-encoding", "connection", "date");
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  final String token = "token-" + UUID.randomUUID();
  /** "METHOD path?query" of every request that reached the registry through the front. */
  final List<String> forwarded = Collections.synchronizedList(new ArrayList<>());
  final List<String> tokenQueries = Collections.synchronizedList(new ArrayList<>());
  /** The Authorization header each storage download carried ("none" when it had none). */
  final List<String> storageAuthorization = Collections.synchronizedList(new ArrayList<>());
  volatile String challenge = SPACED_CHALLENGE;
  volatile boolean redirectBlobs;
  volatile boolean corruptBlobs;

  private final HttpServer server;
  private final String registry;

  private TokenFront(HttpServer server, String registry) {
    this.server = server;
    this.registry = registry;
  }

  static TokenFront start(String registryUrl) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    TokenFront front = new TokenFront(server, registryUrl);
    server.createContext("/token", front::token);
    server.createContext("/storage/", front::storage);
    server.createContext("/v2/", front::api);
    server.start();
    return front;
  }

  /** The front's registry host, {@code 127.0.0.1:port}. */
  String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  private void token(HttpExchange exchange) throws IOException {
    tokenQueries.add(exchange.getRequestURI().getRawQuery());
    respond(exchange, 200, ("{\"token\":\"" + token + "\",\"expires_in\":300}").getBytes(StandardCharsets.UTF_8));
  }

  private void api(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getRawPath();
    if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
      Matcher repository = REPOSITORY.matcher(path);
      String scope = repository.matches() ? "repository:" + repository.group(1) + ":pull,push" : "registry:catalog:*";
      exchange.getResponseHeaders().add("WWW-Authenticate",
          challenge.formatted("http://" + host() + "/token", scope));
      respond(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}".getBytes(StandardCharsets.UTF_8));
      return;
    }
    Matcher blob = BLOB.matcher(path);
    if (redirectBlobs && exchange.getRequestMethod().equals("GET") && blob.matches()) {
      // Another origin (localhost, not 127.0.0.1), a signed URL: the client must not send our token there.
      exchange.getResponseHeaders().add("Location", "http://localhost:" + server.getAddress().getPort()
          + "/storage/" + blob.group(1) + "/" + blob.group(2) + "?X-Amz-Signature=signed-" + token);
      respond(exchange, 307, new byte[0]);
      return;
    }
    if (TAGS.matcher(path).matches() && query(exchange, "n") != null) {
      page(exchange, path);
      return;
    }
    forward(exchange, path);
  }

  private void page(HttpExchange exchange, String path) throws IOException {
    forwarded.add("GET " + path + "?" + exchange.getRequestURI().getRawQuery());
    HttpResponse<byte[]> all = send(HttpRequest.newBuilder(URI.create(registry + path)).GET());
    List<String> tags = new ArrayList<>();
    JSON.readTree(all.body()).path("tags").forEach(t -> tags.add(t.asText()));
    Collections.sort(tags);
    String last = query(exchange, "last");
    int n = Integer.parseInt(query(exchange, "n"));
    List<String> after = tags.stream().filter(t -> last == null || t.compareTo(last) > 0).toList();
    List<String> page = after.subList(0, Math.min(n, after.size()));
    if (after.size() > n) {
      exchange.getResponseHeaders().add("Link", "<" + path + "?n=" + n + "&last=" + page.get(page.size() - 1)
          + ">; rel=\"next\"");
    }
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    respond(exchange, 200, JSON.writeValueAsBytes(Map.of("name", path, "tags", page)));
  }

  private static String query(HttpExchange exchange, String name) {
    String query = exchange.getRequestURI().getRawQuery();
    for (String pair : query == null ? new String[0] : query.split("&")) {
      if (pair.startsWith(name + "=")) {
        return pair.substring(name.length() + 1);
      }
    }
    return null;
  }

  private void storage(HttpExchange exchange) throws IOException {
    storageAuthorization.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")).replace("null", "none"));
    String rest = exchange.getRequestURI().getRawPath().substring("/storage/".length());
    int digest = rest.lastIndexOf("/sha256:");
    forward(exchange, "/v2/" + rest.substring(0, digest) + "/blobs/" + rest.substring(digest + 1));
  }

  private void forward(HttpExchange exchange, String path) throws IOException {
    String query = exchange.getRequestURI().getRawQuery();
    String method = exchange.getRequestMethod();
    forwarded.add(method + " " + path + (query == null ? "" : "?" + query));
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(registry + path + (query == null ? "" : "?" + query)))
        .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    for (String header : List.of("Accept", "Content-Type")) {
      String value = exchange.getRequestHeaders().getFirst(header);
      if (value != null) {
        request.header(header, value);
      }
    }
    HttpResponse<byte[]> response = send(request);
    response.headers().map().forEach((name, values) -> {
      if (!HOP_HEADERS.contains(name.toLowerCase())) {
        values.forEach(v -> exchange.getResponseHeaders().add(name, v.replace(registry, "http://" + host())));
      }
    });
    byte[] bytes = response.body();
    if (corruptBlobs && method.equals("GET") && BLOB.matcher(path).matches() && bytes.length > 0) {
      bytes = bytes.clone();
      bytes[0] ^= 1;
    }
    if (method.equals("HEAD")) {
      exchange.sendResponseHeaders(response.statusCode(), -1);
      exchange.close();
      return;
    }
    respond(exchange, response.statusCode(), bytes);
  }

  private static HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException {
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
