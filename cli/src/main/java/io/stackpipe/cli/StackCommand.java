package io.stackpipe.cli;

import io.stackpipe.StackpipeException;
import io.stackpipe.PrivateTempDir;
import io.stackpipe.deploy.Deploy;
import io.stackpipe.deploy.StackSyncResult;
import io.stackpipe.deploy.SyncTarget;
import io.stackpipe.umbrella.UmbrellaStack;
import io.stackpipe.umbrella.UmbrellaStackResult;
import io.stackpipe.deploy.record.CanaryRecord;
import io.stackpipe.deploy.record.DeployHistory;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.umbrella.Umbrella;
import io.stackpipe.umbrella.UmbrellaBuild;
import io.stackpipe.umbrella.UmbrellaPull;
import io.stackpipe.umbrella.UmbrellaResolve;
import io.stackpipe.manifest.l3.L3;
import io.stackpipe.manifest.l3.L3Version;
import io.stackpipe.stack.Durations;
import io.stackpipe.stack.ReapReport;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.StackDestroyed;
import io.stackpipe.stack.StackList;
import io.stackpipe.stack.StackType;
import io.stackpipe.stack.Stacks;
import io.stackpipe.stack.policy.StackPolicies;
import io.stackpipe.stack.policy.StackPolicy;
import io.stackpipe.secrets.keys.SecretKeys;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code stackpipe stack …}: stacks as the engine's {@code stack} package keeps them in the cluster. */
@Command(name = "stack", mixinStandardHelpOptions = true,
    description = "Create, list, keep and destroy stacks (namespaces of one installation); reap idle ones.",
    subcommands = {StackCommand.Create.class, StackCommand.ListStacks.class, StackCommand.Show.class,
        StackCommand.Touch.class, StackCommand.Extend.class, StackCommand.Destroy.class, StackCommand.Reap.class,
        StackCommand.Sync.class})
final class StackCommand {

  /** Where the stacks are: the cluster, and which installation's stacks. */
  static final class Target {
    @Option(names = "--kubeconfig", paramLabel = "FILE",
        description = "The cluster (default: $KUBECONFIG, the pod's service account, the demo cluster, ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--installation", paramLabel = "ID", defaultValue = "default",
        description = "The Stackpipe installation whose stacks these are (default: ${DEFAULT-VALUE}).")
    String installation;

    @Option(names = "--namespace-prefix", paramLabel = "PREFIX", defaultValue = "",
        description = "Stack NAME lives in namespace PREFIX+NAME (default: none).")
    String namespacePrefix;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    KubeConnection connect() {
      return KubeConnection.resolve(kubeconfig, Stackpipe.environment(), Stackpipe.home());
    }

    Stacks stacks(KubeConnection kube, Clock clock) {
      return Stacks.on(kube, installation).withNamespacePrefix(namespacePrefix).withClock(clock);
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    /** Prints {@code result} as JSON, or the text when not asked for JSON. */
    void print(io.stackpipe.Result result, String text) {
      out().println(json ? Output.toJson(result.toMap()) : text);
      out().flush();
    }
  }

  abstract static class StackSubcommand implements Callable<Integer> {
    @Mixin
    Target target;

    @Override
    public Integer call() {
      try (KubeConnection kube = target.connect()) {
        return run(target.stacks(kube, Clock.systemUTC()));
      }
    }

    abstract int run(Stacks stacks);
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a stack: its namespace, labelled and annotated, and with --manifest the services of an"
          + " umbrella chart installed as one release.")
  static final class Create extends StackSubcommand {
    @Parameters(paramLabel = "STACK", description = "The stack's name: a DNS-1123 label.")
    String name;

    @Option(names = "--owner", paramLabel = "O", required = true, description = "Who the stack is for.")
    String owner;

    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "ephemeral",
        description = "ephemeral (reaped when idle), persistent or production (default: ${DEFAULT-VALUE}).")
    String type;

    @Option(names = "--ttl", paramLabel = "DURATION", description = "Idle time before it is reaped, e.g. 7d (default: the reaper's).")
    String ttl;

    @Option(names = "--purpose", paramLabel = "TEXT", description = "Why the stack exists.")
    String purpose;

