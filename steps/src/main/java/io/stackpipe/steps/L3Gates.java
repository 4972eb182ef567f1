package io.stackpipe.steps;

import io.stackpipe.Result;
import io.stackpipe.base.FileTrees;
import io.stackpipe.gate.GateResult;
import io.stackpipe.gate.GateSession;
import io.stackpipe.gate.GateVerdict;
import io.stackpipe.gate.L3Gate;
import io.stackpipe.gate.SystemTest;
import io.stackpipe.manifest.l3.L3;
import io.stackpipe.manifest.l3.Promoted;
import io.stackpipe.manifest.l3.StaleCandidateException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * promoteL3 over the engine's {@link L3Gate}, the same gate {@code stackpipe l3 gate} runs: its open and close
 * phases around the body, each with its own cluster connection and nothing between them but the {@link L3Session}.
 */
final class L3Gates {

  private L3Gates() {
  }

  /** The non-block form: promote a candidate tested elsewhere. */
  static Map<String, Object> promote(String candidate, StepContext context) {
    try (StepCluster cluster = StepCluster.open(context)) {
      L3 l3 = L3Manifests.l3(cluster, context, PromoteL3Step.NAME);
      Promoted promoted;
      try {
        promoted = l3.promote(candidate).call();
      } catch (StaleCandidateException stale) {
        throw stale(stale.getMessage(), candidate);
      }
      context.progress().accept("promoted L3 candidate " + candidate + " (" + promoted.candidate().change() + "): L3 "
          + promoted.before().version() + " -> " + promoted.after().version());
      return Result.fields("service", promoted.candidate().change().service(),
          "version", promoted.candidate().change().to(), "from", promoted.candidate().change().from(),
          "candidate", candidate, "candidateVersion", promoted.candidate().version(), "verdict", "promoted",
          "reason", null,
          "before", Result.fields("version", promoted.before().version(), "services",
              new LinkedHashMap<>(promoted.before().services())),
          "after", Result.fields("version", promoted.after().version(), "services",
              new LinkedHashMap<>(promoted.after().services())));
    }
  }

  static L3Session open(String service, String version, boolean keepStackOnFailure, StepContext context) {
    try (StepCluster cluster = StepCluster.open(context)) {
      GateSession session = gate(cluster, context, keepStackOnFailure).open(service, version);
      if (session.alreadyInL3()) {
        return new L3Session(session, Map.of(), null);
      }
      // The body's own kubeconfig for the stack's namespace: a 0600 file in a private folder, deleted by close.
      Path folder = Files.createTempDirectory(directory(context.tempDirectory()), "stackpipe-l3-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      try {
        Path kubeconfig = Files.createFile(folder.resolve("kubeconfig"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        cluster.kube().writeKubeconfig(kubeconfig, session.namespace());
        Map<String, String> environment = new LinkedHashMap<>(session.environment());
        environment.put(SystemTest.KUBECONFIG, kubeconfig.toString());
        return new L3Session(session, environment, folder.toString());
      } catch (IOException | RuntimeException e) {
        FileTrees.deleteQuietly(folder);
        throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the kubeconfig for promoteL3's body", e);
    }
  }

  static Map<String, Object> close(L3Session session, boolean bodySucceeded, String failureReason, StepContext context) {
    try (StepCluster cluster = StepCluster.open(context)) {
      String reason = bodySucceeded ? null
          : "the body failed: " + Optional.ofNullable(failureReason).filter(r -> !r.isBlank()).orElse("(no message)");
      GateResult result = gate(cluster, context, session.gate().keepOnFailure()).close(session.gate(), bodySucceeded,
          reason);
      if (result.verdict() == GateVerdict.STALE) {
        throw stale(result.reason(), result.candidate());
      }
      return result.toMap();
    } finally {
      if (session.kubeconfigFolder() != null) {
        FileTrees.deleteQuietly(Path.of(session.kubeconfigFolder()));
      }
    }
  }

  private static L3Gate gate(StepCluster cluster, StepContext context, boolean keepStackOnFailure) {
    L3Gate gate = L3Gate.of(L3Manifests.l3(cluster, context, PromoteL3Step.NAME), cluster.stacks())
        .withSecretKeys(cluster.secretKeys())
        .withBuildUrl(context.buildUrl())
        .waitingUpTo(context.settings().timeout())
        .keepOnFailure(keepStackOnFailure)
        .plainHttp(context.settings().plainHttp())
        .withProgress(context.progress());
    return context.user() == null ? gate : gate.withOwner(context.user());
  }

  private static StepException stale(String message, String candidate) {
    return StepException.of(PromoteL3Step.NAME, message + " (run the pipeline again to test the change on the new"
        + " L3, or `stackpipe l3 rebase " + candidate + "`)");
  }

  private static Path directory(Path tempDirectory) throws IOException {
    return Files.createDirectories(tempDirectory);
  }
}
