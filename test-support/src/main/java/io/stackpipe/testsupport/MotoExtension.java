package io.stackpipe.testsupport;

import io.stackpipe.local.MotoServer;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects one shared {@link MotoServer} per test run (started on first use, stopped when the run ends) into test
 * constructors, lifecycle methods and test methods that declare a MotoServer parameter.
 */
public final class MotoExtension implements ParameterResolver {
  private static final class Holder implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    final MotoServer server = MotoServer.start();

    @Override
    public void close() {
      server.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == MotoServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    return e.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(Holder.class, k -> new Holder(), Holder.class).server;
  }
}
