package io.stackpipe.manifest.l3;

import io.stackpipe.StackpipeException;

/** A promotion refused because L3 moved on since the candidate's base; the candidate is now stale. */
public final class StaleCandidateException extends StackpipeException {
  private final Candidate candidate;
  private final L3Version current;

  StaleCandidateException(Candidate candidate, L3Version current) {
    super("candidate " + candidate.id() + " is stale: it was made from L3 " + candidate.base() + " (#"
        + candidate.baseSequence() + ") but L3 is now " + current.version() + " (#" + current.sequence()
        + "); rebase it to test " + candidate.change() + " on the new L3");
    this.candidate = candidate;
    this.current = current;
  }

  public Candidate candidate() {
    return candidate;
  }

  /** The L3 the candidate would have overwritten: its new base after a rebase. */
  public L3Version current() {
    return current;
  }
}
