package io.stackpipe.registry.ecr;

import io.stackpipe.Secret;
import io.stackpipe.StackpipeException;
import io.stackpipe.base.Messages;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.EcrClientBuilder;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;
import software.amazon.awssdk.services.ecr.model.RepositoryAlreadyExistsException;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;

/**
 * The credentials of one ECR registry ({@code ACCOUNT.dkr.ecr.REGION.amazonaws.com}): the authorization token from
 * {@code GetAuthorizationToken} (12 hours, user {@code AWS}), cached and fetched again once less than {@link
 * #withRefreshBefore} of it is left, and the repositories ECR needs before a first push ({@link #ensureRepository}).
 * AWS credentials come from {@link #withCredentials} (the installation's, as for KMS), else the SDK's default chain.
 * Thread-safe once configured; close it to release its client.
 *
 * <pre>{@code
 * try (EcrTokens ecr = EcrTokens.forHost("123456789012.dkr.ecr.eu-west-1.amazonaws.com").withCredentials(aws)) {
 *   EcrCredential credential = ecr.credential();   // AWS + password, valid until credential.expiresAt()
 *   ecr.ensureRepository("charts/orders");
 * }
 * }</pre>
 */
public final class EcrTokens implements AutoCloseable {

  private static final Pattern HOST = Pattern.compile(
      "(\\d{12})\\.dkr\\.ecr(?:-fips)?\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?");

  private final String host;
  private final String account;
  private final String region;
  private final AtomicInteger tokenRequests = new AtomicInteger();
  private AwsCredentialsProvider credentials;
  private URI endpoint;
  private Clock clock = Clock.systemUTC();
  private Duration refreshBefore = Duration.ofHours(1);
  private EcrClient client;
  private EcrCredential cached;

  private EcrTokens(String host, String account, String region) {
    this.host = host;
    this.account = account;
    this.region = region;
  }

  /** Whether {@code host} is an ECR registry host (private registries; ECR Public is not one). */
  public static boolean isEcr(String host) {
    return HOST.matcher(host).matches();
  }

  /** The tokens of the registry at {@code host}; refused, naming the host, when it is not an ECR one. */
  public static EcrTokens forHost(String host) {
    Matcher m = HOST.matcher(Objects.requireNonNull(host, "host"));
    if (!m.matches()) {
      throw new StackpipeException("registry " + host + " is not an ECR registry"
          + " (ACCOUNT.dkr.ecr.REGION.amazonaws.com)");
    }
    return new EcrTokens(host, m.group(1), m.group(2));
  }

  /** The AWS credentials that ask for tokens (default: the SDK's default chain). */
  public synchronized EcrTokens withCredentials(AwsCredentialsProvider value) {
    credentials = value;
    return this;
  }

  /** Another ECR API endpoint (a VPC endpoint, or an emulator in tests). */
  public synchronized EcrTokens withEndpoint(URI value) {
    endpoint = value;
    return this;
  }

  /** The clock that decides when a cached token is too old (tests move it instead of waiting hours). */
  public synchronized EcrTokens withClock(Clock value) {
    clock = Objects.requireNonNull(value);
    return this;
  }

  /** Fetch a new token once less than this is left of the cached one (default 1 hour of its 12). */
  public synchronized EcrTokens withRefreshBefore(Duration value) {
    if (value.isNegative()) {
      throw new IllegalArgumentException("refreshBefore must not be negative");
    }
    refreshBefore = value;
    return this;
  }

  public String host() {
    return host;
  }

  public String region() {
    return region;
  }

  /** How many tokens it asked ECR for so far (each {@link #credential()} served from the cache asks none). */
  public int tokenRequests() {
    return tokenRequests.get();
  }

  /** The registry's credential: the cached one while more than the refresh margin is left, else a new one. */
  public synchronized EcrCredential credential() {
    if (cached != null && clock.instant().isBefore(cached.expiresAt().minus(refreshBefore))) {
      return cached;
    }
    AuthorizationData data;
    try {
      tokenRequests.incrementAndGet();
      data = client().getAuthorizationToken(r -> r.registryIds(account)).authorizationData().stream()
          .findFirst().orElseThrow(() -> new StackpipeException(source() + ": GetAuthorizationToken returned no"
              + " token"));
    } catch (SdkException e) {
      throw refused("GetAuthorizationToken", e);
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(data.authorizationToken()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new StackpipeException(source() + ": the authorization token is not base64");
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      throw new StackpipeException(source() + ": the authorization token is not USER:PASSWORD");
    }
    cached = new EcrCredential(host, decoded.substring(0, colon), Secret.of(decoded.substring(colon + 1)),
        data.expiresAt(), source());
    return cached;
  }

  /**
   * Creates repository {@code name} unless it exists (ECR refuses a push to a missing one); returns whether it
   * created it. Another writer creating it at the same time counts as existing.
   */
  public synchronized boolean ensureRepository(String name) {
    try {
      client().describeRepositories(r -> r.registryId(account).repositoryNames(name));
      return false;
    } catch (RepositoryNotFoundException absent) {
      try {
        client().createRepository(r -> r.registryId(account).repositoryName(name));
        return true;
      } catch (RepositoryAlreadyExistsException raced) {
        return false;
      } catch (SdkException e) {
        throw refused("CreateRepository " + name, e);
      }
    } catch (SdkException e) {
      throw refused("DescribeRepositories " + name, e);
    }
  }

  private String source() {
    return "ecr (" + host + ")";
  }

  private EcrClient client() {
    if (client == null) {
      EcrClientBuilder b = EcrClient.builder().region(Region.of(region))
          .credentialsProvider(credentials != null ? credentials : DefaultCredentialsProvider.builder().build());
      if (endpoint != null) {
        b.endpointOverride(endpoint);
      }
      client = b.build();
    }
    return client;
  }

  /** One line naming the registry and the call; AWS error messages carry no credential. */
  private StackpipeException refused(String call, SdkException e) {
    return new StackpipeException(source() + ": " + call + " failed: " + Messages.firstLine(e), e);
  }

  @Override
  public synchronized void close() {
    if (client != null) {
      client.close();
      client = null;
    }
  }
}
