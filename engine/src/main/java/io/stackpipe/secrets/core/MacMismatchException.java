package io.stackpipe.secrets.core;

/**
 * The file's MAC does not match its contents (tampering or a hand edit), or the MAC is missing. The refusal concerns
 * the {@code ignoreMac} input: setting it decrypts the file anyway.
 */
public class MacMismatchException extends SecretsException {
  public static final String FIELD = "ignoreMac";

  public MacMismatchException(String message) {
    super(FIELD, message, null);
  }

  @Override
  public MacMismatchException inFile(Object file) {
    return new MacMismatchException(file + ": " + getMessage());
  }
}
