package io.stackpipe.registry;

import io.stackpipe.StackpipeException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * A blob's body that hashes what passes through and refuses, at its end, content that is not what its digest
 * names. Closing it reads what the caller left unread, so a partial reader is checked too.
 */
final class VerifiedBlob extends FilterInputStream {

  private final String reference;
  private final String expected;
  private final MessageDigest sha = OciDigest.sha256();
  private boolean checked;

  /** {@code reference}: how a mismatch names the blob, {@code repository@digest}. */
  VerifiedBlob(InputStream body, String reference, String expected) {
    super(body);
    this.reference = reference;
    this.expected = expected;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b < 0) {
      verify();
    } else {
      sha.update((byte) b);
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int n = super.read(buffer, offset, length);
    if (n < 0) {
      verify();
    } else {
      sha.update(buffer, offset, n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    return Math.max(0, read(new byte[(int) Math.max(0, Math.min(n, 8192))]));
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public void close() throws IOException {
    try {
      if (!checked) {
        transferTo(java.io.OutputStream.nullOutputStream());
      }
    } finally {
      super.close();
    }
  }

  private void verify() {
    if (checked) {
      return;
    }
    checked = true;
    String actual = OciDigest.format(sha.digest());
    if (!actual.equals(expected)) {
      throw new StackpipeException(reference + ": the registry sent content with digest " + actual
          + ", not the one requested: refused");
    }
  }
}
