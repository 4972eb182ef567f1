package io.stackpipe.testsupport.registry;

import io.stackpipe.local.registry.LocalRegistry;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands tests a {@link LocalRegistry}: one real registry per test JVM, stopped when the JVM's tests end.
 * Tests that need an isolated repository use a path of their own under it.
 */
public final class RegistryExtension implements ParameterResolver {

  public static final String PER_CLASS = "stackpipe.test.registry-per-class";

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LocalRegistry.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return shared(context);
  }

  /**
   * The test JVM's registry, started on first use (the shared node pulls its images from it too); with system
   * property {@value #PER_CLASS} {@code true}, the top-level test class's own, for test classes that push to the
   * same repository paths (the guides) yet share a JVM.
   */
  public static LocalRegistry shared(ExtensionContext context) {
    return scope(context)
        .getStore(ExtensionContext.Namespace.create(RegistryExtension.class))
        .getOrComputeIfAbsent(Shared.class, k -> new Shared(LocalRegistry.start()), Shared.class)
        .registry;
  }

  private static ExtensionContext scope(ExtensionContext context) {
    if (!Boolean.getBoolean(PER_CLASS)) {
      return context.getRoot();
    }
    ExtensionContext scope = context;
    while (scope.getParent().filter(p -> p != context.getRoot()).isPresent()) {
      scope = scope.getParent().get();
    }
    return scope;
  }

  private record Shared(LocalRegistry registry) implements AutoCloseable {
    @Override
    public void close() {
      registry.close();
    }
  }
}
