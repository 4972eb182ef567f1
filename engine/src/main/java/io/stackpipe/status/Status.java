package io.stackpipe.status;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stackpipe.deploy.record.DeployedServices;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.StackList;
import io.stackpipe.stack.Stacks;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Builds the {@link StatusReport} of one installation with a fixed number of API requests, whatever the number of
 * stacks or services: ONE LIST of the stacks' namespaces (their labels and annotations say type, owner, purpose,
 * times and manifest), ONE LIST of the stacks' {@link DeployedServices} records (by label, across namespaces:
 * a few hundred bytes per service instead of Helm's release Secrets with the whole chart inside), and the L3
 * pointer and candidates through {@link L3Source}. No per-stack or per-release call.
 *
 * <pre>{@code
 * StatusReport report = Status.of(stacks).withL3(l3).withHistory(20).call();
 * }</pre>
 */
public final class Status {
  private final Stacks stacks;
  private L3Source l3 = L3Source.NONE;
  private int historyLimit = 20;
  private int candidateLimit = 20;

  private Status(Stacks stacks) {
    this.stacks = stacks;
  }

  public static Status of(Stacks stacks) {
    return new Status(stacks);
  }

  public Status withL3(L3Source value) {
    this.l3 = value;
    return this;
  }

  /** How many promotions and deploys the history shows (default 20). */
  public Status withHistory(int value) {
    this.historyLimit = value;
    return this;
  }

  /** How many of the newest candidates the report shows (default 20). */
  public Status withCandidates(int value) {
    this.candidateLimit = value;
    return this;
  }

  public StatusReport call() {
    // The three reads are independent: the records and L3 are read while the namespaces are listed.
    CompletableFuture<Map<String, List<DeployedServices.Service>>> records =
        CompletableFuture.supplyAsync(this::deployedByNamespace);
    CompletableFuture<L3Read> l3Read = CompletableFuture.supplyAsync(() -> {
      StatusReport.L3 current = l3.current();
      return new L3Read(current, l3.candidates(candidateLimit), l3.promotions(historyLimit));
    });
    StackList listed = stacks.list(null);
    Map<String, List<DeployedServices.Service>> deployed = join(records);
    L3Read read = join(l3Read);
    StatusReport.L3 current = read.current();
    Map<String, String> l3Services = current == null ? null : current.services();
    List<StatusReport.StackStatus> rows = new ArrayList<>();
    List<StatusReport.HistoryEntry> history = new ArrayList<>(read.promotions());
    for (Stack stack : listed.stacks()) {
      List<DeployedServices.Service> services = deployed.getOrDefault(stack.namespace(), List.of());
      Map<String, String> versions = new LinkedHashMap<>();
      for (DeployedServices.Service s : services) {
        if (!s.canary()) {
          versions.put(s.service(), s.version());
        }
        history.add(new StatusReport.HistoryEntry(instant(s.deployedAt()), "deploy", stack.name(), s.service(),
            s.version(), s.deployedBy(), s.profile()));
      }
      rows.add(new StatusReport.StackStatus(stack, services,
          l3Services == null ? List.of() : Drift.between(l3Services, versions)));
    }
    history.sort(Comparator.comparing(StatusReport.HistoryEntry::at, Comparator.nullsLast(Comparator.reverseOrder())));
    return new StatusReport(listed.at(), stacks.installation(), current, read.candidates(), rows,
        history.subList(0, Math.min(historyLimit, history.size())));
  }

  private record L3Read(StatusReport.L3 current, List<StatusReport.Candidate> candidates,
      List<StatusReport.HistoryEntry> promotions) {}

  /** The value, or the read's own exception (a one-line refusal stays one). */
  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** Every deployed-services record of the installation, in one LIST by label. */
  private Map<String, List<DeployedServices.Service>> deployedByNamespace() {
    KubeConnection kube = stacks.kube();
    List<ConfigMap> records;
    try {
      records = kube.client().configMaps().inAnyNamespace()
          .withLabel(DeployedServices.RECORD_LABEL, DeployedServices.RECORD)
          .withLabel(Stack.INSTALLATION_LABEL, stacks.installation()).list().getItems();
    } catch (KubernetesClientException e) {
      throw kube.translate(e, "list", "configmaps", null);
    }
    Map<String, List<DeployedServices.Service>> byNamespace = new HashMap<>();
    for (ConfigMap record : records) {
      String namespace = record.getMetadata().getNamespace();
      String json = record.getData() == null ? null : record.getData().get(DeployedServices.DATA_KEY);
      byNamespace.put(namespace, DeployedServices.parse(json, namespace + "/" + record.getMetadata().getName()));
    }
    return byNamespace;
  }

  private static Instant instant(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
