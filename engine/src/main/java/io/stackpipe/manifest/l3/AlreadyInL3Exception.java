package io.stackpipe.manifest.l3;

import io.stackpipe.StackpipeException;

/** A candidate that would change nothing: the version is in L3 already. Front ends may treat it as a no-op. */
public final class AlreadyInL3Exception extends StackpipeException {
  private final L3Version current;

  AlreadyInL3Exception(String message, L3Version current) {
    super(message);
    this.current = current;
  }

  public L3Version current() {
    return current;
  }
}
