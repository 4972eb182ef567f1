package io.stackpipe.testsupport.registry;

import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.testsupport.kube.SharedPlatform;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands tests a {@link LocalRegistry}: one real registry per test JVM, stopped when the JVM's tests end, or the
 * build's, which its node pulls from ({@link SharedPlatform}).
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
        .getOrComputeIfAbsent(Shared.class, k -> new Shared(start(context)), Shared.class)
        .registry;
  }

  /** The build's registry when it shares a {@link SharedPlatform} (classes of their own get their own), else a new one. */
  private static LocalRegistry start(ExtensionContext context) {
    if (scope(context) == context.getRoot()) {
      var platform = SharedPlatform.directory();
      if (platform.isPresent()) {
        return SharedPlatform.attach(platform.get()).registry();
      }
    }
    return LocalRegistry.start();
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
