package io.stackpipe.secrets;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * AWS KMS for sops data keys: region from the key ARN, EncryptionContext from {@code context}, the key's
 * {@code aws_profile}, an optional role assumed through STS, else the SDK's default credential chain. An endpoint
 * override (for emulators) comes from {@link #withEndpoint}, system property {@code stackpipe.kms.endpoint} or the
 * environment variable {@code STACKPIPE_KMS_ENDPOINT}. Clients are shared per (region, profile, role); every KMS
 * request is counted so callers can prove the one-unwrap-per-file rule.
 */
public final class AwsKms implements AutoCloseable {
  private static final Pattern ARN = Pattern.compile("^arn:aws[\\w-]*:kms:(.+):[0-9]+:(key|alias)/.+$");

  private final Optional<URI> endpoint;
  private final AwsCredentialsProvider credentials;
  private final Map<String, KmsClient> clients = new ConcurrentHashMap<>();
  private final AtomicInteger calls = new AtomicInteger();

  private AwsKms(Optional<URI> endpoint, AwsCredentialsProvider credentials) {
    this.endpoint = endpoint;
    this.credentials = credentials;
  }

  /** Default credentials, endpoint from the property/environment if set. */
  public static AwsKms fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /** Like {@link #fromEnvironment()} with the given environment variables. */
  public static AwsKms fromEnvironment(Map<String, String> env) {
    String e = System.getProperty("stackpipe.kms.endpoint", env.get("STACKPIPE_KMS_ENDPOINT"));
    return new AwsKms(Optional.ofNullable(e).filter(s -> !s.isBlank()).map(URI::create), null);
  }

  public AwsKms withEndpoint(URI uri) {
    return new AwsKms(Optional.of(uri), credentials);
  }

  /** Use these credentials instead of the default chain / the key's profile. */
  public AwsKms withCredentials(AwsCredentialsProvider provider) {
    return new AwsKms(endpoint, provider);
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
      return code + (msg == null ? "" : ": " + msg.lines().findFirst().orElse(""));
    }
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
  }

  private static String firstMatch(String s, String regex, String dflt) {
    Matcher m = Pattern.compile(regex).matcher(s);
    return m.find() ? m.group(1) : dflt;
  }

  static String region(String arn) {
    Matcher m = ARN.matcher(arn);
    if (!m.matches()) {
      throw new SecretsException("no valid KMS ARN in '" + arn + "'");
    }
    return m.group(1);
  }

  private KmsClient client(MasterKey.Kms key) {
    String region = region(key.arn());
    return clients.computeIfAbsent(region + "|" + key.awsProfile() + "|" + key.role(), k -> {
      AwsCredentialsProvider creds = baseCredentials(key.awsProfile());
      if (!key.role().isEmpty()) {
        creds = assumeRole(region, creds, key.role());
      }
      var b = KmsClient.builder().region(Region.of(region)).credentialsProvider(creds);
      endpoint.ifPresent(b::endpointOverride);
      return b.build();
    });
  }

  private AwsCredentialsProvider baseCredentials(String profile) {
    if (credentials != null) {
      return credentials;
    }
    if (!profile.isEmpty()) {
      return ProfileCredentialsProvider.create(profile);
    }
    return DefaultCredentialsProvider.builder().build();
  }

  private AwsCredentialsProvider assumeRole(String region, AwsCredentialsProvider base, String role) {
    var b = StsClient.builder().region(Region.of(region)).credentialsProvider(base);
    endpoint.ifPresent(b::endpointOverride);
    try (StsClient sts = b.build()) {
      Credentials c = sts.assumeRole(r -> r.roleArn(role).roleSessionName("stackpipe")).credentials();
      return StaticCredentialsProvider.create(
          AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()));
    } catch (SdkException e) {
      throw new SecretsException("cannot assume role " + role + ": " + describe(e));
    }
  }

  @Override
  public void close() {
    clients.values().forEach(KmsClient::close);
    clients.clear();
  }
}
