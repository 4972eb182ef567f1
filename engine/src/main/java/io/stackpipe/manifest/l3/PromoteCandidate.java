package io.stackpipe.manifest.l3;

import io.stackpipe.StackpipeException;
import io.stackpipe.base.Messages;
import io.stackpipe.kube.KubeConflictException;

/**
 * Promotes a pending or passed candidate: a compare-and-swap of the L3 pointer from the candidate's base to the
 * candidate's umbrella, so of candidates made from the same L3 exactly one is promoted; the others find L3 moved
 * on, are marked stale and refused ({@link StaleCandidateException}), and never silently revert a promoted change.
 * A conflict re-reads the pointer and decides again; conflicts on every one of the attempts (someone keeps writing
 * the pointer without moving L3) give up with a refusal that changed nothing. Then tag {@value L3#TAG} follows the
 * pointer and the candidate is marked promoted.
 */
public final class PromoteCandidate {
  private final L3 l3;
  private final String id;

  PromoteCandidate(L3 l3, String id) {
    this.l3 = l3;
    this.id = id;
  }

  public Promoted call() {
    Candidate candidate = l3.candidateById(id);
    if (candidate.verdict() == Verdict.PROMOTED) {
      throw StackpipeException.ofField("candidate", id + " is promoted already (" + candidate.version() + ")");
    }
    if (!candidate.verdict().open()) {
      throw StackpipeException.ofField("candidate", id + " is " + candidate.verdict().label()
          + (candidate.reason().isEmpty() ? "" : " (" + candidate.reason() + ")")
          + ": only pending or passed candidates are promoted"
          + (candidate.verdict() == Verdict.STALE ? "; rebase it" : ""));
    }
    int attempts = l3.s().conflictAttempts();
    for (int attempt = 1; attempt <= attempts; attempt++) {
      L3Pointer.Snapshot read = l3.requireCurrent();
      L3Version current = read.current();
      if (current.version().equals(candidate.version())) {
        // Promoted already, maybe by a call that stopped before marking it: mark it now.
        l3.candidates().update(id, c -> c.with(Verdict.PROMOTED, "", l3.now()), attempts);
        throw StackpipeException.ofField("candidate", id + " is L3 already (" + current.version() + ", #"
            + current.sequence() + ")");
      }
      if (!current.version().equals(candidate.base())) {
        Candidate stale = l3.candidates().update(id, c -> c.verdict().open()
            ? c.with(Verdict.STALE, "L3 moved on to " + current.version() + " (#" + current.sequence() + ")",
                l3.now()) : c, attempts);
        throw new StaleCandidateException(stale, current);
      }
      L3Version next = new L3Version(l3.name(), current.sequence() + 1, candidate.version(), candidate.digest(),
          candidate.reference(), candidate.services(), new Promotion(current.sequence() + 1, candidate.version(),
              candidate.digest(), candidate.reference(), current.version(), candidate.change(), id, l3.now(),
              l3.s().user()));
      try {
        l3.pointer().replace(read, next);
      } catch (KubeConflictException e) {
        continue;
      }
      l3.s().afterPointerWrite().run();
      boolean mirrored = mirror(next);
      Candidate promoted = l3.candidates().update(id, c -> c.with(Verdict.PROMOTED, "", l3.now()), attempts);
      l3.s().progress().accept("promoted " + id + " (" + candidate.change() + "): L3 " + current.version() + " (#"
          + current.sequence() + ") → " + next.version() + " (#" + next.sequence() + ")");
      return new Promoted(current, next, promoted, mirrored);
    }
    throw new StackpipeException("gave up promoting " + id + ": " + l3.pointer().display() + " changed under each of "
        + attempts + " attempts (conflicting writers); L3 is unchanged, try again");
  }

  private boolean mirror(L3Version next) {
    try {
      l3.tag().mirror(next);
      return true;
    } catch (StackpipeException e) {
      l3.s().progress().accept("registry tag " + L3.TAG + " not moved (" + Messages.firstLine(e)
          + "); the next read repairs it from the pointer");
      return false;
    }
  }
}
