package io.stackpipe.stack;

import static io.stackpipe.stack.StackFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.StackpipeException;
import io.stackpipe.kube.KubeRequests;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stack model on a real kube-apiserver: all state in namespaces, read back by any client. */
@WithControlPlane
class StacksTest {

  @Test
  void aStackIsANamespaceWithLabelsAndAnnotationsThatListShowAndJsonAgreeOn(@KubeConfigPath Path kubeconfig,
      @TestNamespace String ns, KubernetesClient admin) {
    try (StackFixture f = new StackFixture(kubeconfig, ns, admin)) {
      Stack created = f.stacks.create("pr-42").withOwner("alice").withPurpose("review of PR 42")
          .withTtl(Duration.ofDays(3)).withManifest(new StackManifest("shop", "1.4.0", "sha256:abc")).call();
      f.stacks.create("pr-43").withOwner("bob").call();

      Namespace live = admin.namespaces().withName(f.namespace("pr-42")).get();
      assertThat(live.getMetadata().getLabels()).containsAllEntriesOf(Map.of(
          "app.kubernetes.io/managed-by", "stackpipe", "stackpipe.io/stack", "pr-42",
          "stackpipe.io/stack-type", "ephemeral", "stackpipe.io/installation", ns));
      assertThat(live.getMetadata().getAnnotations()).containsAllEntriesOf(Map.of(
          "stackpipe.io/owner", "alice", "stackpipe.io/purpose", "review of PR 42",
          "stackpipe.io/created", T0.toString(), "stackpipe.io/last-activity", T0.toString(),
          "stackpipe.io/last-activity-kind", "create", "stackpipe.io/ttl", "3d",
          "stackpipe.io/manifest-chart", "shop", "stackpipe.io/manifest-version", "1.4.0",
          "stackpipe.io/manifest-digest", "sha256:abc"));
      assertThat(created.reapAt()).isEqualTo(T0.plus(Duration.ofDays(3)));

      f.clock.advance(Duration.ofHours(5));
      f.requests.clear();
      StackList alices = f.stacks.list("alice");
      assertThat(f.requests.all()).as("one LIST by label selector").singleElement().satisfies(r -> {
        assertThat(r.method()).isEqualTo("GET");
        assertThat(r.path()).startsWith("/api/v1/namespaces?labelSelector=");
      });
      assertThat(alices.stacks()).extracting(Stack::name).containsExactly("pr-42");
      assertThat(f.stacks.list(null).stacks()).extracting(Stack::name).containsExactly("pr-42", "pr-43");

      Map<String, Object> json = f.stacks.show("pr-42").toMap();
      assertThat(json).containsEntry("name", "pr-42").containsEntry("namespace", f.namespace("pr-42"))
          .containsEntry("type", "ephemeral").containsEntry("owner", "alice").containsEntry("state", "active")
          .containsEntry("idle", "5h").containsEntry("idleSeconds", 18000L).containsEntry("ttl", "3d")
          .containsEntry("reapAt", "2025-03-06T09:00:00Z").containsEntry("reapWarned", false)
          .containsEntry("manifest", Map.of("chart", "shop", "version", "1.4.0", "digest", "sha256:abc"));
      assertThat(alices.toMap()).containsEntry("installation", ns);
    }
  }

  @Test
  void touchAndExtendAreActivityAndExtendIsCapped(@KubeConfigPath Path kubeconfig, @TestNamespace String ns,
      KubernetesClient admin) {
    try (StackFixture f = new StackFixture(kubeconfig, ns, admin)) {
      f.stacks.create("pr-1").withOwner("alice").call();
      f.clock.advance(Duration.ofDays(2));
      Stack touched = f.stacks.touch("pr-1");
      assertThat(touched.lastActivity()).isEqualTo(T0.plus(Duration.ofDays(2)));
      assertThat(touched.lastActivityKind()).isEqualTo("touch");
      assertThat(touched.idle()).isZero();

      Stack extended = f.stacks.extend("pr-1", T0.plus(Duration.ofDays(12)), null);
      assertThat(extended.keepUntil()).isEqualTo(T0.plus(Duration.ofDays(12)));
      assertThat(extended.lastActivityKind()).isEqualTo("extend");
      assertThat(extended.reapAt()).isEqualTo(T0.plus(Duration.ofDays(19)));

      Stack cappedByPolicy = f.stacks.extend("pr-1", T0.plus(Duration.ofDays(100)), Duration.ofDays(14));
      assertThat(cappedByPolicy.keepUntil()).isEqualTo(T0.plus(Duration.ofDays(16)));
      Stack cappedByMaximum = f.stacks.extend("pr-1", T0.plus(Duration.ofDays(100)), Duration.ofDays(60));
      assertThat(cappedByMaximum.keepUntil()).isEqualTo(T0.plus(Duration.ofDays(32)));

      assertThatThrownBy(() -> f.stacks.extend("pr-1", T0, null))
          .isInstanceOfSatisfying(StackpipeException.class, e -> assertThat(e.field()).contains("until"))
          .hasMessage(T0 + " is not in the future");
    }
  }

