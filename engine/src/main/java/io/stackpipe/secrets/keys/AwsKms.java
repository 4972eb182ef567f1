package io.stackpipe.secrets.keys;

import io.stackpipe.base.Messages;
import io.stackpipe.secrets.core.MasterKey;
import io.stackpipe.secrets.core.SecretsEnvironment;
import io.stackpipe.secrets.core.SecretsException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * AWS KMS for sops data keys: region from the key ARN, EncryptionContext from {@code context}, credentials from the
 * key's {@code aws_profile}, else the base credentials (AWS settings of the {@link SecretsEnvironment}, else the SDK's
 * default chain), and the key's {@code role} assumed on top of them through STS (refreshed before it expires). An
 * endpoint override (for emulators) comes from {@code STACKPIPE_KMS_ENDPOINT} or {@link #withEndpoint}. Clients are
 * shared per (region, profile, role); every KMS request is counted so callers can prove the one-unwrap-per-file rule.
 */
public final class AwsKms implements AutoCloseable {
  private static final Pattern ARN = Pattern.compile("^arn:aws[\\w-]*:kms:(.+):[0-9]+:(key|alias)/.+$");

  private final Optional<URI> endpoint;
  private final AwsCredentialsProvider credentials;
  private final Supplier<ProfileFile> profiles;
  private final Map<String, KmsClient> clients = new ConcurrentHashMap<>();
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
  private final AtomicInteger calls = new AtomicInteger();

  private AwsKms(Optional<URI> endpoint, AwsCredentialsProvider credentials, Supplier<ProfileFile> profiles) {
    this.endpoint = endpoint;
    this.credentials = credentials;
    this.profiles = profiles;
  }

  /** The SDK's default credentials and profile files, AWS's own endpoints. */
  public static AwsKms defaults() {
    return new AwsKms(Optional.empty(), DefaultCredentialsProvider.builder().build(), ProfileFile::defaultProfileFile);
  }

  /**
   * Endpoint, credentials and profile files from the given environment: {@code AWS_ACCESS_KEY_ID} /
   * {@code AWS_SECRET_ACCESS_KEY} / {@code AWS_SESSION_TOKEN}, else {@code AWS_PROFILE}, else the SDK's default chain
   * (instance and container roles); profiles are read from {@code AWS_SHARED_CREDENTIALS_FILE} and
   * {@code AWS_CONFIG_FILE}, else {@code ~/.aws/credentials} and {@code ~/.aws/config}.
   */
  public static AwsKms fromEnvironment(SecretsEnvironment env) {
    Optional<URI> endpoint = env.get("STACKPIPE_KMS_ENDPOINT").map(URI::create);
    Optional<Path> aws = env.home().map(h -> h.resolve(".aws"));
    Optional<Path> credentialsFile = env.get("AWS_SHARED_CREDENTIALS_FILE").map(Path::of).or(() -> aws.map(a -> a.resolve("credentials")));
    Optional<Path> configFile = env.get("AWS_CONFIG_FILE").map(Path::of).or(() -> aws.map(a -> a.resolve("config")));
    Supplier<ProfileFile> profiles = () -> {
      ProfileFile.Aggregator all = ProfileFile.aggregator();
      credentialsFile.filter(Files::isRegularFile)
          .ifPresent(f -> all.addFile(ProfileFile.builder().content(f).type(ProfileFile.Type.CREDENTIALS).build()));
      configFile.filter(Files::isRegularFile)
          .ifPresent(f -> all.addFile(ProfileFile.builder().content(f).type(ProfileFile.Type.CONFIGURATION).build()));
      return all.build();
    };
    Optional<String> keyId = env.get("AWS_ACCESS_KEY_ID");
    Optional<String> secret = env.get("AWS_SECRET_ACCESS_KEY");
    AwsCredentialsProvider base;
    if (keyId.isPresent() && secret.isPresent()) {
      base = StaticCredentialsProvider.create(env.get("AWS_SESSION_TOKEN")
          .<AwsCredentials>map(t -> AwsSessionCredentials.create(keyId.get(), secret.get(), t))
          .orElseGet(() -> AwsBasicCredentials.create(keyId.get(), secret.get())));
    } else if (env.get("AWS_PROFILE").isPresent()) {
      base = profile(profiles, env.get("AWS_PROFILE").get());
    } else {
      base = DefaultCredentialsProvider.builder().build();
    }
    return new AwsKms(endpoint, base, profiles);
  }

  public AwsKms withEndpoint(URI uri) {
    return new AwsKms(Optional.of(uri), credentials, profiles);
  }

  /** Base credentials for keys that name no {@code aws_profile} (a key's profile still wins, as in sops). */
  public AwsKms withCredentials(AwsCredentialsProvider provider) {
    return new AwsKms(endpoint, provider, profiles);
  }

  /**
   * The base credentials (from the environment, as {@link #fromEnvironment} found them): what other AWS services of
   * the installation, such as ECR's tokens, use.
   */
  public AwsCredentialsProvider credentials() {
    return credentials;
  }

  /** Number of KMS Encrypt/Decrypt requests made so far. */
  public int calls() {
    return calls.get();
  }

  byte[] decrypt(MasterKey.Kms key) {
    KmsClient client = client(key);
    calls.incrementAndGet();
    try {
      DecryptResponse r = client.decrypt(b -> b.keyId(key.arn())
          .ciphertextBlob(SdkBytes.fromByteArray(java.util.Base64.getDecoder().decode(key.enc().strip())))
          .encryptionContext(key.context()));
      return r.plaintext().asByteArray();
    } catch (IllegalArgumentException e) {
      throw new SecretsException("enc is not valid base64");
    } catch (SdkException e) {
      throw new SecretsException(describe(e));
    }
  }

  String encrypt(MasterKey.Kms key, byte[] dataKey) {
    KmsClient client = client(key);
    calls.incrementAndGet();
    try {
      return java.util.Base64.getEncoder().encodeToString(client.encrypt(b -> b.keyId(key.arn())
          .plaintext(SdkBytes.fromByteArray(dataKey)).encryptionContext(key.context()))
          .ciphertextBlob().asByteArray());
    } catch (SdkException e) {
      throw new SecretsException(describe(e));
    }
  }

  /** "AccessDeniedException: …" — AWS error messages name keys and principals, never the plaintext. */
  static String describe(SdkException e) {
    if (e instanceof AwsServiceException a && a.awsErrorDetails() != null) {
      String code = a.awsErrorDetails().errorCode();
      String msg = a.awsErrorDetails().errorMessage();
      if (code == null) {
        // an error body the SDK could not parse (e.g. an XML answer from a proxy or emulator): use its fields
        String raw = a.awsErrorDetails().rawResponse() == null ? "" : a.awsErrorDetails().rawResponse().asUtf8String();
        code = firstMatch(raw, "<Code>([^<]{1,100})</Code>", a.statusCode() == 403 ? "AccessDenied" : "HTTP " + a.statusCode());
        msg = firstMatch(raw, "<Message>([^<]{1,300})</Message>", msg);
      }
      return code + (msg == null ? "" : ": " + Messages.firstLine(msg, ""));
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + Messages.firstLine(e.getMessage(), ""));
  }

  private static String firstMatch(String s, String regex, String dflt) {
    Matcher m = Pattern.compile(regex).matcher(s);
    return m.find() ? m.group(1) : dflt;
  }

  public static String region(String arn) {
    Matcher m = ARN.matcher(arn);
    if (!m.matches()) {
      throw new SecretsException("no valid KMS ARN in '" + arn + "'");
    }
    return m.group(1);
  }

  private KmsClient client(MasterKey.Kms key) {
    String region = region(key.arn());
    return clients.computeIfAbsent(region + "|" + key.awsProfile() + "|" + key.role(), k -> {
      AwsCredentialsProvider creds = key.awsProfile().isEmpty() ? credentials : profile(profiles, key.awsProfile());
      if (!key.role().isEmpty()) {
        creds = assumeRole(region, creds, key.role());
      }
      var b = KmsClient.builder().region(Region.of(region)).credentialsProvider(creds);
      endpoint.ifPresent(b::endpointOverride);
      KmsClient client = b.build();
      closeables.add(client);
      return client;
    });
  }

  private static AwsCredentialsProvider profile(Supplier<ProfileFile> profiles, String name) {
    return ProfileCredentialsProvider.builder().profileFile(profiles).profileName(name).build();
  }

  /** The SDK's provider: assumes the role on first use and again shortly before the session expires. */
  private AwsCredentialsProvider assumeRole(String region, AwsCredentialsProvider base, String role) {
    var b = StsClient.builder().region(Region.of(region)).credentialsProvider(base);
    endpoint.ifPresent(b::endpointOverride);
    StsClient sts = b.build();
    StsAssumeRoleCredentialsProvider provider = StsAssumeRoleCredentialsProvider.builder().stsClient(sts)
        .refreshRequest(r -> r.roleArn(role).roleSessionName("stackpipe")).build();
    closeables.add(provider);
    closeables.add(sts);
    try {
      // fail here, naming the role, rather than inside the first KMS call
      provider.resolveCredentials();
    } catch (SdkException e) {
      throw new SecretsException("cannot assume role " + role + ": " + describe(e));
    }
    return provider;
  }

  @Override
  public void close() {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        // closing releases connections only: nothing to report
      }
    }
    closeables.clear();
    clients.clear();
  }
}
