package io.stackpipe.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.secrets.keys.Age;
import io.stackpipe.secrets.core.MasterKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .sops.yaml creation rules as sops reads them. */
class CreationRulesTest {
  static final String AGE1 = Age.Identity.generate().recipient();
  static final String AGE2 = Age.Identity.generate().recipient();
  static final String ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

  @TempDir
  Path dir;

  private CreationRules rules(String yaml) throws IOException {
    return CreationRules.load(Files.writeString(dir.resolve(".sops.yaml"), yaml));
  }

  @Test
  void theFirstRuleWhosePathRegexMatchesTheRelativePathWins() throws IOException {
    CreationRules r = rules("creation_rules:\n  - path_regex: prod/.*\n    age: " + AGE1 + "\n  - age: " + AGE2 + "\n");
    assertThat(r.ruleFor(dir.resolve("prod/secrets.yaml")).keyGroups()).containsExactly(List.of(new MasterKey.Age(AGE1, "")));
    assertThat(r.ruleFor(dir.resolve("dev/secrets.yaml")).keyGroups()).containsExactly(List.of(new MasterKey.Age(AGE2, "")));
  }

  @Test
  void commaSeparatedKeysRolesAndProfilesAreRead() throws IOException {
    CreationRules r = rules("creation_rules:\n  - kms: '" + ARN + "+arn:aws:iam::111122223333:role/ci, " + ARN + "'\n    aws_profile: ci\n"
        + "    pgp: 'FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4'\n    age: [" + AGE1 + ", " + AGE2 + "]\n    encrypted_regex: ^data$\n");
    CreationRules.Rule rule = r.ruleFor(dir.resolve("x.yaml"));
    assertThat(rule.keyGroups().get(0)).containsExactly(
        new MasterKey.Kms(ARN, "arn:aws:iam::111122223333:role/ci", Map.of(), "ci", "", ""),
        new MasterKey.Kms(ARN, "", Map.of(), "ci", "", ""),
        new MasterKey.Pgp("FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4", "", ""),
        new MasterKey.Age(AGE1, ""), new MasterKey.Age(AGE2, ""));
    assertThat(rule.rules().encryptedRegex()).isEqualTo("^data$");
    assertThat(rule.rules().unencryptedSuffix()).isEmpty();
  }

  @Test
  void keyGroupsDefaultTheirThresholdToAllGroups() throws IOException {
    CreationRules.Rule rule = rules("creation_rules:\n  - key_groups:\n      - age: [" + AGE1 + "]\n      - kms:\n          - arn: " + ARN
        + "\n            context: {team: payments}\n").ruleFor(dir.resolve("x.yaml"));
    assertThat(rule.shamirThreshold()).isEqualTo(2);
    assertThat(rule.keyGroups().get(1)).containsExactly(new MasterKey.Kms(ARN, "", Map.of("team", "payments"), "", "", ""));
  }

  @Test
  void badRulesAreReportedWithTheConfigFileAndRuleIndex() throws IOException {
    Path cfg = dir.resolve(".sops.yaml");
    assertThatThrownBy(() -> rules("creation_rules:\n  - path_regex: nomatch\n    age: " + AGE1 + "\n").ruleFor(dir.resolve("x.yaml")))
        .hasMessage(cfg + ": no creation rule matches x.yaml");
    assertThatThrownBy(() -> rules("creation_rules:\n  - age: " + AGE1 + "\n    encrypted_regex: '(['\n").ruleFor(dir.resolve("x.yaml")))
        .hasMessageStartingWith(cfg + ": creation_rules[0]: encrypted_regex is not a valid regular expression");
    assertThatThrownBy(() -> rules("creation_rules:\n  - kms: not-an-arn\n").ruleFor(dir.resolve("x.yaml")))
        .hasMessage(cfg + ": creation_rules[0]: no valid KMS ARN in 'not-an-arn'");
    assertThatThrownBy(() -> rules("creation_rules:\n  - age: age1notarecipient\n").ruleFor(dir.resolve("x.yaml")))
        .hasMessageContaining("creation_rules[0]: malformed age recipient 'age1notarecipient'");
    assertThatThrownBy(() -> rules("creation_rules:\n  - path_regex: x\n").ruleFor(dir.resolve("x.yaml")))
        .hasMessage(cfg + ": creation_rules[0]: the rule names no kms, age or pgp keys");
    assertThatThrownBy(() -> rules("creation_rules:\n  - age: " + AGE1 + "\n    encrypted_regex: a\n    unencrypted_suffix: _x\n").ruleFor(dir.resolve("x.yaml")))
        .hasMessageContaining("cannot use more than one of");
  }

  @Test
  void theNearestConfigAboveTheFileIsFound() throws IOException {
    Path cfg = Files.writeString(dir.resolve(".sops.yaml"), "creation_rules: []\n");
    Path deep = Files.createDirectories(dir.resolve("a/b"));
    assertThat(CreationRules.find(deep.resolve("s.yaml"))).contains(cfg);
  }
}