  @Test
  void badNamesAndMissingStacksAreOneLineRefusalsThatWriteNothing(@KubeConfigPath Path kubeconfig,
      @TestNamespace String ns, KubernetesClient admin) {
    try (StackFixture f = new StackFixture(kubeconfig, ns, admin)) {
      for (String bad : new String[] {"My_Stack", "a".repeat(70), "../x"}) {
        assertThatThrownBy(() -> f.stacks.create(bad).withOwner("alice").call())
            .isInstanceOfSatisfying(StackpipeException.class, e -> assertThat(e.field()).contains("stack"));
      }
      assertThatThrownBy(() -> f.stacks.create("ok").call())
          .isInstanceOfSatisfying(StackpipeException.class, e -> assertThat(e.field()).contains("owner"))
          .hasMessage("is required");
      assertThatThrownBy(() -> f.stacks.create("ok").withOwner("a").withType(StackType.PERSISTENT)
          .withTtl(Duration.ofDays(1)).call()).hasMessage("only ephemeral stacks are reaped: a persistent stack takes no ttl");
      assertThat(f.requests.writes()).isEmpty();

      assertThatThrownBy(() -> f.stacks.show("nope"))
          .isInstanceOfSatisfying(StackpipeException.class, e -> assertThat(e.field()).contains("stack"))
          .hasMessage("no stack \"nope\" in installation " + ns + " (no namespace " + f.namespace("nope") + ")");
      assertThatThrownBy(() -> f.stacks.touch("nope")).hasMessageStartingWith("no stack \"nope\"");
      assertThat(f.requests.writes()).isEmpty();

      f.stacks.create("twice").withOwner("alice").call();
      assertThatThrownBy(() -> f.stacks.create("twice").withOwner("bob").call())
          .hasMessage("\"twice\" already exists (owner alice)");
    }
  }

