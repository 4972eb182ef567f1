package io.stackpipe.stack;

import io.stackpipe.StackpipeException;

/** Another holder has the stack's lock and kept it for as long as the caller agreed to wait. */
public final class StackLockedException extends StackpipeException {
  private final String holder;

  StackLockedException(String stack, String holder, String detail) {
    super("stack " + stack + " is locked by " + holder + detail);
    this.holder = holder;
  }

  /** Who holds the lock, as the holder described itself. */
  public String holder() {
    return holder;
  }
}
