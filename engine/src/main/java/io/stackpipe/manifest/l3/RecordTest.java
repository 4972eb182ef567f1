package io.stackpipe.manifest.l3;

import io.stackpipe.StackpipeException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the gate records on an open candidate, in as many calls as it has phases: the stack its system tests run on
 * and timings by phase (while it stays pending), then {@link #passed()} or {@link #failed(String)}. A finished
 * candidate (promoted, rejected, failed, stale) is refused.
 */
public final class RecordTest {
  private final L3 l3;
  private final String id;
  private final Map<String, Long> timings = new LinkedHashMap<>();
  private String stack;
  private Verdict verdict;
  private String reason = "";

  RecordTest(L3 l3, String id) {
    this.l3 = l3;
    this.id = id;
  }

  /** The stack the candidate is tested on. */
  public RecordTest onStack(String value) {
    this.stack = value;
    return this;
  }

  /** How long a phase took ({@code stack}, {@code tests}, …); a later call for the same phase replaces it. */
  public RecordTest withTiming(String phase, Duration took) {
    timings.put(phase, took.toMillis());
    return this;
  }

  public RecordTest passed() {
    this.verdict = Verdict.PASSED;
    this.reason = "";
    return this;
  }

  /** Failed for {@code why} (one line, e.g. "tests exited 1"). */
  public RecordTest failed(String why) {
    this.verdict = Verdict.FAILED;
    this.reason = why == null ? "" : why.strip().replaceAll("\\s+", " ");
    return this;
  }

  public Candidate call() {
    return l3.candidates().update(id, c -> {
      if (!c.verdict().open()) {
        throw StackpipeException.ofField("candidate", id + " is " + c.verdict().label()
            + ": only a pending or passed candidate's tests are recorded");
      }
      Candidate tested = c.withTest(stack, timings, l3.now());
      return verdict == null ? tested : tested.with(verdict, reason, l3.now());
    }, l3.s().conflictAttempts());
  }
}
