package io.stackpipe.registry.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackpipe.Secret;
import io.stackpipe.StackpipeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A Docker-style config file ({@code ~/.docker/config.json}, Helm's {@code registry/config.json}, or the file an
 * installation names), read as Docker reads it: a {@code credHelpers} entry for the host wins, else the
 * {@code credsStore} helper answers for every host (and what it does not know is not in this file), else the
 * {@code auths} entry — {@code auth} (base64 {@code user:password}), or {@code username}/{@code password}, or
 * {@code identitytoken}. Keys may be URLs ({@code https://host/v1/}): their host is what counts. A missing file has
 * no credentials; a malformed one is refused naming it, when a registry first asks.
 */
public final class DockerConfig implements CredentialSource {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final String label;
  private final Map<String, String> variables;
  private JsonNode config;

  /**
   * @param label what the file is, for messages ({@code docker config}, {@code helm registry config})
   * @param variables the session's variables: credential helpers run with them and are found on their PATH
   */
  public DockerConfig(Path file, String label, Map<String, String> variables) {
    this.file = file;
    this.label = label;
    this.variables = Map.copyOf(variables);
  }

  public Path file() {
    return file;
  }

  @Override
  public String describe() {
    return label + " " + file;
  }

  @Override
  public synchronized Optional<RegistryCredential> find(String host) {
    JsonNode root = config();
    String helper = entry(root.path("credHelpers"), host).map(JsonNode::asText).orElse(null);
    if (helper != null && !helper.isEmpty()) {
      return new CredentialHelper(helper, describe() + " credHelpers", variables).find(host);
    }
    String store = root.path("credsStore").asText("");
    if (!store.isEmpty()) {
      return new CredentialHelper(store, describe() + " credsStore", variables).find(host);
    }
    return entry(root.path("auths"), host).flatMap(entry -> auth(entry, host));
  }

  private Optional<RegistryCredential> auth(JsonNode entry, String host) {
    String source = describe() + " (auths)";
    String token = entry.path("identitytoken").asText("");
    String encoded = entry.path("auth").asText("");
    String username = entry.path("username").asText("");
    String password = entry.path("password").asText("");
    if (!encoded.isEmpty()) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(encoded.strip()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new StackpipeException(describe() + ": auths." + host + ".auth is not base64");
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw new StackpipeException(describe() + ": auths." + host + ".auth is not base64 of user:password");
      }
      username = decoded.substring(0, colon);
      password = decoded.substring(colon + 1);
    }
    if (!token.isEmpty()) {
      return Optional.of(RegistryCredential.identityToken(username.isEmpty() ? null : username, Secret.of(token),
          source));
    }
    if (username.isEmpty() && password.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(RegistryCredential.password(username, Secret.of(password), source));
  }

  /** The entry of {@code section} whose key names {@code host}, as a bare host or a URL. */
  private static Optional<JsonNode> entry(JsonNode section, String host) {
    JsonNode exact = section.get(host);
    if (exact != null) {
      return Optional.of(exact);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = section.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (hostOf(field.getKey()).equals(host.toLowerCase(Locale.ROOT))) {
        return Optional.of(field.getValue());
      }
    }
    return Optional.empty();
  }

  /** Docker's {@code ConvertToHostname}: no scheme, nothing after the first slash. */
  static String hostOf(String key) {
    String rest = key.replaceFirst("(?i)^https?://", "");
    int slash = rest.indexOf('/');
    return (slash < 0 ? rest : rest.substring(0, slash)).toLowerCase(Locale.ROOT);
  }

  private JsonNode config() {
    if (config == null) {
      try {
        JsonNode read = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        if (read == null || !read.isObject()) {
          throw new StackpipeException(describe() + " is not a JSON object");
        }
        config = read;
      } catch (NoSuchFileException e) {
        config = JSON.createObjectNode();
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        // Jackson's message would quote the file's content, credentials included: line and column only.
        throw new StackpipeException(describe() + " is not valid JSON" + (e.getLocation() == null ? ""
            : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
      } catch (IOException e) {
        throw new StackpipeException(describe() + " cannot be read (" + e.getClass().getSimpleName() + ")");
      }
    }
    return config;
  }
}