    @Option(names = "--manifest", paramLabel = "M", description = "The services: an umbrella chart"
        + " (oci://host/path/platform:1.2.0 or @sha256:…), a version or tag of it in --charts, or a list of service"
        + " charts in --charts (orders=1.4.0,billing=2.0.1) assembled into an umbrella.")
    String manifest;

    @Option(names = "--charts", paramLabel = "OCI", description = "oci://host/path of the service charts and umbrellas.")
    String charts;

    @Option(names = "--umbrella", paramLabel = "NAME", defaultValue = UmbrellaBuild.DEFAULT_NAME,
        description = "The umbrella chart's name (default: ${DEFAULT-VALUE}).")
    String umbrella;

    @Option(names = "--push", description = "Push an umbrella assembled from a list to --charts (an immutable version).")
    boolean push;

    @Option(names = "--profile", paramLabel = "P", defaultValue = UmbrellaStack.DEFAULT_PROFILE,
        description = "The profile every service is installed with (default: ${DEFAULT-VALUE}).")
    String profile;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m",
        description = "How long to wait for the pods to be Ready (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--no-wait", description = "Done once the objects exist; do not wait for Ready pods.")
    boolean noWait;

    @Option(names = "--keep-on-failure", description = "Keep the stack when its install fails, to look at it.")
    boolean keepOnFailure;

    @Override
    int run(Stacks stacks) {
      StackType stackType = StackType.parse(type);
      Duration idle = ttl == null ? null : duration("ttl", ttl);
      if (manifest == null) {
        Stack stack = stacks.create(name).withOwner(owner).withType(stackType).withTtl(idle).withPurpose(purpose).call();
        target.print(stack, created(stack) + "\n  kubectl --namespace " + stack.namespace() + " get all"
            + "\n  telepresence connect --namespace " + stack.namespace());
        return 0;
      }
      if (stackType != StackType.EPHEMERAL) {
        throw StackpipeException.ofField("type", "a stack made from a manifest is ephemeral; persistent and"
            + " production stacks take one service at a time (deploy)");
      }
      PrintWriter err = target.spec.commandLine().getErr();
      Consumer<String> progress = line -> {
        err.println(line);
        err.flush();
      };
      try (PrivateTempDir temp = PrivateTempDir.create("stackpipe-manifest-")) {
        Umbrella resolved = UmbrellaResolve.of(manifest).from(charts).withName(umbrella).push(push)
            .withOutputDirectory(temp.path()).withProgress(progress).call();
        UmbrellaStackResult created = UmbrellaStack.create(stacks, name).withOwner(owner).withPurpose(purpose)
            .withTtl(idle).keepOnFailure(keepOnFailure).withUmbrella(resolved).withProfile(profile)
            .withSecretKeys(SecretKeys.fromEnvironment(Stackpipe.secretsEnvironment()))
            .waitingUpTo(noWait ? null : duration("timeout", timeout)).withProgress(progress).call();
        target.print(created, summary(created));
      }
      return 0;
    }

    private static String created(Stack stack) {
      return "created stack " + stack.name() + " (" + stack.type().label() + ", owner " + stack.owner()
          + ") in namespace " + stack.namespace()
          + (stack.reapAt() == null ? "; never reaped" : "; reaped when idle, next at " + stack.reapAt());
    }

