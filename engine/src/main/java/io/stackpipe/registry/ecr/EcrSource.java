package io.stackpipe.registry.ecr;

import io.stackpipe.registry.auth.CredentialSource;
import io.stackpipe.registry.auth.RegistryCredential;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * The credential of an ECR host ({@code ACCOUNT.dkr.ecr.REGION.amazonaws.com}): its token service asked with the AWS
 * credentials the installation has (those it opens KMS keys with), one {@link EcrTokens} per host, refreshed an hour
 * before the 12-hour token expires. Other hosts have none here.
 */
public final class EcrSource implements CredentialSource {

  // Asked again this long before ECR stops taking the token, so an operation that starts late still finishes.
  static final Duration REFRESH_BEFORE = Duration.ofHours(1);

  private final AwsCredentialsProvider credentials;
  private final URI endpoint;
  private final boolean createRepositories;
  private final Map<String, EcrTokens> byHost = new ConcurrentHashMap<>();

  /** {@code endpoint}: the ECR API's URL instead of AWS's (an emulator, a VPC endpoint), or null. */
  public EcrSource(AwsCredentialsProvider credentials, URI endpoint) {
    this(credentials, endpoint, false);
  }

  /**
   * With {@code createRepositories}, a repository of an ECR host is created (CreateRepository, unless it exists)
   * before the first push to it, as ECR refuses pushes to a repository nobody created.
   */
  public EcrSource(AwsCredentialsProvider credentials, URI endpoint, boolean createRepositories) {
    this.credentials = credentials;
    this.endpoint = endpoint;
    this.createRepositories = createRepositories;
  }

  @Override
  public Optional<RegistryCredential> find(String host) {
    if (!EcrTokens.isEcr(host)) {
      return Optional.empty();
    }
    EcrCredential token = tokens(host).credential();
    return Optional.of(RegistryCredential.password(token.username(), token.password(), token.source())
        .expiring(token.expiresAt().minus(REFRESH_BEFORE)));
  }

  @Override
  public void beforeFirstPush(String host, String repository) {
    if (createRepositories && EcrTokens.isEcr(host)) {
      tokens(host).ensureRepository(repository);
    }
  }

  private EcrTokens tokens(String host) {
    return byHost.computeIfAbsent(host, h -> {
      EcrTokens tokens = EcrTokens.forHost(h).withCredentials(credentials).withRefreshBefore(REFRESH_BEFORE);
      return endpoint == null ? tokens : tokens.withEndpoint(endpoint);
    });
  }

  @Override
  public String describe() {
    return "ecr (ECR hosts, with the installation's AWS credentials)";
  }
}
