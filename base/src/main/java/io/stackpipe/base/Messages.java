package io.stackpipe.base;

/** Turns library exceptions into the one-line text Stackpipe's messages embed. */
public final class Messages {

  private static final int LONGEST_PART = 160;
  private static final int LONGEST_LINE = 600;

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

  /**
   * {@code line} without the object dumps some servers and libraries put in their errors (a whole Deployment
   * as Go or JSON text): every bracketed part longer than {@value #LONGEST_PART} characters becomes
   * {@code {…}}, and what is left is cut at {@value #LONGEST_LINE} characters. The server's own words stay.
   */
  public static String brief(String line) {
    StringBuilder out = new StringBuilder();
    int depth = 0;
    int start = -1;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '{' || c == '[') {
        if (depth++ == 0) {
          start = i;
        }
      } else if ((c == '}' || c == ']') && depth > 0 && --depth == 0) {
        String part = line.substring(start, i + 1);
        out.append(part.length() > LONGEST_PART ? part.charAt(0) + "\u2026" + c : part);
        continue;
      }
      if (depth == 0) {
        out.append(c);
      }
    }
    if (depth > 0) { // an unclosed bracket: keep what it held, the cut below bounds it
      out.append(line, start, line.length());
    }
    return out.length() > LONGEST_LINE ? out.substring(0, LONGEST_LINE) + "\u2026" : out.toString();
  }

  /** The first line of the throwable's message, or its simple class name when it has no message. */
  public static String firstLine(Throwable e) {
    return firstLine(e.getMessage(), e.getClass().getSimpleName());
  }
}
