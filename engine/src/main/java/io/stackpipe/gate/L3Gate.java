package io.stackpipe.gate;

import io.stackpipe.Interrupts;
import io.stackpipe.PrivateTempDir;
import io.stackpipe.StackpipeException;
import io.stackpipe.base.Messages;
import io.stackpipe.umbrella.UmbrellaStack;
import io.stackpipe.umbrella.UmbrellaStackResult;
import io.stackpipe.umbrella.Umbrella;
import io.stackpipe.umbrella.UmbrellaPull;
import io.stackpipe.manifest.l3.AlreadyInL3Exception;
import io.stackpipe.manifest.l3.Candidate;
import io.stackpipe.manifest.l3.Change;
import io.stackpipe.manifest.l3.CreateCandidate;
import io.stackpipe.manifest.l3.L3;
import io.stackpipe.manifest.l3.L3Version;
import io.stackpipe.manifest.l3.Promoted;
import io.stackpipe.manifest.l3.StaleCandidateException;
import io.stackpipe.manifest.l3.Verdict;
import io.stackpipe.secrets.keys.SecretKeys;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.Stacks;
import io.stackpipe.registry.auth.RegistryAuth;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The L3 gate, the pipeline step that decides whether a new chart version joins L3: a candidate (L3 with that one
 * service changed), an ephemeral stack made of the candidate's umbrella, the system tests against it, then promote
 * on success or reject with the tests' exit code and last lines, and destroy the stack (kept on failure if asked).
 *
 * <p>In one call, {@link #run}; or in two phases around system tests that run elsewhere: {@link #open} makes the
 * candidate and its stack and returns a {@link GateSession} (serializable, no secret), {@link #close} gives the
 * verdict from it, in the same process or another one. Closing again after a crash is safe: a candidate already
 * promoted or rejected keeps its verdict, and a stack already gone is no error.
 *
 * <pre>{@code
 * GateResult result = L3Gate.of(L3.on(kube, charts).withUser("ci"), Stacks.on(kube, "default"))
 *     .withSecretKeys(keys)
 *     .withProgress(System.err::println)
 *     .run("orders", "1.4.0", SystemTest.of(List.of("sh", "system-tests.sh")).in(workspace).withEnvironment(env));
 * }</pre>
 */
public final class L3Gate {

  /** The stack's name in the session environment, and the candidate's id. */
  public static final String STACK_NAME = "STACK_NAME";
  public static final String L3_CANDIDATE = "L3_CANDIDATE";
  /** Candidate stacks are named after their candidate: {@code l3-c4k9x2m7q}. */
  public static final String STACK_PREFIX = "l3-";
  /** How long an open candidate's record may stand still with its stack absent before a sweep calls it abandoned. */
  public static final Duration ABANDON_GRACE = Duration.ofMinutes(5);

  private final L3 l3;
  private final Stacks stacks;
  private String profile = UmbrellaStack.DEFAULT_PROFILE;
  private SecretKeys keys;
  private String owner = "stackpipe";
  private String buildUrl;
  private Duration wait = Duration.ofMinutes(5);
  private Duration ttl;
  private boolean keepOnFailure;
  private boolean plainHttp;
  private RegistryAuth auth = RegistryAuth.anonymous();
  private Consumer<String> progress = line -> { };

  private L3Gate(L3 l3, Stacks stacks) {
    this.l3 = l3;
    this.stacks = stacks;
  }

  /** The gate of {@code l3}, making its candidate stacks among {@code stacks} (the same cluster). */
  public static L3Gate of(L3 l3, Stacks stacks) {
    return new L3Gate(l3, stacks);
  }

  /** The profile every service of the candidate's stack is installed with (default {@value UmbrellaStack#DEFAULT_PROFILE}). */
  public L3Gate withProfile(String value) {
    this.profile = value;
    return this;
  }

  /** Keys that decrypt the services' profile secrets for the candidate's stack. */
  public L3Gate withSecretKeys(SecretKeys value) {
    this.keys = value;
    return this;
  }

  /** The candidate stack's owner (default {@code stackpipe}). */
  public L3Gate withOwner(String value) {
    this.owner = value;
    return this;
  }

  /** The CI build that runs the gate, recorded with the candidate. */
  public L3Gate withBuildUrl(String value) {
    this.buildUrl = value;
    return this;
  }

  /** How long the candidate's pods may take to be Ready (default 5 minutes). */
  public L3Gate waitingUpTo(Duration value) {
    this.wait = value;
    return this;
  }

  /** The candidate stack's idle time before the reaper takes it, should it outlive the gate (default: the reaper's). */
  public L3Gate withTtl(Duration value) {
    this.ttl = value;
    return this;
  }

  /** Keep the candidate's stack when its tests (or its install) fail, to look at it. */
  public L3Gate keepOnFailure(boolean value) {
    this.keepOnFailure = value;
    return this;
  }

  /** Plain HTTP to a registry that is not on the loopback interface. */
  /** Where registry credentials come from (default: anonymous). */
  public L3Gate withRegistryAuth(RegistryAuth value) {
    this.auth = value;
    return this;
  }

  public L3Gate plainHttp(boolean value) {
    this.plainHttp = value;
    return this;
  }

  public L3Gate withProgress(Consumer<String> value) {
    this.progress = value;
    return this;
  }

  /**
   * Candidate and stack, then the system test, then the verdict. A command that cannot run is refused before
   * anything is made; a candidate whose stack does not come up is rejected without tests.
   */
  public GateResult run(String service, String version, SystemTest test) {
    test.requireRunnable();
    Opened opened = opened(service, version);
    if (opened.failure() != null) {
      return opened.failure();
    }
    GateSession session = opened.session();
    if (session.alreadyInL3()) {
      return close(session, true, "");
    }
    SystemTestResult tested;
    try {
      tested = test.against(stacks.kube(), session.namespace()).withVariables(session.environment())
          .masking(opened.secrets()).withProgress(progress).call();
    } catch (RuntimeException e) {
      close(session, false, "the system test could not run: " + Messages.firstLine(e));
      throw e;
    }
    return close(session, tested.passed(), tested.reason()).withTest(tested);
  }

  /**
   * Makes the candidate and its stack (pods Ready). When the version is in L3 already, nothing is made and the
   * session says so. When the stack does not come up, the candidate is rejected and this throws, naming it.
   */
  public GateSession open(String service, String version) {
    return openForBody(service, version).session();
  }

  /**
   * {@link #open}, with what a front end that runs the tests itself must mask in their output: the decrypted
   * values of the stack's profile secrets. The session stays secret-free; the values are the front end's to
   * keep out of anything it stores.
   */
  public OpenedGate openForBody(String service, String version) {
    Opened opened = opened(service, version);
    if (opened.failure() != null) {
      GateResult failed = opened.failure();
      throw new StackpipeException("candidate " + failed.candidate() + " (" + service + " " + version
          + ") rejected: " + failed.reason());
    }
    return new OpenedGate(opened.session(), opened.secrets());
  }

  /** An opened gate and the values to mask in its tests' output ({@link #openForBody}). */
  public record OpenedGate(GateSession session, Set<String> secrets) {
    public OpenedGate {
      secrets = Set.copyOf(secrets);
    }

    @Override
    public String toString() {
      return "OpenedGate[" + session + ", " + secrets.size() + " secret values]";
    }
  }

  /**
   * The verdict on an opened gate: promote when the system tests {@code passed}, else reject with {@code reason}
   * (one line: the exit code and the last lines); then destroy the stack, unless the tests failed and the session
   * keeps it. A promotion refused because L3 moved on leaves the candidate stale (rebase it).
   */
  public GateResult close(GateSession session, boolean passed, String reason) {
    return close(session, passed, reason, false);
  }

  /**
   * The verdict on a gate whose tests were aborted (the build was stopped): rejected as {@code aborted: why}, and
   * the stack destroyed even when the session keeps it on failure: an abort is no failure to look at.
   */
  public GateResult abort(GateSession session, String why) {
    return close(session, false, "aborted: " + why, true);
  }

  private GateResult close(GateSession session, boolean passed, String reason, boolean aborted) {
    if (session.alreadyInL3()) {
      L3Version current = l3.current().orElseThrow();
      return new GateResult(session.service(), session.version(), session.from(), null, null, GateVerdict.UNCHANGED,
          "", session.base(), current, null, null, false, Map.of(), null);
    }
    Map<String, Long> timings = new LinkedHashMap<>();
    timings.put("stack", session.stackMillis());
    Duration tests = Duration.between(Instant.parse(session.opened()), stacks.clock().instant());
    timings.put("tests", Math.max(0, tests.toMillis()));
    long start = System.nanoTime();
    String id = session.candidate();
    Candidate candidate = l3.candidateById(id);
    GateVerdict verdict;
    String why = "";
    L3Version after = null;
    if (candidate.verdict() == Verdict.PROMOTED) {
      verdict = GateVerdict.PROMOTED; // closed before, e.g. by a run interrupted after its promotion
    } else if (!candidate.verdict().open()) {
      verdict = candidate.verdict() == Verdict.STALE ? GateVerdict.STALE : GateVerdict.REJECTED;
      why = candidate.reason();
    } else if (passed) {
      l3.recordTest(id).withTiming("tests", tests).passed().call();
      try {
        Promoted promoted = l3.promote(id).call();
        after = promoted.after();
        verdict = GateVerdict.PROMOTED;
      } catch (StaleCandidateException e) {
        verdict = GateVerdict.STALE;
        why = e.getMessage();
      }
    } else {
      why = reason == null || reason.isBlank() ? "the system tests failed"
          : reason.strip().replaceAll("\\s+", " ");
      l3.recordTest(id).withTiming("tests", tests).call();
      l3.reject(id).withReason(why).call();
      verdict = GateVerdict.REJECTED;
    }
    timings.put("verdict", millisSince(start));
    progress.accept("verdict: candidate " + id + " (" + session.service() + " " + orNone(session.from()) + " -> "
        + session.version() + ") " + verdict + (why.isEmpty() ? "" : ": " + why));
    boolean keep = verdict == GateVerdict.REJECTED && session.keepOnFailure() && !aborted;
    if (keep) {
      progress.accept("stack " + session.stack() + " kept to look at (namespace " + session.namespace()
          + "); destroy it when done");
    } else {
      long destroying = System.nanoTime();
      stacks.destroy(session.stack()).withVia("gate").call();
      timings.put("destroy", millisSince(destroying));
      progress.accept("destroyed stack " + session.stack());
    }
    if (after == null) {
      after = l3.current().orElseThrow();
    }
    progress.accept("L3 after: " + describe(after.version(), after.services()));
    return new GateResult(session.service(), session.version(), session.from(), id, session.candidateVersion(),
        verdict, why, session.base(), after, session.stack(), session.namespace(), keep, timings, null);
  }

  /** What opening made: a session (with the stack's decrypted values, for masking), or a rejected candidate. */
  private record Opened(GateSession session, Set<String> secrets, GateResult failure) {}

  private Opened opened(String service, String version) {
    long start = System.nanoTime();
    CreateCandidate making = l3.candidate(service, version).withBuildUrl(buildUrl);
    Candidate candidate;
    try {
      candidate = making.call();
    } catch (AlreadyInL3Exception e) {
      L3Version current = e.current();
      progress.accept(service + " " + version + " is in L3 " + current.version() + " already: nothing to gate");
      return new Opened(GateSession.inL3Already(service, version, current, keepOnFailure, now()), Set.of(), null);
    }
    Change change = candidate.change();
    L3Version base = making.base();
    progress.accept("L3 before: " + describe(base.version(), base.services()));
    String stack = STACK_PREFIX + candidate.id();
    // Recorded before the stack exists: a sweep finds the candidate of a gate that died while making it.
    l3.recordTest(candidate.id()).onStack(stack).call();
    UmbrellaStackResult created;
    try (PrivateTempDir temp = PrivateTempDir.create("stackpipe-gate-")) {
      UmbrellaPull pull = UmbrellaPull.of(candidate.reference()).withOutputDirectory(temp.path())
          .withRegistryAuth(auth);
      Umbrella umbrella = (plainHttp ? pull.plainHttp() : pull).call();
      created = UmbrellaStack.create(stacks, stack).withOwner(owner)
          .withPurpose("L3 candidate " + candidate.id() + ": " + change).withTtl(ttl).keepOnFailure(keepOnFailure)
          .withUmbrella(umbrella).withProfile(profile).withSecretKeys(keys).withRegistryAuth(auth).waitingUpTo(wait)
          .withProgress(progress)
          .call();
    } catch (RuntimeException e) {
      if (Interrupts.aborted(e)) {
        throw aborted(candidate, stack, e);
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      String why = "its stack did not come up: " + Messages.firstLine(e);
      l3.recordTest(candidate.id()).onStack(stack).withTiming("stack", took).call();
      l3.reject(candidate.id()).withReason(why).call();
      progress.accept("verdict: candidate " + candidate.id() + " rejected: " + why);
      L3Version current = l3.current().orElseThrow();
      return new Opened(null, Set.of(), new GateResult(service, version, change.from(), candidate.id(),
          candidate.version(), GateVerdict.REJECTED, why, base, current, stack, stacks.namespaceOf(stack),
          keepOnFailure, Map.of("stack", took.toMillis()), null));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    l3.recordTest(candidate.id()).onStack(stack).withTiming("stack", took).call();
    String namespace = created.stack().namespace();
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put(STACK_NAME, stack);
    environment.put(L3_CANDIDATE, candidate.id());
    environment.putAll(SystemTest.environment(stacks.kube(), namespace));
    GateSession session = GateSession.opened(service, version, candidate, base, stack, namespace, environment,
        keepOnFailure, now(), took.toMillis());
    return new Opened(session, created.values().secretValues(), null);
  }

  /** The candidate of an abort while its stack was being made: rejected as aborted (the stack is undone by then). */
  private StackpipeException aborted(Candidate candidate, String stack, RuntimeException abort) {
    String why = "aborted while its stack was being made";
    try {
      Interrupts.uninterrupted(() -> l3.reject(candidate.id()).withReason(why).call());
      progress.accept("verdict: candidate " + candidate.id() + " rejected: " + why);
    } catch (RuntimeException failed) {
      abort.addSuppressed(failed); // still pending: the sweep closes it once its stack is gone
    }
    return new StackpipeException("aborted: candidate " + candidate.id() + " (" + candidate.change().service() + " "
        + candidate.change().to() + ") is rejected as aborted; its stack " + stack + ": "
        + Messages.firstLine(abort), abort);
  }

  /**
   * The sweep's part of the gate: every open candidate that a gate made (it records its stack first) whose stack
   * no longer exists or is being destroyed, and whose record has not changed for {@link #ABANDON_GRACE}, has lost
   * its gate — the process running it died, or the reaper took its idle stack — and is rejected as abandoned.
   * One LIST of candidates and one of stacks; a candidate closed meanwhile by its gate is left as it is.
   */
  public List<AbandonedCandidate> closeAbandoned() {
    Instant now = stacks.clock().instant();
    Map<String, Stack> present = new HashMap<>();
    stacks.list(null).stacks().forEach(s -> present.put(s.name(), s));
    List<AbandonedCandidate> closed = new ArrayList<>();
    for (Candidate c : l3.listCandidates()) {
      if (!c.verdict().open() || c.stack() == null || !c.stack().startsWith(STACK_PREFIX)
          || Instant.parse(c.updated()).plus(ABANDON_GRACE).isAfter(now)) {
        continue;
      }
      Stack stack = present.get(c.stack());
      if (stack != null && stack.destroying() == null && !stack.terminating()) {
        continue;
      }
      String why = "abandoned: its gate is gone (stack " + c.stack() + (stack == null ? " no longer exists)"
          : " is being destroyed)");
      try {
        l3.reject(c.id()).withReason(why).call();
      } catch (StackpipeException promotedMeanwhile) {
        continue;
      }
      progress.accept("candidate " + c.id() + " (" + c.change().service() + " " + c.change().to() + ") " + why);
      closed.add(new AbandonedCandidate(c.id(), c.change().service(), c.change().to(), c.stack(), why));
    }
    return closed;
  }

  /**
   * What a build that restarted while its gate made the candidate's stack leaves: its open candidates of
   * {@code service version} (recorded with {@code buildUrl}) are rejected as aborted and their stacks destroyed.
   * Without a build URL nothing can be told apart: the sweep closes them once their stacks are gone.
   */
  public List<AbandonedCandidate> abortLeftBy(String buildUrl, String service, String version) {
    List<AbandonedCandidate> closed = new ArrayList<>();
    if (buildUrl == null) {
      return closed;
    }
    String why = "aborted: the build restarted while the candidate's stack was being made";
    for (Candidate c : l3.listCandidates()) {
      if (!c.verdict().open() || !buildUrl.equals(c.buildUrl()) || !service.equals(c.change().service())
          || !version.equals(c.change().to())) {
        continue;
      }
      l3.reject(c.id()).withReason(why).call();
      if (c.stack() != null) {
        stacks.destroy(c.stack()).withVia("gate").call();
      }
      progress.accept("candidate " + c.id() + " (" + service + " " + version + ") rejected: " + why
          + (c.stack() == null ? "" : "; stack " + c.stack() + " destroyed"));
      closed.add(new AbandonedCandidate(c.id(), service, version, c.stack(), why));
    }
    return closed;
  }

  private String now() {
    return stacks.clock().instant().truncatedTo(ChronoUnit.MILLIS).toString();
  }

  static String describe(String version, Map<String, String> services) {
    return version + " (" + (services.isEmpty() ? "no services" : services.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))) + ")";
  }

  private static String orNone(String version) {
    return version == null ? "(new)" : version;
  }

  private static long millisSince(long nanos) {
    return Duration.ofNanos(System.nanoTime() - nanos).toMillis();
  }
}
