package io.stackpipe.testsupport.kube;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For a test class that starts the machine's one node itself ({@code stackpipe demo}, {@code stackpipe cluster
 * start}): the build's {@link SharedPlatform}, if one runs, is stopped first. Tagged {@value #TAG}, which cli's POM
 * runs in a JVM per class after the tests on the shared node; on a method, the release comes before it alone.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(OwnNode.ReleaseSharedNode.class)
@Tag(OwnNode.TAG)
public @interface OwnNode {
  String TAG = "own-node";

  /** Stops the build's shared platform before the class's or the method's tests. */
  final class ReleaseSharedNode implements BeforeAllCallback, BeforeEachCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
      SharedPlatform.directory().ifPresent(SharedPlatform::release);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
      SharedPlatform.directory().ifPresent(SharedPlatform::release);
    }
  }
}
