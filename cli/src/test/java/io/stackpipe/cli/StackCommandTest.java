package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.Kubeconfigs;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `stackpipe stack …` in-process on the real control plane; the test's namespace name is the installation. */
@WithControlPlane
class StackCommandTest {

  private static CliRun stack(Path kubeconfig, String installation, String... args) {
    String[] all = new String[args.length + 7];
    all[0] = "stack";
    System.arraycopy(args, 0, all, 1, args.length);
    int i = args.length + 1;
    all[i++] = "--kubeconfig";
    all[i++] = kubeconfig.toString();
    all[i++] = "--installation";
    all[i++] = installation;
    all[i++] = "--namespace-prefix";
    all[i] = installation.substring(installation.lastIndexOf('-') + 1) + "-";
    return CliRun.run(all);
  }

  @Test
  void createListShowAndReapSpeakJsonAndRefusalsNameTheFlag(@KubeConfigPath Path kubeconfig,
      @TestNamespace String ns, KubernetesClient admin) throws Exception {
    String prefix = ns.substring(ns.lastIndexOf('-') + 1) + "-";
    try {
      CliRun created = stack(kubeconfig, ns, "create", "pr-1", "--owner", "alice", "--ttl", "2d");
      assertThat(created.exitCode()).as(created.err()).isZero();
      assertThat(created.out()).startsWith("created stack pr-1 (ephemeral, owner alice) in namespace " + prefix + "pr-1");

      JsonNode list = new ObjectMapper().readTree(stack(kubeconfig, ns, "list", "--json").out());
      assertThat(list.path("installation").asText()).isEqualTo(ns);
      assertThat(list.path("stacks")).hasSize(1);
      assertThat(list.path("stacks").get(0).path("ttl").asText()).isEqualTo("2d");
      JsonNode shown = new ObjectMapper().readTree(stack(kubeconfig, ns, "show", "pr-1", "--json").out());
      assertThat(shown.path("namespace").asText()).isEqualTo(prefix + "pr-1");

      JsonNode report = new ObjectMapper().readTree(stack(kubeconfig, ns, "reap", "--dry-run", "--now", "3d",
          "--json").out());
      assertThat(report.path("dryRun").asBoolean()).isTrue();
      assertThat(report.path("reaped").get(0).path("stack").asText()).isEqualTo("pr-1");
      assertThat(report.path("reaped").get(0).path("reason").asText()).startsWith("would be reaped: idle 3d");
      assertThat(report.path("abandoned").isArray()).as("a dry run closes no candidate").isTrue();
      assertThat(report.path("abandoned")).isEmpty();

      // An idle limit under a day, with the warning given before or after it; left out, the warning adapts.
      for (List<String> options : List.of(List.of("--max-idle", "12h", "--warn-before", "1h"),
          List.of("--warn-before", "1h", "--max-idle", "12h"), List.of("--max-idle", "12h"))) {
        List<String> args = new ArrayList<>(List.of("reap", "--dry-run", "--json"));
        args.addAll(options);
        CliRun halfDay = stack(kubeconfig, ns, args.toArray(String[]::new));
        assertThat(halfDay.exitCode()).as(halfDay.err()).isZero();
        JsonNode policy = new ObjectMapper().readTree(halfDay.out());
        assertThat(policy.path("maxIdle").asText()).isEqualTo("12h");
        assertThat(policy.path("warnBefore").asText()).isEqualTo(options.size() == 4 ? "1h" : "6h");
      }
      CliRun conflicting = stack(kubeconfig, ns, "reap", "--max-idle", "12h", "--warn-before", "13h");
      assertThat(conflicting.exitCode()).isEqualTo(1);
      assertThat(conflicting.err())
          .isEqualTo("stackpipe: --warn-before: 13h must be shorter than the maximum idle time 12h\n");

      CliRun badName = stack(kubeconfig, ns, "create", "My_Stack", "--owner", "alice");
      assertThat(badName.exitCode()).isEqualTo(1);
      assertThat(badName.err()).startsWith("stackpipe: STACK: \"My_Stack\" is not a valid stack name").hasLineCount(1);
      CliRun badTtl = stack(kubeconfig, ns, "create", "pr-2", "--owner", "alice", "--ttl", "forever");
      assertThat(badTtl.err()).isEqualTo("stackpipe: --ttl: \"forever\" is not a duration such as 7d, 24h, 90m or 1d12h\n");
      CliRun badType = stack(kubeconfig, ns, "create", "pr-2", "--owner", "alice", "--type", "scratch");
      assertThat(badType.err()).isEqualTo("stackpipe: --type: \"scratch\" is not a stack type (one of ephemeral,"
          + " persistent, production)\n");
      CliRun reapNow = stack(kubeconfig, ns, "reap", "--now", "3d");
      assertThat(reapNow.exitCode()).isEqualTo(1);
      assertThat(reapNow.err()).isEqualTo("stackpipe: --now: is only allowed with a dry run: a sweep reaps by the real time\n");
      assertThat(admin.namespaces().withName(prefix + "pr-2").get()).isNull();
      assertThat(admin.namespaces().withName(prefix + "pr-1").get().getMetadata().getDeletionTimestamp()).isNull();

      CliRun destroyed = stack(kubeconfig, ns, "destroy", "pr-1");
      assertThat(destroyed.out()).isEqualTo("destroyed stack pr-1 (namespace " + prefix + "pr-1 being deleted)\n");
      assertThat(stack(kubeconfig, ns, "destroy", "pr-1", "--wait").out())
          .isEqualTo("stack pr-1 is already gone\n");
      assertThat(admin.namespaces().withName(prefix + "pr-1").get()).as("--wait waited").isNull();
      assertThat(stack(kubeconfig, ns, "destroy", "pr-1").out()).isEqualTo("stack pr-1 is already gone\n");
    } finally {
      admin.namespaces().withLabel("stackpipe.io/installation", ns).delete();
    }
  }

  @Test
  void contextChoosesAContextOfTheKubeconfigAndAnUnknownOneIsRefusedListingThem(ControlPlane plane,
      @KubeConfigPath Path kubeconfig, @TestNamespace String ns, @TempDir Path dir) {
    Map<String, Path> contexts = new LinkedHashMap<>();
    contexts.put("admin", kubeconfig);
    contexts.put("alice", plane.writeKubeconfig(dir.resolve("alice.kubeconfig"), "alice", Set.of()));
    Path two = Kubeconfigs.merge(dir.resolve("two.kubeconfig"), contexts, "admin");

    assertThat(stack(two, ns, "list").exitCode()).isZero();
    CliRun asAlice = stack(two, ns, "list", "--context", "alice");
    assertThat(asAlice.exitCode()).isEqualTo(1);
    assertThat(asAlice.err()).startsWith("stackpipe: forbidden: user \"alice\" cannot list namespaces")
        .hasLineCount(1);
    CliRun unknown = stack(two, ns, "list", "--context", "prod");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err()).isEqualTo("stackpipe: --context: no context 'prod' in kubeconfig " + two
        + " (it has: admin, alice)\n");
  }
}
