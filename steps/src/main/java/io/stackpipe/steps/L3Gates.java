package io.stackpipe.steps;

import io.stackpipe.PrivateTempDir;
import io.stackpipe.StackpipeException;
import io.stackpipe.deploy.UmbrellaStack;
import io.stackpipe.deploy.UmbrellaStackResult;
import io.stackpipe.gate.SystemTest;
import io.stackpipe.manifest.Umbrella;
import io.stackpipe.manifest.UmbrellaPull;
import io.stackpipe.manifest.l3.AlreadyInL3Exception;
import io.stackpipe.manifest.l3.Candidate;
import io.stackpipe.manifest.l3.L3;
import io.stackpipe.manifest.l3.Promoted;
import io.stackpipe.manifest.l3.StaleCandidateException;
import io.stackpipe.stack.Stacks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * promoteL3 over the engine's L3: the candidate, its ephemeral stack and the verdict. The phases hold nothing between
 * them but the {@link L3Session}; each opens its own cluster connection.
 */
final class L3Gates {

  static final String STACK_NAME = "STACK_NAME";
  static final String CANDIDATE = "L3_CANDIDATE";

  private L3Gates() {
  }

  /** The non-block form: promote a candidate tested elsewhere. */
  static Map<String, Object> promote(String candidate, StepContext context) {
    try (StepCluster cluster = StepCluster.open(context)) {
      L3 l3 = L3Manifests.l3(cluster, context, PromoteL3Step.NAME);
      Promoted promoted = promoteOrRefuse(l3, candidate, context);
      return result(promoted.candidate(), "promoted", promoted.before().version(), promoted.after().version(),
          promoted.candidate().stack(), null, false, null);
    }
  }

