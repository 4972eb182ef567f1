package io.stackpipe;

import java.util.regex.Pattern;

/**
 * The naming rules Stackpipe enforces before Helm or Kubernetes would trip over a name. Shared by charts,
 * profiles and (later) stacks, so it belongs to none of them.
 */
public final class Names {

  private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private Names() {
  }

  /** A DNS-1123 label: what Kubernetes accepts as a namespace or release name part. */
  public static boolean isDns1123Label(String name) {
    return name != null && name.length() <= 63 && DNS1123_LABEL.matcher(name).matches();
  }
}
