package io.stackpipe.manifest.l3;

/** Reads the current L3 (repairing tag {@value L3#TAG} if it is behind) and the open candidates. */
public final class ShowL3 {
  private final L3 l3;

  ShowL3(L3 l3) {
    this.l3 = l3;
  }

  public L3Shown call() {
    L3Version current = l3.pointer().read().map(L3Pointer.Snapshot::current)
        .orElseThrow(() -> l3.none());
    boolean repaired = l3.tag().repairIfBehind(current);
    return new L3Shown(current, repaired, l3.listCandidates().stream().filter(c -> c.verdict().open()).toList());
  }
}
