package io.stackpipe.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.StackpipeException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Values a user sets are kept or refused; values left out adapt to them, so no default can refuse a setting. */
class ReapPolicyTest {
  private static final ReapPolicy DEFAULT = ReapPolicy.DEFAULT;

  private static Duration d(String text) {
    return Durations.parse(text);
  }

  @Test
  void nothingSetIsTheDefault() {
    assertThat(DEFAULT.with(null, null, null)).isSameAs(DEFAULT);
    assertThat(DEFAULT).isEqualTo(new ReapPolicy(d("7d"), d("24h"), d("30d")));
  }

  @Test
  void anIdleLimitUnderADayAloneWarnsHalfwayAndAShortWarningIsKept() {
    assertThat(DEFAULT.with(d("12h"), null, null)).isEqualTo(new ReapPolicy(d("12h"), d("6h"), d("30d")));
    assertThat(DEFAULT.with(d("12h"), d("1h"), null)).isEqualTo(new ReapPolicy(d("12h"), d("1h"), d("30d")));
    assertThat(DEFAULT.with(d("3d"), null, null).warnBefore()).isEqualTo(d("24h"));
  }

  @Test
  void theDefaultsBendToTheValuesSet() {
    assertThat(DEFAULT.with(d("40d"), null, null)).isEqualTo(new ReapPolicy(d("40d"), d("24h"), d("40d")));
    assertThat(DEFAULT.with(null, null, d("5d"))).isEqualTo(new ReapPolicy(d("5d"), d("24h"), d("5d")));
    assertThat(DEFAULT.with(null, null, d("1h"))).isEqualTo(new ReapPolicy(d("1h"), d("30m"), d("1h")));
  }

  @Test
  void valuesTheUserSetThatContradictEachOtherAreRefusedNamingOne() {
    assertThatThrownBy(() -> DEFAULT.with(d("12h"), d("13h"), null))
        .isInstanceOfSatisfying(StackpipeException.class, e -> assertThat(e.field()).contains("warnBefore"))
        .hasMessage("13h must be shorter than the maximum idle time 12h");
    assertThatThrownBy(() -> DEFAULT.with(d("7d"), null, d("5d")))
        .isInstanceOfSatisfying(StackpipeException.class, e -> assertThat(e.field()).contains("maxKeep"))
        .hasMessage("5d is shorter than the maximum idle time 7d");
    // Against a default that does not bend (the idle limit is not derived from the warning).
    assertThatThrownBy(() -> DEFAULT.with(null, d("8d"), null))
        .isInstanceOfSatisfying(StackpipeException.class, e -> assertThat(e.field()).contains("warnBefore"))
        .hasMessage("8d must be shorter than the maximum idle time 7d");
    assertThatThrownBy(() -> DEFAULT.with(null, null, Duration.ZERO))
        .isInstanceOfSatisfying(StackpipeException.class, e -> assertThat(e.field()).contains("maxKeep"));
  }
}
