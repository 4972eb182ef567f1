package io.stackpipe.jenkins;

import hudson.console.ConsoleLogFilter;
import hudson.console.LineTransformationOutputStream;
import hudson.model.Run;
import hudson.util.Secret;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Masks values in what a block step's body writes to the build log, as credentials-binding does: a
 * {@link ConsoleLogFilter} merged into the body's context, serializable (it travels to agents and survives a restart
 * in the program state, where Jenkins stores the values encrypted as {@link Secret}s).
 */
final class MaskingFilter extends ConsoleLogFilter implements Serializable {

  private static final long serialVersionUID = 1L;
  static final String MASK = "****";

  private final ArrayList<Secret> values = new ArrayList<>();

  MaskingFilter(Collection<String> values) {
    values.stream().filter(value -> !value.isEmpty()).map(Secret::fromString).forEach(this.values::add);
  }

  @Override
  public OutputStream decorateLogger(Run build, OutputStream logger) throws IOException, InterruptedException {
    Pattern pattern = pattern();
    if (pattern == null) {
      return logger;
    }
    return new LineTransformationOutputStream.Delegating(logger) {
      @Override
      protected void eol(byte[] bytes, int length) throws IOException {
        String line = new String(bytes, 0, length, StandardCharsets.UTF_8);
        out.write(pattern.matcher(line).replaceAll(MASK).getBytes(StandardCharsets.UTF_8));
      }
    };
  }

  /** One alternation of the values, longest first, so a value inside another is not half-masked. */
  private Pattern pattern() {
    List<String> plain = values.stream().map(Secret::getPlainText).filter(v -> !v.isEmpty())
        .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    return plain.isEmpty() ? null
        : Pattern.compile(plain.stream().map(Pattern::quote).collect(Collectors.joining("|")));
  }
}
