package io.stackpipe.steps;

import io.stackpipe.Masking;
import io.stackpipe.base.FileTrees;
import io.stackpipe.base.Messages;
import io.stackpipe.installation.Session;
import io.stackpipe.installation.SessionEnvironment;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where and for whom one step call runs, built by the front end on the machine that runs it (a Jenkins adapter:
 * inside its {@code FilePath.act} callable on the agent). Not serializable: the {@code progress} sink is the
 * build log's, and paths are that machine's.
 *
 * @param workspace relative {@code chart:} paths and artifacts resolve here
 * @param tempDirectory private per-call files (a kubeconfig from a credential) go below it (Jenkins: the
 *     workspace's {@code @tmp} folder)
 * @param user who started the build: the default owner of stacks and who a deploy's policy checks
 * @param groups the user's groups, checked against a stack policy's deployers
 * @param buildUrl recorded on candidates and stacks (null outside a build)
 * @param environment the variables of the process running the step, as the front end passes them: KUBECONFIG
 *     or in-cluster settings when the settings name no cluster, and the AWS credentials for KMS; the step layer
 *     reads no environment by itself
 * @param home that process's home folder (where AWS and sops look for their files), or null
 * @param progress receives one line per step of long work (the build log)
 */
public record StepEnvironment(Path workspace, Path tempDirectory, StepSettings settings, String user, Set<String> groups,
    String buildUrl, Map<String, String> environment, Path home, Consumer<String> progress) {

  public StepEnvironment {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(tempDirectory, "tempDirectory");
    Objects.requireNonNull(settings, "settings");
    groups = Set.copyOf(groups);
    environment = Map.copyOf(environment);
    Objects.requireNonNull(progress, "progress");
  }

  /** A context in {@code workspace} with temporary files below it, no user, no environment, progress dropped. */
  public static StepEnvironment in(Path workspace, StepSettings settings) {
    return new StepEnvironment(workspace, workspace, settings, null, Set.of(), null, Map.of(), null, line -> { });
  }

  public StepEnvironment withTempDirectory(Path value) {
    return new StepEnvironment(workspace, value, settings, user, groups, buildUrl, environment, home, progress);
  }

  public StepEnvironment withUser(String name, Set<String> memberOf) {
    return new StepEnvironment(workspace, tempDirectory, settings, name, memberOf, buildUrl, environment, home, progress);
  }

  public StepEnvironment withBuildUrl(String value) {
    return new StepEnvironment(workspace, tempDirectory, settings, user, groups, value, environment, home, progress);
  }

  public StepEnvironment withEnvironment(Map<String, String> variables, Path homeFolder) {
    return new StepEnvironment(workspace, tempDirectory, settings, user, groups, buildUrl, variables, homeFolder, progress);
  }

  /**
   * Opens the installation of the settings in this context (its variables, home, temporary folder, user and
   * progress): the session every step works through. Close it.
   */
  public Session openSession() {
    return settings.toInstallation().open(sessionEnvironment());
  }

  /**
   * What no output of a step in this context may show: the installation's credentials and the AWS secrets of the
   * environment ({@code Installation.masking}). Settings the engine refuses mask nothing: the step fails on them
   * before any work, with a message that quotes no secret.
   */
  public Masking masking() {
    try {
      return settings.toInstallation().masking(environment);
    } catch (RuntimeException refused) {
      return Masking.of(List.of());
    }
  }

  /** What a session takes from this context: its variables, home, temporary folder, user and progress. */
  public SessionEnvironment sessionEnvironment() {
    return new SessionEnvironment(environment, home, tempDirectory, user, groups, progress);
  }

  /**
   * Removes what steps whose process died (a crashed controller or agent) left in {@link #tempDirectory}: session
   * folders — a kubeconfig from a credential, decrypted files — made before this process started, which no call of
   * it can own, and promoteL3 body folders older than their token. Each removal is one progress line.
   */
  public void removeLeftovers() {
    removeLeftovers(Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime()), Instant.now());
  }

  void removeLeftovers(Instant processStart, Instant now) {
    if (!Files.isDirectory(tempDirectory)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(tempDirectory)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        Instant modified = Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS).toInstant();
        boolean stale = name.startsWith(Session.FOLDER_PREFIX) && modified.isBefore(processStart)
            || name.startsWith(L3Gates.BODY_FOLDER_PREFIX)
            && modified.plus(L3Gates.BODY_TOKEN_LIFETIME).isBefore(now);
        if (stale && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
          FileTrees.deleteQuietly(entry);
          progress.accept("removed " + name + " from " + tempDirectory + ", left by a step whose process died");
        }
      }
    } catch (IOException e) {
      progress.accept("cannot look for leftovers in " + tempDirectory + ": " + Messages.firstLine(e));
    }
  }

  public StepEnvironment withProgress(Consumer<String> value) {
    return new StepEnvironment(workspace, tempDirectory, settings, user, groups, buildUrl, environment, home, value);
  }
}
