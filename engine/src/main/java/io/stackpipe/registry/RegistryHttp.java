package io.stackpipe.registry;

import io.stackpipe.base.Messages;
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
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The transport under {@link OciRegistry}: one request with a timeout, anonymous bearer tokens fetched when the
 * registry challenges, redirects followed without the token when they leave the registry (blob storage such as
 * S3 refuses a second credential), and refusals that name status, method and URL in one line. No message ever
 * holds a token: URLs are printed without their query.
 */
final class RegistryHttp {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
  private static final int MAX_REDIRECTS = 5;
  // One client for the process: its connection pool makes repeated checks against a registry cheap.
  // HTTP/1.1: registries speak it everywhere, and plain-HTTP requests skip an h2c upgrade attempt.
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER).build();

  private final String host;
  private final String base;
  private final Duration timeout;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  RegistryHttp(String host, boolean plainHttp, Duration timeout) {
    this.host = host;
    this.base = (plainHttp ? "http://" : "https://") + host;
    this.timeout = timeout;
  }

  URI uri(String repository, String path) {
    return URI.create(base + "/v2/" + repository + path);
  }

  /** One request to {@code repository}'s API; a challenge is answered once with an anonymous token. */
  HttpResponse<InputStream> send(String repository, String method, URI uri, BodyPublisher body,
      Map<String, String> headers) {
    HttpResponse<InputStream> response = follow(method, uri, body, headers, tokens.get(repository));
    if (response.statusCode() != 401) {
      return response;
    }
    close(response);
    BearerChallenge challenge = BearerChallenge.find(response.headers().allValues("WWW-Authenticate"))
        .orElseThrow(() -> new StackpipeException("registry " + host + " requires authentication for "
            + repository + ": log in with 'helm registry login " + host + "'"));
    String token = token(repository, method, challenge);
    tokens.put(repository, token);
    response = follow(method, uri, body, headers, token);
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      close(response);
      throw new StackpipeException("registry " + host + " refused access to " + repository
          + " (HTTP " + response.statusCode() + " to " + method + " " + printable(uri)
          + "): log in with 'helm registry login " + host + "'");
    }
    return response;
  }

  private HttpResponse<InputStream> follow(String method, URI uri, BodyPublisher body, Map<String, String> headers,
      String token) {
    URI current = uri;
    String currentMethod = method;
    for (int hop = 0; ; hop++) {
      HttpResponse<InputStream> response = exchange(currentMethod, current, body, headers, token);
      var location = response.headers().firstValue("Location");
      if (!REDIRECTS.contains(response.statusCode()) || location.isEmpty()) {
        return response;
      }
      close(response);
      if (hop == MAX_REDIRECTS) {
        throw new StackpipeException("registry " + host + ": more than " + MAX_REDIRECTS + " redirects for "
            + method + " " + printable(uri));
      }
      URI next = current.resolve(location.get());
      if (!sameOrigin(current, next)) {
        token = null;
      }
      if (response.statusCode() == 303) {
        currentMethod = "GET";
      }
      current = next;
    }
  }

  private HttpResponse<InputStream> exchange(String method, URI uri, BodyPublisher body, Map<String, String> headers,
      String token) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
    headers.forEach(request::header);
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (ConnectException e) {
      throw new StackpipeException("registry " + host + " is not reachable (connection refused)", e);
    } catch (HttpTimeoutException e) {
      throw new StackpipeException("registry " + host + " did not answer within " + timeout.toSeconds() + " s ("
          + method + " " + printable(uri) + ")", e);
    } catch (IOException e) {
      throw new StackpipeException("registry " + host + " is not reachable (" + oneLine(e) + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StackpipeException("interrupted while talking to registry " + host, e);
    }
  }

  private String token(String repository, String method, BearerChallenge challenge) {
    String scope = challenge.scope() != null ? challenge.scope()
        : "repository:" + repository + (method.equals("GET") || method.equals("HEAD") ? ":pull" : ":pull,push");
    StringBuilder url = new StringBuilder(challenge.realm()).append(challenge.realm().contains("?") ? '&' : '?')
        .append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
    if (challenge.service() != null) {
      url.append("&service=").append(URLEncoder.encode(challenge.service(), StandardCharsets.UTF_8));
    }
    URI realm;
    try {
      realm = URI.create(url.toString());
    } catch (IllegalArgumentException e) {
      throw new StackpipeException("registry " + host + ": its token realm '" + challenge.realm() + "' is not a URL");
    }
    HttpResponse<InputStream> response = follow("GET", realm, null, Map.of(), null);
    try (InputStream body = response.body()) {
      JsonNode token = null;
      if (response.statusCode() == 200) {
        JsonNode json = JSON.readTree(body);
        token = json.hasNonNull("token") ? json.get("token") : json.get("access_token");
      }
      if (token == null || token.asText().isEmpty()) {
        throw new StackpipeException("registry " + host + " gave no anonymous token for " + repository + " (HTTP "
            + response.statusCode() + " from " + printable(realm) + "): log in with 'helm registry login "
            + host + "'");
      }
      return token.asText();
    } catch (IOException e) {
      throw new StackpipeException("registry " + host + ": unreadable token response from " + printable(realm));
    }
  }

  /**
   * A refusal naming status, method and URL of the request that got this answer (after redirects), with the
   * registry's own error code when it sent one.
   */
  StackpipeException unexpected(HttpResponse<InputStream> response) {
    String detail = "";
    try (InputStream body = response.body()) {
      JsonNode error = JSON.readTree(body.readNBytes(4096)).path("errors").path(0);
      if (error.hasNonNull("code")) {
        String message = error.path("message").asText("");
        detail = " (" + error.get("code").asText() + (message.isEmpty() ? "" : ": " + oneLine(message)) + ")";
      }
    } catch (IOException | RuntimeException notJson) {
      // no error document: status, method and URL say enough
    }
    return new StackpipeException("registry " + host + " answered HTTP " + response.statusCode() + " to "
        + response.request().method() + " " + printable(response.uri()) + detail);
  }

  static void close(HttpResponse<InputStream> response) {
    try {
      response.body().close();
    } catch (IOException ignored) {
      // the body was not needed
    }
  }

  /** The URL without its query: upload states and signed storage URLs carry tokens there. */
  static String printable(URI uri) {
    return uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
  }

  private static boolean sameOrigin(URI a, URI b) {
    return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
        && a.getPort() == b.getPort();
  }

  private static String oneLine(Exception e) {
    String message = e.getMessage();
    return message == null ? "I/O error" : oneLine(message);
  }

  private static String oneLine(String message) {
    String line = Messages.firstLine(message, "");
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }
}
