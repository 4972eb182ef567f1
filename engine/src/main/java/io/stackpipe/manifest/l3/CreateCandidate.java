package io.stackpipe.manifest.l3;

import io.stackpipe.SemVer;
import io.stackpipe.StackpipeException;
import io.stackpipe.chart.OciChartTarget;
import io.stackpipe.umbrella.ServiceVersion;
import io.stackpipe.umbrella.Umbrella;
import io.stackpipe.registry.OciRegistry;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Makes a candidate: the current L3 with exactly one service changed, added or removed, pushed as umbrella version
 * {@code <L3 sequence + 1>.0.0-<id>} and then recorded (pending). Refused, changing nothing, when a version is not
 * in the registry, when more than one service would change, or when nothing would ({@link AlreadyInL3Exception}).
 * The record is written only after the push: a registry failure leaves no candidate behind.
 */
public final class CreateCandidate {
  private final L3 l3;
  private final List<ServiceVersion> pins;
  private final String removed;
  private String creator;
  private String buildUrl;
  private String rebasedFrom;
  private L3Version base;

  private CreateCandidate(L3 l3, List<ServiceVersion> pins, String removed) {
    this.l3 = l3;
    this.pins = pins;
    this.removed = removed;
  }

  static CreateCandidate change(L3 l3, List<ServiceVersion> pins) {
    if (pins.isEmpty()) {
      throw StackpipeException.ofField("service", "names no service");
    }
    return new CreateCandidate(l3, List.copyOf(pins), null);
  }

  static CreateCandidate removal(L3 l3, String service) {
    return new CreateCandidate(l3, List.of(), service);
  }

  /** Who asks (default: the {@link L3#withUser user}). */
  public CreateCandidate withCreator(String value) {
    this.creator = value;
    return this;
  }

  /** The CI build that asks, recorded with the candidate. */
  public CreateCandidate withBuildUrl(String value) {
    this.buildUrl = value;
    return this;
  }

  /** The L3 the last {@link #call} made the candidate on (a candidate records only its version and number). */
  public L3Version base() {
    return base;
  }

  CreateCandidate rebasedFrom(String id) {
    this.rebasedFrom = id;
    return this;
  }

  public Candidate call() {
    base = l3.requireCurrent().current();
    Map<String, String> services = new TreeMap<>(base.services());
    Change change = removed != null ? removal(base, services) : change(base, services);
    String id = CandidateId.next();
    String version = (base.sequence() + 1) + ".0.0-" + id;
    Umbrella umbrella = UmbrellaPush.push(l3, UmbrellaPush.pins(services), version);
    String now = l3.now();
    Candidate candidate = new Candidate(id, l3.name(), base.version(), base.sequence(), version, umbrella.digest(),
        umbrella.reference(), change, UmbrellaPush.versions(umbrella), now, now,
        creator == null ? l3.s().user() : creator, buildUrl, Verdict.PENDING, "", Map.of(), null, rebasedFrom);
    l3.candidates().create(candidate);
    l3.s().progress().accept("candidate " + id + ": " + change + " on L3 " + base.version() + " as " + l3.name()
        + " " + version);
    l3.candidates().prune(l3.s().candidateRetention());
    return candidate;
  }

  private Change removal(L3Version base, Map<String, String> services) {
    String from = services.remove(removed);
    if (from == null) {
      throw StackpipeException.ofField("service", removed + " is not in L3 " + base.version() + " (it has "
          + (base.services().isEmpty() ? "no service" : String.join(", ", base.services().keySet())) + ")");
    }
    return Change.between(removed, from, null);
  }

  private Change change(L3Version base, Map<String, String> services) {
    List<ServiceVersion> differing = pins.stream()
        .filter(pin -> !pin.version().equals(base.services().get(pin.name()))).toList();
    if (differing.size() > 1) {
      throw StackpipeException.ofField("service", "more than one service would change ("
          + String.join(", ", differing.stream().map(ServiceVersion::toString).toList())
          + "): a candidate changes exactly one service of L3");
    }
    if (differing.isEmpty()) {
      ServiceVersion pin = pins.get(0);
      throw new AlreadyInL3Exception(pins.size() == 1
          ? pin.name() + " " + pin.version() + " is already in L3 " + base.version() + ": nothing to change"
          : "every version given is already in L3 " + base.version() + ": nothing to change", base);
    }
    ServiceVersion pin = differing.get(0);
    if (!SemVer.isValid(pin.version())) {
      throw StackpipeException.ofField("version", "'" + pin.version() + "' of " + pin.name() + " " + SemVer.NOT_SEMVER);
    }
    if (pin.name().equals(l3.name())) {
      throw StackpipeException.ofField("service", pin.name() + " is the umbrella's own name");
    }
    requireInRegistry(pin);
    String from = services.put(pin.name(), pin.version());
    return Change.between(pin.name(), from, pin.version());
  }

  private void requireInRegistry(ServiceVersion pin) {
    OciChartTarget target = OciChartTarget.parse(l3.charts());
    OciRegistry registry = l3.registry();
    String repository = target.repository(pin.name());
    if (registry.manifestDigest(repository, OciRegistry.tag(pin.version())).isEmpty()) {
      List<String> tags = registry.tags(repository).stream().sorted().toList();
      if (tags.isEmpty()) {
        throw StackpipeException.ofField("service", "no chart " + pin.name() + " in " + target);
      }
      throw StackpipeException.ofField("version", pin.name() + " " + pin.version() + " is not in " + target + " (it has " + String.join(", ", tags) + ")");
    }
  }
}
