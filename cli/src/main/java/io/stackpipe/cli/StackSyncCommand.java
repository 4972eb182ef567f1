package io.stackpipe.cli;

import io.stackpipe.PrivateTempDir;
import io.stackpipe.deploy.StackSyncResult;
import io.stackpipe.deploy.SyncTarget;
import io.stackpipe.installation.Session;
import io.stackpipe.manifest.l3.L3;
import io.stackpipe.manifest.l3.L3Version;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stackpipe stack sync}: the engine's StackSync of a stack deployed service by service. */
@Command(name = "sync", mixinStandardHelpOptions = true,
    description = "Bring a stack deployed service by service to L3 (or another manifest version): deploy each service"
        + " whose version differs, one at a time; stop at the first failure; exit 1 if the sync is not complete.")
final class StackSyncCommand implements Callable<Integer> {
  @Mixin
  StackCommand.Target target;

  @Parameters(paramLabel = "STACK")
  String name;

  @Option(names = "--to", paramLabel = "MANIFEST", required = true,
      description = "l3 (the current L3), or a version of the umbrella in --charts.")
  String to;

  @Option(names = "--profile", paramLabel = "P",
      description = "The profile of every service (default: each one's last deployed profile on the stack).")
  String profile;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m",
      description = "How long each service's pods may take to be Ready (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "30s",
      description = "How long to wait for another deploy on the stack (default: ${DEFAULT-VALUE}).")
  String lockTimeout;

  @Override
  public Integer call() {
    try (Session session = target.installation.open();
         PrivateTempDir temp = PrivateTempDir.create(Optional.of(session.files()), "sync-")) {
      String charts = session.installation().requireCharts();
      SyncTarget syncTarget;
      if (to.equals(L3.TAG)) {
        // The pointer is the truth: no umbrella to pull, its services say it all.
        L3Version current = session.currentL3("to");
        syncTarget = new SyncTarget(current.manifest(), current.version(), charts, current.services());
      } else {
        syncTarget = SyncTarget.of(session.manifest(to, false, temp.path()), charts);
      }
      StackSyncResult result = session.deploy(name).withProfile(profile)
          .withTimeout(StackCommand.duration("timeout", timeout))
          .withLockTimeout(StackCommand.duration("lockTimeout", lockTimeout)).sync(syncTarget);
      target.print(result, text(result));
      return result.complete() ? 0 : Stackpipe.REFUSED;
    }
  }

  static String text(StackSyncResult r) {
    StringBuilder text = new StringBuilder("stack " + r.stack() + " to " + r.manifest() + " " + r.version() + ":");
    for (StackSyncResult.Step s : r.steps()) {
      text.append(String.format(Locale.ROOT, "%n  %-10s %-20s %-12s -> %-12s %s", s.outcome(), s.service(),
          s.from() == null ? "(none)" : s.from(), s.to(), s.outcome().equals("failed") ? s.message()
              : s.outcome().equals("deployed") ? "profile " + s.profile() + ", revision " + s.revision() : ""));
    }
    if (!r.notInManifest().isEmpty()) {
      text.append("\n  not in the manifest, left alone: ").append(String.join(", ", r.notInManifest()));
    }
    text.append(String.format(Locale.ROOT, "%n%s: %d deployed, %d unchanged, %d failed, %d left",
        r.complete() ? "in sync" : "NOT in sync", r.with("deployed").size(), r.with("unchanged").size(),
        r.with("failed").size(), r.with("left").size()));
    return text.toString().replaceAll(" +\\n", "\\n").stripTrailing();
  }
}
