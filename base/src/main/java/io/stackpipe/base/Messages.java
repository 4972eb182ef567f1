package io.stackpipe.base;

/** Turns library exceptions into the one-line text Stackpipe's messages embed. */
public final class Messages {

  private Messages() {
  }

  /** The first line of {@code text}, stripped; {@code fallback} when there is none. */
  public static String firstLine(String text, String fallback) {
    if (text == null) {
      return fallback;
    }
    String line = text.lines().findFirst().orElse("").strip();
    return line.isEmpty() ? fallback : line;
  }

  /** The first line of the throwable's message, or its simple class name when it has no message. */
  public static String firstLine(Throwable e) {
    return firstLine(e.getMessage(), e.getClass().getSimpleName());
  }
}