  @Test
  void anotherInstallationsStackAndAPlainNamespaceAreNeitherShownNorTouchedNorDestroyed(
      @KubeConfigPath Path kubeconfig, @TestNamespace String ns, KubernetesClient admin) {
    try (StackFixture f = new StackFixture(kubeconfig, ns, admin)) {
      Stacks foreign = Stacks.on(f.kube, ns + "-other").withNamespacePrefix(f.prefix).withClock(f.clock);
      foreign.create("theirs").withOwner("carol").call();
      admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(f.namespace("plain"))
          .addToLabels("stackpipe.io/test-prefix", f.prefix.substring(0, f.prefix.length() - 1)).endMetadata()
          .build()).create();
      String theirsVersion = admin.namespaces().withName(f.namespace("theirs")).get().getMetadata().getResourceVersion();
      try {
        assertThat(f.stacks.list(null).stacks()).isEmpty();
        assertThatThrownBy(() -> f.stacks.destroy("theirs").call()).hasMessage("\"theirs\" belongs to installation "
            + ns + "-other, not " + ns + ": left alone");
        assertThatThrownBy(() -> f.stacks.touch("theirs")).hasMessageContaining("left alone");
        assertThatThrownBy(() -> f.stacks.destroy("plain").call()).hasMessage("namespace " + f.namespace("plain")
            + " exists but is not a Stackpipe stack: left alone");
        assertThat(admin.namespaces().withName(f.namespace("theirs")).get().getMetadata().getResourceVersion())
            .isEqualTo(theirsVersion);
        assertThat(admin.namespaces().withName(f.namespace("plain")).get().getMetadata().getDeletionTimestamp())
            .isNull();
      } finally {
        admin.namespaces().withLabel(Stack.INSTALLATION_LABEL, ns + "-other").delete();
      }
    }
  }

  @Test
  void destroyUninstallsReleasesStartsTheDeletionRecordsWhoAndASecondDestroyIsFine(
      @KubeConfigPath Path kubeconfig, @TestNamespace String ns, KubernetesClient admin) throws Exception {
    Path chart = Path.of(getClass().getResource("/charts/demo-app").toURI());
    try (StackFixture f = new StackFixture(kubeconfig, ns, admin)) {
      Stacks stacks = f.stacks.withRecordsIn(ns).withActor("bob");
      stacks.create("doomed").withOwner("alice").withPurpose("try things").call();
      f.kube.releases().install("web", f.namespace("doomed"), chart, Map.of());

      StackDestroyed destroyed = stacks.destroy("doomed").call();

      assertThat(destroyed.releases()).containsExactly("web");
      assertThat(destroyed.alreadyGone()).isFalse();
      Namespace going = admin.namespaces().withName(f.namespace("doomed")).get();
      assertThat(going == null || going.getMetadata().getDeletionTimestamp() != null).as("deletion under way").isTrue();
      assertThat(stacks.destroyed("doomed")).singleElement().satisfies(record -> {
        assertThat(record.owner()).isEqualTo("alice");
        assertThat(record.purpose()).isEqualTo("try things");
        assertThat(record.type()).isEqualTo(StackType.EPHEMERAL);
        assertThat(record.destroyedBy()).isEqualTo("bob");
        assertThat(record.via()).isEqualTo("destroy");
        assertThat(record.destroyedAt()).isEqualTo(StackFixture.T0);
      });

      StackDestroyed again = stacks.destroy("doomed").waitUntilGone().call();
      assertThat(again.alreadyGone()).isTrue();
      assertThat(again.gone()).isTrue();
      assertThat(admin.namespaces().withName(f.namespace("doomed")).get()).isNull();
      assertThat(stacks.destroy("doomed").call().toMap()).containsEntry("alreadyGone", true)
          .containsEntry("gone", true);
      assertThat(stacks.destroyed(null)).as("a destroy of nothing records nothing").hasSize(1);
    }
  }

  @Test
  void ensureMakesAStackOnceThenFindsItAndRefusesAnotherType(@KubeConfigPath Path kubeconfig,
      @TestNamespace String ns, KubernetesClient admin) {
    try (StackFixture f = new StackFixture(kubeconfig, ns, admin)) {
      EnsuredStack first = f.stacks.create("qa1").withOwner("team-qa").withType(StackType.PERSISTENT)
          .withPurpose("release train").ensure();
      String version = admin.namespaces().withName(f.namespace("qa1")).get().getMetadata().getResourceVersion();

      EnsuredStack again = f.stacks.create("qa1").withOwner("someone-else").withType(StackType.PERSISTENT).ensure();

      assertThat(first.createdNow()).isTrue();
      assertThat(again.createdNow()).isFalse();
      assertThat(again.stack().owner()).as("left as it is").isEqualTo("team-qa");
      assertThat(again.toMap()).containsEntry("createdNow", false).containsEntry("purpose", "release train");
      assertThat(admin.namespaces().withName(f.namespace("qa1")).get().getMetadata().getResourceVersion())
          .isEqualTo(version);
      assertThatThrownBy(() -> f.stacks.create("qa1").withOwner("ops").withType(StackType.PRODUCTION).ensure())
          .hasMessage("\"qa1\" exists as a persistent stack, not production");
      assertThatThrownBy(() -> f.stacks.create("qa1").withOwner("ops").withType(StackType.PERSISTENT).call())
          .as("a plain create still refuses an existing stack").hasMessageContaining("already exists");
    }
  }

  @Test
  void aStackOfTheSameNameIsCreatedOnceTheDestroyedOneIsGone(@KubeConfigPath Path kubeconfig,
      @TestNamespace String ns, KubernetesClient admin) {
    try (StackFixture f = new StackFixture(kubeconfig, ns, admin)) {
      f.stacks.create("again").withOwner("alice").call();
      assertThat(f.stacks.destroy("again").call().gone()).isFalse();

      Stack second = f.stacks.create("again").withOwner("bob").call();

      assertThat(second.owner()).isEqualTo("bob");
      assertThat(admin.namespaces().withName(f.namespace("again")).get().getMetadata().getDeletionTimestamp())
          .isNull();
    }
  }

  @Test
  void aProductionStackIsDestroyedOnlyWhenItsNameIsConfirmed(@KubeConfigPath Path kubeconfig,
      @TestNamespace String ns, KubernetesClient admin) {
    try (StackFixture f = new StackFixture(kubeconfig, ns, admin)) {
      Stacks stacks = f.stacks.withRecordsIn(ns).withActor("mallory");
      stacks.create("prod-eu").withOwner("ops").withType(StackType.PRODUCTION).call();
      stacks.create("qa1").withOwner("qa").withType(StackType.PERSISTENT).call();
      String version = admin.namespaces().withName(f.namespace("prod-eu")).get().getMetadata().getResourceVersion();

      assertThatThrownBy(() -> stacks.destroy("prod-eu").call())
          .isInstanceOfSatisfying(StackpipeException.class, e -> assertThat(e.field()).contains("confirm"))
          .hasMessage("\"prod-eu\" is a production stack: destroying it needs its name once more as confirmation");
      assertThatThrownBy(() -> stacks.destroy("prod-eu").withConfirmation("prod-us").call())
          .hasMessage("\"prod-us\" is not the stack's name (prod-eu)");
      assertThatThrownBy(() -> stacks.destroy("qa1").withConfirmation("prod-eu").call())
          .as("a confirmation names the stack destroyed").hasMessage("\"prod-eu\" is not the stack's name (qa1)");
      assertThat(admin.namespaces().withName(f.namespace("prod-eu")).get().getMetadata().getResourceVersion())
          .as("refusals change nothing").isEqualTo(version);
      assertThat(stacks.destroyed(null)).isEmpty();

      assertThat(stacks.destroy("qa1").call().alreadyGone()).as("persistent: no confirmation here").isFalse();
      assertThat(stacks.destroy("prod-eu").withConfirmation("prod-eu").call().alreadyGone()).isFalse();
      assertThat(stacks.destroyed(null)).extracting(DestroyedStack::name, DestroyedStack::type,
          DestroyedStack::destroyedBy).containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple("prod-eu", StackType.PRODUCTION, "mallory"),
              org.assertj.core.groups.Tuple.tuple("qa1", StackType.PERSISTENT, "mallory"));
    }
  }

  @Test
  void contentThatFailsLeavesNoHalfMadeStackUnlessAskedToKeepIt(@KubeConfigPath Path kubeconfig,
      @TestNamespace String ns, KubernetesClient admin) {
    try (StackFixture f = new StackFixture(kubeconfig, ns, admin)) {
      Stack filled = f.stacks.create("full").withOwner("alice").withContent(stack -> admin.configMaps()
          .inNamespace(stack.namespace()).resource(new ConfigMapBuilder().withNewMetadata().withName("content")
              .endMetadata().addToData("from", stack.name()).build()).create()).call();
      assertThat(admin.configMaps().inNamespace(filled.namespace()).withName("content").get().getData())
          .containsEntry("from", "full");

      assertThatThrownBy(() -> f.stacks.create("broken").withOwner("alice").withContent(stack -> {
        throw new StackpipeException("umbrella install failed");
      }).call()).hasMessage("umbrella install failed");
      Namespace broken = admin.namespaces().withName(f.namespace("broken")).get();
      assertThat(broken == null || broken.getMetadata().getDeletionTimestamp() != null).as("being deleted").isTrue();

      assertThatThrownBy(() -> f.stacks.create("kept").withOwner("alice").keepOnFailure(true).withContent(stack -> {
        throw new StackpipeException("umbrella install failed");
      }).call()).hasMessage("umbrella install failed");
      assertThat(f.stacks.show("kept").owner()).isEqualTo("alice");
      assertThat(admin.leases().inNamespace(f.namespace("kept")).withName(StackLock.LEASE_NAME).get().getSpec()
          .getHolderIdentity()).as("the lock is released also on failure").isNull();
    }
  }

  @Test
  void anAbortWhileTheContentIsMadeDestroysTheStackEvenIfKeptAndLeavesTheThreadInterrupted(
      @KubeConfigPath Path kubeconfig, @TestNamespace String ns, KubernetesClient admin) {
    try (StackFixture f = new StackFixture(kubeconfig, ns, admin)) {
      // As Jenkins' stop does: the thread is interrupted while the content talks to the cluster.
      assertThatThrownBy(() -> f.stacks.create("aborted").withOwner("alice").keepOnFailure(true).withContent(stack -> {
        Thread.currentThread().interrupt();
        f.stacks.show(stack.name());
      }).call()).hasMessage("aborted: stack aborted was being created, and is destroyed");

      assertThat(Thread.interrupted()).as("the abort still reaches the caller").isTrue();
      Namespace aborted = admin.namespaces().withName(f.namespace("aborted")).get();
      assertThat(aborted == null || aborted.getMetadata().getDeletionTimestamp() != null).as("being deleted").isTrue();
    }
  }
}
