package io.stackpipe;

import java.util.regex.Pattern;

/**
 * The naming rules Stackpipe enforces before Helm or Kubernetes would trip over a name. Shared by charts,
 * profiles and (later) stacks, so it belongs to none of them.
 */
public final class Names {

  private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  // semver.org's recommended expression for SemVer 2.0.0.
  private static final Pattern SEMVER = Pattern.compile(
      "(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
          + "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
          + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?");

  private Names() {
  }

  /** A DNS-1123 label: what Kubernetes accepts as a namespace or release name part. */
  public static boolean isDns1123Label(String name) {
    return name != null && name.length() <= 63 && DNS1123_LABEL.matcher(name).matches();
  }

  /** Strict SemVer 2.0.0 (no leading "v", no missing parts). */
  public static boolean isSemVer(String version) {
    return version != null && SEMVER.matcher(version).matches();
  }
}
