package io.stackpipe.manifest.l3;

import io.stackpipe.StackpipeException;
import io.stackpipe.umbrella.ServiceVersion;
import java.util.List;

/**
 * A fresh candidate on the current L3 with the same single change as an earlier one (typically a stale one), to be
 * tested again; the earlier one, if still open, becomes stale. Refused for a promoted or rejected candidate and for
 * one already based on the current L3.
 */
public final class RebaseCandidate {
  private final L3 l3;
  private final String id;
  private String buildUrl;

  RebaseCandidate(L3 l3, String id) {
    this.l3 = l3;
    this.id = id;
  }

  /** The CI build that asks (default: the earlier candidate's). */
  public RebaseCandidate withBuildUrl(String value) {
    this.buildUrl = value;
    return this;
  }

  public Candidate call() {
    Candidate old = l3.candidateById(id);
    if (old.verdict() == Verdict.PROMOTED || old.verdict() == Verdict.REJECTED) {
      throw StackpipeException.ofField("candidate", id + " is " + old.verdict().label() + ": nothing to rebase");
    }
    L3Version current = l3.requireCurrent().current();
    if (current.version().equals(old.base())) {
      throw StackpipeException.ofField("candidate", id + " is based on the current L3 " + current.version()
          + " already: nothing to rebase");
    }
    Change change = old.change();
    CreateCandidate create = Change.REMOVED.equals(change.kind()) ? l3.removeService(change.service())
        : l3.candidate(List.of(new ServiceVersion(change.service(), change.to())));
    Candidate fresh = create.withCreator(l3.s().user()).withBuildUrl(buildUrl == null ? old.buildUrl() : buildUrl)
        .rebasedFrom(id).call();
    l3.candidates().update(id, c -> c.verdict().open()
        ? c.with(Verdict.STALE, "rebased as " + fresh.id(), l3.now()) : c, l3.s().conflictAttempts());
    return fresh;
  }
}
