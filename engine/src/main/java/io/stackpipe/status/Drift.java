package io.stackpipe.status;

import io.stackpipe.SemVer;
import io.stackpipe.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * One service of a stack whose deployed version is not L3's.
 *
 * @param deployed the stack's version, {@code null} when {@link Kind#MISSING}
 * @param l3 L3's version, {@code null} when {@link Kind#EXTRA}
 */
public record Drift(String service, Kind kind, String deployed, String l3) implements Result {

  /** How the stack differs from L3 for one service. */
  public enum Kind {
    /** A newer version than L3's (e.g. a candidate under test). */
    AHEAD,
    /** An older version than L3's. */
    BEHIND,
    /** In L3, not deployed in the stack. */
    MISSING,
    /** Deployed in the stack, not in L3. */
    EXTRA;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The mark that goes with the word wherever drift is shown, so it never depends on colour. */
    public String mark() {
      return switch (this) {
        case AHEAD -> "↑";
        case BEHIND -> "↓";
        case MISSING -> "−";
        case EXTRA -> "+";
      };
    }
  }

  /** Every difference between {@code l3} and {@code deployed} (service → version), by service name. */
  public static List<Drift> between(Map<String, String> l3, Map<String, String> deployed) {
    List<Drift> drift = new ArrayList<>();
    TreeSet<String> services = new TreeSet<>(l3.keySet());
    services.addAll(deployed.keySet());
    for (String service : services) {
      String want = l3.get(service);
      String have = deployed.get(service);
      if (have == null) {
        drift.add(new Drift(service, Kind.MISSING, null, want));
      } else if (want == null) {
        drift.add(new Drift(service, Kind.EXTRA, have, null));
      } else if (!want.equals(have)) {
        drift.add(new Drift(service, SemVer.compare(have, want) > 0 ? Kind.AHEAD : Kind.BEHIND, have, want));
      }
    }
    return drift;
  }

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("service", service, "kind", kind.label(), "deployed", deployed, "l3", l3);
  }
}
