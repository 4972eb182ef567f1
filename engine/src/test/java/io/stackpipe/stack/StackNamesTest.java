package io.stackpipe.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.StackpipeException;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StackNamesTest {

  @Nested
  class StackNamesBecomeNamespaces {
    @Test
    void aValidNameLivesInPrefixPlusName() {
      assertThat(StackNames.namespaceFor("", "pr-42")).isEqualTo("pr-42");
      assertThat(StackNames.namespaceFor("sp-", "pr-42")).isEqualTo("sp-pr-42");
    }

    @ParameterizedTest
    @ValueSource(strings = {"My_Stack", "../x", "-x", "x-", "UPPER", "a.b", "a b", ""})
    void aNameThatIsNoDnsLabelIsRefusedInOneLineNamingTheField(String name) {
      assertThatThrownBy(() -> StackNames.namespaceFor("", name))
          .isInstanceOfSatisfying(StackpipeException.class, e -> {
            assertThat(e.field()).contains("stack");
            assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("--");
          });
    }

    @Test
    void theMessagesSayWhatIsWrong() {
      assertThatThrownBy(() -> StackNames.namespaceFor("", "My_Stack")).hasMessage("\"My_Stack\" is not a valid"
          + " stack name: lowercase letters, digits and '-', starting and ending with a letter or digit (a DNS-1123 label)");
      assertThatThrownBy(() -> StackNames.namespaceFor("", "../x")).hasMessageStartingWith("\"../x\" is not a valid");
    }

    @Test
    void seventyCharactersAreTooManyAndThePrefixCounts() {
      String seventy = "a".repeat(70);
      assertThatThrownBy(() -> StackNames.namespaceFor("", seventy))
          .hasMessage("\"" + seventy + "\" is 70 characters: a stack name is at most 63");
      assertThat(StackNames.namespaceFor("", "a".repeat(63))).hasSize(63);
      assertThatThrownBy(() -> StackNames.namespaceFor("stack-", "a".repeat(60)))
          .hasMessageEndingWith("at most 57 (namespace prefix \"stack-\" + name ≤ 63)");
    }

    @Test
    void installationIdsAndPrefixesAreCheckedToo() {
      assertThat(StackNames.checkInstallation("ci-eu_1.prod")).isEqualTo("ci-eu_1.prod");
      assertThatThrownBy(() -> StackNames.checkInstallation("bad id"))
          .isInstanceOfSatisfying(StackpipeException.class, e -> assertThat(e.field()).contains("installation"));
      assertThatThrownBy(() -> StackNames.checkPrefix("Bad_"))
          .isInstanceOfSatisfying(StackpipeException.class, e -> assertThat(e.field()).contains("namespacePrefix"));
    }
  }

  @Nested
  class DurationsAsPeopleWriteThem {
    @Test
    void daysHoursMinutesSecondsAndCombinations() {
      assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
      assertThat(Durations.parse("24h")).isEqualTo(Duration.ofHours(24));
      assertThat(Durations.parse("1d12h")).isEqualTo(Duration.ofHours(36));
      assertThat(Durations.parse("90m")).isEqualTo(Duration.ofMinutes(90));
      assertThat(Durations.parse("45s")).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void formatReadsBack() {
      assertThat(Durations.format(Duration.ofHours(36))).isEqualTo("1d12h");
      assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
      assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
      assertThat(Durations.parse(Durations.format(Duration.ofSeconds(694861)))).isEqualTo(Duration.ofSeconds(694861));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "7", "7 days", "h", "0d", "-1d", "1h1d", "99999999999999999999d"})
    void anythingElseIsRefused(String text) {
      assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("\"" + text + "\"");
    }
  }
}
