package io.stackpipe.secrets.core;

import io.stackpipe.StackpipeException;

/**
 * Every secrets failure. Messages name the file, the value path and the keys tried, and never carry plaintext: they
 * are built only from paths, key identifiers and error classes.
 */
public class SecretsException extends StackpipeException {
  public SecretsException(String message) {
    super(message);
  }

  public SecretsException(String message, Throwable cause) {
    super(message, cause);
  }

  protected SecretsException(String field, String message, Throwable cause) {
    super(field, message, cause);
  }

  /** Prefixes the message with a file name, keeping the field and the cause. */
  public SecretsException inFile(Object file) {
    SecretsException e = new SecretsException(field().orElse(null), file + ": " + getMessage(), getCause());
    e.setStackTrace(getStackTrace());
    return e;
  }
}
