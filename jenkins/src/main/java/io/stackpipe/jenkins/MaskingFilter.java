package io.stackpipe.jenkins;

import hudson.console.ConsoleLogFilter;
import hudson.console.LineTransformationOutputStream;
import hudson.model.Run;
import hudson.util.Secret;
import io.stackpipe.Masking;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;

/**
 * Masks values in what a block step's body writes to the build log, as credentials-binding does: a
 * {@link ConsoleLogFilter} merged into the body's context, serializable (it travels to agents and survives a restart
 * in the program state, where Jenkins stores the values encrypted as {@link Secret}s).
 */
final class MaskingFilter extends ConsoleLogFilter implements Serializable {

  private static final long serialVersionUID = 1L;

  private final ArrayList<Secret> values = new ArrayList<>();

  MaskingFilter(Collection<String> values) {
    values.stream().filter(value -> !value.isEmpty()).map(Secret::fromString).forEach(this.values::add);
  }

  @Override
  public OutputStream decorateLogger(Run build, OutputStream logger) throws IOException, InterruptedException {
    // The engine's mask, as every step's own output gets it: longest value first, a multi-line value line by line.
    Masking masking = Masking.of(values.stream().map(Secret::getPlainText).toList());
    if (masking.values().isEmpty()) {
      return logger;
    }
    return new LineTransformationOutputStream.Delegating(logger) {
      @Override
      protected void eol(byte[] bytes, int length) throws IOException {
        out.write(masking.mask(new String(bytes, 0, length, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
      }
    };
  }
}
