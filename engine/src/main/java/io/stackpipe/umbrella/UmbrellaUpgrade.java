package io.stackpipe.umbrella;

import io.stackpipe.StackpipeException;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.release.DriftCheck;
import io.stackpipe.kube.release.ReleaseApplied;
import io.stackpipe.kube.release.Releases;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Moves an installed umbrella release to another umbrella version (a candidate's stack to the next candidate, a
 * stack to a new L3) through {@link Releases} (the fast upgrade: only objects that changed or drifted are
 * patched; Helm's own upgrade for a chart with hooks or CRDs). The drift check is on by default (hand edits of
 * unchanged objects are put back, as Helm's upgrade does); {@link DriftCheck#CHANGED_ONLY} skips reading the live
 * objects. With {@link #waitingUpTo} the pods'
 * readiness is awaited and an upgrade that does not get Ready is rolled back.
 *
 * <pre>{@code
 * ReleaseApplied upgraded = UmbrellaUpgrade.of(kube)
 *     .withUmbrella(next)
 *     .withValues(UmbrellaValues.compose(next, "ephemeral", keys))
 *     .withNamespace(stack.namespace())
 *     .call();
 * }</pre>
 */
public final class UmbrellaUpgrade {

  private final KubeConnection kube;
  private Umbrella umbrella;
  private UmbrellaValues values;
  private String namespace;
  private String releaseName;
  private DriftCheck driftCheck = DriftCheck.CORRECT;
  private Duration wait;
  private Consumer<String> progress = line -> { };

  private UmbrellaUpgrade(KubeConnection kube) {
    this.kube = kube;
  }

  public static UmbrellaUpgrade of(KubeConnection kube) {
    return new UmbrellaUpgrade(kube);
  }

  public UmbrellaUpgrade withUmbrella(Umbrella value) {
    this.umbrella = value;
    return this;
  }

  /** The new umbrella's composed values (compose them first: a missing profile is refused before any change). */
  public UmbrellaUpgrade withValues(UmbrellaValues value) {
    this.values = value;
    return this;
  }

  public UmbrellaUpgrade withNamespace(String value) {
    this.namespace = value;
    return this;
  }

  /** Default: the umbrella's name. */
  public UmbrellaUpgrade withReleaseName(String value) {
    this.releaseName = value;
    return this;
  }

  /** Default {@link DriftCheck#CORRECT}. */
  public UmbrellaUpgrade withDriftCheck(DriftCheck value) {
    this.driftCheck = value;
    return this;
  }

  public UmbrellaUpgrade waitingUpTo(Duration value) {
    this.wait = value;
    return this;
  }

  public UmbrellaUpgrade withProgress(Consumer<String> value) {
    this.progress = value;
    return this;
  }

  public ReleaseApplied call() {
    if (umbrella == null || values == null || namespace == null) {
      throw new StackpipeException("an umbrella upgrade needs the umbrella, its composed values and a namespace");
    }
    String release = releaseName != null ? releaseName : umbrella.name();
    Releases releases = Releases.on(kube).withChart(umbrella.archive()).withName(release).withNamespace(namespace)
        .withValues(values.values()).withDriftCheck(driftCheck);
    if (wait != null) {
      releases.waitingUpTo(wait);
    }
    ReleaseApplied applied = releases.upgrade();
    progress.accept(release + ": upgraded to " + applied.chart() + " (revision " + applied.revision() + ") in "
        + namespace + (applied.changes() == null ? "" : ": " + applied.changes().created() + " created, "
        + applied.changes().updated() + " updated (" + applied.changes().drifted() + " drifted), "
        + applied.changes().deleted() + " deleted") + (wait == null ? "" : ", pods Ready"));
    return applied;
  }
}
