package io.stackpipe.registry.ecr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.StackpipeException;
import io.stackpipe.local.MotoServer;
import io.stackpipe.testsupport.MotoExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/** ECR's authorization tokens and repositories against moto's ECR (a real AWS API emulator, over HTTP). */
@ExtendWith(MotoExtension.class)
class EcrTokensTest {

  private static final String HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
  private static final StaticCredentialsProvider CREDS = StaticCredentialsProvider.create(
      AwsBasicCredentials.create(MotoServer.ACCESS_KEY, MotoServer.SECRET_KEY));

  /** A clock tests move; moto's tokens expire at 2015-01-01T00:00Z, so time starts 12 hours before. */
  private static final class MovableClock extends Clock {
    Instant now = Instant.parse("2014-12-31T12:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void theTokenIsUserAwsAndThePasswordItEncodesValidUntilItsExpiry(MotoServer moto) {
    try (EcrTokens ecr = EcrTokens.forHost(HOST).withCredentials(CREDS).withEndpoint(moto.endpoint())
        .withClock(new MovableClock())) {
      EcrCredential credential = ecr.credential();
      assertThat(credential.host()).isEqualTo(HOST);
      assertThat(credential.username()).isEqualTo("AWS");
      // moto's password for an account; real ECR's is a long opaque string
      assertThat(credential.password().reveal()).isEqualTo("123456789012-auth-token");
      assertThat(credential.expiresAt()).isEqualTo(Instant.parse("2015-01-01T00:00:00Z"));
      assertThat(credential.source()).isEqualTo("ecr (" + HOST + ")");
      assertThat(credential.toString()).doesNotContain("auth-token");
      assertThat(ecr.region()).isEqualTo("us-east-1");
    }
  }

  @Test
  void theTokenIsCachedUntilLessThanTheMarginIsLeftThenFetchedAgain(MotoServer moto) {
    MovableClock clock = new MovableClock();
    try (EcrTokens ecr = EcrTokens.forHost(HOST).withCredentials(CREDS).withEndpoint(moto.endpoint())
        .withClock(clock).withRefreshBefore(Duration.ofMinutes(30))) {
      EcrCredential first = ecr.credential();
      clock.now = Instant.parse("2014-12-31T23:29:59Z");
      assertThat(ecr.credential()).isSameAs(first);
      assertThat(ecr.tokenRequests()).isEqualTo(1);
      clock.now = Instant.parse("2014-12-31T23:30:00Z");
      assertThat(ecr.credential()).isNotSameAs(first).isEqualTo(first);
      assertThat(ecr.tokenRequests()).isEqualTo(2);
    }
  }

  @Test
  void ensureRepositoryCreatesAMissingRepositoryOnce(MotoServer moto) {
    String name = "charts/orders-" + System.nanoTime();
    try (EcrTokens ecr = EcrTokens.forHost(HOST).withCredentials(CREDS).withEndpoint(moto.endpoint());
        EcrClient admin = EcrClient.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
            .credentialsProvider(CREDS).build()) {
      assertThat(ecr.ensureRepository(name)).isTrue();
      assertThat(ecr.ensureRepository(name)).isFalse();
      assertThat(admin.describeRepositories(r -> r.repositoryNames(name)).repositories())
          .extracting(r -> r.repositoryName()).containsExactly(name);
    }
  }

  @Test
  void aHostThatIsNotEcrIsRefusedNamingIt() {
    assertThat(EcrTokens.isEcr(HOST)).isTrue();
    assertThat(EcrTokens.isEcr("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn")).isTrue();
    assertThat(EcrTokens.isEcr("ghcr.io")).isFalse();
    assertThatThrownBy(() -> EcrTokens.forHost("registry.example.com"))
        .hasMessage("registry registry.example.com is not an ECR registry (ACCOUNT.dkr.ecr.REGION.amazonaws.com)");
  }

  @Test
  void refusedAwsCredentialsGiveOneLineNamingTheRegistryWithoutTheSecret() {
    String canary = "canary-aws-secret-key-0123456789";
    // IAM enforced from the first request: moto refuses keys it never issued, as AWS does.
    try (MotoServer enforcing = MotoServer.start(Map.of("INITIAL_NO_AUTH_ACTION_COUNT", "0"));
        EcrTokens ecr = EcrTokens.forHost(HOST).withEndpoint(enforcing.endpoint())
            .withCredentials(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAUNKNOWN", canary)))) {
      assertThatThrownBy(ecr::credential).isInstanceOf(StackpipeException.class)
          .hasMessageStartingWith("ecr (" + HOST + "): GetAuthorizationToken failed: ")
          .hasMessageNotContaining(canary)
          .satisfies(e -> assertThat(e.getMessage()).hasLineCount(1));
      assertThatThrownBy(() -> ecr.ensureRepository("charts/x")).hasMessageStartingWith("ecr (" + HOST
          + "): DescribeRepositories charts/x failed: ").hasMessageNotContaining(canary);
    }
  }
}
