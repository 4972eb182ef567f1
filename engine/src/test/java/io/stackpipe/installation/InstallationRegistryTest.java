package io.stackpipe.installation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.Secret;
import io.stackpipe.StackpipeException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An installation's registry credentials: validated at build, masked when shown, serializable, in their order. */
class InstallationRegistryTest {

  static final String CANARY = "canary-" + UUID.randomUUID();

  @TempDir
  Path work;

  @Test
  void credentialsAreMaskedInTheMapAndTheText() {
    Installation installation = Installation.builder()
        .withRegistryCredential("registry.example.com", "ci", Secret.of(CANARY)).build();

    assertThat(installation.toMap()).containsEntry("registryCredentials", "registry.example.com=ci:****");
    assertThat(installation.toString()).doesNotContain(CANARY);
  }

  @Test
  void theyTravelSerializedAndAnswerAfterwards() throws IOException, ClassNotFoundException {
    Installation installation = Installation.builder()
        .withRegistryCredential("127.0.0.1:5000", "ci", Secret.of(CANARY)).build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(installation);
    }
    Installation copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (Installation) in.readObject();
    }

    var credential = copy.registryAuth(SessionEnvironment.of(Map.of(), work)).credential("127.0.0.1:5000")
        .orElseThrow();
    assertThat(credential.password().reveal()).isEqualTo(CANARY);
    assertThat(credential.source()).isEqualTo("installation registryCredentials for 127.0.0.1:5000");
  }

  @Test
  void theInstallationsOwnComeBeforeItsConfigFileAndTheEnvironments() throws IOException {
    Path config = work.resolve("registry.json");
    Files.writeString(config, "{\"auths\": {\"a.example.com\": {\"username\": \"file\", \"password\": \"x\"},"
        + " \"b.example.com\": {\"username\": \"file\", \"password\": \"x\"}}}");
    Files.createDirectories(work.resolve(".docker"));
    Files.writeString(work.resolve(".docker/config.json"), "{\"auths\": {\"c.example.com\": {\"auth\": \""
        + java.util.Base64.getEncoder().encodeToString("docker:y".getBytes(StandardCharsets.UTF_8)) + "\"}}}");
    Installation installation = Installation.builder()
        .withRegistryCredential("a.example.com", "own", Secret.of(CANARY))
        .withRegistryConfig(config.toString()).build();

    var auth = installation.registryAuth(SessionEnvironment.of(Map.of(), work));

    assertThat(auth.credential("a.example.com").orElseThrow().username()).isEqualTo("own");
    assertThat(auth.credential("b.example.com").orElseThrow().source()).isEqualTo("registryConfig " + config
        + " (auths)");
    assertThat(auth.credential("c.example.com").orElseThrow().username()).isEqualTo("docker");
    assertThat(auth.credential("d.example.com")).isEmpty();
  }

  @Test
  void aRegistryConfigThatIsNotThereIsRefusedNamingIt() {
    Installation installation = Installation.builder().withRegistryConfig(work.resolve("absent.json").toString())
        .build();

    assertThatThrownBy(() -> installation.registryAuth(SessionEnvironment.of(Map.of(), work)))
        .isInstanceOf(StackpipeException.class)
        .hasMessage(work.resolve("absent.json") + ": no such file")
        .satisfies(e -> assertThat(((StackpipeException) e).field()).contains("registryConfig"));
  }

  @Test
  void aHostWithASchemeOrPathIsRefusedAtBuild() {
    assertThatThrownBy(() -> Installation.builder()
        .withRegistryCredential("https://registry.example.com/v2", "ci", Secret.of(CANARY)).build())
        .isInstanceOf(StackpipeException.class)
        .hasMessage("'https://registry.example.com/v2' is not a registry host (host[:port], without scheme or path)")
        .satisfies(e -> assertThat(((StackpipeException) e).field()).contains("registryCredentials"));
  }

  @Test
  void aCredentialWithoutUserIsRefusedAtBuild() {
    assertThatThrownBy(() -> Installation.builder()
        .withRegistryCredential("registry.example.com", " ", Secret.of(CANARY)).build())
        .hasMessage("registry.example.com needs a username");
  }

  @Test
  void fromMapReadsThemAsJsonAndNeverQuotesTheText() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("registryCredentials", "{\"ghcr.io\": {\"username\": \"ci\", \"password\": \"" + CANARY + "\"}}");
    settings.put("registryConfig", "/etc/stackpipe/registry.json");

    Installation installation = Installation.fromMap(settings);

    assertThat(installation.registryCredentials().get("ghcr.io").password().reveal()).isEqualTo(CANARY);
    assertThat(installation.registryConfig()).isEqualTo("/etc/stackpipe/registry.json");
    assertThatThrownBy(() -> Installation.fromMap(Map.of("registryCredentials", "{\"ghcr.io\": \"" + CANARY)))
        .isInstanceOf(StackpipeException.class)
        .hasMessageStartingWith("is not a JSON object")
        .message().doesNotContain(CANARY);
  }
}
