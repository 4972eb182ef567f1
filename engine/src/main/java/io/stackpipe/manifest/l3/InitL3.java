package io.stackpipe.manifest.l3;

import io.stackpipe.StackpipeException;
import io.stackpipe.umbrella.ServiceVersion;
import io.stackpipe.umbrella.Umbrella;
import java.util.List;
import java.util.Map;

/**
 * Bootstraps the first L3 (sequence 1), empty or from {@code name=version} charts of the registry, as umbrella
 * version {@code 1.0.0-init-<8 characters>}. Refused when an L3 exists; of two concurrent inits exactly one wins
 * (the pointer's creation decides), the other is refused.
 */
public final class InitL3 {
  private final L3 l3;
  private List<ServiceVersion> from = List.of();

  InitL3(L3 l3) {
    this.l3 = l3;
  }

  /** The services of the first L3 (default: none). Tags and digests are resolved to chart versions. */
  public InitL3 withFrom(List<ServiceVersion> value) {
    this.from = List.copyOf(value);
    return this;
  }

  public L3Version call() {
    l3.pointer().read().ifPresent(existing -> {
      throw exists(existing.current());
    });
    l3.s().kube().namespaces().ensure(l3.namespace(), Map.of(L3Pointer.MANAGED_BY, "stackpipe"), Map.of());
    String version = "1.0.0-init-" + CandidateId.next().substring(1);
    Umbrella umbrella = UmbrellaPush.push(l3, from, version);
    L3Version first = new L3Version(l3.name(), 1, version, umbrella.digest(), umbrella.reference(),
        UmbrellaPush.versions(umbrella), new Promotion(1, version, umbrella.digest(), umbrella.reference(), null, null,
            null, l3.now(), l3.s().user()));
    if (!l3.pointer().create(first)) {
      throw exists(l3.pointer().read().map(L3Pointer.Snapshot::current).orElse(first));
    }
    l3.tag().mirror(first);
    l3.s().progress().accept("L3 of " + l3.name() + " is " + version + " (" + first.services().size() + " services)");
    return first;
  }

  private StackpipeException exists(L3Version existing) {
    return new StackpipeException("L3 of " + l3.name() + " already exists in namespace " + l3.namespace() + ": "
        + existing.version() + " (#" + existing.sequence() + ", made by " + existing.promotion().by() + " at "
        + existing.promotion().at() + "); it changes by candidates only");
  }
}
