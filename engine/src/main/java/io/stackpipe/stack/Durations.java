package io.stackpipe.stack;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them for stacks: {@code 7d}, {@code 24h}, {@code 90m}, {@code 1d12h}, {@code 30s}. */
public final class Durations {
  private static final Pattern FORM = Pattern.compile("(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

  private Durations() {}

  /** Parses a positive duration; {@link IllegalArgumentException} says what is wrong, for the caller to name the input. */
  public static Duration parse(String text) {
    Matcher m = text == null ? null : FORM.matcher(text.strip());
    if (m == null || text.isBlank() || !m.matches()) {
      throw new IllegalArgumentException("\"" + text + "\" is not a duration such as 7d, 24h, 90m or 1d12h");
    }
    try {
      Duration d = Duration.ofDays(number(m.group(1))).plusHours(number(m.group(2)))
          .plusMinutes(number(m.group(3))).plusSeconds(number(m.group(4)));
      if (d.isZero()) {
        throw new IllegalArgumentException("\"" + text + "\" is zero: a duration must be positive");
      }
      return d;
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("\"" + text + "\" is too long a duration");
    }
  }

  private static long number(String digits) {
    return digits == null ? 0 : Long.parseLong(digits);
  }

  /** The shortest form {@link #parse} reads back, e.g. {@code 7d}, {@code 1d12h}, {@code 0s}. */
  public static String format(Duration duration) {
    long seconds = Math.max(0, duration.getSeconds());
    StringBuilder text = new StringBuilder();
    long[] units = {86400, 3600, 60, 1};
    char[] names = {'d', 'h', 'm', 's'};
    for (int i = 0; i < units.length; i++) {
      if (seconds >= units[i]) {
        text.append(seconds / units[i]).append(names[i]);
        seconds %= units[i];
      }
    }
    return text.isEmpty() ? "0s" : text.toString();
  }
}
