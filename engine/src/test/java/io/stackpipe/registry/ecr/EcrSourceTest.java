package io.stackpipe.registry.ecr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.Secret;
import io.stackpipe.installation.Installation;
import io.stackpipe.installation.SessionEnvironment;
import io.stackpipe.local.MotoServer;
import io.stackpipe.registry.OciRegistry;
import io.stackpipe.registry.auth.RegistryAuth;
import io.stackpipe.registry.auth.RegistryCredential;
import io.stackpipe.testsupport.MotoExtension;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/** An installation's registry lookup answers an ECR host from ECR's token service (moto), after its own sources. */
@ExtendWith(MotoExtension.class)
class EcrSourceTest {

  private static final String HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

  @TempDir
  Path home;

  @Test
  void anEcrHostGetsAnAwsTokenWithTheInstallationsAwsCredentialsAndOtherHostsNone(MotoServer moto) {
    Map<String, String> variables = Map.of("AWS_ACCESS_KEY_ID", MotoServer.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY",
        MotoServer.SECRET_KEY, "AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL_ECR", moto.endpoint().toString());
    RegistryAuth auth = Installation.builder().build().registryAuth(SessionEnvironment.of(variables, home));

    RegistryCredential credential = auth.credential(HOST).orElseThrow();

    assertThat(credential.username()).isEqualTo("AWS");
    assertThat(credential.password().reveal()).isEqualTo("123456789012-auth-token");
    assertThat(credential.source()).isEqualTo("ecr (" + HOST + ")");
    assertThat(credential.expires()).as("asked again an hour before ECR's expiry")
        .isEqualTo(java.time.Instant.parse("2014-12-31T23:00:00Z"));
    assertThat(credential.toString()).doesNotContain("auth-token");
    assertThat(auth.credential("registry.example.com")).isEmpty();
    assertThat(auth.describe()).endsWith("then ecr (ECR hosts, with the installation's AWS credentials)");
  }

  @Test
  void theInstallationsOwnCredentialForAnEcrHostComesFirst(MotoServer moto) {
    RegistryAuth auth = Installation.builder().withRegistryCredential(HOST, "own", Secret.of("mine")).build()
        .registryAuth(SessionEnvironment.of(Map.of("AWS_ENDPOINT_URL_ECR", moto.endpoint().toString()), home));

    assertThat(auth.credential(HOST).orElseThrow().username()).isEqualTo("own");
  }

  /**
   * With {@code createRepositories}, a client's first push to a repository of an ECR host creates it in ECR first.
   * moto emulates ECR's API, not its registry: the push itself then fails on the host, after the creation.
   */
  @Test
  void createRepositoriesCreatesTheRepositoryBeforeTheFirstPushAndWithoutItNothingIs(MotoServer moto) {
    String created = "charts/created-" + System.nanoTime();
    String untouched = "charts/untouched-" + System.nanoTime();
    Map<String, String> variables = Map.of("AWS_ACCESS_KEY_ID", MotoServer.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY",
        MotoServer.SECRET_KEY, "AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL_ECR", moto.endpoint().toString());
    SessionEnvironment environment = SessionEnvironment.of(variables, home);
    RegistryAuth creating = Installation.fromMap(Map.of("createRepositories", "true")).registryAuth(environment);
    RegistryAuth plain = Installation.builder().build().registryAuth(environment);

    assertThatThrownBy(() -> push(creating, created)).isNotNull();
    assertThatThrownBy(() -> push(plain, untouched)).isNotNull();

    try (EcrClient admin = EcrClient.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(MotoServer.ACCESS_KEY,
            MotoServer.SECRET_KEY))).build()) {
      assertThat(admin.describeRepositories().repositories()).extracting(r -> r.repositoryName())
          .contains(created).doesNotContain(untouched);
    }
  }

  private static void push(RegistryAuth auth, String repository) {
    new OciRegistry(HOST, true, java.time.Duration.ofSeconds(5), auth, java.time.Clock.systemUTC())
        .pushBlob(repository, "layer".getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
