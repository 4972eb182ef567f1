package io.stackpipe;

import java.util.Optional;

/**
 * A refusal the user can act on. The message is one line that names the file, field, profile or artifact
 * concerned, and never carries a secret value; adapters print it as it is and exit non-zero.
 *
 * <p>When the refusal concerns one input of the operation, {@link #field()} names it as the engine's API does
 * ({@code version}, {@code ignoreMac}, {@code kubeconfig}); each front end renders that name its own way
 * ({@code --version} in the CLI, {@code version:} in a Jenkinsfile), so no engine message names a CLI flag.
 */
public class StackpipeException extends RuntimeException {

  private final String field;

  public StackpipeException(String message) {
    this(null, message, null);
  }

  public StackpipeException(String message, Throwable cause) {
    this(null, message, cause);
  }

  protected StackpipeException(String field, String message, Throwable cause) {
    super(message, cause);
    this.field = field;
  }

  /** A refusal of the input {@code field}; the message says what is wrong with it, without naming it again. */
  public static StackpipeException ofField(String field, String message) {
    return new StackpipeException(field, message, null);
  }

  /** The engine name of the input this refusal concerns, if it concerns one. */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }
}
