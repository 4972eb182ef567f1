package io.stackpipe.steps;

import io.stackpipe.base.FileTrees;
import io.stackpipe.gate.AbandonedCandidate;
import io.stackpipe.gate.GateResult;
import io.stackpipe.gate.GateSession;
import io.stackpipe.gate.L3Gate.OpenedGate;
import io.stackpipe.gate.GateVerdict;
import io.stackpipe.gate.L3Gate;
import io.stackpipe.gate.SystemTest;
import io.stackpipe.gate.SystemTestResult;
import io.stackpipe.installation.Session;
import io.stackpipe.manifest.l3.L3Version;
import io.stackpipe.manifest.l3.StaleCandidateException;
import io.stackpipe.manifest.l3.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * promoteL3 over the engine's {@link L3Gate}, the same gate {@code stackpipe l3 gate} runs: its open and close
 * phases around the body, each with its own cluster connection and nothing between them but the {@link L3Session}.
 */
final class L3Gates {
  // The body's namespace-scoped token dies by itself after this, even if close never runs (a crashed controller).
  static final Duration BODY_TOKEN_LIFETIME = Duration.ofHours(4);
  static final String BODY_FOLDER_PREFIX = "stackpipe-l3-";

  private L3Gates() {
  }

  /** The non-block form: promote a candidate tested elsewhere. */
  static Map<String, Object> promote(String candidate, StepEnvironment context) {
    try (Session session = context.openSession()) {
      GateResult promoted;
      try {
        promoted = session.promote(candidate);
      } catch (StaleCandidateException stale) {
        throw stale(PromoteCandidateStep.NAME, stale.getMessage(), candidate);
      }
      context.progress().accept("promoted L3 candidate " + candidate + " (" + promoted.service() + " "
          + (promoted.from() == null ? "(new)" : promoted.from()) + " -> " + promoted.version() + "): L3 "
          + versionOf(promoted.before()) + " -> " + versionOf(promoted.after()));
      return promoted.toMap();
    }
  }

  // The L3 as the log names it elsewhere (its version), not the record's full dump.
  private static String versionOf(L3Version l3) {
    return l3 == null ? "(none)" : l3.version();
  }

  static L3Session open(String service, String version, boolean keepStackOnFailure, StepEnvironment context) {
    try (Session session = context.openSession()) {
      OpenedGate gate = gate(session, context, keepStackOnFailure).openForBody(service, version);
      GateSession opened = gate.session();
      if (opened.alreadyInL3()) {
        return new L3Session(opened, Map.of(), null, Set.of());
      }
      // The body's own kubeconfig for the stack's namespace: a 0600 file in a private folder that outlives this
      // session (the body runs between two), deleted by close.
      Path folder = Files.createTempDirectory(directory(context.tempDirectory()), BODY_FOLDER_PREFIX,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      try {
        Path kubeconfig = Files.createFile(folder.resolve("kubeconfig"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Set<String> masked = new LinkedHashSet<>(gate.secrets());
        masked.addAll(context.masking().values());
        masked.addAll(session.writeNamespaceKubeconfig(kubeconfig, opened.namespace(), BODY_TOKEN_LIFETIME));
        Map<String, String> environment = new LinkedHashMap<>(opened.environment());
        environment.put(SystemTest.KUBECONFIG, kubeconfig.toString());
        return new L3Session(opened, environment, folder.toString(), masked);
      } catch (IOException | RuntimeException e) {
        FileTrees.deleteQuietly(folder);
        throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the kubeconfig for promoteL3's body", e);
    }
  }

  static Map<String, Object> close(L3Session l3Session, boolean bodySucceeded, String failureReason,
      List<String> bodyOutput, StepEnvironment context) {
    try (Session session = context.openSession()) {
      if (!l3Session.gate().alreadyInL3()) {
        session.revokeNamespaceAccess(l3Session.gate().namespace());
      }
      String reason = bodySucceeded ? null : SystemTestResult.reason("the body failed: "
          + Optional.ofNullable(failureReason).filter(r -> !r.isBlank()).orElse("(no message)"), bodyOutput);
      GateResult result = gate(session, context, l3Session.gate().keepOnFailure()).close(l3Session.gate(),
          bodySucceeded, reason);
      if (result.verdict() == GateVerdict.STALE) {
        throw stale(PromoteL3Step.NAME, result.reason(), result.candidate());
      }
      return result.toMap();
    } finally {
      if (l3Session.kubeconfigFolder() != null) {
        FileTrees.deleteQuietly(Path.of(l3Session.kubeconfigFolder()));
      }
    }
  }

  static Map<String, Object> abort(L3Session l3Session, String why, StepEnvironment context) {
    try (Session session = context.openSession()) {
      if (!l3Session.gate().alreadyInL3()) {
        session.revokeNamespaceAccess(l3Session.gate().namespace());
      }
      return gate(session, context, false).abort(l3Session.gate(), why).toMap();
    } finally {
      if (l3Session.kubeconfigFolder() != null) {
        FileTrees.deleteQuietly(Path.of(l3Session.kubeconfigFolder()));
      }
    }
  }

  static Map<String, Object> closeAfterRestart(L3Session l3Session, StepEnvironment context) {
    if (l3Session.gate().alreadyInL3()) {
      return close(l3Session, true, null, List.of(), context);
    }
    Verdict recorded;
    try (Session session = context.openSession()) {
      recorded = session.l3().candidateById(l3Session.candidate()).verdict();
    }
    return recorded == Verdict.PENDING ? abort(l3Session, "the controller restarted as the body ended", context)
        : close(l3Session, recorded == Verdict.PASSED, null, List.of(), context);
  }

  static String abortOpening(String service, String version, StepEnvironment context) {
    try (Session session = context.openSession()) {
      List<AbandonedCandidate> closed = gate(session, context, false).abortLeftBy(context.buildUrl(), service,
          version);
      if (closed.isEmpty()) {
        return context.buildUrl() == null ? "no build URL to find its candidate by (Jenkins' root URL is unset):"
            + " the reaper's sweep closes it once its stack is gone" : "no candidate of this build was left open";
      }
      return closed.stream().map(c -> "candidate " + c.candidate() + " rejected as aborted"
          + (c.stack() == null ? "" : ", stack " + c.stack() + " destroyed")).collect(Collectors.joining("; "));
    }
  }

  private static L3Gate gate(Session session, StepEnvironment context, boolean keepStackOnFailure) {
    return session.gate().withBuildUrl(context.buildUrl()).keepOnFailure(keepStackOnFailure);
  }

  private static StepException stale(String step, String message, String candidate) {
    return StepException.of(step, message + " (run the pipeline again to test the change on the new"
        + " L3, or `stackpipe l3 rebase " + candidate + "`)");
  }

  private static Path directory(Path tempDirectory) throws IOException {
    return Files.createDirectories(tempDirectory);
  }
}
