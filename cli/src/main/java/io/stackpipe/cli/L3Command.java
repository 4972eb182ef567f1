package io.stackpipe.cli;

import io.stackpipe.Result;
import io.stackpipe.StackpipeException;
import io.stackpipe.installation.Session;
import io.stackpipe.umbrella.ServiceVersion;
import io.stackpipe.manifest.l3.Candidate;
import io.stackpipe.manifest.l3.Change;
import io.stackpipe.manifest.l3.L3;
import io.stackpipe.manifest.l3.L3History;
import io.stackpipe.manifest.l3.L3Shown;
import io.stackpipe.manifest.l3.L3Version;
import io.stackpipe.manifest.l3.ManifestDiff;
import io.stackpipe.manifest.l3.Promoted;
import io.stackpipe.manifest.l3.Promotion;
import java.io.PrintWriter;
import java.util.ArrayList;
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

/** {@code stackpipe l3 …}: the L3 manifest as the engine's {@code manifest.l3} package keeps it. */
@Command(name = "l3", mixinStandardHelpOptions = true,
    description = "The L3 manifest: the service versions that passed system tests, and candidates for it.",
    subcommands = {L3Command.Init.class, L3Command.NewCandidate.class, L3Command.RemoveService.class,
        L3Command.Promote.class, L3Command.Rebase.class, L3Command.Reject.class, L3Command.Show.class,
        L3Command.Candidates.class, L3Command.History.class, L3Command.Diff.class,
        L3GateCommand.class})
final class L3Command {

  /** Where L3 is (the installation's options: its registry, umbrella, control namespace) and how to print. */
  static final class Target {
    @Mixin
    InstallationOptions installation;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    void print(Result result, String text) {
      PrintWriter out = spec.commandLine().getOut();
      out.println(json ? Output.toJson(result.toMap()) : text);
      out.flush();
    }
  }

  abstract static class L3Subcommand implements Callable<Integer> {
    @Mixin
    Target target;

    @Override
    public Integer call() {
      try (Session session = target.installation.open()) {
        return run(session.l3());
      }
    }

    abstract int run(L3 l3);
  }

  @Command(name = "init", description = "Bootstrap the first L3: empty, or from chart versions in --charts.")
  static final class Init extends L3Subcommand {
    @Option(names = "--from", paramLabel = "NAME=VERSION", split = ",",
        description = "A service chart of the first L3 (repeat, or separate with commas).")
    List<String> from = new ArrayList<>();

    @Override
    int run(L3 l3) {
      List<ServiceVersion> services = from.isEmpty() ? List.of()
          : ServiceVersion.parseList(String.join(",", from), "from");
      L3Version first = l3.init().withFrom(services).call();
      target.print(first, "L3 " + describe(first) + "\n" + services(first.services()));
      return 0;
    }
  }

  @Command(name = "candidate", description = "Make a candidate: the current L3 with one service at a new version"
      + " (or a new service), pushed as an umbrella to test.")
  static final class NewCandidate extends L3Subcommand {
    @Option(names = "--service", paramLabel = "NAME", description = "The service chart that changes.")
    String service;

    @Option(names = "--version", paramLabel = "V", description = "Its new chart version (in --charts).")
    String version;

    @Parameters(paramLabel = "NAME=VERSION", arity = "0..*",
        description = "Instead of --service/--version: pins of which exactly one may differ from L3.")
    List<String> pins = new ArrayList<>();

    @Option(names = "--build-url", paramLabel = "URL", description = "The CI build that asks, recorded.")
    String buildUrl;

    @Override
    int run(L3 l3) {
      Candidate candidate;
      if (pins.isEmpty()) {
        if (service == null || version == null) {
          throw StackpipeException.ofField(service == null ? "service" : "version",
              "is required (or give NAME=VERSION pins)");
        }
        candidate = l3.candidate(service, version).withBuildUrl(buildUrl).call();
      } else {
        if (service != null || version != null) {
          throw StackpipeException.ofField("service", "give either --service/--version or NAME=VERSION pins");
        }
        candidate = l3.candidate(ServiceVersion.parseList(String.join(",", pins), "service")).withBuildUrl(buildUrl)
            .call();
      }
      target.print(candidate, describe(candidate));
      return 0;
    }
  }

  @Command(name = "remove-service", description = "Make a candidate: the current L3 without one service.")
  static final class RemoveService extends L3Subcommand {
    @Option(names = "--service", paramLabel = "NAME", required = true, description = "The service to remove.")
    String service;

    @Option(names = "--build-url", paramLabel = "URL", description = "The CI build that asks, recorded.")
    String buildUrl;

    @Override
    int run(L3 l3) {
      Candidate candidate = l3.removeService(service).withBuildUrl(buildUrl).call();
      target.print(candidate, describe(candidate));
      return 0;
    }
  }

  @Command(name = "promote", description = "Make a candidate L3, if L3 is still its base (else it becomes stale).")
  static final class Promote extends L3Subcommand {
    @Parameters(paramLabel = "CANDIDATE", description = "The candidate's id.")
    String candidate;

    @Override
    int run(L3 l3) {
      Promoted promoted = l3.promote(candidate).call();
      target.print(promoted, "promoted " + candidate + ": " + promoted.candidate().change()
          + "\n  L3 before: " + describe(promoted.before()) + "\n  L3 after:  " + describe(promoted.after()));
      return 0;
    }
  }

  @Command(name = "rebase", description = "Make a fresh candidate on the current L3 with the same change as CANDIDATE.")
  static final class Rebase extends L3Subcommand {
    @Parameters(paramLabel = "CANDIDATE", description = "The (stale) candidate's id.")
    String candidate;

