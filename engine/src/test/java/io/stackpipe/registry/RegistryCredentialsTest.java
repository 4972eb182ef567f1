package io.stackpipe.registry;

import static io.stackpipe.registry.OciRegistryTest.layer;
import static io.stackpipe.registry.OciRegistryTest.pushArtifact;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.Secret;
import io.stackpipe.StackpipeException;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.registry.OciRegistryTest.Artifact;
import io.stackpipe.registry.auth.CredentialSource;
import io.stackpipe.registry.auth.RegistryAuth;
import io.stackpipe.registry.auth.RegistryCredential;
import io.stackpipe.testsupport.registry.AuthRegistries;
import io.stackpipe.testsupport.registry.TokenServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registry credentials against real registries: Debian's docker-registry with htpasswd (Basic), and the same behind
 * a token server whose JWTs it verifies (Bearer with scopes). Every password is a canary: no message may hold one.
 */
class RegistryCredentialsTest {

  static final String CANARY = "canary-" + UUID.randomUUID();
  static final String WRONG = "wrong-" + UUID.randomUUID();
  static final List<String> MESSAGES = new ArrayList<>();

  @TempDir
  Path work;
  String repository;

  @BeforeEach
  void privateRepository() {
    repository = "t" + UUID.randomUUID().toString().substring(0, 8) + "/orders";
  }

  @AfterAll
  static void noMessageHoldsAPassword() {
    assertThat(MESSAGES).isNotEmpty().noneMatch(m -> m.contains(CANARY) || m.contains(WRONG));
  }

  static RegistryAuth explicit(String host, String user, String password) {
    return RegistryAuth.of(List.of(RegistryAuth.explicit(Map.of(host, RegistryCredential.password(user,
        Secret.of(password), "installation registryCredentials for " + host)), "installation registryCredentials")));
  }

  static StackpipeException refusal(Runnable call) {
    try {
      call.run();
    } catch (StackpipeException e) {
      MESSAGES.add(e.getMessage());
      return e;
    }
    throw new AssertionError("no refusal");
  }

