package io.stackpipe.testsupport.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A registry token service as distribution's token auth specifies it, on the JDK's HttpServer: {@code GET /token}
 * with Basic credentials (or {@code POST} with an OAuth2 refresh token) answers a real JWT signed RS256 by a test key
 * whose self-signed certificate is the registry's {@code rootcertbundle}, granting only the actions the user is
 * allowed of those asked. The registry verifies every token, so scopes, expiry and signatures are the real thing.
 */
public final class TokenServer implements AutoCloseable {

  public static final String SERVICE = "stackpipe-test-registry";
  private static final String ISSUER = "stackpipe-test-token-server";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

  private record User(String password, String identityToken, Set<String> actions) {
  }

  private final HttpServer server;
  private final KeyPair key;
  private final X509Certificate certificate;
  private final Path certificateFile;
  private final Map<String, User> users = new ConcurrentHashMap<>();
  /** The scope of every token request, and who asked ("anonymous" without credentials). */
  public final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  /** Seconds a token lives, as {@code expires_in} says; 0: no {@code expires_in} (the spec's default of 60 s). */
  public volatile int expiresIn = 300;
  /**
   * Seconds added to every token's {@code exp} claim: distribution accepts a token up to 60 s past its {@code exp},
   * so a test that needs the registry itself to find a token expired moves {@code exp} back by that much.
   */
  public volatile int expShift;

  private TokenServer(HttpServer server, KeyPair key, X509Certificate certificate, Path certificateFile) {
    this.server = server;
    this.key = key;
    this.certificate = certificate;
    this.certificateFile = certificateFile;
  }

  /** Starts on a free loopback port; the certificate is written under {@code dir}. */
  public static TokenServer start(Path dir) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair key = generator.generateKeyPair();
      X500Name name = new X500Name("CN=" + ISSUER);
      Instant now = Instant.now();
      X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
          name, BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(1, ChronoUnit.HOURS)),
          Date.from(now.plus(1, ChronoUnit.DAYS)), name, key.getPublic())
          .build(new JcaContentSignerBuilder("SHA256withRSA").build(key.getPrivate())));
      Path file = dir.resolve("token-server.pem");
      Files.writeString(file, "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
          + "\n-----END CERTIFICATE-----\n");
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      TokenServer tokens = new TokenServer(server, key, certificate, file);
      server.createContext("/token", tokens::handle);
      server.start();
      return tokens;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code user} may do {@code actions} ({@code pull}, {@code push}) on every repository. */
  public TokenServer withUser(String user, String password, String... actions) {
    users.put(user, new User(password, null, Set.of(actions)));
    return this;
  }

  /** {@code user} may exchange {@code identityToken} (an OAuth2 refresh token) for tokens of {@code actions}. */
  public TokenServer withIdentityToken(String user, String identityToken, String... actions) {
    users.put(user, new User(null, identityToken, Set.of(actions)));
    return this;
  }

  public String realm() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
  }

  /** Distribution's {@code auth:} section for a registry that trusts this server. */
  public String authSection() {
    return """
        auth:
          token:
            realm: %s
            service: %s
            issuer: %s
            rootcertbundle: %s
        """.formatted(realm(), SERVICE, ISSUER, certificateFile);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, String> params = new LinkedHashMap<>(query(exchange.getRequestURI().getRawQuery()));
      if ("POST".equals(exchange.getRequestMethod())) {
        params.putAll(query(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
      }
      String who = authenticate(exchange, params);
      String scope = params.getOrDefault("scope", "");
      requests.add(exchange.getRequestMethod() + " " + scope + " by " + (who == null ? "anonymous" : who));
      if (who == null) {
        exchange.sendResponseHeaders(401, -1);
        return;
      }
      List<Map<String, Object>> access = new ArrayList<>();
      for (String one : scope.split(" ")) {
        String[] parts = one.split(":");
        if (parts.length == 3 && parts[0].equals("repository")) {
          List<String> granted = new ArrayList<>();
          for (String action : parts[2].split(",")) {
            if (users.get(who).actions().contains(action)) {
              granted.add(action);
            }
          }
          access.add(Map.of("type", "repository", "name", parts[1], "actions", granted));
        }
      }
      Instant now = Instant.now();
      int life = expiresIn > 0 ? expiresIn : 60;
      Map<String, Object> claims = new LinkedHashMap<>();
      claims.put("iss", ISSUER);
      claims.put("sub", who);
      claims.put("aud", params.getOrDefault("service", SERVICE));
      claims.put("exp", now.getEpochSecond() + life + expShift);
      claims.put("nbf", now.getEpochSecond() - 5);
      claims.put("iat", now.getEpochSecond());
      claims.put("jti", UUID.randomUUID().toString());
      claims.put("access", access);
      String token = jwt(claims);
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put(params.containsKey("grant_type") ? "access_token" : "token", token);
      if (expiresIn > 0) {
        answer.put("expires_in", expiresIn);
      }
      byte[] body = JSON.writeValueAsBytes(answer);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  /** The user the request proves to be, or null. */
  private String authenticate(HttpExchange exchange, Map<String, String> params) {
    if ("refresh_token".equals(params.get("grant_type"))) {
      String offered = params.get("refresh_token");
      return users.entrySet().stream().filter(e -> offered != null && offered.equals(e.getValue().identityToken()))
          .map(Map.Entry::getKey).findFirst().orElse(null);
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.startsWith("Basic ")) {
      return null;
    }
    String decoded = new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
    int colon = decoded.indexOf(':');
    User user = colon < 0 ? null : users.get(decoded.substring(0, colon));
    return user != null && user.password() != null && user.password().equals(decoded.substring(colon + 1))
        ? decoded.substring(0, colon) : null;
  }

  private String jwt(Map<String, Object> claims) throws IOException {
    try {
      Map<String, Object> header = new LinkedHashMap<>();
      header.put("typ", "JWT");
      header.put("alg", "RS256");
      header.put("x5c", List.of(Base64.getEncoder().encodeToString(certificate.getEncoded())));
      String signed = URL.encodeToString(JSON.writeValueAsBytes(header)) + "."
          + URL.encodeToString(JSON.writeValueAsBytes(claims));
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(key.getPrivate());
      signature.update(signed.getBytes(StandardCharsets.US_ASCII));
      return signed + "." + URL.encodeToString(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> params = new LinkedHashMap<>();
    if (raw != null && !raw.isEmpty()) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        params.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return params;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