    @Override
    int run(L3 l3) {
      Candidate fresh = l3.rebase(candidate).call();
      target.print(fresh, describe(fresh) + "\n  rebased from " + candidate);
      return 0;
    }
  }

  @Command(name = "reject", description = "Reject a candidate.")
  static final class Reject extends L3Subcommand {
    @Parameters(paramLabel = "CANDIDATE", description = "The candidate's id.")
    String candidate;

    @Option(names = "--reason", paramLabel = "TEXT", required = true, description = "Why.")
    String reason;

    @Override
    int run(L3 l3) {
      Candidate rejected = l3.reject(candidate).withReason(reason).call();
      target.print(rejected, "rejected " + rejected.id() + " (" + rejected.change() + "): " + rejected.reason());
      return 0;
    }
  }

  @Command(name = "show", description = "Show the current L3, its services and the open candidates.")
  static final class Show extends L3Subcommand {
    @Override
    int run(L3 l3) {
      L3Shown shown = l3.show().call();
      L3Version c = shown.current();
      StringBuilder text = new StringBuilder("L3 ").append(describe(c))
          .append("\n  helm install NAME ").append(c.chart()).append(" --version ").append(c.version())
          .append("\n  ").append(promotion(c.promotion())).append("\n").append(services(c.services()));
      text.append(shown.open().isEmpty() ? "\nno open candidates" : "\nopen candidates:");
      shown.open().forEach(candidate -> text.append("\n  ").append(line(candidate)));
      if (shown.tagRepaired()) {
        text.append("\n(registry tag ").append(L3.TAG).append(" was behind the pointer: repaired)");
      }
      target.print(shown, text.toString());
      return 0;
    }
  }

  @Command(name = "candidates", description = "List the candidates kept, newest first, with their verdicts.")
  static final class Candidates extends L3Subcommand {
    @Override
    int run(L3 l3) {
      List<Candidate> all = l3.listCandidates();
      StringBuilder text = new StringBuilder();
      all.forEach(candidate -> text.append(text.isEmpty() ? "" : "\n").append(line(candidate)));
      target.print(() -> Map.of("candidates", all.stream().map(Candidate::toMap).toList()),
          all.isEmpty() ? "no candidates" : text.toString());
      return 0;
    }
  }

  @Command(name = "history", description = "List L3's promotions, newest first.")
  static final class History extends L3Subcommand {
    @Option(names = "--service", paramLabel = "NAME", description = "Only the promotions that changed this service.")
    String service;

    @Override
    int run(L3 l3) {
      L3History history = l3.history().withService(service).call();
      StringBuilder text = new StringBuilder();
      for (Promotion p : history.promotions()) {
        text.append(text.isEmpty() ? "" : "\n").append(String.format(Locale.ROOT, "#%-4d %-28s %s", p.sequence(),
            p.version(), promotion(p)));
      }
      target.print(history, history.promotions().isEmpty() ? "no promotions" + (service == null ? "" : " of " + service)
          : text.toString());
      return 0;
    }
  }

  @Command(name = "diff", description = "Services added, changed and removed from FROM to TO (l3, l3:N, a candidate id,"
      + " or an umbrella version).")
  static final class Diff extends L3Subcommand {
    @Parameters(index = "0", paramLabel = "FROM")
    String from;

    @Parameters(index = "1", paramLabel = "TO")
    String to;

    @Override
    int run(L3 l3) {
      ManifestDiff diff = l3.diff(from, to).call();
      StringBuilder text = new StringBuilder(from + " (" + diff.fromVersion() + ") → " + to + " ("
          + diff.toVersion() + "): ");
      text.append(diff.changes().isEmpty() ? "no difference" : diff.changes().size() + " services differ");
      for (Change change : diff.changes()) {
        text.append(String.format(Locale.ROOT, "%n  %-8s %-20s %s", change.kind(), change.service(),
            change.kind().equals(Change.CHANGED) ? change.from() + " → " + change.to()
                : change.kind().equals(Change.ADDED) ? change.to() : change.from()));
      }
      target.print(diff, text.toString());
      return 0;
    }
  }

  static String describe(L3Version l3) {
    return l3.manifest() + " #" + l3.sequence() + " " + l3.version() + " (" + l3.services().size() + " services) "
        + l3.reference();
  }

  static String describe(Candidate c) {
    return "candidate " + c.id() + " (" + c.verdict().label() + "): " + c.change() + " on L3 " + c.base() + " (#"
        + c.baseSequence() + ")\n  " + c.manifest() + " " + c.version() + " " + c.reference();
  }

  private static String line(Candidate c) {
    return String.format(Locale.ROOT, "%-10s %-9s %-36s on #%d by %s at %s%s%s", c.id(), c.verdict().label(),
        c.change(), c.baseSequence(), c.creator(), c.created(), c.buildUrl() == null ? "" : " in " + c.buildUrl(),
        c.reason().isEmpty() ? "" : ": " + c.reason());
  }

  private static String promotion(Promotion p) {
    return (p.change() == null ? "initialised" : "promoted " + p.candidate() + " (" + p.change() + ")") + " by "
        + p.by() + " at " + p.at();
  }

  private static String services(Map<String, String> services) {
    if (services.isEmpty()) {
      return "services: none";
    }
    StringBuilder text = new StringBuilder("services:");
    services.forEach((name, version) -> text.append(String.format(Locale.ROOT, "%n  %-20s %s", name, version)));
    return text.toString();
  }
}
