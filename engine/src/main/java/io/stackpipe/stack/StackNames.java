package io.stackpipe.stack;

import io.stackpipe.StackpipeException;
import java.util.regex.Pattern;

/**
 * Stack names and what they become: a stack named {@code pr-42} lives in namespace {@code <prefix>pr-42}, so the
 * name must be a DNS-1123 label and, with the installation's namespace prefix, at most 63 characters.
 */
public final class StackNames {
  public static final int MAX_NAMESPACE_LENGTH = 63;
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  // A label value (installation ids are stored in one): at most 63, alphanumerics at both ends, [-_.] inside.
  private static final Pattern LABEL_VALUE = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");

  private StackNames() {}

  /** Refuses, naming the field {@code stack}, a name that cannot be a stack's; returns its namespace. */
  public static String namespaceFor(String prefix, String name) {
    String shown = name == null ? "(none)" : "\"" + (name.length() > 80 ? name.substring(0, 80) + "…" : name) + "\"";
    if (name == null || name.isEmpty()) {
      throw StackpipeException.ofField("stack", "a stack name is required");
    }
    if (!LABEL.matcher(name).matches()) {
      throw StackpipeException.ofField("stack", shown + " is not a valid stack name: lowercase letters, digits and"
          + " '-', starting and ending with a letter or digit (a DNS-1123 label)");
    }
    int max = MAX_NAMESPACE_LENGTH - prefix.length();
    if (name.length() > max) {
      throw StackpipeException.ofField("stack", shown + " is " + name.length() + " characters: a stack name is at most "
          + max + (prefix.isEmpty() ? "" : " (namespace prefix \"" + prefix + "\" + name ≤ " + MAX_NAMESPACE_LENGTH + ")"));
    }
    return prefix + name;
  }

  /** Refuses a namespace prefix that cannot start a DNS-1123 label (empty is fine). */
  public static String checkPrefix(String prefix) {
    if (prefix == null || prefix.isEmpty()) {
      return "";
    }
    if (!Pattern.matches("[a-z0-9][-a-z0-9]*", prefix) || prefix.length() >= MAX_NAMESPACE_LENGTH) {
      throw StackpipeException.ofField("namespacePrefix", "\"" + prefix + "\" cannot start a namespace name:"
          + " lowercase letters, digits and '-', starting with a letter or digit, under 63 characters");
    }
    return prefix;
  }

  /** Refuses an installation id that is not a Kubernetes label value. */
  public static String checkInstallation(String installation) {
    if (installation == null || installation.length() > 63 || !LABEL_VALUE.matcher(installation).matches()) {
      throw StackpipeException.ofField("installation", "\"" + installation + "\" is not a valid installation id:"
          + " 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
    }
    return installation;
  }
}