  static String dockerConfig(Path dir, String json) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), json);
    return dir.toString();
  }

  static String auth(String user, String password) {
    return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class BasicAuthentication {

    LocalRegistry basic;
    Path files;

    @BeforeAll
    void start() throws IOException {
      files = Files.createTempDirectory("stackpipe-basic-");
      basic = AuthRegistries.basic(Map.of("ci", CANARY), files);
    }

    @AfterAll
    void stop() throws IOException {
      basic.close();
      io.stackpipe.base.FileTrees.delete(files);
    }

    @Test
    void theInstallationsCredentialPushesAndPulls() {
      OciRegistry client = new OciRegistry(basic.host(), true, explicit(basic.host(), "ci", CANARY));

      Artifact artifact = pushArtifact(client, repository, "1.0.0", layer());

      assertThat(client.manifestDigest(repository, "1.0.0")).contains(artifact.digest());
      assertThat(client.tags(repository)).containsExactly("1.0.0");
    }

    @Test
    void aWrongPasswordIsOneLineNamingRegistryRepositoryAndSource() {
      OciRegistry client = new OciRegistry(basic.host(), true, explicit(basic.host(), "ci", WRONG));

      assertThat(refusal(() -> client.tags(repository))).hasMessage("registry " + basic.host() + " refused GET on "
          + repository + " (HTTP 401) with the credential from installation registryCredentials for " + basic.host()
          + ": check its user, password and rights on " + repository);
    }

    @Test
    void withoutCredentialsTheRefusalSaysWhereTheyWereLookedFor() {
      RegistryAuth none = RegistryAuth.standard(List.of(), Map.of("DOCKER_CONFIG", work.resolve("docker").toString()),
          work);

      assertThat(refusal(() -> new OciRegistry(basic.host(), true, none).tags(repository))).hasMessage(
          "registry " + basic.host() + " requires authentication for " + repository + ": no credential for "
              + basic.host() + " in docker config " + work.resolve("docker/config.json") + ", then helm registry config "
              + work.resolve(".config/helm/registry/config.json"));
    }

    @Test
    void aDockerConfigsAuthsEntryIsUsedByHostOrUrl() throws IOException {
      String docker = dockerConfig(work.resolve("docker"), "{\"auths\": {\"http://" + basic.host() + "/v2/\": {\"auth\": \""
          + auth("ci", CANARY) + "\"}}}");
      RegistryAuth auth = RegistryAuth.standard(List.of(), Map.of("DOCKER_CONFIG", docker), work);

      pushArtifact(new OciRegistry(basic.host(), true, auth), repository, "1.0.0", layer());

      assertThat(auth.credential(basic.host()).orElseThrow().source())
          .isEqualTo("docker config " + work.resolve("docker/config.json") + " (auths)");
    }

    @Test
    void helmsRegistryConfigIsAskedAfterDockers() throws IOException {
      dockerConfig(work.resolve("docker"), "{\"auths\": {\"elsewhere.example.com\": {\"auth\": \""
          + auth("x", "y") + "\"}}}");
      dockerConfig(work.resolve(".config/helm/registry"), "{\"auths\": {\"" + basic.host() + "\": {\"username\": \"ci\","
          + " \"password\": \"" + CANARY + "\"}}}");
      RegistryAuth auth = RegistryAuth.standard(List.of(), Map.of("DOCKER_CONFIG", work.resolve("docker").toString()),
          work);

      pushArtifact(new OciRegistry(basic.host(), true, auth), repository, "1.0.0", layer());

      assertThat(auth.credential(basic.host()).orElseThrow().source())
          .startsWith("helm registry config " + work.resolve(".config/helm/registry/config.json"));
    }

    @Test
    void theInstallationsCredentialComesBeforeAnyConfig() throws IOException {
      String docker = dockerConfig(work.resolve("docker"), "{\"auths\": {\"" + basic.host() + "\": {\"auth\": \""
          + auth("ci", WRONG) + "\"}}}");
      CredentialSource own = RegistryAuth.explicit(Map.of(basic.host(), RegistryCredential.password("ci",
          Secret.of(CANARY), "installation registryCredentials for " + basic.host())), "installation");
      RegistryAuth auth = RegistryAuth.standard(List.of(own), Map.of("DOCKER_CONFIG", docker), work);

      pushArtifact(new OciRegistry(basic.host(), true, auth), repository, "1.0.0", layer());
    }

    @Test
    void aCredentialHelperOnThePathAnswersAsDockersDo() throws IOException {
      Path bin = helper(work.resolve("bin"), basic.host(), "ci", CANARY);
      String docker = dockerConfig(work.resolve("docker"), "{\"credHelpers\": {\"" + basic.host() + "\": \"test\"}}");
      RegistryAuth auth = RegistryAuth.standard(List.of(),
          Map.of("DOCKER_CONFIG", docker, "PATH", bin + ":/usr/bin:/bin"), work);

      pushArtifact(new OciRegistry(basic.host(), true, auth), repository, "1.0.0", layer());

      assertThat(auth.credential(basic.host()).orElseThrow().source()).isEqualTo("credential helper"
          + " docker-credential-test (docker config " + work.resolve("docker/config.json") + " credHelpers)");
    }

    @Test
    void aCredsStoreThatDoesNotKnowTheHostLeavesItAnonymous() throws IOException {
      Path bin = helper(work.resolve("bin"), "other.example.com", "ci", CANARY);
      String docker = dockerConfig(work.resolve("docker"), "{\"credsStore\": \"test\", \"auths\": {\"" + basic.host()
          + "\": {}}}");
      RegistryAuth auth = RegistryAuth.standard(List.of(),
          Map.of("DOCKER_CONFIG", docker, "PATH", bin + ":/usr/bin:/bin"), work.resolve("nohome"));

      assertThat(refusal(() -> new OciRegistry(basic.host(), true, auth).tags(repository)).getMessage())
          .startsWith("registry " + basic.host() + " requires authentication for " + repository);
    }

    @Test
    void aHelperMissingFromThePathIsNamed() throws IOException {
      String docker = dockerConfig(work.resolve("docker"), "{\"credHelpers\": {\"" + basic.host() + "\": \"absent\"}}");
      RegistryAuth auth = RegistryAuth.standard(List.of(), Map.of("DOCKER_CONFIG", docker, "PATH", "/usr/bin:/bin"),
          work);

      assertThat(refusal(() -> new OciRegistry(basic.host(), true, auth).tags(repository))).hasMessage(
          "credential helper docker-credential-absent (docker config " + work.resolve("docker/config.json")
              + " credHelpers): docker-credential-absent is not on the PATH");
    }

    @Test
    void aFailingHelperIsNamedWithItsFirstLineButNeverWithAnAnswer() throws IOException {
      Path bin = Files.createDirectories(work.resolve("bin"));
      Path script = bin.resolve("docker-credential-test");
      Files.writeString(script, "#!/bin/sh\necho 'error: keychain is locked'\nexit 3\n");
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
      String docker = dockerConfig(work.resolve("docker"), "{\"credsStore\": \"test\"}");
      RegistryAuth auth = RegistryAuth.standard(List.of(),
          Map.of("DOCKER_CONFIG", docker, "PATH", bin + ":/usr/bin:/bin"), work);

      assertThat(refusal(() -> new OciRegistry(basic.host(), true, auth).tags(repository))).hasMessage(
          "credential helper docker-credential-test (docker config " + work.resolve("docker/config.json")
              + " credsStore) failed for " + basic.host() + " (exit 3): error: keychain is locked");

      Files.writeString(script, "#!/bin/sh\nprintf '{\"Username\":\"ci\",\"Secret\":\"" + CANARY + "\"}'\nexit 1\n");
      RegistryAuth again = RegistryAuth.standard(List.of(),
          Map.of("DOCKER_CONFIG", docker, "PATH", bin + ":/usr/bin:/bin"), work);
      assertThat(refusal(() -> new OciRegistry(basic.host(), true, again).tags(repository)).getMessage())
          .endsWith("(exit 1): no message shown");
    }

    @Test
    void aMalformedConfigIsRefusedNamingItWithoutQuotingIt() throws IOException {
      String docker = dockerConfig(work.resolve("docker"), "{\"auths\": {\"" + basic.host() + "\": {\"auth\": \""
          + CANARY + "\"");
      RegistryAuth auth = RegistryAuth.standard(List.of(), Map.of("DOCKER_CONFIG", docker), work);

      assertThat(refusal(() -> new OciRegistry(basic.host(), true, auth).tags(repository)).getMessage())
          .startsWith("docker config " + work.resolve("docker/config.json") + " is not valid JSON (line 1");
    }
  }

  /** {@code docker-credential-test}: answers {@code host} with the user and password, anything else "not found". */
  static Path helper(Path bin, String host, String user, String password) throws IOException {
    Files.createDirectories(bin);
    Path script = bin.resolve("docker-credential-test");
    Files.writeString(script, """
        #!/bin/sh
        [ "$1" = get ] || exit 2
        read -r host
        if [ "$host" = "%s" ]; then
          printf '{"ServerURL":"%%s","Username":"%s","Secret":"%s"}' "$host"
        else
          echo "credentials not found in native keychain"
          exit 1
        fi
        """.formatted(host, user, password));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return bin;
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class BearerTokensWithScopes {

    TokenServer tokens;
    LocalRegistry registry;
    Path files;

    @BeforeAll
    void start() throws IOException {
      files = Files.createTempDirectory("stackpipe-token-");
      tokens = TokenServer.start(files).withUser("ci", CANARY, "pull", "push").withUser("reader", CANARY, "pull");
      registry = AuthRegistries.token(tokens);
    }

    @AfterAll
    void stop() {
      registry.close();
      tokens.close();
      io.stackpipe.base.FileTrees.delete(files);
    }

    @BeforeEach
    void freshCounts() {
      tokens.requests.clear();
      tokens.expiresIn = 300;
      tokens.expShift = 0;
    }

    @Test
    void aUserWithPushPushesAndPullsWithTokensOfTheRightScopes() {
      OciRegistry client = new OciRegistry(registry.host(), true, explicit(registry.host(), "ci", CANARY));

      Artifact artifact = pushArtifact(client, repository, "1.0.0", layer());
      assertThat(client.manifestDigest(repository, "1.0.0")).contains(artifact.digest());

      // A blob upload starts with a HEAD (pull), then writes (pull,push); reads reuse either token.
      // distribution's challenge names the actions in either order
      assertThat(tokens.requests).hasSize(2);
      assertThat(tokens.requests.get(0)).isEqualTo("GET repository:" + repository + ":pull by ci");
      assertThat(tokens.requests.get(1)).matches("GET repository:" + repository + ":(pull,push|push,pull) by ci");
    }

    @Test
    void aTokenWithOnlyPullCannotPushAndTheRefusalNamesTheSource() {
      pushArtifact(new OciRegistry(registry.host(), true, explicit(registry.host(), "ci", CANARY)), repository, "1.0.0",
          layer());
      OciRegistry reader = new OciRegistry(registry.host(), true, explicit(registry.host(), "reader", CANARY));

      assertThat(reader.tags(repository)).containsExactly("1.0.0");
      assertThat(refusal(() -> pushArtifact(reader, repository, "2.0.0", layer()))).hasMessageStartingWith(
          "registry " + registry.host() + " refused ").hasMessageContaining(" on " + repository + " (HTTP 401) with"
          + " the credential from installation registryCredentials for " + registry.host());
    }

    @Test
    void aWrongPasswordIsRefusedByTheTokenServiceNamingTheSource() {
      OciRegistry client = new OciRegistry(registry.host(), true, explicit(registry.host(), "ci", WRONG));

      assertThat(refusal(() -> client.tags(repository))).hasMessage("registry " + registry.host()
          + ": its token service " + tokens.realm() + " refused the credential from installation registryCredentials"
          + " for " + registry.host() + " for " + repository + " (HTTP 401)");
    }

    @Test
    void aTokenIsKeptForItsScopeUntilItExpiresThenAskedAgain() throws InterruptedException {
      tokens.expiresIn = 3;
      OciRegistry client = new OciRegistry(registry.host(), true, explicit(registry.host(), "ci", CANARY));
      pushArtifact(client, repository, "1.0.0", layer());
      client.tags(repository);
      client.tags(repository);
      assertThat(tokens.requests).hasSize(2);

      Thread.sleep(Duration.ofMillis(3500).toMillis());
      assertThat(client.tags(repository)).containsExactly("1.0.0");

      assertThat(tokens.requests).hasSize(3);
    }

    @Test
    void withoutExpiresInATokenLivesTheSpecsSixtySeconds() {
      tokens.expiresIn = 0;
      java.util.concurrent.atomic.AtomicReference<java.time.Instant> now =
          new java.util.concurrent.atomic.AtomicReference<>(java.time.Instant.now());
      java.time.Clock clock = new java.time.Clock() {
        @Override
        public java.time.ZoneId getZone() {
          return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public java.time.Instant instant() {
          return now.get();
        }
      };
      OciRegistry client = new OciRegistry(registry.host(), true, OciRegistry.TIMEOUT,
          explicit(registry.host(), "ci", CANARY), clock);
      pushArtifact(client, repository, "1.0.0", layer());
      client.tags(repository);
      now.set(now.get().plusSeconds(59));
      client.tags(repository);
      assertThat(tokens.requests).hasSize(2);

      now.set(now.get().plusSeconds(2));
      client.tags(repository);

      assertThat(tokens.requests).hasSize(3);
    }

    @Test
    void aTokenTheRegistryFindsExpiredIsReplacedAndTheRequestRepeated() throws InterruptedException {
      tokens.expiresIn = 1;
      tokens.expShift = -60;
      java.time.Instant frozen = java.time.Instant.now();
      // This client believes its tokens never expire: only distribution's own check of exp can send it back.
      OciRegistry client = new OciRegistry(registry.host(), true, OciRegistry.TIMEOUT,
          explicit(registry.host(), "ci", CANARY), java.time.Clock.fixed(frozen, java.time.ZoneOffset.UTC));
      pushArtifact(client, repository, "1.0.0", layer());
      client.tags(repository);
      int before = tokens.requests.size();

      Thread.sleep(2500);
      assertThat(client.tags(repository)).containsExactly("1.0.0");

      assertThat(tokens.requests).hasSize(before + 1);
    }

    @Test
    void anIdentityTokenIsExchangedWithTheRefreshGrant() throws IOException {
      String identity = "identity-" + CANARY;
      tokens.withIdentityToken("robot", identity, "pull", "push");
      String docker = dockerConfig(work.resolve("docker"), "{\"auths\": {\"" + registry.host()
          + "\": {\"identitytoken\": \"" + identity + "\"}}}");
      RegistryAuth auth = RegistryAuth.standard(List.of(), Map.of("DOCKER_CONFIG", docker), work);

      pushArtifact(new OciRegistry(registry.host(), true, auth), repository, "1.0.0", layer());

      assertThat(tokens.requests).hasSize(2).allMatch(r -> r.startsWith("POST ") && r.endsWith(" by robot"));
    }

    @Test
    void anonymousTokensAreRefusedAndTheRefusalSaysWhereCredentialsWereLookedFor() {
      assertThat(refusal(() -> new OciRegistry(registry.host(), true).tags(repository))).hasMessage("registry "
          + registry.host() + " gave no anonymous token for " + repository + " (HTTP 401 from " + tokens.realm()
          + "): no credential for " + registry.host() + " in no credential sources");
    }
  }
}
