package io.stackpipe.cli;

import io.stackpipe.StackpipeException;
import io.stackpipe.deploy.Canary;
import io.stackpipe.deploy.ChartSource;
import io.stackpipe.deploy.Deploy;
import io.stackpipe.deploy.DeployResult;
import io.stackpipe.installation.Installation;
import io.stackpipe.installation.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code stackpipe deploy}: the installation session's {@link Deploy} as the CLI's user (the OS user), with its
 * environment's secret keys and the installation options. {@code promote} and {@code abort} close an open canary.
 */
@Command(name = "deploy", description = "Deploy a service's chart with one of its profiles onto a stack.",
    resourceBundle = "io.stackpipe.cli.StepHelp", defaultValueProvider = StepHelp.Defaults.class,
    subcommands = {DeployCommand.Promote.class, DeployCommand.Abort.class})
final class DeployCommand implements Callable<Integer> {

  /** What every deploy verb shares: the stack, its cluster, the release, who deploys and under which policy. */
  static final class Common {
    @Mixin
    StackCommand.Target target;

    // Checked in deploy(), not by picocli: a required option here would be required of `deploy` before `promote`.
    @Option(names = "--stack", paramLabel = "S", descriptionKey = "deployProfile.stack")
    String stack;

    @Option(names = "--release", paramLabel = "R", description = "The Helm release (default: the chart's name).")
    String release;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m",
        description = "How long the pods may take to be Ready (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "30s",
        description = "How long to wait for another deploy on the stack (default: ${DEFAULT-VALUE}).")
    String lockTimeout;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    /** The session's deploy onto --stack, as the CLI's user (the OS user, no groups). */
    Deploy deploy(Session session) {
      if (stack == null) {
        throw StackpipeException.ofField("stack", "is required");
      }
      return session.deploy(stack).withRelease(release).withTimeout(StackCommand.duration("timeout", timeout))
          .withLockTimeout(StackCommand.duration("lockTimeout", lockTimeout));
    }

    void print(DeployResult r) {
      String text = switch (r.action()) {
        case "canary" -> "canary " + r.release() + " " + r.chart() + " (profile " + r.profile() + ") in stack " + r.stack()
            + ": " + r.canary().replicas() + " pod(s) beside " + r.canary().stableReplicas() + " stable, about "
            + r.canary().share() + "% of the traffic\n  promote: stackpipe deploy promote --stack " + r.stack()
            + " --release " + r.canary().canaryRelease().replaceFirst("-canary$", "")
            + "\n  abort:   stackpipe deploy abort --stack " + r.stack() + " --release "
            + r.canary().canaryRelease().replaceFirst("-canary$", "");
        case "abort" -> "aborted canary " + r.canary().canaryRelease() + " in stack " + r.stack()
            + ": only the stable release serves";
        default -> (r.action().equals("promote") ? "promoted " : "deployed ") + r.release() + " " + r.chart()
            + " (profile " + r.profile() + ") to stack " + r.stack() + " (namespace " + r.namespace() + "), revision "
            + r.revision() + ", " + r.status() + "\n  values: chart defaults <- " + String.join(" <- ", r.layers());
      };
      target.print(r, text);
    }
  }

  @Mixin
  Common common;

  @Parameters(paramLabel = "CHART", arity = "0..1",
      description = "oci://host/path/name:version, a chart name (with --version or --from-l3, and --charts), or a .tgz.")
  String chart;

  @Option(names = "--version", paramLabel = "V", descriptionKey = "deployProfile.version")
  String version;

  @Option(names = "--from-l3", descriptionKey = "deployProfile.fromL3")
  boolean fromL3;

  @Option(names = "--profile", paramLabel = "P", descriptionKey = "deployProfile.profile")
  String profile;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "An override, the last values layer (repeatable).")
  List<String> sets = new ArrayList<>();

  @Option(names = "--wait", negatable = true, fallbackValue = "true", descriptionKey = "deployProfile.wait")
  boolean waitReady;

  @Option(names = "--canary", paramLabel = "SHARE",
      description = "Deploy as a canary beside the stable release: a share of the traffic (10%%) or a pod count.")
  String canary;

  @Override
  public Integer call() {
    // The arguments are refused before anything is contacted.
    Installation installation = common.target.installation.installation();
    ChartSource.check(chart, version, fromL3, installation.charts());
    if (profile == null) {
      throw StackpipeException.ofField("profile", "is required");
    }
    try (Session session = common.target.installation.open()) {
      Deploy deploy = common.deploy(session)
          .withChart(session.chart(chart, version, fromL3, Stackpipe.workingDirectory()))
          .withProfile(profile).withSets(sets);
      if (!waitReady) {
        deploy.withoutWait();
      }
      if (canary != null) {
        deploy.withCanary(Canary.parse(canary));
      }
      common.print(deploy.call());
    }
    return 0;
  }

  @Command(name = "promote", description = "Upgrade the stable release to its canary's version, then remove the canary.")
  static final class Promote implements Callable<Integer> {
    @Mixin
    Common common;

    @Override
    public Integer call() {
      try (Session session = common.target.installation.open()) {
        common.print(requireRelease(common).deploy(session).promote());
      }
      return 0;
    }
  }

  @Command(name = "abort", description = "Remove a release's canary: only the stable pods serve again.")
  static final class Abort implements Callable<Integer> {
    @Mixin
    Common common;

    @Override
    public Integer call() {
      try (Session session = common.target.installation.open()) {
        common.print(requireRelease(common).deploy(session).abort());
      }
      return 0;
    }
  }

  private static Common requireRelease(Common common) {
    if (common.release == null) {
      throw StackpipeException.ofField("release", "is required (the stable release whose canary it is)");
    }
    return common;
  }
}
