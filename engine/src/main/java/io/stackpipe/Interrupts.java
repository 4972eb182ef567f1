package io.stackpipe;

import java.io.InterruptedIOException;
import java.util.function.Supplier;

/**
 * Aborts (Jenkins' stop) reach the engine as an interrupted thread. What was half made must still be undone,
 * but a call to the cluster on an interrupted thread fails at once: cleanup runs with the flag cleared, and the flag
 * is set again after, so the caller still sees the abort.
 */
public final class Interrupts {

  private Interrupts() {
  }

  /** Whether {@code failure} is an abort: this thread is interrupted, or an interruption is among its causes. */
  public static boolean aborted(Throwable failure) {
    if (Thread.currentThread().isInterrupted()) {
      return true;
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof InterruptedException || t instanceof InterruptedIOException) {
        return true;
      }
    }
    return false;
  }

  /** Runs {@code cleanup} with this thread's interrupt flag cleared, then sets it again if it was set. */
  public static void uninterrupted(Runnable cleanup) {
    uninterrupted(() -> {
      cleanup.run();
      return null;
    });
  }

  /** {@link #uninterrupted(Runnable)} for a cleanup that says what it did. */
  public static <T> T uninterrupted(Supplier<T> cleanup) {
    boolean interrupted = Thread.interrupted();
    try {
      return cleanup.get();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
