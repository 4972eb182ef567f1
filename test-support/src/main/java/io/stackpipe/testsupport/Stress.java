package io.stackpipe.testsupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A stress case: the large twin of a test the inner loop runs at a smaller size (say twenty concurrent candidates
 * where the twin has five). Tagged {@value #TAG}: {@code scripts/test --fast} leaves these to the full run.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(Stress.TAG)
public @interface Stress {
  String TAG = "stress";
}
