package io.stackpipe.secrets;

/** The file's MAC does not match its contents (tampering or a hand edit), or the MAC is missing. */
public class MacMismatchException extends SecretsException {
  public MacMismatchException(String message) {
    super(message);
  }

  @Override
  public MacMismatchException inFile(Object file) {
    return new MacMismatchException(file + ": " + getMessage());
  }
}
