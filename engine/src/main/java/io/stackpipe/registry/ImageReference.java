package io.stackpipe.registry;

import io.stackpipe.StackpipeException;
import java.util.regex.Pattern;

/**
 * A container image reference {@code host[:port]/repository[:tag][@digest]}, as Docker and Kubernetes read it.
 * Stackpipe pins images by digest, so only references that name their registry host are accepted.
 */
public record ImageReference(String host, String repository, String tag, String digest) {

  private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");

  public static ImageReference parse(String reference) {
    String rest = reference == null ? "" : reference.strip();
    int slash = rest.indexOf('/');
    if (slash <= 0) {
      throw invalid(reference, "name the registry host, e.g. registry.example.com/orders:1.4.0");
    }
    String host = rest.substring(0, slash);
    if (!host.contains(".") && !host.contains(":") && !host.equals("localhost")) {
      throw invalid(reference, "name the registry host, e.g. registry.example.com/orders:1.4.0");
    }
    rest = rest.substring(slash + 1);
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
      if (!DIGEST.matcher(digest).matches()) {
        throw invalid(reference, "digest must be sha256:<64 hex>");
      }
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw invalid(reference, "tag '" + tag + "' is not a valid tag");
      }
    }
    if (!REPOSITORY.matcher(rest).matches()) {
      throw invalid(reference, "repository '" + rest + "' must be lowercase path components");
    }
    if (tag == null && digest == null) {
      throw invalid(reference, "give a tag or a digest to pin");
    }
    return new ImageReference(host, rest, tag, digest);
  }

  private static StackpipeException invalid(String reference, String why) {
    return new StackpipeException("image reference '" + reference + "' is invalid: " + why);
  }

  /** The tag, or the digest when the reference has no tag: what the registry is asked for. */
  public String reference() {
    return tag != null ? tag : digest;
  }

  /** {@code host/repository}, what a chart's {@code image.repository} holds. */
  public String fullRepository() {
    return host + "/" + repository;
  }

  @Override
  public String toString() {
    return fullRepository() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
  }
}
