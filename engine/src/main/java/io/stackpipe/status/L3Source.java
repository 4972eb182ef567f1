package io.stackpipe.status;

import java.util.List;

/**
 * Where the report reads L3 from: the L3 pointer and candidate records in the cluster. Each method is a fixed
 * number of requests, whatever the number of stacks.
 */
public interface L3Source {

  /** The current L3, or {@code null} before {@code l3 init}. */
  StatusReport.L3 current();

  /** The newest {@code limit} candidates, newest first. */
  List<StatusReport.Candidate> candidates(int limit);

  /** The newest {@code limit} promotions, newest first, as history entries of kind {@code promotion}. */
  List<StatusReport.HistoryEntry> promotions(int limit);

  /** No L3 at all (an installation that does not use it yet). */
  L3Source NONE = new L3Source() {
    @Override
    public StatusReport.L3 current() {
      return null;
    }

    @Override
    public List<StatusReport.Candidate> candidates(int limit) {
      return List.of();
    }

    @Override
    public List<StatusReport.HistoryEntry> promotions(int limit) {
      return List.of();
    }
  };
}
