package io.stackpipe.registry.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackpipe.Secret;
import io.stackpipe.StackpipeException;
import io.stackpipe.base.Messages;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Docker credential helper, {@code docker-credential-NAME get}, run as Docker runs it: the registry host on stdin,
 * {@code {"Username", "Secret"}} on stdout ({@code <token>} as the user name means the secret is an identity
 * token), a "credentials not found" answer meaning none. It is found on the session's {@code PATH} and runs with the
 * session's variables only. Its output is never shown: it holds the secret.
 */
final class CredentialHelper implements CredentialSource {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final String name;
  private final String origin;
  private final Map<String, String> variables;

  /** {@code origin}: the config entry that names the helper, for messages. */
  CredentialHelper(String name, String origin, Map<String, String> variables) {
    this.name = name;
    this.origin = origin;
    this.variables = variables;
  }

  @Override
  public String describe() {
    return "credential helper docker-credential-" + name + " (" + origin + ")";
  }

  @Override
  public Optional<RegistryCredential> find(String host) {
    Path program = program();
    ProcessBuilder builder = new ProcessBuilder(program.toString(), "get").redirectErrorStream(true);
    builder.environment().clear();
    builder.environment().putAll(variables);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new StackpipeException(describe() + " could not run: " + Messages.firstLine(e.getMessage(), "I/O error"));
    }
    CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> {
      try (InputStream in = process.getInputStream()) {
        return in.readNBytes(64 * 1024);
      } catch (IOException e) {
        return new byte[0];
      }
    });
    try (OutputStream in = process.getOutputStream()) {
      in.write(host.getBytes(StandardCharsets.UTF_8));
    } catch (IOException ignored) {
      // a helper that reads nothing still answers; its exit status says the rest
    }
    try {
      if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new StackpipeException(describe() + " did not answer for " + host + " within " + TIMEOUT.toSeconds()
            + " s");
      }
      String answer = new String(output.get(), StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        if (answer.toLowerCase(java.util.Locale.ROOT).contains("credentials not found")) {
          return Optional.empty();
        }
        // A failing helper's output is its error message; one that still looks like an answer is not shown.
        String message = answer.contains("Secret") ? "no message shown" : Messages.firstLine(answer.strip(), "no message");
        throw new StackpipeException(describe() + " failed for " + host + " (exit " + process.exitValue() + "): "
            + message);
      }
      return Optional.of(parse(answer, host));
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new StackpipeException("interrupted while running " + describe());
    } catch (java.util.concurrent.ExecutionException e) {
      throw new StackpipeException(describe() + ": its answer could not be read");
    }
  }

  private RegistryCredential parse(String answer, String host) {
    JsonNode json;
    try {
      json = JSON.readTree(answer);
    } catch (IOException e) {
      json = null;
    }
    if (json == null || !json.path("Secret").isTextual() || json.path("Secret").asText().isEmpty()) {
      throw new StackpipeException(describe() + " answered for " + host + " without a Username and Secret in JSON");
    }
    String username = json.path("Username").asText("");
    Secret secret = Secret.of(json.get("Secret").asText());
    String source = describe();
    return "<token>".equals(username) ? RegistryCredential.identityToken(null, secret, source)
        : RegistryCredential.password(username, secret, source);
  }

  private Path program() {
    String executable = "docker-credential-" + name;
    for (String dir : variables.getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, executable))) {
        return Path.of(dir, executable);
      }
    }
    throw new StackpipeException(describe() + ": " + executable + " is not on the PATH");
  }
}
