package io.stackpipe.cli;

import io.stackpipe.manifest.l3.L3;
import io.stackpipe.installation.Session;
import io.stackpipe.status.Status;
import io.stackpipe.status.StatusReport;
import io.stackpipe.status.StatusServer;
import io.stackpipe.status.StatusText;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stackpipe status [--json]} and {@code stackpipe status serve}: the engine's {@code status} report. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "What is deployed where: L3, candidates, stacks with their services and drift from L3, history.",
    subcommands = StatusCommand.Serve.class)
final class StatusCommand implements Callable<Integer> {

  /** Which installation's stacks, and where its L3 is. */
  static final class Source {
    @Mixin
    InstallationOptions installation;

    @Option(names = "--history", paramLabel = "N", defaultValue = "20",
        description = "How many promotions and deploys to show (default: ${DEFAULT-VALUE}).")
    int history;

    /** The installation's status report; without --charts, no L3 and no drift. */
    Status status(Session session) {
      return session.status().withHistory(history);
    }
  }

  @Mixin
  Source source;

  @Option(names = "--json", description = "Print the report as JSON (schema: docs/status.schema.json).")
  boolean json;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (Session session = source.installation.open()) {
      StatusReport report = source.status(session).call();
      out.print(json ? Output.toJson(report.toMap()) + "\n" : StatusText.render(report));
      out.flush();
    }
    return 0;
  }

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = "Serve the status page (/), its JSON (/status.json) and /healthz over HTTP, read-only, until"
          + " stopped (Ctrl-C).")
  static final class Serve implements Callable<Integer> {
    @Mixin
    Source source;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
        description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
        description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only).")
    String bind;

    @Option(names = "--refresh", paramLabel = "SECONDS", defaultValue = "30",
        description = "Rebuild the report and reload the page at most this often (default: ${DEFAULT-VALUE}).")
    int refresh;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
      PrintWriter out = spec.commandLine().getOut();
      try (Session session = source.installation.open()) {
        Status status = source.status(session);
        try (StatusServer.Running server = StatusServer.of(status::call).withBind(bind).withPort(port)
            .withRefresh(Duration.ofSeconds(Math.max(1, refresh))).start()) {
          out.println("status page: " + server.address() + "  (JSON: " + server.address().resolve("/status.json")
              + ", health: " + server.address().resolve("/healthz") + "); Ctrl-C stops it");
          out.flush();
          // No Helm runs in this JVM, so SIGINT and SIGTERM end it as usual.
          new CountDownLatch(1).await();
        }
      }
      return 0;
    }
  }
}
