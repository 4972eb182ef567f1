package io.stackpipe.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.stackpipe.stack.ReapDecision.Action;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reaper's rules as a pure function: seven days of idleness in microseconds. */
class ReapDecisionTest {
  private static final Instant T0 = Instant.parse("2025-03-03T09:00:00Z");
  private static final ReapPolicy POLICY = ReapPolicy.DEFAULT;

  private static Map<String, String> notes(Instant lastActivity) {
    Map<String, String> notes = new HashMap<>();
    notes.put(Stack.OWNER, "alice");
    notes.put(Stack.CREATED, T0.toString());
    notes.put(Stack.LAST_ACTIVITY, lastActivity.toString());
    notes.put(Stack.LAST_ACTIVITY_KIND, "create");
    return notes;
  }

  private static Namespace namespace(String type, String installation, Map<String, String> notes) {
    return new NamespaceBuilder().withNewMetadata().withName("pr-1").withResourceVersion("7")
        .addToLabels(Stack.MANAGED_BY_LABEL, Stack.MANAGED_BY).addToLabels(Stack.NAME_LABEL, "pr-1")
        .addToLabels(Stack.TYPE_LABEL, type).addToLabels(Stack.INSTALLATION_LABEL, installation)
        .withAnnotations(notes).endMetadata().build();
  }

  private static ReapDecision decide(Namespace ns, Instant now) {
    return ReapDecision.decide(Stack.read(ns, now, POLICY), "default", "", now, POLICY);
  }

  private static ReapDecision decide(Map<String, String> notes, Instant now) {
    return decide(namespace("ephemeral", "default", notes), now);
  }

  @Test
  void anActiveStackIsKeptWithItsPlannedReapTime() {
    ReapDecision decision = decide(notes(T0), T0.plus(Duration.ofDays(2)));
    assertThat(decision.action()).isEqualTo(Action.KEEP);
    assertThat(decision.reapAt()).isEqualTo(T0.plus(Duration.ofDays(7)));
    assertThat(decision.reason()).isEqualTo("active: idle 2d since last activity (create) at " + T0
        + ", reap planned at 2025-03-10T09:00:00Z");
  }

  @Test
  void aStackIdleForMaxIdleMinusWarnBeforeIsWarnedOnceThenReapedAtMaxIdle() {
    assertThat(decide(notes(T0), T0.plus(Duration.ofDays(6)).minusSeconds(1)).action()).isEqualTo(Action.KEEP);
    ReapDecision warn = decide(notes(T0), T0.plus(Duration.ofDays(6)));
    assertThat(warn.action()).isEqualTo(Action.WARN);
    assertThat(warn.writeWarning()).isTrue();
    assertThat(warn.reason()).endsWith("reaped at 2025-03-10T09:00:00Z unless there is activity before");

    Map<String, String> warned = notes(T0);
    warned.put(Stack.REAP_AT, warn.reapAt().toString());
    ReapDecision again = decide(warned, T0.plus(Duration.ofDays(6)).plus(Duration.ofHours(1)));
    assertThat(again.action()).isEqualTo(Action.WARN);
    assertThat(again.writeWarning()).as("the same warning is not written twice").isFalse();

    assertThat(decide(warned, T0.plus(Duration.ofDays(7)).minusSeconds(1)).action()).isEqualTo(Action.WARN);
    ReapDecision reap = decide(warned, T0.plus(Duration.ofDays(7)));
    assertThat(reap.action()).isEqualTo(Action.REAP);
    assertThat(reap.reason()).isEqualTo("idle 7d since last activity (create) at " + T0 + ", limit 7d");
  }

  @Test
  void activityRestartsTheIdleClock() {
    Map<String, String> touched = notes(T0.plus(Duration.ofDays(5)));
    touched.put(Stack.LAST_ACTIVITY_KIND, "touch");
    assertThat(decide(touched, T0.plus(Duration.ofDays(8))).action()).isEqualTo(Action.KEEP);
  }

  @Test
  void aStacksOwnTtlReplacesMaxIdleButNeverExceedsMaxKeep() {
    Map<String, String> shortLived = notes(T0);
    shortLived.put(Stack.TTL, "1d");
    assertThat(decide(shortLived, T0.plus(Duration.ofDays(1))).action()).isEqualTo(Action.REAP);

    Map<String, String> greedy = notes(T0);
    greedy.put(Stack.TTL, "365d");
    assertThat(decide(greedy, T0.plus(Duration.ofDays(29))).action()).isEqualTo(Action.WARN);
    assertThat(decide(greedy, T0.plus(Duration.ofDays(30))).action()).isEqualTo(Action.REAP);
  }