    /** The stack, its services and versions, and how to reach it. */
    static String summary(UmbrellaStackResult created) {
      Umbrella u = created.umbrella();
      StringBuilder text = new StringBuilder(created(created.stack()));
      text.append("\nmanifest ").append(u.name()).append(' ').append(u.version()).append(" (").append(u.digest())
          .append(')').append(u.reference() == null ? "" : " " + u.reference())
          .append("\nrelease ").append(created.release().name()).append(" revision ")
          .append(created.release().revision()).append(' ').append(created.release().status())
          .append(", profile ").append(created.values().profile()).append(':');
      for (int i = 0; i < u.services().size(); i++) {
        Umbrella.Service service = u.services().get(i);
        String urls = created.addresses().stream().filter(a -> a.service().equals(service.key()))
            .map(a -> a.url()).reduce((a, b) -> a + " " + b).orElse("");
        text.append(String.format(Locale.ROOT, "%n  %-20s %-14s %s%s", service.key(), service.version(), urls,
            created.values().services().get(i).secretsSkipped() ? "  (profile secrets not applied yet)" : ""));
      }
      text.append("\nreach it:");
      created.reach().forEach(line -> text.append("\n  ").append(line));
      return text.toString();
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the installation's stacks.")
  static final class ListStacks extends StackSubcommand {
    @Option(names = "--owner", paramLabel = "O", description = "Only the stacks of this owner.")
    String owner;

    @Override
    int run(Stacks stacks) {
      StackList list = stacks.list(owner);
      StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%-24s %-10s %-12s %-11s %-8s %-20s %s",
          "NAME", "TYPE", "OWNER", "STATE", "IDLE", "REAP AT", "MANIFEST"));
      for (Stack s : list.stacks()) {
        text.append('\n').append(String.format(Locale.ROOT, "%-24s %-10s %-12s %-11s %-8s %-20s %s", s.name(),
            s.type() == null ? "?" : s.type().label(), s.owner(), s.state(),
            s.idle() == null ? "?" : Durations.format(s.idle()), s.reapAt() == null ? "never" : s.reapAt(),
            s.manifest() == null ? "-" : s.manifest().chart() + " " + s.manifest().version()));
      }
      if (list.stacks().isEmpty()) {
        text.append("\n(no stacks in installation ").append(list.installation()).append(')');
      }
      target.print(list, text.toString());
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one stack.")
  static final class Show extends StackSubcommand {
    @Parameters(paramLabel = "STACK")
    String name;

    @Override
    int run(Stacks stacks) {
      Stack stack = stacks.show(name);
      // Open canaries live in the stack's deploy history (docs/deploying.md).
      Map<String, CanaryRecord> canaries = new DeployHistory(stacks.kube(), stack.namespace()).read().canaries();
      Map<String, Object> shown = new LinkedHashMap<>(stack.toMap());
      shown.put("canaries", canaries.values().stream().map(CanaryRecord::toMap).toList());
      StringBuilder text = new StringBuilder();
      stack.toMap().forEach((key, value) -> {
        if (value != null) {
          text.append(text.isEmpty() ? "" : "\n").append(String.format(Locale.ROOT, "%-17s %s", key + ":", value));
        }
      });
      canaries.forEach((release, c) -> text.append(String.format(Locale.ROOT, "%n%-17s %s %s beside %s: %d pod(s),"
          + " about %d%% of the traffic, since %s by %s", "canary:", c.canaryRelease(), c.chart() + "-" + c.version(),
          release, c.replicas(), c.share(), c.openedAt(), c.openedBy())));
      target.print(() -> shown, text.toString());
      return 0;
    }
  }

  @Command(name = "touch", mixinStandardHelpOptions = true,
      description = "Record activity on a stack: its idle time starts again and a reap warning is withdrawn.")
  static final class Touch extends StackSubcommand {
    @Parameters(paramLabel = "STACK")
    String name;

    @Override
    int run(Stacks stacks) {
      Stack stack = stacks.touch(name);
      target.print(stack, "touched " + stack.name()
          + (stack.reapAt() == null ? "" : "; reaped if idle until " + stack.reapAt()));
      return 0;
    }
  }

  @Command(name = "extend", mixinStandardHelpOptions = true,
      description = "Keep a stack until a date (capped by the stack policy and the installation's maximum).")
  static final class Extend extends StackSubcommand {
    @Parameters(paramLabel = "STACK")
    String name;

    @Option(names = "--until", paramLabel = "DATE", required = true,
        description = "2025-03-31 (end of that day, local time), 2025-03-31T18:00:00+02:00, or a duration from now such as 14d.")
    String until;

    @Option(names = "--policy", paramLabel = "FILE", description = "The stack policy file (its maxKeepUntil caps the date).")
    Path policy;

    @Override
    int run(Stacks stacks) {
      Instant wanted = date("until", until, stacks.clock());
      Duration cap = policy == null ? null : StackPolicies.load(policy, policy.toString()).forStack(name)
          .flatMap(StackPolicy::maxKeep).orElse(null);
      Stack stack = stacks.extend(name, wanted, cap);
      target.print(stack, stack.name() + " kept until " + stack.keepUntil()
          + (stack.keepUntil().isBefore(wanted.truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
              ? " (capped: " + wanted + " is further than the maximum allows)" : "")
          + "; reaped if idle until " + stack.reapAt());
      return 0;
    }
  }

  @Command(name = "destroy", mixinStandardHelpOptions = true,
      description = "Uninstall a stack's releases, delete its namespace and wait until it is gone.")
  static final class Destroy extends StackSubcommand {
    @Parameters(paramLabel = "STACK")
    String name;

    @Override
    int run(Stacks stacks) {
      StackDestroyed destroyed = stacks.destroy(name);
      target.print(destroyed, destroyed.alreadyGone() ? "stack " + name + " is already gone"
          : "destroyed stack " + name + " (namespace " + destroyed.namespace() + " deleted"
              + (destroyed.releases().isEmpty() ? "" : "; uninstalled " + String.join(", ", destroyed.releases())) + ")");
      return 0;
    }
  }

  @Command(name = "sync", mixinStandardHelpOptions = true,
      description = "Bring a stack deployed service by service to L3 (or another manifest version): deploy each service"
          + " whose version differs, one at a time; stop at the first failure; exit 1 if the sync is not complete.")
  static final class Sync implements Callable<Integer> {
    @Mixin
    Target target;

    @Parameters(paramLabel = "STACK")
    String name;

    @Option(names = "--to", paramLabel = "MANIFEST", required = true,
        description = "l3 (the current L3), or a version of the umbrella in --charts.")
    String to;

    @Option(names = "--charts", paramLabel = "OCI", required = true,
        description = "oci://host/path of the service charts and the umbrellas.")
    String charts;

    @Option(names = "--umbrella", paramLabel = "NAME", defaultValue = UmbrellaBuild.DEFAULT_NAME,
        description = "The umbrella chart's name (default: ${DEFAULT-VALUE}).")
    String umbrella;

    @Option(names = "--l3-namespace", paramLabel = "NS", defaultValue = L3.DEFAULT_NAMESPACE,
        description = "The control namespace of the L3 pointer (default: ${DEFAULT-VALUE}).")
    String l3Namespace;

    @Option(names = "--profile", paramLabel = "P",
        description = "The profile of every service (default: each one's last deployed profile on the stack).")
    String profile;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m",
        description = "How long each service's pods may take to be Ready (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "30s",
        description = "How long to wait for another deploy on the stack (default: ${DEFAULT-VALUE}).")
    String lockTimeout;

    @Option(names = "--policy", paramLabel = "FILE", description = "The stack policy file.")
    Path policy;

    @Override
    public Integer call() {
      PrintWriter err = target.spec.commandLine().getErr();
      Consumer<String> progress = line -> {
        err.println(line);
        err.flush();
      };
      try (KubeConnection kube = target.connect();
           SecretKeys keys = SecretKeys.fromEnvironment(Stackpipe.secretsEnvironment());
           PrivateTempDir temp = PrivateTempDir.create("stackpipe-sync-")) {
        L3 l3 = L3.on(kube, charts).withName(umbrella).withNamespace(l3Namespace).withUser(Stackpipe.user())
            .withProgress(progress);
        SyncTarget syncTarget;
        if (to.equals(L3.TAG)) {
          L3Version current = l3.current().orElseThrow(() -> StackpipeException.ofField("to", "there is no L3 of "
              + umbrella + " yet in namespace " + l3Namespace));
          syncTarget = new SyncTarget(current.manifest(), current.version(), charts, current.services());
        } else {
          syncTarget = SyncTarget.of(UmbrellaPull.of(charts, umbrella, to).withOutputDirectory(temp.path())
              .withProgress(progress).call(), charts);
        }
        Deploy deploy = Deploy.onto(target.stacks(kube, Clock.systemUTC()), name).withProfile(profile)
            .withTimeout(duration("timeout", timeout)).withLockTimeout(duration("lockTimeout", lockTimeout))
            .withSecretKeys(keys).withDeployer(Stackpipe.user(), Set.of()).withL3(l3)
            .withProgress(progress);
        if (policy != null) {
          deploy.withPolicy(StackPolicies.load(policy, policy.toString()));
        }
        StackSyncResult result = deploy.sync(syncTarget);
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

  @Command(name = "reap", mixinStandardHelpOptions = true,
      description = "Destroy idle ephemeral stacks and warn the owners of those about to be; exit 1 if one failed.")
  static final class Reap implements Callable<Integer> {
    @Mixin
    Target target;

    @Option(names = "--dry-run", description = "Decide and report, change nothing.")
    boolean dryRun;

    // No picocli defaults: an option left out adapts to those given (ReapPolicy#with), so --max-idle 12h alone works.
    @Option(names = "--max-idle", paramLabel = "DURATION",
        description = "Reap ephemeral stacks idle this long (default: 7d, at most --max-keep).")
    String maxIdle;

    @Option(names = "--warn-before", paramLabel = "DURATION",
        description = "Warn this long before (default: 24h, at most half of --max-idle).")
    String warnBefore;

    @Option(names = "--max-keep", paramLabel = "DURATION",
        description = "No ttl or keep-until keeps a stack longer than this after its last activity (default: 30d, at least --max-idle).")
    String maxKeep;

    @Option(names = "--now", paramLabel = "TIME",
        description = "Decide as if it were this time (an instant or a duration from now such as 7d); with --dry-run only.")
    String now;

    @Override
    public Integer call() {
      Clock clock = Clock.systemUTC();
      if (now != null) {
        if (!dryRun) {
          throw StackpipeException.ofField("now", "is only allowed with a dry run: a sweep reaps by the real time");
        }
        clock = Clock.fixed(date("now", now, clock), java.time.ZoneOffset.UTC);
      }
      try (KubeConnection kube = target.connect()) {
        ReapReport report = target.stacks(kube, clock).reaper().withMaxKeep(optionalDuration("maxKeep", maxKeep))
            .withMaxIdle(optionalDuration("maxIdle", maxIdle))
            .withWarnBefore(optionalDuration("warnBefore", warnBefore)).dryRun(dryRun).call();
        target.print(report, text(report));
        return report.with(ReapReport.Outcome.FAILED).isEmpty() ? 0 : Stackpipe.REFUSED;
      }
    }

    static String text(ReapReport report) {
      StringBuilder text = new StringBuilder();
      for (ReapReport.Entry e : report.entries()) {
        text.append(String.format(Locale.ROOT, "%-7s %s (owner %s): %s%n", e.outcome().name().toLowerCase(Locale.ROOT),
            e.stack(), e.owner(), e.reason()));
      }
      text.append(String.format(Locale.ROOT, "%d stacks of installation %s at %s: %d reaped, %d warned, %d kept, %d failed%s",
          report.entries().size(), report.installation(), report.at(), report.with(ReapReport.Outcome.REAPED).size(),
          report.with(ReapReport.Outcome.WARNED).size(), report.with(ReapReport.Outcome.KEPT).size(),
          report.with(ReapReport.Outcome.FAILED).size(), report.dryRun() ? " (dry run: nothing changed)" : ""));
      return text.toString();
    }
  }

  static Duration duration(String field, String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw StackpipeException.ofField(field, e.getMessage());
    }
  }

  /** {@code null} when the option is not given. */
  static Duration optionalDuration(String field, String text) {
    return text == null ? null : duration(field, text);
  }

  /** A date as people type it: an instant with offset, a day (its end, local time), or a duration from now. */
  static Instant date(String field, String text, Clock clock) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException notInstant) {
      try {
        return LocalDate.parse(text).plusDays(1).atStartOfDay(ZoneId.systemDefault()).toInstant();
      } catch (DateTimeParseException notDate) {
        try {
          return clock.instant().plus(Durations.parse(text));
        } catch (IllegalArgumentException notDuration) {
          throw StackpipeException.ofField(field, "\"" + text + "\" is not a date: use 2025-03-31,"
              + " 2025-03-31T18:00:00Z or a duration from now such as 14d");
        }
      }
    }
  }

  private StackCommand() {}
}
