package io.stackpipe.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackpipe.StackpipeException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client for the OCI distribution API of one registry host: manifest digests, manifests and blobs.
 * Anonymous bearer tokens are fetched when the registry asks for them.
 */
public final class OciRegistry {

  /** Media types Stackpipe reads: image indexes and manifests of both OCI and Docker v2 flavours. */
  static final String MANIFEST_ACCEPT = String.join(", ",
      "application/vnd.oci.image.index.v1+json",
      "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.docker.distribution.manifest.list.v2+json",
      "application/vnd.docker.distribution.manifest.v2+json");
  private static final Pattern BEARER = Pattern.compile("Bearer realm=\"([^\"]+)\"(?:,service=\"([^\"]*)\")?(?:,scope=\"([^\"]*)\")?");
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  // One client for the process: its connection pool makes repeated checks against a registry cheap.
  // HTTP/1.1: registries speak it everywhere, and plain-HTTP requests skip an h2c upgrade attempt.
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NORMAL).build();

  private final String host;
  private final String base;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  public OciRegistry(String host, boolean plainHttp) {
    this.host = host;
    this.base = (plainHttp ? "http://" : "https://") + host;
  }

  /** Loopback registries speak plain HTTP unless told otherwise; everything else needs the explicit flag. */
  public static boolean isLoopback(String host) {
    String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1) : host.split(":")[0];
    return name.equals("localhost") || name.startsWith("127.") || name.equals("[::1]");
  }

  public String host() {
    return host;
  }

  /** The digest of {@code repository:reference}, or empty when the registry does not have it. */
  public Optional<String> manifestDigest(String repository, String reference) {
    HttpResponse<InputStream> response = send(repository, "HEAD", "/manifests/" + reference);
    return switch (response.statusCode()) {
      case 200 -> Optional.of(response.headers().firstValue("Docker-Content-Digest").orElseThrow(
          () -> new StackpipeException("registry " + host + " sent no Docker-Content-Digest for "
              + repository + ":" + reference)));
      case 404 -> Optional.empty();
      default -> throw unexpected(response, repository + ":" + reference);
    };
  }

  /** The manifest of {@code repository:reference}, or empty when the registry does not have it. */
  public Optional<JsonNode> manifest(String repository, String reference) {
    HttpResponse<InputStream> response = send(repository, "GET", "/manifests/" + reference);
    if (response.statusCode() == 404) {
      close(response);
      return Optional.empty();
    }
    if (response.statusCode() != 200) {
      throw unexpected(response, repository + ":" + reference);
    }
    try (InputStream body = response.body()) {
      return Optional.of(JSON.readTree(body));
    } catch (IOException e) {
      throw new StackpipeException("registry " + host + ": unreadable manifest for " + repository + ":" + reference);
    }
  }

  /** Opens a blob; the caller closes the stream. */
  public InputStream blob(String repository, String digest) {
    HttpResponse<InputStream> response = send(repository, "GET", "/blobs/" + digest);
    if (response.statusCode() != 200) {
      throw unexpected(response, repository + "@" + digest);
    }
    return response.body();
  }

  private HttpResponse<InputStream> send(String repository, String method, String path) {
    URI uri = URI.create(base + "/v2/" + repository + path);
    HttpResponse<InputStream> response = exchange(uri, method, tokens.get(repository));
    if (response.statusCode() == 401) {
      close(response);
      String token = token(repository, response.headers().firstValue("WWW-Authenticate").orElse(""));
      tokens.put(repository, token);
      response = exchange(uri, method, token);
      if (response.statusCode() == 401 || response.statusCode() == 403) {
        close(response);
        throw new StackpipeException("registry " + host + " refused access to " + repository
            + " (HTTP " + response.statusCode() + "): log in with 'helm registry login " + host + "'");
      }
    }
    return response;
  }

  private HttpResponse<InputStream> exchange(URI uri, String method, String token) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
        .method(method, HttpRequest.BodyPublishers.noBody())
        .header("Accept", MANIFEST_ACCEPT);
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (ConnectException e) {
      throw new StackpipeException("registry " + host + " is not reachable (connection refused)", e);
    } catch (HttpTimeoutException e) {
      throw new StackpipeException("registry " + host + " did not answer within " + TIMEOUT.toSeconds() + " s", e);
    } catch (IOException e) {
      throw new StackpipeException("registry " + host + " is not reachable (" + oneLine(e) + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StackpipeException("interrupted while talking to registry " + host, e);
    }
  }

  private String token(String repository, String challenge) {
    Matcher bearer = BEARER.matcher(challenge);
    if (!bearer.find()) {
      throw new StackpipeException("registry " + host + " requires authentication for " + repository
          + ": log in with 'helm registry login " + host + "'");
    }
    String scope = bearer.group(3) != null ? bearer.group(3) : "repository:" + repository + ":pull";
    StringBuilder url = new StringBuilder(bearer.group(1)).append("?scope=")
        .append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
    if (bearer.group(2) != null) {
      url.append("&service=").append(URLEncoder.encode(bearer.group(2), StandardCharsets.UTF_8));
    }
    HttpResponse<InputStream> response = exchange(URI.create(url.toString()), "GET", null);
    try (InputStream body = response.body()) {
      JsonNode json = JSON.readTree(body);
      JsonNode token = json.has("token") ? json.get("token") : json.get("access_token");
      if (response.statusCode() != 200 || token == null) {
        throw new StackpipeException("registry " + host + " gave no anonymous token for " + repository
            + ": log in with 'helm registry login " + host + "'");
      }
      return token.asText();
    } catch (IOException e) {
      throw new StackpipeException("registry " + host + ": unreadable token response", e);
    }
  }

  private StackpipeException unexpected(HttpResponse<InputStream> response, String what) {
    close(response);
    return new StackpipeException("registry " + host + " answered HTTP " + response.statusCode() + " for " + what);
  }

  private static void close(HttpResponse<InputStream> response) {
    try {
      response.body().close();
    } catch (IOException ignored) {
      // the body was not needed
    }
  }

  private static String oneLine(Exception e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse("");
  }
}
