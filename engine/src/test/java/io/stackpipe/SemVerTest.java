package io.stackpipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class SemVerTest {

  @Test
  void sortsBySemVer2PrecedenceTheSpecsOwnExample() {
    // semver.org §11, plus numbers too long for a long and build metadata (ignored).
    List<String> ordered = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
        "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.2.0", "1.10.0", "2.0.0+build.1", "99999999999999999999.0.0");
    List<SemVer> shuffled = new ArrayList<>(ordered.stream().map(v -> SemVer.parse("version", v)).toList());
    Collections.shuffle(shuffled);
    Collections.sort(shuffled);
    assertThat(shuffled).extracting(SemVer::toString).containsExactlyElementsOf(ordered);
    assertThat(SemVer.parse("v", "1.0.0+a")).isEqualByComparingTo(SemVer.parse("v", "1.0.0+b"))
        .isNotEqualTo(SemVer.parse("v", "1.0.0+b"));
  }

  @Test
  void refusesWhatHelmWouldWithOneMessageNamingTheField() {
    for (String bad : List.of("1.0", "v1.2.0", "01.2.3", "1.2.3-", "1.2.3-01", "latest", "")) {
      assertThat(SemVer.isValid(bad)).as(bad).isFalse();
    }
    assertThat(SemVer.isValid(null)).isFalse();
    assertThatThrownBy(() -> SemVer.parse("version", "1.x"))
        .isInstanceOfSatisfying(StackpipeException.class, e -> assertThat(e.field()).contains("version"))
        .hasMessage("'1.x' is not SemVer 2 (e.g. 1.4.0 or 1.4.0-rc.1)");
  }

  @Test
  void stringsThatAreNotSemVerStillSortByText() {
    assertThat(SemVer.compare("1.10.0", "1.9.0")).isPositive();
    assertThat(SemVer.compare("l3", "1.9.0")).isEqualTo("l3".compareTo("1.9.0"));
  }
}
