package io.stackpipe.testsupport.kube;

import io.stackpipe.local.kube.ControlPlane;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real control plane per test JVM (started on first use, closed with the root context, killed by a shutdown
 * hook or the parent-death signal otherwise), and one fresh namespace per test.
 *
 * <p>Resolves {@link ControlPlane}, the admin {@link KubernetesClient}, {@code @KubeConfigPath Path} and
 * {@code @TestNamespace String}. Missing binaries fail the test with the command that provides them.
 */
public class ControlPlaneExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

  public static final String TEST_LABEL = "stackpipe.io/test";
  private static final Duration CONTROLLER_WAIT = Duration.ofSeconds(30);
  private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(ControlPlaneExtension.class);

  /** The shared control plane and its admin client, closed together when the test JVM's root context closes. */
  private record Shared(ControlPlane plane, KubernetesClient client) implements AutoCloseable {
    @Override
    public void close() {
      try {
        client.close();
      } finally {
        plane.close();
      }
    }
  }

  private Shared shared(ExtensionContext context) {
    return context.getRoot().getStore(STORE).getOrComputeIfAbsent(getClass(), key -> {
      ControlPlane plane = start(context);
      return new Shared(plane, plane.newClient());
    }, Shared.class);
  }

  /** The shared control plane, started on first use. */
  protected ControlPlane plane(ExtensionContext context) {
    return shared(context).plane();
  }

  /** Starts the control plane this extension shares. */
  protected ControlPlane start(ExtensionContext context) {
    return ControlPlane.start();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    Shared shared = shared(context);
    String name = namespaceFor(context);
    shared.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
        .addToLabels(TEST_LABEL, "true").endMetadata().build()).create();
    awaitControllers(shared.client(), name);
    context.getStore(STORE).put(getClass().getName() + ".namespace", name);
  }

  /**
   * A fresh namespace is filled asynchronously by the controller manager (service account "default", ConfigMap
   * kube-root-ca.crt): tests get it as a user finds one that has been there a moment, never half-made.
   */
  private static void awaitControllers(KubernetesClient client, String namespace) {
    client.serviceAccounts().inNamespace(namespace).withName("default")
        .waitUntilCondition(Objects::nonNull, CONTROLLER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    client.configMaps().inNamespace(namespace).withName("kube-root-ca.crt")
        .waitUntilCondition(Objects::nonNull, CONTROLLER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    String name = context.getStore(STORE).remove(getClass().getName() + ".namespace", String.class);
    if (name != null) {
      // No wait: the namespace controller finishes it while later tests run.
      shared(context).client().namespaces().withName(name).delete();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == ControlPlane.class
        || type == KubernetesClient.class
        || (type == Path.class && parameter.isAnnotated(KubeConfigPath.class))
        || (type == String.class && parameter.isAnnotated(TestNamespace.class));
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Shared shared = shared(context);
    Class<?> type = parameter.getParameter().getType();
    if (type == ControlPlane.class) {
      return shared.plane();
    }
    if (type == KubernetesClient.class) {
      return shared.client();
    }
    if (type == Path.class) {
      return shared.plane().kubeconfig();
    }
    String namespace = context.getStore(STORE).get(getClass().getName() + ".namespace", String.class);
    if (namespace == null) {
      throw new IllegalStateException("@TestNamespace is available in test methods only, not in "
          + context.getDisplayName());
    }
    return namespace;
  }

  /** DNS-1123 label from the test method name plus a random suffix: readable in logs, unique per run. */
  static String namespaceFor(ExtensionContext context) {
    String method = context.getTestMethod().map(m -> m.getName()).orElse("test");
    String base = method.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
    if (base.length() > 40) {
      base = base.substring(0, 40).replaceAll("-+$", "");
    }
    String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
    return "t-" + (base.isEmpty() ? "test" : base) + "-" + suffix;
  }
}
