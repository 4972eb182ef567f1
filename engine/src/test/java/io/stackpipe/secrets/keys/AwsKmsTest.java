package io.stackpipe.secrets.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.secrets.DecryptedSecrets;
import io.stackpipe.secrets.core.MasterKey;
import io.stackpipe.secrets.core.SecretsEnvironment;
import io.stackpipe.secrets.core.SecretsException;
import io.stackpipe.secrets.SopsDecrypt;
import io.stackpipe.secrets.SopsEncrypt;
import io.stackpipe.secrets.format.SopsFile;
import io.stackpipe.testsupport.MotoExtension;
import io.stackpipe.local.MotoServer;
import io.stackpipe.local.SopsCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.kms.KmsClient;

/** AWS KMS data keys against a real moto server: round trips, call counts, and each failure KMS can report. */
@ExtendWith(MotoExtension.class)
class AwsKmsTest {
  static final String PLAIN = "db:\n    password: kms-protected-value\n    port: 5432\n";
  static final StaticCredentialsProvider CREDS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create(MotoServer.ACCESS_KEY, MotoServer.SECRET_KEY));

  final MotoServer moto;
  final KmsClient admin;
  @TempDir
  Path dir;

  AwsKmsTest(MotoServer moto) {
    this.moto = moto;
    this.admin = KmsClient.builder().endpointOverride(moto.endpoint()).region(Region.of(MotoServer.REGION))
        .credentialsProvider(CREDS).build();
  }

  @AfterEach
  void closeAdmin() {
    admin.close();
  }

  String newKey() {
    return admin.createKey(b -> b.description("stackpipe test")).keyMetadata().arn();
  }

  static String keyId(String arn) {
    return arn.substring(arn.indexOf("key/") + 4);
  }

  AwsKms kms() {
    return AwsKms.fromEnvironment(SecretsEnvironment.none()).withEndpoint(moto.endpoint()).withCredentials(CREDS);
  }

  SecretKeys keys() {
    return SecretKeys.none().withKms(kms());
  }

  Path encrypted(String name, String kmsRule) throws IOException {
    Path sub = Files.createDirectories(dir.resolve(name));
    Files.writeString(sub.resolve(".sops.yaml"), "creation_rules:\n  - " + kmsRule + "\n");
    Path f = sub.resolve("secrets.yaml");
    Files.writeString(f, PLAIN);
    try (SecretKeys k = keys()) {
      new SopsEncrypt(k).callInPlace(f);
    }
    return f;
  }

  Path withContext(String arn) throws IOException {
    return encrypted("ctx", "key_groups:\n      - kms:\n          - arn: " + arn + "\n            context:\n              app: web\n              env: prod");
  }

  @Nested
  class RoundTrip {
    @Test
    void decryptsWithTheEncryptionContextAndOneKmsCallPerFile() throws IOException {
      Path f = withContext(newKey());
      assertThat(Files.readString(f)).contains("app: web").doesNotContain("kms-protected-value");
      try (SecretKeys k = keys()) {
        DecryptedSecrets d = new SopsDecrypt(k).call(f);
        assertThat(d.documents().get(0)).isEqualTo(Map.of("db", Map.of("password", "kms-protected-value", "port", 5432L)));
        new SopsDecrypt(k).call(f);
        new SopsDecrypt(k).call(f);
        assertThat(k.kms().calls()).as("the data key is unwrapped once per run").isEqualTo(1);
      }
    }

    @Test
    void manyFilesDecryptInParallelWithOneCallEach() throws IOException {
      String arn = newKey();
      List<Path> files = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        files.add(encrypted("many" + i, "kms: " + arn));
      }
      try (SecretKeys k = keys()) {
        List<DecryptedSecrets> all = new SopsDecrypt(k).callAll(files);
        assertThat(all).hasSize(12).allSatisfy(d -> assertThat(d.secretValues()).contains("kms-protected-value"));
        assertThat(k.kms().calls()).isEqualTo(12);
      }
    }
  }

  @Nested
  class Failures {
    @Test
    void aWrongEncryptionContextIsRefused() throws IOException {
      String arn = newKey();
      Path f = withContext(arn);
      Files.writeString(f, Files.readString(f).replace("app: web", "app: api"));
      try (SecretKeys k = keys()) {
        assertThatThrownBy(() -> new SopsDecrypt(k).call(f))
            .isInstanceOf(SecretsException.class)
            .hasMessageStartingWith(f.toString())
            .hasMessageContaining("kms " + arn + ": InvalidCiphertextException");
      }
    }

    @Test
    void aMissingKeyIsNamed() throws IOException {
      String arn = newKey();
      Path f = encrypted("missing", "kms: " + arn);
      String gone = arn.replaceAll("key/.*", "key/00000000-0000-0000-0000-000000000000");
      Files.writeString(f, Files.readString(f).replace(arn, gone));
      try (SecretKeys k = keys()) {
        assertThatThrownBy(() -> new SopsDecrypt(k).call(f))
            .hasMessageContaining("kms " + gone + ": NotFoundException");
      }
    }

    @Test
    void anUnknownAwsProfileIsNamed() throws IOException {
      Path f = encrypted("profile", "kms: " + newKey());
      Files.writeString(f, Files.readString(f).replaceFirst("aws_profile: \"\"", "aws_profile: no-such-profile"));
      Path credentials = Files.writeString(dir.resolve("credentials"), "[ci]\naws_access_key_id = a\naws_secret_access_key = b\n");
      SecretsEnvironment env = SecretsEnvironment.of(Map.of("AWS_SHARED_CREDENTIALS_FILE", credentials.toString()), null);
      try (SecretKeys k = SecretKeys.none().withKms(AwsKms.fromEnvironment(env).withEndpoint(moto.endpoint()).withCredentials(CREDS))) {
        assertThatThrownBy(() -> new SopsDecrypt(k).call(f))
            .hasMessageContaining("no-such-profile");
      }
    }
  }

  /**
   * moto does not refuse Decrypt for disabled keys or keys pending deletion, but it does enforce IAM once
   * INITIAL_NO_AUTH_ACTION_COUNT requests have passed: that gives real AccessDenied answers, so each test also shows
   * that the same file is refused when the key's role or profile is not used.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class AccessControl {
    /** More than the setup below makes; the rest is used up before the tests so that every test request is checked. */
    static final int SETUP_REQUESTS = 30;
    static final String ALLOW_DECRYPT = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
        + "\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"}]}";
    Path iamDir;
    MotoServer iamMoto;
    String arn;
    Path plain;
    Path withRole;
    Path withProfile;
    AccessKey denied;
    AccessKey granted;
    AccessKey roleUser;
    Path credentials;

    @BeforeAll
    void usersRolesAndFiles(@TempDir Path tmp) throws IOException {
      iamDir = tmp;
      iamMoto = MotoServer.start(Map.of("INITIAL_NO_AUTH_ACTION_COUNT", String.valueOf(SETUP_REQUESTS)));
      try (KmsClient kmsAdmin = KmsClient.builder().endpointOverride(iamMoto.endpoint()).region(Region.of(MotoServer.REGION))
          .credentialsProvider(CREDS).build();
           IamClient iam = IamClient.builder().endpointOverride(iamMoto.endpoint()).region(Region.AWS_GLOBAL)
               .credentialsProvider(CREDS).build()) {
        arn = kmsAdmin.createKey(b -> b.description("profile key")).keyMetadata().arn();
        denied = user(iam, "other-pipeline", null);
        // moto's IAM evaluation matches Resource "*" only, so the grants are on the action
        granted = user(iam, "payments-pipeline", ALLOW_DECRYPT);
        roleUser = user(iam, "role-pipeline", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}]}");
        String role = iam.createRole(b -> b.roleName("deployer").assumeRolePolicyDocument(
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},"
                + "\"Action\":\"sts:AssumeRole\"}]}")).role().arn();
        iam.putRolePolicy(b -> b.roleName("deployer").policyName("decrypt").policyDocument(ALLOW_DECRYPT));
        credentials = Files.writeString(iamDir.resolve("credentials"), "[ci]\naws_access_key_id = " + granted.accessKeyId()
            + "\naws_secret_access_key = " + granted.secretAccessKey() + "\n");
        plain = encryptedOn(iamMoto, "plain", "kms: " + arn);
        withRole = encryptedOn(iamMoto, "role", "kms: " + arn + "+" + role);
        withProfile = encryptedOn(iamMoto, "profile", "kms: " + arn + "\n    aws_profile: ci");
        for (int i = 0; i < SETUP_REQUESTS; i++) {
          try {
            kmsAdmin.listKeys();
          } catch (SdkException e) {
            return;  // the admin's keys are unknown to IAM: enforcement has begun
          }
        }
        throw new IllegalStateException("moto never started enforcing IAM");
      }
    }

    @AfterAll
    void stop() {
      iamMoto.close();
    }

    private AccessKey user(IamClient iam, String name, String policy) {
      iam.createUser(b -> b.userName(name));
      AccessKey key = iam.createAccessKey(b -> b.userName(name)).accessKey();
      if (policy != null) {
        iam.putUserPolicy(b -> b.userName(name).policyName("policy").policyDocument(policy));
      }
      return key;
    }

    private Path encryptedOn(MotoServer server, String name, String kmsRule) throws IOException {
      Path sub = Files.createDirectories(iamDir.resolve("iam-" + name));
      Files.writeString(sub.resolve(".sops.yaml"), "creation_rules:\n  - " + kmsRule + "\n");
      Path f = Files.writeString(sub.resolve("secrets.yaml"), PLAIN);
      try (SecretKeys k = keysAs(null)) {
        new SopsEncrypt(k).callInPlace(f);
      }
      return f;
    }

    /** KMS on the IAM-enforcing moto: the given user's keys as base credentials (the admin's if null). */
    private SecretKeys keysAs(AccessKey user) {
      SecretsEnvironment env = SecretsEnvironment.of(Map.of("AWS_SHARED_CREDENTIALS_FILE", credentials.toString()), null);
      StaticCredentialsProvider creds = user == null ? CREDS
          : StaticCredentialsProvider.create(AwsBasicCredentials.create(user.accessKeyId(), user.secretAccessKey()));
      return SecretKeys.none().withKms(AwsKms.fromEnvironment(env).withEndpoint(iamMoto.endpoint()).withCredentials(creds));
    }

    private void assertDenied(Path f, AccessKey as, String user) {
      try (SecretKeys k = keysAs(as)) {
        assertThatThrownBy(() -> new SopsDecrypt(k).call(f))
            .hasMessageStartingWith(f.toString())
            .hasMessageContaining("kms " + arn)
            .hasMessageContaining("AccessDenied")
            .hasMessageContaining("user/" + user + " is not authorized to perform: kms:Decrypt");
      }
    }

    @Test
    void onlyAPipelineGrantedKmsDecryptCanReadTheFile() {
      assertDenied(plain, denied, "other-pipeline");
      try (SecretKeys k = keysAs(granted)) {
        assertThat(new SopsDecrypt(k).call(plain).secretValues()).contains("kms-protected-value");
      }
    }

    @Test
    void theKeysRoleIsAssumedAndItsPermissionsDecrypt() {
      assertThat(SopsFile.parse(withRole).metadata().allKeys().get(0)).isInstanceOfSatisfying(MasterKey.Kms.class,
          k -> assertThat(k.role()).endsWith(":role/deployer"));
      try (SecretKeys k = keysAs(roleUser)) {
        assertThat(new SopsDecrypt(k).call(withRole).secretValues()).contains("kms-protected-value");
      }
      // the same user without the role: its own permissions do not reach kms:Decrypt
      assertDenied(plain, roleUser, "role-pipeline");
    }

    @Test
    void theKeysAwsProfileWinsOverTheBaseCredentials() {
      try (SecretKeys k = keysAs(denied)) {
        assertThat(new SopsDecrypt(k).call(withProfile).secretValues()).contains("kms-protected-value");
      }
      // the base credentials alone are refused
      assertDenied(plain, denied, "other-pipeline");
    }
  }

  @Nested
  class RealSops {
    SopsCli sops() {
      return new SopsCli(dir, Map.of("AWS_ENDPOINT_URL", moto.endpoint().toString(), "AWS_ACCESS_KEY_ID", MotoServer.ACCESS_KEY,
          "AWS_SECRET_ACCESS_KEY", MotoServer.SECRET_KEY, "AWS_REGION", MotoServer.REGION));
    }

    @Test
    void sopsDecryptsOurKmsFilesWithTheirContext() throws IOException {
      Path f = withContext(newKey());
      String out = sops().run("--decrypt", f.toString()).orFail();
      assertThat(out).contains("password: kms-protected-value");
    }

    @Test
    void weDecryptKmsFilesSopsEncrypts() throws IOException {
      String arn = newKey();
      Path sub = Files.createDirectories(dir.resolve("theirs"));
      Files.writeString(sub.resolve(".sops.yaml"), "creation_rules:\n  - key_groups:\n      - kms:\n          - arn: " + arn
          + "\n            context:\n              team: payments\n");
      Path f = sub.resolve("secrets.yaml");
      Files.writeString(f, PLAIN);
      sops().run("--config", sub.resolve(".sops.yaml").toString(), "--encrypt", "--in-place", f.toString()).orFail();
      try (SecretKeys k = keys()) {
        assertThat(new SopsDecrypt(k).call(f).documents().get(0))
            .isEqualTo(Map.of("db", Map.of("password", "kms-protected-value", "port", 5432L)));
      }
    }
  }
}