  static L3Session open(String service, String version, boolean keepStackOnFailure, StepContext context) {
    try (StepCluster cluster = StepCluster.open(context)) {
      L3 l3 = L3Manifests.l3(cluster, context, PromoteL3Step.NAME);
      Candidate candidate;
      try {
        candidate = l3.candidate(service, version).withCreator(context.user()).withBuildUrl(context.buildUrl()).call();
      } catch (AlreadyInL3Exception already) {
        context.progress().accept(already.getMessage() + ": nothing to test, the body is skipped");
        return new L3Session(null, service, version, null, null, Map.of(), keepStackOnFailure, null,
            Map.of("verdict", "already-in-l3", "l3", already.current().version()));
      }
      context.progress().accept("L3 candidate " + candidate.id() + ": " + candidate.change() + " on L3 "
          + candidate.base() + " (manifest " + candidate.version() + ")");
      String stackName = "l3-" + candidate.id();
      Stacks stacks = cluster.stacks();
      Instant start = Instant.now();
      UmbrellaStackResult created;
      try (PrivateTempDir temp = PrivateTempDir.create(Optional.of(cluster.files()), "candidate-")) {
        UmbrellaPull pull = UmbrellaPull.of(candidate.reference()).withOutputDirectory(temp.path())
            .withProgress(context.progress());
        Umbrella umbrella = (context.settings().plainHttp() ? pull.plainHttp() : pull).call();
        created = UmbrellaStack.create(stacks, stackName)
            .withOwner(Optional.ofNullable(context.user()).orElse(candidate.creator()))
            .withPurpose("L3 candidate " + candidate.id() + ": " + candidate.change())
            .withUmbrella(umbrella)
            .withSecretKeys(cluster.secretKeys())
            .keepOnFailure(keepStackOnFailure)
            .waitingUpTo(context.settings().timeout())
            .withProgress(context.progress())
            .call();
      } catch (StackpipeException stackFailed) {
        // A candidate whose stack does not come up failed its test: recorded, and refused as the step's failure.
        l3.recordTest(candidate.id()).onStack(stackName).failed("stack: " + stackFailed.getMessage()).call();
        throw stackFailed;
      }
      l3.recordTest(candidate.id()).onStack(stackName).withTiming("stack", Duration.between(start, Instant.now()))
          .call();
      CreateEphemeralStackStep.reach(created, context);

      String namespace = created.stack().namespace();
      Map<String, String> environment = new LinkedHashMap<>();
      environment.put(STACK_NAME, stackName);
      environment.putAll(SystemTest.environment(cluster.kube(), namespace));
      environment.put(CANDIDATE, candidate.id());
      PrivateTempDir folder = PrivateTempDir.create(Optional.of(context.tempDirectory()), "stackpipe-l3-");
      try {
        Path kubeconfig = Files.createFile(folder.path().resolve("kubeconfig"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        cluster.kube().writeKubeconfig(kubeconfig, namespace);
        environment.put(SystemTest.KUBECONFIG, kubeconfig.toString());
      } catch (java.io.IOException | RuntimeException e) {
        folder.close();
        throw e instanceof RuntimeException r ? r : new java.io.UncheckedIOException((java.io.IOException) e);
      }
      Map<String, Object> opened = new LinkedHashMap<>();
      opened.put("candidate", candidate.id());
      opened.put("l3Before", candidate.base());
      opened.put("manifest", candidate.version());
      opened.put("stack", created.toMap());
      opened.put("openedAt", Instant.now().toString());
      return new L3Session(candidate.id(), service, version, stackName, namespace, environment, keepStackOnFailure,
          folder.path().toString(), opened);
    }
  }

  static Map<String, Object> close(L3Session session, boolean bodySucceeded, String failureReason, StepContext context) {
    if (session.candidate() == null) {
      return result(null, "already-in-l3", (String) session.opened().get("l3"), (String) session.opened().get("l3"),
          null, null, false, Map.of("service", session.service(), "version", session.version()));
    }
    try (StepCluster cluster = StepCluster.open(context)) {
      L3 l3 = L3Manifests.l3(cluster, context, PromoteL3Step.NAME);
      Duration tests = Duration.between(Instant.parse((String) session.opened().get("openedAt")), Instant.now());
      if (!bodySucceeded) {
        String reason = "system tests failed: " + Optional.ofNullable(failureReason).orElse("the body failed");
        l3.recordTest(session.candidate()).withTiming("tests", tests).failed(reason).call();
        Candidate rejected = l3.reject(session.candidate()).withReason(reason).call();
        boolean kept = session.keepStackOnFailure();
        finish(session, cluster, context, kept);
        context.progress().accept("rejected L3 candidate " + rejected.id() + " (" + rejected.change() + "): " + reason);
        return result(rejected, "rejected", rejected.base(), rejected.base(), session.stack(), reason, kept, null);
      }
      l3.recordTest(session.candidate()).withTiming("tests", tests).passed().call();
      try {
        Promoted promoted = promoteOrRefuse(l3, session.candidate(), context);
        return result(promoted.candidate(), "promoted", promoted.before().version(), promoted.after().version(),
            session.stack(), null, false, null);
      } finally {
        finish(session, cluster, context, false);
      }
    } finally {
      if (session.kubeconfigFolder() != null) {
        io.stackpipe.base.FileTrees.deleteQuietly(Path.of(session.kubeconfigFolder()));
      }
    }
  }

  private static Promoted promoteOrRefuse(L3 l3, String candidate, StepContext context) {
    try {
      Promoted promoted = l3.promote(candidate).call();
      context.progress().accept("promoted L3 candidate " + candidate + " (" + promoted.candidate().change() + "): L3 "
          + promoted.before().version() + " -> " + promoted.after().version());
      return promoted;
    } catch (StaleCandidateException stale) {
      throw StepException.of(PromoteL3Step.NAME, stale.getMessage() + " (run the pipeline again, or"
          + " `stackpipe l3 rebase " + candidate + "` and test the new candidate)");
    }
  }

  /** Destroys the candidate's stack unless kept. */
  private static void finish(L3Session session, StepCluster cluster, StepContext context, boolean keep) {
    if (keep) {
      context.progress().accept("kept stack " + session.stack() + " (namespace " + session.namespace()
          + ") to look at; the reaper removes it when idle");
      return;
    }
    cluster.stacks().destroy(session.stack());
    context.progress().accept("destroyed stack " + session.stack());
  }

  private static Map<String, Object> result(Candidate candidate, String verdict, String before, String after,
      String stack, String reason, boolean kept, Map<String, String> change) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("candidate", candidate == null ? null : candidate.id());
    map.put("verdict", verdict);
    map.put("service", candidate == null ? change.get("service") : candidate.change().service());
    map.put("version", candidate == null ? change.get("version") : candidate.change().to());
    map.put("l3Before", before);
    map.put("l3After", after);
    map.put("stack", stack == null ? null : io.stackpipe.Result.fields("name", stack, "kept", kept));
    map.put("reason", reason);
    return map;
  }
}
