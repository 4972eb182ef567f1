package io.stackpipe.cli;

import io.stackpipe.StackpipeException;
import io.stackpipe.deploy.record.CanaryRecord;
import io.stackpipe.installation.Session;
import io.stackpipe.stack.DestroyedStack;
import io.stackpipe.stack.Durations;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.StackDestroyed;
import io.stackpipe.stack.StackList;
import io.stackpipe.stack.Stacks;
import io.stackpipe.stack.policy.StackPolicy;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code stackpipe stack …}: stacks as the engine's {@code stack} package keeps them in the cluster. */
@Command(name = "stack", mixinStandardHelpOptions = true,
    description = "Create, list, keep and destroy stacks (namespaces of one installation); reap idle ones.",
    subcommands = {StackCreateCommand.class, StackCommand.ListStacks.class, StackCommand.Show.class,
        StackCommand.Touch.class, StackCommand.Extend.class, StackCommand.Destroy.class, StackReapCommand.class,
        StackSyncCommand.class})
final class StackCommand {

  /** Where the stacks are (the installation's options) and how results are printed. */
  static final class Target {
    @Mixin
    InstallationOptions installation;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

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
      try (Session session = target.installation.open()) {
        return run(session);
      }
    }

    abstract int run(Session session);
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the installation's stacks.")
  static final class ListStacks extends StackSubcommand {
    @Option(names = "--owner", paramLabel = "O", description = "Only the stacks of this owner.")
    String owner;

    @Option(names = "--destroyed", description = "The stacks destroyed in the last 30 days instead: who destroyed"
        + " each, when and how (destroy, gate, reaper).")
    boolean destroyed;

    @Override
    int run(Session session) {
      if (destroyed) {
        return destroyed(session);
      }
      StackList list = session.stacks().list(owner);
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

    private int destroyed(Session session) {
      List<DestroyedStack> records = session.stacks().destroyed(null).stream()
          .filter(r -> owner == null || owner.equals(r.owner())).toList();
      StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%-24s %-10s %-12s %-20s %-16s %s",
          "NAME", "TYPE", "OWNER", "DESTROYED AT", "BY", "VIA"));
      for (DestroyedStack r : records) {
        text.append('\n').append(String.format(Locale.ROOT, "%-24s %-10s %-12s %-20s %-16s %s", r.name(),
            r.type() == null ? "?" : r.type().label(), r.owner(), r.destroyedAt(), r.destroyedBy(), r.via()));
      }
      if (records.isEmpty()) {
        text.append("\n(no destroyed stacks recorded)");
      }
      target.print(() -> Map.of("destroyed", records.stream().map(DestroyedStack::toMap).toList()), text.toString());
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one stack.")
  static final class Show extends StackSubcommand {
    @Parameters(paramLabel = "STACK")
    String name;

    @Override
    int run(Session session) {
      Stack stack = session.stacks().show(name);
      // Open canaries live in the stack's deploy history (docs/deploying.md).
      Map<String, CanaryRecord> canaries = session.deployHistory(stack).canaries();
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
    int run(Session session) {
      Stack stack = session.stacks().touch(name);
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

    @Override
    int run(Session session) {
      Stacks stacks = session.stacks();
      Instant wanted = date("until", until, stacks.clock());
      // The --policy's maxKeepUntil caps the date.
      Duration cap = session.policies().forStack(name).flatMap(StackPolicy::maxKeep).orElse(null);
      Stack stack = stacks.extend(name, wanted, cap);
      target.print(stack, stack.name() + " kept until " + stack.keepUntil()
          + (stack.keepUntil().isBefore(wanted.truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
              ? " (capped: " + wanted + " is further than the maximum allows)" : "")
          + "; reaped if idle until " + stack.reapAt());
      return 0;
    }
  }

  @Command(name = "destroy", mixinStandardHelpOptions = true, resourceBundle = "io.stackpipe.cli.StepHelp",
      description = "Uninstall a stack's releases and delete its namespace, recorded with who did it (see 'stack"
          + " list --destroyed'); returns once Kubernetes is deleting it unless --wait.")
  static final class Destroy extends StackSubcommand {
    @Parameters(paramLabel = "STACK")
    String name;

    @Option(names = "--confirm", paramLabel = "STACK", descriptionKey = "destroyStack.confirm")
    String confirm;

    @Option(names = "--wait", description = "Wait until the namespace is gone.")
    boolean waitUntilGone;

    @Override
    int run(Session session) {
      var destroy = session.stacks().destroy(name).withConfirmation(confirm);
      StackDestroyed destroyed = (waitUntilGone ? destroy.waitUntilGone() : destroy).call();
      target.print(destroyed, destroyed.alreadyGone()
          ? "stack " + name + (destroyed.gone() ? " is already gone" : " is already being deleted")
          : "destroyed stack " + name + " (namespace " + destroyed.namespace()
              + (destroyed.gone() ? " deleted" : " being deleted")
              + (destroyed.releases().isEmpty() ? "" : "; uninstalled " + String.join(", ", destroyed.releases())) + ")");
      return 0;
    }
  }

  static Duration duration(String field, String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw StackpipeException.ofField(field, e.getMessage());
    }
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
