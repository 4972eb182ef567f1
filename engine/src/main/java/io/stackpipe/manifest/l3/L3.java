package io.stackpipe.manifest.l3;

import io.stackpipe.Names;
import io.stackpipe.StackpipeException;
import io.stackpipe.chart.OciChartTarget;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.umbrella.ServiceVersion;
import io.stackpipe.umbrella.UmbrellaBuild;
import io.stackpipe.registry.OciRegistry;
import io.stackpipe.registry.auth.RegistryAuth;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The L3 manifest of one umbrella chart ({@value UmbrellaBuild#DEFAULT_NAME} by default) on one cluster and
 * registry: the versions of all services that passed the quality bar, and the candidates on their way there.
 *
 * <p>State: every L3 and every candidate is an immutable umbrella version in the registry, next to the service
 * charts. The pointer to the current L3 is ConfigMap {@code <name>-l3} in the control namespace (default
 * {@value #DEFAULT_NAMESPACE}), changed only by compare-and-swap on its resourceVersion; registry tag {@code l3}
 * mirrors it and is repaired from it by any read that finds it behind. Each candidate is a ConfigMap
 * {@code <name>-candidate-<id>} there.
 *
 * <pre>{@code
 * L3 l3 = L3.on(kube, "oci://registry.example.com/charts").withUser("alice");
 * Candidate c = l3.candidate("orders", "1.4.0").withBuildUrl(url).call();
 * Promoted p = l3.promote(c.id()).call();
 * }</pre>
 *
 * <p>A builder: the {@code with…} methods configure this instance and return it; settings are checked when a
 * read or command uses them.
 */
public final class L3 {

  public static final String DEFAULT_NAMESPACE = "stackpipe-system";
  public static final int DEFAULT_CANDIDATE_RETENTION = 200;
  public static final int DEFAULT_HISTORY_LIMIT = 200;
  public static final int DEFAULT_CONFLICT_ATTEMPTS = 8;
  /** Registry tag mirroring the pointer. */
  public static final String TAG = "l3";
  private static final DateTimeFormatter INSTANT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
      .withZone(ZoneOffset.UTC);

  /** The settings as the commands of this package read them. */
  record Settings(KubeConnection kube, String charts, String name, String namespace, boolean plainHttp,
      RegistryAuth auth, Clock clock, String user, int candidateRetention, int historyLimit, int conflictAttempts, Consumer<String> progress,
      Runnable afterPointerWrite) {
  }

  private final KubeConnection kube;
  private final String charts;
  private String name = UmbrellaBuild.DEFAULT_NAME;
  private String namespace = DEFAULT_NAMESPACE;
  private boolean plainHttp;
  private RegistryAuth auth = RegistryAuth.anonymous();
  private Clock clock = Clock.systemUTC();
  private String user = "unknown";
  private int candidateRetention = DEFAULT_CANDIDATE_RETENTION;
  private int historyLimit = DEFAULT_HISTORY_LIMIT;
  private int conflictAttempts = DEFAULT_CONFLICT_ATTEMPTS;
  private Consumer<String> progress = line -> { };
  private Runnable afterPointerWrite = () -> { };

  private L3(KubeConnection kube, String charts) {
    this.kube = kube;
    this.charts = charts;
  }

  /** The L3 of the service charts and umbrellas in {@code charts} ({@code oci://host/path}) on {@code kube}. */
  public static L3 on(KubeConnection kube, String charts) {
    if (charts == null || charts.isBlank()) {
      throw StackpipeException.ofField("charts", "is required: the oci:// location of the service charts");
    }
    OciChartTarget.parse(charts);
    return new L3(kube, charts.replaceAll("/+$", ""));
  }

  /** The umbrella chart's name (default {@value UmbrellaBuild#DEFAULT_NAME}); each name has its own L3. */
  public L3 withName(String value) {
    name = value;
    return this;
  }

  /** The control namespace holding the pointer and the candidates (default {@value #DEFAULT_NAMESPACE}). */
  public L3 withNamespace(String value) {
    namespace = value;
    return this;
  }

  /** Plain HTTP to a registry that is not on the loopback interface. */
  public L3 plainHttp(boolean value) {
    plainHttp = value;
    return this;
  }

  /** Where registry credentials come from (default: anonymous). */
  public L3 withRegistryAuth(RegistryAuth value) {
    auth = value;
    return this;
  }

  public L3 withClock(Clock value) {
    clock = value;
    return this;
  }

  /** Who acts: recorded as a candidate's creator and a promotion's author. */
  public L3 withUser(String value) {
    user = value == null || value.isBlank() ? "unknown" : value;
    return this;
  }

  /** How many finished candidates are kept (oldest pruned first); open ones are never pruned. */
  public L3 withCandidateRetention(int value) {
    candidateRetention = value;
    return this;
  }

  /** How many promotions the history keeps (oldest dropped first). */
  public L3 withHistoryLimit(int value) {
    historyLimit = value;
    return this;
  }

  /** How many compare-and-swap attempts a write makes before it gives up on conflicting writers. */
  public L3 withConflictAttempts(int value) {
    conflictAttempts = value;
    return this;
  }

  public L3 withProgress(Consumer<String> value) {
    progress = value;
    return this;
  }

  /** Runs between the pointer's write and the tag's: where tests inject a crash. */
  L3 withAfterPointerWrite(Runnable value) {
    afterPointerWrite = value;
    return this;
  }

  public String name() {
    return s().name;
  }

  public String namespace() {
    return s().namespace;
  }

  public String charts() {
    return s().charts;
  }

  // --- reads ---

  /** The current L3, or empty before init. A registry tag {@value #TAG} found behind the pointer is repaired. */
  public Optional<L3Version> current() {
    Optional<L3Pointer.Snapshot> read = pointer().read();
    read.ifPresent(snapshot -> tag().repairIfBehind(snapshot.current()));
    return read.map(L3Pointer.Snapshot::current);
  }

  /** One candidate by id; an unknown or malformed id is refused as input {@code candidate}. */
  public Candidate candidateById(String id) {
    return candidates().get(CandidateId.check(id)).map(CandidateStore.Snapshot::candidate)
        .orElseThrow(() -> StackpipeException.ofField("candidate", "no candidate " + id + " of " + s().name
            + " in namespace " + s().namespace + " (pruned, or never made)"));
  }

  /** Every candidate kept, newest first. */
  public List<Candidate> listCandidates() {
    return candidates().list();
  }

  /** The current L3 (tag repaired if behind) and the open candidates. */
  public ShowL3 show() {
    return new ShowL3(this);
  }

  /** The promotions, newest first. */
  public ShowHistory history() {
    return new ShowHistory(this);
  }

  /** Services added, changed and removed from {@code from} to {@code to} (L3 versions, {@code l3}, or candidate ids). */
  public DiffManifests diff(String from, String to) {
    return new DiffManifests(this, from, to);
  }

  // --- writes ---

  /**
   * Deletes the control namespace — the pointer, its history and every candidate — and waits up to {@code timeout}
   * until it is gone: for an installation whose control namespace is its own and starts afresh (the demo's, each run).
   */
  public void deleteNamespace(Duration timeout) {
    kube.namespaces().deleteAndWait(namespace, timeout);
  }

  /** Bootstraps the first L3: empty, or from {@code name=version} charts. Refused once an L3 exists. */
  public InitL3 init() {
    return new InitL3(this);
  }

  /** A candidate: the current L3 with {@code service} at {@code version} (a change or a new service). */
  public CreateCandidate candidate(String service, String version) {
    return CreateCandidate.change(this, List.of(ServiceVersion.parse(checkService(service) + "=" + version,
        "version")));
  }

  /**
   * A candidate from several {@code name=version} pins of which exactly one may differ from the current L3 (the
   * others must equal it): a whole manifest proposed at once, refused when more than one service would change.
   */
  public CreateCandidate candidate(List<ServiceVersion> pins) {
    return CreateCandidate.change(this, pins);
  }

  /** A candidate: the current L3 without {@code service}. */
  public CreateCandidate removeService(String service) {
    return CreateCandidate.removal(this, checkService(service));
  }

  /** Makes the candidate L3 if L3 is still its base; otherwise marks it stale and refuses, naming the new base. */
  public PromoteCandidate promote(String id) {
    return new PromoteCandidate(this, CandidateId.check(id));
  }

  /** A fresh candidate with the same single change on the current L3 (the old one is marked stale). */
  public RebaseCandidate rebase(String id) {
    return new RebaseCandidate(this, CandidateId.check(id));
  }

  public RejectCandidate reject(String id) {
    return new RejectCandidate(this, CandidateId.check(id));
  }

  /** What the gate reports on a candidate: the stack it tests on, timings, then passed or failed. */
  public RecordTest recordTest(String id) {
    return new RecordTest(this, CandidateId.check(id));
  }

  // --- for the commands of this package ---

  /** The settings, checked here (at use, not in each wither: one place, so the order of the calls never matters). */
  Settings s() {
    if (!Names.isDns1123Label(name) || name.length() > 40) {
      throw StackpipeException.ofField("name", "'" + name + "' is not a chart name (a DNS-1123 label of at most 40"
          + " characters)");
    }
    if (!Names.isDns1123Label(namespace)) {
      throw StackpipeException.ofField("namespace", "'" + namespace + "' is not a namespace name (a DNS-1123 label)");
    }
    positive("candidateRetention", candidateRetention);
    positive("historyLimit", historyLimit);
    positive("conflictAttempts", conflictAttempts);
    return new Settings(kube, charts, name, namespace, plainHttp, auth, clock, user, candidateRetention, historyLimit,
        conflictAttempts, progress, afterPointerWrite);
  }

  L3Pointer pointer() {
    return new L3Pointer(s().kube, s().namespace, s().name, s().historyLimit);
  }

  CandidateStore candidates() {
    return new CandidateStore(s().kube, s().namespace, s().name);
  }

  L3Tag tag() {
    return new L3Tag(registry(), OciChartTarget.parse(s().charts).repository(s().name), s().progress);
  }

  OciRegistry registry() {
    return OciChartTarget.parse(s().charts).registry(s().plainHttp, s().auth);
  }

  /** Now, always with milliseconds ({@code Instant.toString} drops a zero fraction), so instants sort as text too. */
  String now() {
    return INSTANT.format(s().clock.instant());
  }

  /** The current L3, or the refusal that there is none yet. */
  L3Pointer.Snapshot requireCurrent() {
    L3Pointer.Snapshot snapshot = pointer().read().orElseThrow(this::none);
    tag().repairIfBehind(snapshot.current());
    return snapshot;
  }

  StackpipeException none() {
    return new StackpipeException("no L3 of " + s().name + " yet in namespace " + s().namespace
        + ": bootstrap it with init");
  }

  private static String checkService(String service) {
    if (!Names.isDns1123Label(service)) {
      throw StackpipeException.ofField("service", "'" + service + "' is not a chart name (a DNS-1123 label)");
    }
    return service;
  }

  private static void positive(String field, int value) {
    if (value < 1) {
      throw StackpipeException.ofField(field, "must be at least 1, not " + value);
    }
  }

}
