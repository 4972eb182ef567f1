package io.stackpipe.manifest.l3;

import io.stackpipe.StackpipeException;

/** Rejects a candidate with a reason; a promoted one cannot be (it is, or was, L3). */
public final class RejectCandidate {
  private final L3 l3;
  private final String id;
  private String reason;

  RejectCandidate(L3 l3, String id) {
    this.l3 = l3;
    this.id = id;
  }

  public RejectCandidate withReason(String value) {
    this.reason = value;
    return this;
  }

  public Candidate call() {
    if (reason == null || reason.isBlank()) {
      throw StackpipeException.ofField("reason", "is required: say why the candidate is rejected");
    }
    String line = reason.strip().replaceAll("\\s+", " ");
    return l3.candidates().update(id, c -> {
      if (c.verdict() == Verdict.PROMOTED) {
        throw StackpipeException.ofField("candidate", id + " is promoted: it cannot be rejected");
      }
      return c.with(Verdict.REJECTED, line, l3.now());
    }, l3.s().conflictAttempts());
  }
}
