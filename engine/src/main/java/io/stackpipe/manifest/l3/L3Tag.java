package io.stackpipe.manifest.l3;

import io.stackpipe.StackpipeException;
import io.stackpipe.base.Messages;
import io.stackpipe.registry.OciRegistry;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Registry tag {@value L3#TAG} on the umbrella's repository: a mirror of the pointer for people and tools
 * ({@code helm install … --version l3} does not work, but {@code oci://…/platform:l3} pulls do). The pointer is the
 * truth: a tag that differs (a crash between the pointer's write and the tag's) is moved to the pointer's digest.
 */
final class L3Tag {
  private final OciRegistry registry;
  private final String repository;
  private final Consumer<String> progress;

  L3Tag(OciRegistry registry, String repository, Consumer<String> progress) {
    this.registry = registry;
    this.repository = repository;
    this.progress = progress;
  }

  /** Points the tag at {@code l3}'s manifest. */
  void mirror(L3Version l3) {
    registry.retag(repository, manifestDigest(l3), L3.TAG);
  }

  /**
   * Moves the tag to {@code l3} if it points elsewhere (or nowhere); {@code true} if it did. Best effort: the tag
   * only mirrors the pointer, so a registry failure here is reported and leaves the repair to the next read rather
   * than failing the read (concurrent promotions may all try at once, and registries do not like that).
   */
  boolean repairIfBehind(L3Version l3) {
    String wanted = manifestDigest(l3);
    Optional<String> tagged;
    try {
      tagged = registry.manifestDigest(repository, L3.TAG);
      if (tagged.isPresent() && tagged.get().equals(wanted)) {
        return false;
      }
      mirror(l3);
    } catch (StackpipeException e) {
      progress.accept("registry tag " + repository + ":" + L3.TAG + " is behind the L3 pointer and could not be"
          + " repaired now (" + Messages.firstLine(e) + "); the next read tries again");
      return false;
    }
    progress.accept("repaired registry tag " + repository + ":" + L3.TAG + " (" + tagged.orElse("absent") + ") to "
        + l3.manifest() + " " + l3.version() + " (" + wanted + "), as the L3 pointer says");
    return true;
  }

  static String manifestDigest(L3Version l3) {
    return l3.reference().substring(l3.reference().lastIndexOf('@') + 1);
  }
}
