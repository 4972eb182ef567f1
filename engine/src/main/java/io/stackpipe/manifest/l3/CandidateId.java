package io.stackpipe.manifest.l3;

import io.stackpipe.StackpipeException;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * A candidate's id: {@code c} and 8 base-36 characters ({@code c4k9x2m7q}). It starts with a letter so it is a
 * valid SemVer pre-release identifier (the candidate's umbrella version ends in it) and part of a ConfigMap name.
 */
public final class CandidateId {

  private static final Pattern FORM = Pattern.compile("c[0-9a-z]{8}");
  private static final String DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  private CandidateId() {
  }

  static String next() {
    StringBuilder id = new StringBuilder("c");
    for (int i = 0; i < 8; i++) {
      id.append(DIGITS.charAt(RANDOM.nextInt(DIGITS.length())));
    }
    return id.toString();
  }

  /** The id, checked; a malformed one is refused as input {@code candidate}. */
  public static String check(String id) {
    if (id == null || !FORM.matcher(id).matches()) {
      throw StackpipeException.ofField("candidate", "'" + id + "' is not a candidate id (c and 8 characters a-z 0-9,"
          + " e.g. c4k9x2m7q)");
    }
    return id;
  }
}
