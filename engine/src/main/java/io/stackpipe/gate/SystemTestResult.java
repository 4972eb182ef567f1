package io.stackpipe.gate;

import io.stackpipe.Result;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How a system test ended.
 *
 * @param exitCode the command's exit code; -1 when it timed out and was killed
 * @param lastLines its last lines of output, secrets masked (the reason a failed candidate is rejected with)
 */
public record SystemTestResult(List<String> command, String namespace, int exitCode, boolean timedOut,
    Duration duration, List<String> lastLines) implements Result {

  static final int REASON_LINES = 3;

  public SystemTestResult {
    command = List.copyOf(command);
    lastLines = List.copyOf(lastLines);
  }

  public boolean passed() {
    return exitCode == 0 && !timedOut;
  }

  /** One line: "exit 3" or "timed out after N s", then the last three lines of output joined by " | ". */
  public String reason() {
    return reason(timedOut ? "timed out after " + duration.toSeconds() + " s" : "exit " + exitCode, lastLines);
  }

  /**
   * The one-line reason a rejected candidate records, however its tests ran: {@code how} they failed, then the
   * last three non-blank lines of their output joined by " | " (the output as shown: already masked).
   */
  public static String reason(String how, List<String> output) {
    List<String> lines = output.stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
    List<String> last = lines.subList(Math.max(0, lines.size() - REASON_LINES), lines.size());
    return last.isEmpty() ? how : how + ": " + String.join(" | ", last);
  }

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("command", command, "namespace", namespace, "exitCode", exitCode, "timedOut", timedOut,
        "passed", passed(), "durationMillis", duration.toMillis(), "lastLines", lastLines);
  }
}
