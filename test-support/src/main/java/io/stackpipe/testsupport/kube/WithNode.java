package io.stackpipe.testsupport.kube;

import io.stackpipe.testsupport.registry.RegistryExtension;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated tests against the JVM's shared control plane with its node, so pods run; see
 * {@link NodeExtension}. Also resolves the registry the node pulls from ({@code LocalRegistry} parameters).
 * Tagged {@value #TAG}: {@code scripts/test --fast} leaves these out.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith({RegistryExtension.class, NodeExtension.class})
@Tag(WithNode.TAG)
public @interface WithNode {
  String TAG = "node";
}
