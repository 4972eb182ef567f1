package io.stackpipe.registry.ecr;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.Secret;
import io.stackpipe.installation.Installation;
import io.stackpipe.installation.SessionEnvironment;
import io.stackpipe.local.MotoServer;
import io.stackpipe.registry.auth.RegistryAuth;
import io.stackpipe.registry.auth.RegistryCredential;
import io.stackpipe.testsupport.MotoExtension;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

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
}
