package io.stackpipe.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.testsupport.MotoExtension;
import io.stackpipe.local.MotoServer;
import io.stackpipe.local.SopsCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
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
    return AwsKms.fromEnvironment().withEndpoint(moto.endpoint()).withCredentials(CREDS);
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

    @Test
    void assumesTheRoleNamedAfterThePlusSign() throws IOException {
      Path f = encrypted("role", "kms: " + newKey() + "+arn:aws:iam::123456789012:role/deployer");
      assertThat(SopsFile.parse(f).metadata().allKeys().get(0)).isInstanceOfSatisfying(MasterKey.Kms.class,
          k -> assertThat(k.role()).isEqualTo("arn:aws:iam::123456789012:role/deployer"));
      try (SecretKeys k = keys()) {
        assertThat(new SopsDecrypt(k).call(f).secretValues()).contains("kms-protected-value");
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
    void aKeysAwsProfileIsReadFromTheSharedCredentialsFile() throws IOException {
      Path f = encrypted("profile-ok", "kms: " + newKey() + "\n    aws_profile: ci");
      Path credentials = Files.writeString(dir.resolve("credentials"),
          "[ci]\naws_access_key_id = " + MotoServer.ACCESS_KEY + "\naws_secret_access_key = " + MotoServer.SECRET_KEY + "\n");
      String before = System.getProperty("aws.sharedCredentialsFile");
      System.setProperty("aws.sharedCredentialsFile", credentials.toString());
      try (SecretKeys k = SecretKeys.none().withKms(AwsKms.fromEnvironment().withEndpoint(moto.endpoint()))) {
        assertThat(new SopsDecrypt(k).call(f).secretValues()).contains("kms-protected-value");
      } finally {
        if (before == null) {
          System.clearProperty("aws.sharedCredentialsFile");
        } else {
          System.setProperty("aws.sharedCredentialsFile", before);
        }
      }
    }

    @Test
    void anUnknownAwsProfileIsNamed() throws IOException {
      Path f = encrypted("profile", "kms: " + newKey() + "\n    aws_profile: no-such-profile");
      try (SecretKeys k = SecretKeys.none().withKms(AwsKms.fromEnvironment().withEndpoint(moto.endpoint()))) {
        assertThatThrownBy(() -> new SopsDecrypt(k).call(f))
            .hasMessageContaining("no-such-profile");
      }
    }
  }

  /**
   * moto does not refuse Decrypt for disabled keys or keys pending deletion, but it does enforce IAM once
   * INITIAL_NO_AUTH_ACTION_COUNT requests have passed: that gives real AccessDenied answers.
   */
  @Nested
  class AccessControl {
    static final int SETUP_REQUESTS = 7;

    @Test
    void onlyAPipelineGrantedKmsDecryptCanReadTheFile() throws IOException {
      try (MotoServer iamMoto = MotoServer.start(Map.of("INITIAL_NO_AUTH_ACTION_COUNT", String.valueOf(SETUP_REQUESTS)));
         KmsClient kmsAdmin = KmsClient.builder().endpointOverride(iamMoto.endpoint()).region(Region.of(MotoServer.REGION))
             .credentialsProvider(CREDS).build();
         IamClient iam = IamClient.builder().endpointOverride(iamMoto.endpoint()).region(Region.AWS_GLOBAL)
             .credentialsProvider(CREDS).build()) {
        String arn = kmsAdmin.createKey(b -> b.description("profile key")).keyMetadata().arn();          // 1
        Path sub = Files.createDirectories(dir.resolve("iam"));
        Files.writeString(sub.resolve(".sops.yaml"), "creation_rules:\n  - kms: " + arn + "\n");
        Path f = sub.resolve("secrets.yaml");
        Files.writeString(f, PLAIN);
        try (SecretKeys k = SecretKeys.none().withKms(AwsKms.fromEnvironment().withEndpoint(iamMoto.endpoint()).withCredentials(CREDS))) {
          new SopsEncrypt(k).callInPlace(f);                                                              // 2
        }
        iam.createUser(b -> b.userName("other-pipeline"));                                                   // 3
        var denied = iam.createAccessKey(b -> b.userName("other-pipeline")).accessKey();                     // 4
        iam.createUser(b -> b.userName("payments-pipeline"));                                                // 5
        var granted = iam.createAccessKey(b -> b.userName("payments-pipeline")).accessKey();                 // 6
        // moto's IAM evaluation matches Resource "*" only, so the grant is on the action
        iam.putUserPolicy(b -> b.userName("payments-pipeline").policyName("decrypt-profile-secrets")         // 7
            .policyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"}]}"));

        try (SecretKeys k = SecretKeys.none().withKms(AwsKms.fromEnvironment().withEndpoint(iamMoto.endpoint())
            .withCredentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(denied.accessKeyId(), denied.secretAccessKey()))))) {
          assertThatThrownBy(() -> new SopsDecrypt(k).call(f))
              .hasMessageStartingWith(f.toString())
              .hasMessageContaining("kms " + arn + ": AccessDenied")
              .hasMessageContaining("user/other-pipeline is not authorized to perform: kms:Decrypt");
        }
        try (SecretKeys k = SecretKeys.none().withKms(AwsKms.fromEnvironment().withEndpoint(iamMoto.endpoint())
            .withCredentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(granted.accessKeyId(), granted.secretAccessKey()))))) {
          assertThat(new SopsDecrypt(k).call(f).secretValues()).contains("kms-protected-value");
        }
      }
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
