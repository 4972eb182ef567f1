package io.stackpipe.registry;

import io.stackpipe.StackpipeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Content digests as registries name them: {@code sha256:<64 lowercase hex>}. */
public final class OciDigest {

  private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");

  private OciDigest() {
  }

  public static boolean isDigest(String reference) {
    return reference != null && SHA256.matcher(reference).matches();
  }

  /** Refuses anything but a sha256 digest before it reaches a URL. */
  public static String require(String digest, String what) {
    if (!isDigest(digest)) {
      throw new StackpipeException(what + ": '" + digest + "' is not a digest (sha256:<64 hex>)");
    }
    return digest;
  }

  public static String of(byte[] bytes) {
    return format(sha256().digest(bytes));
  }

  public static String of(Path file) {
    MessageDigest sha = sha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new StackpipeException(file + ": cannot be read (" + e.getMessage() + ")");
    }
    return format(sha.digest());
  }

  static String format(byte[] sha256) {
    return "sha256:" + HexFormat.of().formatHex(sha256);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
