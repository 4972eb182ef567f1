package io.stackpipe.status;

import java.math.BigInteger;
import java.util.Comparator;

/** SemVer 2 precedence (build metadata ignored); a version that is not SemVer sorts by its text. */
final class Versions {
  static final Comparator<String> PRECEDENCE = Versions::compare;

  private Versions() {}

  static int compare(String a, String b) {
    String[] x = core(a);
    String[] y = core(b);
    if (x == null || y == null) {
      return a.compareTo(b);
    }
    for (int i = 0; i < 3; i++) {
      int c = new BigInteger(x[i]).compareTo(new BigInteger(y[i]));
      if (c != 0) {
        return c;
      }
    }
    return comparePre(pre(a), pre(b));
  }

  private static String[] core(String v) {
    String main = v.split("[-+]", 2)[0];
    String[] parts = main.split("\\.");
    if (parts.length != 3) {
      return null;
    }
    for (String p : parts) {
      if (p.isEmpty() || !p.chars().allMatch(Character::isDigit)) {
        return null;
      }
    }
    return parts;
  }

  private static String pre(String v) {
    String noBuild = v.split("\\+", 2)[0];
    int dash = noBuild.indexOf('-');
    return dash < 0 ? null : noBuild.substring(dash + 1);
  }

  // A release is newer than its pre-releases; identifiers compare numerically when both are numbers.
  private static int comparePre(String a, String b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : 1) : -1;
    }
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      boolean xn = x[i].chars().allMatch(Character::isDigit);
      boolean yn = y[i].chars().allMatch(Character::isDigit);
      int c = xn && yn ? new BigInteger(x[i]).compareTo(new BigInteger(y[i])) : xn ? -1 : yn ? 1 : x[i].compareTo(y[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }
}
