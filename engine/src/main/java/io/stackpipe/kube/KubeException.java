package io.stackpipe.kube;

import io.stackpipe.StackpipeException;

/** A Kubernetes API failure, explained in one line (never a stack of HTTP details, never credentials). */
public class KubeException extends StackpipeException {
  public KubeException(String message) {
    super(message);
  }

  public KubeException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A failure caused by the input {@code field} (see {@link StackpipeException#field()}). */
  KubeException(String field, String message) {
    super(field, message, null);
  }
}
