package io.stackpipe.registry;

import io.stackpipe.base.Messages;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackpipe.StackpipeException;
import io.stackpipe.registry.auth.RegistryAuth;
import io.stackpipe.registry.auth.RegistryCredential;
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
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The transport under {@link OciRegistry}: one request with a timeout; challenges answered with the host's credential
 * from {@link RegistryAuth} — {@code Basic} with Basic, {@code Bearer} with a token asked of the realm for the
 * request's scope ({@code repository:NAME:pull}, or {@code pull,push} to write), carrying the credential, kept per
 * scope until it expires —; redirects followed without the credential when they leave the registry (blob storage
 * such as S3 refuses a second credential), and refusals that name status, method and URL in one line, and the
 * credential's source when the registry refused it. No message ever holds a secret: URLs are printed without their
 * query, credentials by their source.
 */
final class RegistryHttp {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
  private static final int MAX_REDIRECTS = 5;
  /** The distribution spec's token lifetime when the token service names none. */
  private static final Duration DEFAULT_TOKEN_LIFE = Duration.ofSeconds(60);
  private static final Pattern BASIC = Pattern.compile("(?i)(?:^|,)\\s*Basic(?:\\s|,|$)");
  // One client for the process: its connection pool makes repeated checks against a registry cheap.
  // HTTP/1.1: registries speak it everywhere, and plain-HTTP requests skip an h2c upgrade attempt.
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER).build();

  private record Token(String value, Instant expires) {
  }

  private final String host;
  private final String base;
  private final Duration timeout;
  private final RegistryAuth auth;
  private final Clock clock;
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();
  /** The registry asked for Basic once: every later request carries it without waiting to be challenged. */
  private volatile boolean basic;

  RegistryHttp(String host, boolean plainHttp, Duration timeout, RegistryAuth auth, Clock clock) {
    this.host = host;
    this.base = (plainHttp ? "http://" : "https://") + host;
    this.timeout = timeout;
    this.auth = auth;
    this.clock = clock;
  }

  URI uri(String repository, String path) {
    return URI.create(base + "/v2/" + repository + path);
  }

  /**
   * One request to {@code repository}'s API with the authorization it already has (a token of its scope that has
   * not expired, or Basic); a challenge is answered once, with a fresh token or Basic.
   */
  HttpResponse<InputStream> send(String repository, String method, URI uri, BodyPublisher body,
      Map<String, String> headers) {
    String scope = "repository:" + repository + (method.equals("GET") || method.equals("HEAD") ? ":pull" : ":pull,push");
    String known = known(scope);
    HttpResponse<InputStream> response = follow(method, uri, body, headers, known);
    if (response.statusCode() == 403 && known != null) {
      // authenticated, and not allowed: more challenges would not change that
      close(response);
      throw refused(repository, method, response.statusCode(), auth.credential(host));
    }
    if (response.statusCode() != 401) {
      return response;
    }
    close(response);
    List<String> challenges = response.headers().allValues("WWW-Authenticate");
    Optional<BearerChallenge> bearer = BearerChallenge.find(challenges);
    Optional<RegistryCredential> credential = auth.credential(host);
    String authorization;
    if (bearer.isPresent()) {
      Token token = token(repository, bearer.get().scope() != null ? bearer.get().scope() : scope, bearer.get(),
          credential);
      tokens.put(scope, token);
      authorization = "Bearer " + token.value();
    } else if (credential.isPresent() && challenges.stream().anyMatch(c -> BASIC.matcher(c).find())) {
      if (credential.get().password() == null) {
        throw new StackpipeException("registry " + host + " asks for a password, and the credential from "
            + credential.get().source() + " is an identity token");
      }
      basic = true;
      authorization = credential.get().basicAuthorization();
    } else {
      throw new StackpipeException("registry " + host + " requires authentication for " + repository
          + ": no credential for " + host + " in " + auth.describe());
    }
    response = follow(method, uri, body, headers, authorization);
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      close(response);
      tokens.remove(scope);
      throw refused(repository, method, response.statusCode(), credential);
    }
    return response;
  }

  /** One line naming the registry, the repository and where the credential came from, never the credential. */
  private StackpipeException refused(String repository, String method, int status,
      Optional<RegistryCredential> credential) {
    String refused = "registry " + host + " refused " + method + " on " + repository + " (HTTP " + status + ")";
    return new StackpipeException(credential.map(c -> refused + " with the credential from " + c.source()
        + ": check its user, password and rights on " + repository)
        .orElse(refused + " to an anonymous request: no credential for " + host + " in " + auth.describe()));
  }

  /** The authorization a request of {@code scope} carries before any challenge, or null. */
  private String known(String scope) {
    for (String usable : scope.endsWith(":pull") ? List.of(scope, scope + ",push") : List.of(scope)) {
      Token token = tokens.get(usable);
      if (token != null && clock.instant().isBefore(token.expires())) {
        return "Bearer " + token.value();
      }
    }
    if (basic) {
      return auth.credential(host).map(RegistryCredential::basicAuthorization).orElse(null);
    }
    return null;
  }

  private HttpResponse<InputStream> follow(String method, URI uri, BodyPublisher body, Map<String, String> headers,
      String authorization) {
    URI current = uri;
    String currentMethod = method;
    for (int hop = 0; ; hop++) {
      HttpResponse<InputStream> response = exchange(currentMethod, current, body, headers, authorization);
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
        authorization = null;
      }
      if (response.statusCode() == 303) {
        currentMethod = "GET";
      }
      current = next;
    }
  }

  private HttpResponse<InputStream> exchange(String method, URI uri, BodyPublisher body, Map<String, String> headers,
      String authorization) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
    headers.forEach(request::header);
    if (authorization != null) {
      request.header("Authorization", authorization);
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

  /**
   * A token of {@code scope} from the challenge's realm: asked with Basic for a user and password (or anonymously
   * without a credential), or with the OAuth2 refresh-token grant for an identity token, as Docker does.
   */
  private Token token(String repository, String scope, BearerChallenge challenge,
      Optional<RegistryCredential> credential) {
    Instant asked = clock.instant();
    boolean refresh = credential.isPresent() && credential.get().identityToken() != null;
    StringBuilder query = new StringBuilder("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
    if (challenge.service() != null) {
      query.append("&service=").append(URLEncoder.encode(challenge.service(), StandardCharsets.UTF_8));
    }
    URI realm;
    try {
      realm = URI.create(refresh ? challenge.realm()
          : challenge.realm() + (challenge.realm().contains("?") ? '&' : '?') + query);
    } catch (IllegalArgumentException e) {
      throw new StackpipeException("registry " + host + ": its token realm '" + challenge.realm() + "' is not a URL");
    }
    HttpResponse<InputStream> response;
    if (refresh) {
      String form = query + "&grant_type=refresh_token&client_id=stackpipe&refresh_token="
          + URLEncoder.encode(credential.get().identityToken().reveal(), StandardCharsets.UTF_8);
      response = follow("POST", realm, HttpRequest.BodyPublishers.ofString(form),
          Map.of("Content-Type", "application/x-www-form-urlencoded"), null);
    } else {
      response = follow("GET", realm, null, Map.of(),
          credential.map(RegistryCredential::basicAuthorization).orElse(null));
    }
    try (InputStream body = response.body()) {
      JsonNode json = null;
      JsonNode token = null;
      if (response.statusCode() == 200) {
        json = JSON.readTree(body);
        token = json.hasNonNull("token") ? json.get("token") : json.get("access_token");
      }
      if (token == null || token.asText().isEmpty()) {
        throw new StackpipeException(credential.map(c -> "registry " + host + ": its token service "
            + printable(realm) + " refused the credential from " + c.source() + " for " + repository + " (HTTP "
            + response.statusCode() + ")").orElse("registry " + host + " gave no anonymous token for " + repository
            + " (HTTP " + response.statusCode() + " from " + printable(realm) + "): no credential for " + host
            + " in " + auth.describe()));
      }
      long seconds = json.path("expires_in").asLong(0);
      Duration life = seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_TOKEN_LIFE;
      return new Token(token.asText(), asked.plus(life));
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
