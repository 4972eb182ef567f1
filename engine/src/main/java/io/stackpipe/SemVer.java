package io.stackpipe;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SemVer 2.0.0 version, strictly (no leading "v", no missing parts), as Helm requires of chart versions.
 * Ordered by SemVer precedence: build metadata is ignored, a release is newer than its pre-releases, numeric
 * identifiers compare as numbers. {@link #toString} is the text it was parsed from. Shared by charts,
 * manifests and status, so it belongs to none of them.
 */
public final class SemVer implements Comparable<SemVer> {
  // semver.org's recommended expression for SemVer 2.0.0.
  private static final Pattern FORM = Pattern.compile(
      "(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
          + "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
          + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?");

  private final String text;
  private final BigInteger[] core;
  private final List<String> preRelease;

  private SemVer(String text, Matcher m) {
    this.text = text;
    this.core = new BigInteger[] {new BigInteger(m.group(1)), new BigInteger(m.group(2)), new BigInteger(m.group(3))};
    this.preRelease = m.group(4) == null ? List.of() : List.of(m.group(4).split("\\."));
  }

  /** The version, or the refusal {@link #problem} names (for {@code field}, e.g. {@code version}). */
  public static SemVer parse(String field, String text) {
    return tryParse(text).orElseThrow(() -> StackpipeException.ofField(field, problem(text)));
  }

  public static Optional<SemVer> tryParse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = FORM.matcher(text);
    return m.matches() ? Optional.of(new SemVer(text, m)) : Optional.empty();
  }

  public static boolean isValid(String text) {
    return tryParse(text).isPresent();
  }

  /** What every refusal of a version says after naming it. */
  public static final String NOT_SEMVER = "is not SemVer 2 (e.g. 1.4.0 or 1.4.0-rc.1)";

  /** The one way a version is refused: {@code '1.x' is not SemVer 2 (e.g. 1.4.0 or 1.4.0-rc.1)}. */
  public static String problem(String text) {
    return "'" + text + "' " + NOT_SEMVER;
  }

  /** Precedence when both are SemVer; otherwise (a tag, a digest) by text, so any list still sorts. */
  public static int compare(String a, String b) {
    Optional<SemVer> x = tryParse(a);
    Optional<SemVer> y = tryParse(b);
    return x.isPresent() && y.isPresent() ? x.get().compareTo(y.get()) : a.compareTo(b);
  }

  @Override
  public int compareTo(SemVer other) {
    for (int i = 0; i < 3; i++) {
      int c = core[i].compareTo(other.core[i]);
      if (c != 0) {
        return c;
      }
    }
    if (preRelease.isEmpty() || other.preRelease.isEmpty()) {
      return Boolean.compare(preRelease.isEmpty(), other.preRelease.isEmpty());
    }
    for (int i = 0; i < Math.min(preRelease.size(), other.preRelease.size()); i++) {
      int c = compareIdentifiers(preRelease.get(i), other.preRelease.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(preRelease.size(), other.preRelease.size());
  }

  // Numeric identifiers compare as numbers and sort before alphanumeric ones, which compare in ASCII order.
  private static int compareIdentifiers(String a, String b) {
    boolean an = a.chars().allMatch(Character::isDigit);
    boolean bn = b.chars().allMatch(Character::isDigit);
    if (an && bn) {
      return new BigInteger(a).compareTo(new BigInteger(b));
    }
    return an ? -1 : bn ? 1 : a.compareTo(b);
  }

  /** Equal texts; {@code 1.0.0+a} and {@code 1.0.0+b} are different versions of equal precedence. */
  @Override
  public boolean equals(Object o) {
    return o instanceof SemVer other && text.equals(other.text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