  @Test
  void persistentProductionAndUnknownTypesAreNeverReaped() {
    Instant late = T0.plus(Duration.ofDays(400));
    assertThat(decide(namespace("persistent", "default", notes(T0)), late))
        .extracting(ReapDecision::action, ReapDecision::reason)
        .containsExactly(Action.KEEP, "persistent stacks are never reaped");
    assertThat(decide(namespace("production", "default", notes(T0)), late).action()).isEqualTo(Action.KEEP);
    assertThat(decide(namespace("scratch", "default", notes(T0)), late).reason())
        .isEqualTo("unknown stack type label: never reaped");
  }

  @Test
  void anotherInstallationsStackIsNeverReapedEvenIfListed() {
    assertThat(decide(namespace("ephemeral", "other", notes(T0)), T0.plus(Duration.ofDays(30))))
        .extracting(ReapDecision::action, ReapDecision::reason)
        .containsExactly(Action.KEEP, "not a stack of installation default (labels do not match its namespace)");
  }

  @Test
  void aKeepUntilInTheFutureKeepsTheStackUntouchedAndIdlenessCountsFromItAfterwards() {
    Map<String, String> pinned = notes(T0);
    pinned.put(Stack.KEEP_UNTIL, T0.plus(Duration.ofDays(20)).toString());
    ReapDecision kept = decide(pinned, T0.plus(Duration.ofDays(19)));
    assertThat(kept.action()).isEqualTo(Action.KEEP);
    assertThat(kept.writeWarning()).isFalse();
    assertThat(kept.reason()).isEqualTo("kept until " + T0.plus(Duration.ofDays(20)));
    assertThat(decide(pinned, T0.plus(Duration.ofDays(21))).action()).isEqualTo(Action.KEEP);
    assertThat(decide(pinned, T0.plus(Duration.ofDays(26))).action()).isEqualTo(Action.WARN);
    assertThat(decide(pinned, T0.plus(Duration.ofDays(27))).action()).isEqualTo(Action.REAP);
  }

  @Test
  void aKeepUntilIsCappedAtLastActivityPlusMaxKeep() {
    Map<String, String> forever = notes(T0);
    forever.put(Stack.KEEP_UNTIL, "2099-01-01T00:00:00Z");
    ReapDecision kept = decide(forever, T0.plus(Duration.ofDays(10)));
    assertThat(kept.reason()).isEqualTo("kept until 2025-04-02T09:00:00Z (keep-until 2099-01-01T00:00:00Z capped at"
        + " last activity + 30d)");
    assertThat(decide(forever, T0.plus(Duration.ofDays(37))).action()).isEqualTo(Action.REAP);
  }

  @Test
  void anUnreadableLastActivityIsNeverReaped() {
    Map<String, String> garbled = notes(T0);
    garbled.put(Stack.LAST_ACTIVITY, "last tuesday");
    Stack stack = Stack.read(namespace("ephemeral", "default", garbled), T0, POLICY);
    assertThat(stack.unreadable()).containsExactly(Stack.LAST_ACTIVITY);
    assertThat(decide(garbled, T0.plus(Duration.ofDays(100))))
        .extracting(ReapDecision::action, ReapDecision::reason)
        .containsExactly(Action.KEEP, "annotation stackpipe.io/last-activity is missing or unreadable: never reaped"
            + " until a touch sets it");
  }

  @Test
  void aDestroyThatWasInterruptedIsFinished() {
    Map<String, String> marked = notes(T0.plus(Duration.ofDays(1)));
    marked.put(Stack.DESTROYING, T0.plus(Duration.ofDays(1)).toString());
    assertThat(decide(marked, T0.plus(Duration.ofDays(1)).plusSeconds(5)).action()).isEqualTo(Action.REAP);
  }

  @Test
  void aNamespaceAlreadyTerminatingIsLeftToKubernetes() {
    Namespace going = namespace("ephemeral", "default", notes(T0));
    going.getMetadata().setDeletionTimestamp(T0.plusSeconds(1).toString());
    assertThat(decide(going, T0.plus(Duration.ofDays(9))).reason()).isEqualTo("already being deleted");
  }

  @Test
  void twoReapersReadingTheSameStateDecideTheSame() {
    Namespace ns = namespace("ephemeral", "default", notes(T0));
    Instant now = T0.plus(Duration.ofDays(6)).plus(Duration.ofHours(3));
    assertThat(decide(ns, now)).isEqualTo(decide(ns, now));
  }
}
