package io.stackpipe.stack.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.StackpipeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StackPolicyTest {
  private static final String POLICY = """
      stacks:
        - match: prod
          profiles: [prod]
          windows:
            - days: mon-thu
              hours: "09:00-17:00"
              zone: Europe/Paris
            - days: [fri]
              hours: "09:00-12:00"
              zone: Europe/Paris
          quality: L3
          deployers:
            users: [alice]
            groups: [release-managers]
          canaryFirst: [web]
          maxKeepUntil: 90d
        - match: qa-*
          profiles: [qa1, qa2]
          maxKeepUntil: 14d
      """;
  // Monday 2025-03-03 10:00 in Paris (UTC+1 in winter).
  private static final Instant MONDAY_10_PARIS = Instant.parse("2025-03-03T09:00:00Z");

  @TempDir
  Path dir;

  private StackPolicies load(String text) throws IOException {
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, text);
    return StackPolicies.load(file, "policy.yaml");
  }

  private PolicyCheck check(Instant at) throws IOException {
    return new PolicyCheck(load(POLICY), Clock.fixed(at, ZoneOffset.UTC));
  }

  private static PolicyCheck.Deploy deploy(String stack, String profile, String service, String user,
      Set<String> groups, boolean canary) {
    return new PolicyCheck.Deploy(stack, profile, service, user, groups, canary);
  }

  @Nested
  class Reading {
    @Test
    void everyRuleIsRead() throws IOException {
      StackPolicies policies = load(POLICY);
      StackPolicy prod = policies.forStack("prod").orElseThrow();
      assertThat(prod.where()).isEqualTo("policy.yaml:2 (stacks[0])");
      assertThat(prod.profiles()).containsExactly("prod");
      assertThat(prod.windows()).hasSize(2);
      assertThat(prod.windows().get(0).toString()).isEqualTo("mon,tue,wed,thu 09:00-17:00 Europe/Paris");
      assertThat(prod.quality()).isEqualTo("L3");
      assertThat(prod.users()).containsExactly("alice");
      assertThat(prod.groups()).containsExactly("release-managers");
      assertThat(prod.canaryFirst()).containsExactly("web");
      assertThat(prod.maxKeep()).contains(Duration.ofDays(90));
    }

    @Test
    void theFirstMatchingEntryAppliesAndPatternsMatchRunsOfCharacters() throws IOException {
      StackPolicies policies = load(POLICY);
      assertThat(policies.forStack("qa-eu-1")).get().extracting(StackPolicy::match).isEqualTo("qa-*");
      assertThat(policies.forStack("prod-2")).isEmpty();
      assertThat(policies.forStack("qa")).isEmpty();
    }

    @Test
    void anEmptyFileRestrictsNothing() throws IOException {
      assertThat(load("").entries()).isEmpty();
      assertThat(load("stacks: []\n").entries()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        unknown field      | stacks:\\n  - match: x\\n    profile: [a]\\n        | policy.yaml:3: stacks[0].profile: unknown field (known: match, profiles, windows, quality, deployers, canaryFirst, maxKeepUntil)
        unknown top level  | stack:\\n  - match: x\\n                           | policy.yaml:1: stack: unknown field (known: stacks)
        missing match      | stacks:\\n  - profiles: [a]\\n                        | policy.yaml:2: stacks[0].match: required: the stack name or pattern this entry applies to
        bad match          | stacks:\\n  - match: ../x\\n                          | policy.yaml:2: stacks[0].match: "../x" is neither a stack name nor a pattern (lowercase letters, digits, '-' and '*')
        profiles not list  | stacks:\\n  - match: x\\n    profiles: prod\\n        | policy.yaml:3: stacks[0].profiles: must be a list
        bad hours          | stacks:\\n  - match: x\\n    windows:\\n      - {days: mon, hours: 9-17, zone: UTC}\\n | policy.yaml:4: stacks[0].windows[0].hours: "9-17" is not a time range such as 09:00-17:00
        hours reversed     | stacks:\\n  - match: x\\n    windows:\\n      - {days: mon, hours: "18:00-09:00", zone: UTC}\\n | policy.yaml:4: stacks[0].windows[0].hours: "18:00-09:00" ends before it starts (a window crossing midnight is two windows)
        bad zone           | stacks:\\n  - match: x\\n    windows:\\n      - {days: mon, hours: "09:00-10:00", zone: Mars/Olympus}\\n | policy.yaml:4: stacks[0].windows[0].zone: "Mars/Olympus" is not a time zone (e.g. Europe/Paris, UTC)
        bad day            | stacks:\\n  - match: x\\n    windows:\\n      - {days: [mon, funday], hours: "09:00-10:00", zone: UTC}\\n | policy.yaml:4: stacks[0].windows[0].days: "funday" is not a day or range of days (mon..sun, e.g. mon-fri)
        window no zone     | stacks:\\n  - match: x\\n    windows:\\n      - {days: mon, hours: "09:00-10:00"}\\n | policy.yaml:4: stacks[0].windows[0].zone: required
        bad quality        | stacks:\\n  - match: x\\n    quality: L9\\n           | policy.yaml:3: stacks[0].quality: "L9" is not a quality level (L1, L2 or L3)
        nobody deploys     | stacks:\\n  - match: x\\n    deployers: {users: []}\\n | policy.yaml:3: stacks[0].deployers: names no user and no group: nobody could deploy
        bad keep           | stacks:\\n  - match: x\\n    maxKeepUntil: forever\\n | policy.yaml:3: stacks[0].maxKeepUntil: "forever" is not a duration such as 7d, 24h, 90m or 1d12h
        not yaml           | stacks:\\n  - match: [x\\n                           | policy.yaml: line 3: while parsing a flow sequence
        duplicate key      | stacks:\\n  - match: x\\n    match: y\\n              | policy.yaml:3: stacks[0].match: given twice
        entry not mapping  | stacks:\\n  - prod\\n                                 | policy.yaml:2: stacks[0]: must be a mapping with match, profiles, windows, quality, deployers, canaryFirst, maxKeepUntil
        """)
    void aMalformedFileIsOneLineNamingFileLineAndField(String what, String text, String message) {
      assertThatThrownBy(() -> load(text.replace("\\n", "\n")))
          .isInstanceOfSatisfying(StackpipeException.class, e -> {
            assertThat(e.getMessage()).startsWith(message).doesNotContain("\n");
            assertThat(e.field()).contains("policy");
          });
    }
  }

  @Nested
  class Checking {
    @Test
    void anAllowedDeployPassesAndNamesTheEntry() throws IOException {
      assertThat(check(MONDAY_10_PARIS).check(deploy("prod", "prod", "api", "alice", Set.of(), false)))
          .get().extracting(StackPolicy::where).isEqualTo("policy.yaml:2 (stacks[0])");
      assertThat(check(MONDAY_10_PARIS).check(deploy("prod", "prod", "api", "bob", Set.of("release-managers"), false)))
          .isPresent();
    }

    @Test
    void aStackNoEntryMatchesIsUnrestricted() throws IOException {
      assertThat(check(MONDAY_10_PARIS).check(deploy("pr-7", "anything", "web", "mallory", Set.of(), false))).isEmpty();
    }

    @Test
    void someoneNotAmongTheDeployersIsRefused() throws IOException {
      assertThatThrownBy(() -> check(MONDAY_10_PARIS).check(deploy("prod", "prod", "api", "bob", Set.of("devs"), false)))
          .isInstanceOfSatisfying(PolicyRefusedException.class, e -> assertThat(e.rule()).isEqualTo("deployers"))
          .hasMessage("stack prod: policy policy.yaml:2 (stacks[0]) refuses: deployers: bob (groups devs) may not"
              + " deploy (allowed users: alice; groups: release-managers)");
    }

    @Test
    void aProfileTheStackDoesNotAllowIsRefused() throws IOException {
      assertThatThrownBy(() -> check(MONDAY_10_PARIS).check(deploy("qa-1", "prod", "api", "bob", Set.of(), false)))
          .isInstanceOfSatisfying(PolicyRefusedException.class, e -> assertThat(e.rule()).isEqualTo("profiles"))
          .hasMessage("stack qa-1: policy policy.yaml:17 (stacks[1]) refuses: profiles: profile prod is not"
              + " allowed (allowed: qa1, qa2)");
    }

    @Test
    void aDeployOutsideItsWindowIsRefusedInTheWindowsTimeZone() throws IOException {
      // Friday 2025-03-07 12:30 in Paris: after the Friday window closed.
      Instant fridayAfternoon = Instant.parse("2025-03-07T11:30:00Z");
      assertThatThrownBy(() -> check(fridayAfternoon).check(deploy("prod", "prod", "api", "alice", Set.of(), false)))
          .isInstanceOfSatisfying(PolicyRefusedException.class, e -> assertThat(e.rule()).isEqualTo("windows"))
          .hasMessage("stack prod: policy policy.yaml:2 (stacks[0]) refuses: windows: 2025-03-07T11:30:00Z is"
              + " outside every deploy window (mon,tue,wed,thu 09:00-17:00 Europe/Paris; fri 09:00-12:00 Europe/Paris)");
      // 08:30 UTC is 09:30 in Paris: inside, though 08:30 would be outside in UTC.
      assertThat(check(Instant.parse("2025-03-03T08:30:00Z")).check(deploy("prod", "prod", "api", "alice",
          Set.of(), false))).isPresent();
      // Summer time: 07:30 UTC on Monday 2025-07-07 is 09:30 in Paris.
      assertThat(check(Instant.parse("2025-07-07T07:30:00Z")).check(deploy("prod", "prod", "api", "alice",
          Set.of(), false))).isPresent();
      assertThatThrownBy(() -> check(Instant.parse("2025-03-08T10:00:00Z"))
          .check(deploy("prod", "prod", "api", "alice", Set.of(), false))).hasMessageContaining("windows:");
    }

    @Test
    void aCanaryFirstServiceIsRefusedUnlessDeployedAsACanary() throws IOException {
      assertThatThrownBy(() -> check(MONDAY_10_PARIS).check(deploy("prod", "prod", "web", "alice", Set.of(), false)))
          .isInstanceOfSatisfying(PolicyRefusedException.class, e -> assertThat(e.rule()).isEqualTo("canaryFirst"))
          .hasMessageEndingWith("refuses: canaryFirst: service web must be deployed as a canary first");
      assertThat(check(MONDAY_10_PARIS).check(deploy("prod", "prod", "web", "alice", Set.of(), true))).isPresent();
    }
  }
}
