package io.stackpipe.testsupport.kube;

import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.testsupport.registry.RegistryExtension;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Like {@link ControlPlaneExtension}, with the node: one control plane whose pods run, per test JVM (only one node
 * may run per machine), pulling images from the test's registry ({@link RegistryExtension}: the JVM's, or its
 * class's), which the node trusts before each test. One fresh namespace per test. With {@link SharedPlatform} on
 * (as in the build), the build's node: started once for every test JVM.
 */
public final class NodeExtension extends ControlPlaneExtension {

  @Override
  protected ControlPlane start(ExtensionContext context) {
    return SharedPlatform.directory().map(dir -> SharedPlatform.attach(dir).plane())
        .orElseGet(() -> ControlPlane.builder().withNode(RegistryExtension.shared(context).host()).start());
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    super.beforeEach(context);
    // A registry of the test's class (see RegistryExtension) is new to the node; trusting it again is a no-op.
    plane(context).trustRegistry(RegistryExtension.shared(context).host());
  }
}
