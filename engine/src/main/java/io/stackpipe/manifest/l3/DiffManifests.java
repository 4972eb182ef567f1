package io.stackpipe.manifest.l3;

import io.stackpipe.SemVer;
import io.stackpipe.PrivateTempDir;
import io.stackpipe.StackpipeException;
import io.stackpipe.umbrella.Umbrella;
import io.stackpipe.umbrella.UmbrellaPull;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compares two manifests, each named as {@value L3#TAG} (the current L3, from the pointer), {@code l3:N} (L3 number
 * N, while the history keeps it), a candidate id (from its record) or an umbrella version in the registry (any L3 or
 * candidate ever pushed, pulled).
 */
public final class DiffManifests {
  private final L3 l3;
  private final String from;
  private final String to;

  DiffManifests(L3 l3, String from, String to) {
    this.l3 = l3;
    this.from = from;
    this.to = to;
  }

  private record Side(String version, Map<String, String> services) {
  }

  public ManifestDiff call() {
    Side a = resolve(from, "from");
    Side b = resolve(to, "to");
    List<Change> changes = new ArrayList<>();
    TreeSet<String> names = new TreeSet<>(a.services().keySet());
    names.addAll(b.services().keySet());
    for (String name : names) {
      String before = a.services().get(name);
      String after = b.services().get(name);
      if (before == null || !before.equals(after)) {
        changes.add(Change.between(name, before, after));
      }
    }
    return new ManifestDiff(from, a.version(), to, b.version(), changes);
  }

  /** The version of L3 number {@code sequence}, from the history kept with the pointer. */
  private String sequence(int sequence, String field) {
    L3Pointer.Snapshot snapshot = l3.requireCurrent();
    if (snapshot.current().sequence() == sequence) {
      return L3.TAG;
    }
    return snapshot.history().stream().filter(p -> p.sequence() == sequence).map(Promotion::version).findFirst()
        .orElseThrow(() -> StackpipeException.ofField(field, "L3 #" + sequence + " is not in the history kept (#"
            + snapshot.history().get(0).sequence() + " to #" + snapshot.current().sequence() + ")"));
  }

  private Side resolve(String name, String field) {
    if (name == null || name.isBlank()) {
      throw StackpipeException.ofField(field, "is required: l3, a candidate id or an L3 version");
    }
    if (name.equals(L3.TAG)) {
      L3Version current = l3.requireCurrent().current();
      return new Side(current.version(), current.services());
    }
    if (name.matches("l3:[0-9]{1,9}")) {
      return resolve(sequence(Integer.parseInt(name.substring(3)), field), field);
    }
    if (name.matches("c[0-9a-z]{8}")) {
      Candidate candidate = l3.candidates().get(name).map(CandidateStore.Snapshot::candidate)
          .orElseThrow(() -> StackpipeException.ofField(field, "no candidate " + name + " of " + l3.name()
              + " in namespace " + l3.namespace()));
      return new Side(candidate.version(), candidate.services());
    }
    if (!SemVer.isValid(name)) {
      throw StackpipeException.ofField(field, "'" + name + "' is not l3, l3:N (L3 number N), a candidate id (c and 8"
          + " characters a-z 0-9) or a version of " + l3.name());
    }
    try (PrivateTempDir temp = PrivateTempDir.create("stackpipe-l3-diff-")) {
      UmbrellaPull pull = UmbrellaPull.of(l3.charts(), l3.name(), name).withOutputDirectory(temp.path())
          .withRegistryAuth(l3.s().auth());
      Umbrella umbrella = (l3.s().plainHttp() ? pull.plainHttp() : pull).call();
      return new Side(umbrella.version(), UmbrellaPush.versions(umbrella));
    }
  }
}
