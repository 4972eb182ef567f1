package io.stackpipe.installation;

import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stackpipe.Masking;
import io.stackpipe.Result;
import io.stackpipe.base.Messages;
import io.stackpipe.chart.OciChartTarget;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.secrets.core.SecretsEnvironment;
import io.stackpipe.secrets.keys.SecretKeys;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * "Test connection": whether an installation's settings work, one line per part — the cluster (reachable, who the
 * credential is, whether it may create and delete namespaces, as stacks need), the chart registry (reachable, its
 * credential accepted, by listing the manifest's versions) and the keys (the age identities parse; the KMS endpoint
 * answers). Reads only: nothing is created. Every part is checked whatever the others gave; a message never shows a
 * credential ({@link Installation#masking}).
 *
 * <pre>{@code
 * InstallationCheck.Report report = installation.check(environment).call();
 * report.lines().forEach(line -> System.out.println(line));
 * }</pre>
 */
public final class InstallationCheck {

  /** What a line is about. */
  public enum Part { CLUSTER, REGISTRY, KEYS }

  /** How a part fared: {@code SKIPPED} when the settings name nothing to check for it. */
  public enum Outcome { OK, FAILED, SKIPPED }

  /** One part's outcome and what was found, on one line. */
  public record Line(Part part, Outcome outcome, String message) {
    public Line {
      Objects.requireNonNull(part, "part");
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
      return part.name().toLowerCase() + ": " + outcome + " " + message;
    }
  }

  /** The lines, cluster, registry and keys in this order. */
  public record Report(List<Line> lines) implements Result {
    public Report {
      lines = List.copyOf(lines);
    }

    /** No part failed. */
    public boolean ok() {
      return lines.stream().noneMatch(line -> line.outcome() == Outcome.FAILED);
    }

    public Line line(Part part) {
      return lines.stream().filter(line -> line.part() == part).findFirst().orElseThrow();
    }

    @Override
    public Map<String, Object> toMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("ok", ok());
      for (Line line : lines) {
        map.put(line.part().name().toLowerCase(), Map.of("outcome", line.outcome().name(), "message", line.message()));
      }
      return map;
    }
  }

  private final Installation installation;
  private final SessionEnvironment environment;
  private Duration timeout = Duration.ofSeconds(10);

  InstallationCheck(Installation installation, SessionEnvironment environment) {
    this.installation = installation;
    this.environment = environment;
  }

  /** How long the KMS endpoint may take to answer (default 10 s). */
  public InstallationCheck withTimeout(Duration value) {
    this.timeout = value;
    return this;
  }

  public Report call() {
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    Masking masking = installation.masking(environment.variables());
    List<Line> lines = new ArrayList<>();
    lines.add(part(Part.CLUSTER, masking, this::cluster));
    lines.add(part(Part.REGISTRY, masking, this::registry));
    lines.add(part(Part.KEYS, masking, this::keys));
    return new Report(lines);
  }

  private interface Check {
    Line run() throws Exception;
  }

  private static Line part(Part part, Masking masking, Check check) {
    try {
      Line line = check.run();
      return new Line(part, line.outcome(), masking.mask(line.message()));
    } catch (Exception e) {
      return new Line(part, Outcome.FAILED, masking.mask(Messages.firstLine(e)));
    }
  }

  private Line cluster() {
    try (Session session = installation.open(environment)) {
      KubeConnection kube = session.kube();
      KubernetesClient client = kube.client();
      String who;
      List<String> denied = new ArrayList<>();
      try {
        SelfSubjectReview review = client.authentication().v1().selfSubjectReviews().create(new SelfSubjectReview());
        UserInfo user = review.getStatus() == null ? null : review.getStatus().getUserInfo();
        who = user == null || user.getUsername() == null ? "an unnamed user" : user.getUsername();
        for (String verb : List.of("create", "delete")) {
          if (!allowed(client, verb, "namespaces")) {
            denied.add(verb);
          }
        }
      } catch (KubernetesClientException e) {
        // fabric8's own message is often only "An error has occurred."; the connection's names the cause.
        throw kube.translate(e, "create", "selfsubjectreviews", null);
      }
      String where = kube.server().replaceAll("/+$", "") + " as " + who;
      if (!denied.isEmpty()) {
        return new Line(Part.CLUSTER, Outcome.FAILED, where + " may not " + String.join(" or ", denied)
            + " namespaces, which stacks need");
      }
      return new Line(Part.CLUSTER, Outcome.OK, where + ": may create and delete namespaces");
    }
  }

  private static boolean allowed(KubernetesClient client, String verb, String resource) {
    SelfSubjectAccessReview review = client.authorization().v1().selfSubjectAccessReview().create(
        new SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes().withVerb(verb)
            .withResource(resource).endResourceAttributes().endSpec().build());
    return review.getStatus() != null && Boolean.TRUE.equals(review.getStatus().getAllowed());
  }

  private Line registry() {
    if (installation.charts() == null) {
      return new Line(Part.REGISTRY, Outcome.SKIPPED, "no chart registry configured");
    }
    OciChartTarget target = OciChartTarget.parse(installation.charts());
    var auth = installation.registryAuth(environment);
    String credential = auth.credential(target.host()).map(c -> "credential " + c.source()).orElse("no credential");
    String repository = target.repository(installation.manifestName());
    int versions = target.registry(installation.plainHttp(), auth).tags(repository).size();
    return new Line(Part.REGISTRY, Outcome.OK, target + " reachable with " + credential + ": " + versions
        + " version(s) of " + installation.manifestName());
  }

  private Line keys() throws IOException, InterruptedException {
    List<String> found = new ArrayList<>();
    if (installation.ageKey() != null) {
      // Parses the identities as the steps will, refusing one that does not parse (naming the age key).
      SecretKeys.of(SecretsEnvironment.of(Map.of(), null), installation.ageKey().reveal(), null);
      long count = installation.ageKey().reveal().lines().filter(l -> l.strip().startsWith("AGE-SECRET-KEY-")).count();
      found.add(count + " age identit" + (count == 1 ? "y" : "ies") + " parsed");
    }
    if (installation.kmsEndpoint() != null) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
      HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(URI.create(installation.kmsEndpoint()))
          .timeout(timeout).GET().build(), HttpResponse.BodyHandlers.discarding());
      found.add("KMS endpoint " + installation.kmsEndpoint() + " answers (HTTP " + answer.statusCode() + ")");
    }
    if (found.isEmpty()) {
      return new Line(Part.KEYS, Outcome.SKIPPED, "no age key and no KMS endpoint configured (the agent's own"
          + " environment is used)");
    }
    return new Line(Part.KEYS, Outcome.OK, String.join("; ", found));
  }
}
