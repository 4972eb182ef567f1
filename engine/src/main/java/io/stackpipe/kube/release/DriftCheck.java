package io.stackpipe.kube.release;

/** What an upgrade compares the new render with. */
public enum DriftCheck {
  /**
   * The default: the live objects too (one LIST per kind), so an object edited or deleted by hand since the last
   * revision is put back, as Helm's three-way merge does.
   */
  CORRECT,
  /**
   * Only the previous revision's stored manifest: objects whose rendering did not change are not looked at, so hand
   * edits of them stay. Opt-in, for callers that own the namespace alone (a candidate's own stack).
   */
  CHANGED_ONLY
}
