package io.stackpipe;

/**
 * A refusal the user can act on. The message is one line that names the file, field, profile or artifact
 * concerned, and never carries a secret value; adapters print it as it is and exit non-zero.
 */
public class StackpipeException extends RuntimeException {

  public StackpipeException(String message) {
    super(message);
  }

  public StackpipeException(String message, Throwable cause) {
    super(message, cause);
  }
}
