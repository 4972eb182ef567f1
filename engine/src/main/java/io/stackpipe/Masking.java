package io.stackpipe;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Values never to show in output — credentials of the installation, a profile's decrypted secrets — and the text
 * with each of them replaced by {@value #MASK}, as Jenkins' credentials-binding masks a build log. A value of several
 * lines is masked line by line, since output is read and shown one line at a time. Thread-safe: values found while
 * work runs (a profile decrypted) are added to the same masking.
 */
public final class Masking {

  public static final String MASK = "****";

  private final Set<String> values = ConcurrentHashMap.newKeySet();
  private volatile List<String> longestFirst = List.of();

  private Masking() {
  }

  public static Masking of(Collection<String> values) {
    return new Masking().add(values);
  }

  /** Adds {@code more} (blank lines of a value are not masked: they would mask every space). */
  public Masking add(Collection<String> more) {
    boolean changed = false;
    for (String value : more) {
      if (value == null) {
        continue;
      }
      for (String line : value.split("\\R")) {
        String trimmed = line.strip();
        if (!trimmed.isEmpty()) {
          changed |= values.add(trimmed);
        }
      }
    }
    if (changed) {
      // Longest first, so a value inside another is not half-masked.
      longestFirst = values.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }
    return this;
  }

  /** {@code text} with every value masked; null stays null. */
  public String mask(String text) {
    if (text == null) {
      return null;
    }
    String masked = text;
    for (String value : longestFirst) {
      masked = masked.replace(value, MASK);
    }
    return masked;
  }

  /** A sink that masks each line before {@code sink} sees it. */
  public Consumer<String> wrap(Consumer<String> sink) {
    return line -> sink.accept(mask(line));
  }

  /** The values, line by line. */
  public Set<String> values() {
    return Set.copyOf(values);
  }
}
