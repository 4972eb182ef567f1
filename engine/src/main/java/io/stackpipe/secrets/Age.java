package io.stackpipe.secrets;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The age v1 format (age-encryption.org/v1) for X25519 recipients, on the JDK's X25519, HKDF-SHA256 (over HmacSHA256)
 * and ChaCha20-Poly1305: enough to unwrap and wrap sops data keys, each an armored age file with one stanza per file.
 */
public final class Age {
  private static final String INTRO = "age-encryption.org/v1";
  private static final String X25519_LABEL = "age-encryption.org/v1/X25519";
  private static final String ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----";
  private static final String ARMOR_END = "-----END AGE ENCRYPTED FILE-----";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] BASEPOINT = basepoint();

  private Age() {
  }

  /** An X25519 identity ("AGE-SECRET-KEY-1…"). toString never shows the secret. */
  public static final class Identity {
    private final byte[] scalar;
    private final String recipient;

    private Identity(byte[] scalar) {
      this.scalar = scalar;
      this.recipient = Bech32.encode("age", x25519(scalar, BASEPOINT));
    }

    public static Identity parse(String s) {
      String t = s.strip();
      Bech32.Decoded d;
      try {
        d = Bech32.decode(t);
      } catch (IllegalArgumentException e) {
        throw new SecretsException("malformed age identity (" + e.getMessage() + ")");
      }
      if (!d.hrp().equals("age-secret-key-") || d.data().length != 32) {
        throw new SecretsException("not an age X25519 identity (expected AGE-SECRET-KEY-1…)");
      }
      return new Identity(d.data());
    }

    /** Reads every identity line of an age key file (comments and blank lines skipped). */
    public static List<Identity> parseAll(String keyFile) {
      List<Identity> out = new ArrayList<>();
      for (String line : keyFile.split("\\R")) {
        String l = line.strip();
        if (!l.isEmpty() && !l.startsWith("#")) {
          out.add(parse(l));
        }
      }
      return out;
    }

    public static Identity generate() {
      byte[] s = new byte[32];
      RANDOM.nextBytes(s);
      return new Identity(s);
    }

    public String recipient() {
      return recipient;
    }

    /** The secret in age's text form, for writing key files. */
    public String secretKey() {
      return Bech32.encode("age-secret-key-", scalar).toUpperCase(Locale.ROOT);
    }

    @Override
    public String toString() {
      return "age identity for " + recipient;
    }
  }

  /** Encrypts {@code plaintext} to one X25519 recipient as an armored age file (what sops stores in age[].enc). */
  public static String encrypt(byte[] plaintext, String recipient) {
    byte[] pub = recipientKey(recipient);
    byte[] fileKey = random(16);
    byte[] eph = random(32);
    byte[] share = x25519(eph, BASEPOINT);
    byte[] shared = x25519(eph, pub);
    byte[] wrapKey = hkdf(shared, concat(share, pub), X25519_LABEL);
    byte[] body = chacha(Cipher.ENCRYPT_MODE, wrapKey, new byte[12], fileKey);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    String header = INTRO + "\n-> X25519 " + b64.encodeToString(share) + "\n" + wrapLines(b64.encodeToString(body)) + "---";
    byte[] mac = hmac(hkdf(fileKey, new byte[0], "header"), header.getBytes(StandardCharsets.US_ASCII));
    header += " " + b64.encodeToString(mac) + "\n";
    byte[] nonce = random(16);
    byte[] payloadKey = hkdf(fileKey, nonce, "payload");
    byte[] chunkNonce = new byte[12];
    chunkNonce[11] = 1; // first and last chunk
    byte[] payload = chacha(Cipher.ENCRYPT_MODE, payloadKey, chunkNonce, plaintext);
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
    file.writeBytes(nonce);
    file.writeBytes(payload);
    return armor(file.toByteArray());
  }

  /**
   * Decrypts an armored (or binary) age file with the first identity that matches one of its X25519 stanzas.
   * Fails with a message naming the recipients when none matches.
   */
  public static byte[] decrypt(String armored, List<Identity> identities) {
    byte[] file = dearmor(armored);
    int headerEnd = indexOf(file, "\n--- ".getBytes(StandardCharsets.US_ASCII));
    if (headerEnd < 0) {
      throw new SecretsException("not an age file (no header MAC line)");
    }
    int macLineEnd = indexOf(file, "\n".getBytes(StandardCharsets.US_ASCII), headerEnd + 5);
    if (macLineEnd < 0) {
      throw new SecretsException("truncated age header");
    }
    String header = new String(file, 0, headerEnd + 1, StandardCharsets.US_ASCII);
    String[] lines = header.split("\n");
    if (!lines[0].equals(INTRO)) {
      throw new SecretsException("unsupported age version line");
    }
    byte[] fileKey = null;
    int x25519Stanzas = 0;
    for (int i = 1; i < lines.length && fileKey == null; ) {
      String[] args = lines[i].split(" ");
      if (!args[0].equals("->")) {
        throw new SecretsException("malformed age stanza");
      }
      StringBuilder body = new StringBuilder();
      int j = i + 1;
      while (j < lines.length) {
        body.append(lines[j]);
        if (lines[j++].length() < 64) {
          break;
        }
      }
      i = j;
      if (args.length == 3 && args[1].equals("X25519")) {
        x25519Stanzas++;
        byte[] share = b64raw(args[2]);
        byte[] wrapped = b64raw(body.toString());
        for (Identity id : identities) {
          byte[] pub = x25519(id.scalar, BASEPOINT);
          byte[] shared;
          try {
            shared = x25519(id.scalar, share);
          } catch (SecretsException e) {
            continue;
          }
          byte[] wrapKey = hkdf(shared, concat(share, pub), X25519_LABEL);
          try {
            fileKey = chachaOpen(wrapKey, new byte[12], wrapped);
            break;
          } catch (GeneralSecurityException e) {
            // not this identity's stanza
          }
        }
      }
    }
    if (fileKey == null) {
      throw new SecretsException(identities.isEmpty() ? "no age identity available"
          : "none of the " + identities.size() + " age identities matches (" + x25519Stanzas + " X25519 stanza"
          + (x25519Stanzas == 1 ? "" : "s") + ")");
    }
    String macB64 = new String(file, headerEnd + 5, macLineEnd - headerEnd - 5, StandardCharsets.US_ASCII);
    byte[] expected = hmac(hkdf(fileKey, new byte[0], "header"),
        Arrays.copyOfRange(file, 0, headerEnd + 4));
    if (!MessageDigest.isEqual(expected, b64raw(macB64))) {
      throw new SecretsException("age header MAC mismatch (file altered)");
    }
    int p = macLineEnd + 1;
    if (file.length < p + 16) {
      throw new SecretsException("truncated age payload");
    }
    byte[] payloadKey = hkdf(fileKey, Arrays.copyOfRange(file, p, p + 16), "payload");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int chunk = 64 * 1024 + 16;
    long counter = 0;
    for (int off = p + 16; ; off += chunk, counter++) {
      int end = Math.min(file.length, off + chunk);
      boolean last = end == file.length;
      byte[] nonce = new byte[12];
      for (int k = 0; k < 8; k++) {
        nonce[10 - k] = (byte) (counter >>> (8 * k));
      }
      nonce[11] = (byte) (last ? 1 : 0);
      try {
        out.writeBytes(chachaOpen(payloadKey, nonce, Arrays.copyOfRange(file, off, end)));
      } catch (GeneralSecurityException e) {
        throw new SecretsException("age payload fails authentication (file altered)");
      }
      if (last) {
        return out.toByteArray();
      }
    }
  }

  static String armor(byte[] data) {
    String b64 = Base64.getEncoder().encodeToString(data);
    StringBuilder sb = new StringBuilder(ARMOR_BEGIN).append('\n');
    for (int i = 0; i < b64.length(); i += 64) {
      sb.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
    }
    return sb.append(ARMOR_END).append('\n').toString();
  }

  static byte[] dearmor(String s) {
    String t = s.strip();
    if (!t.startsWith(ARMOR_BEGIN)) {
      return t.getBytes(StandardCharsets.ISO_8859_1);
    }
    if (!t.endsWith(ARMOR_END)) {
      throw new SecretsException("age armor has no end line");
    }
    String body = t.substring(ARMOR_BEGIN.length(), t.length() - ARMOR_END.length()).replaceAll("\\s", "");
    try {
      return Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new SecretsException("age armor is not valid base64");
    }
  }

  static byte[] recipientKey(String recipient) {
    Bech32.Decoded d;
    try {
      d = Bech32.decode(recipient.strip());
    } catch (IllegalArgumentException e) {
      throw new SecretsException("malformed age recipient '" + recipient + "' (" + e.getMessage() + ")");
    }
    if (!d.hrp().equals("age") || d.data().length != 32) {
      throw new SecretsException("not an age X25519 recipient: '" + recipient + "'");
    }
    return d.data();
  }

  private static String wrapLines(String b64) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    for (; i + 64 <= b64.length(); i += 64) {
      sb.append(b64, i, i + 64).append('\n');
    }
    return sb.append(b64.substring(i)).append('\n').toString();
  }

  private static byte[] b64raw(String s) {
    try {
      return Base64.getDecoder().decode(s.strip());
    } catch (IllegalArgumentException e) {
      throw new SecretsException("age header has invalid base64");
    }
  }

  /** X25519(scalar, u) with little-endian encodings, as RFC 7748. */
  static byte[] x25519(byte[] scalar, byte[] u) {
    try {
      KeyFactory kf = KeyFactory.getInstance("XDH");
      PrivateKey priv = kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar.clone()));
      byte[] be = new byte[32];
      for (int i = 0; i < 32; i++) {
        be[i] = u[31 - i];
      }
      be[0] &= 0x7f;
      PublicKey pub = kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, be)));
      KeyAgreement ka = KeyAgreement.getInstance("XDH");
      ka.init(priv);
      ka.doPhase(pub, true);
      return ka.generateSecret();
    } catch (GeneralSecurityException e) {
      throw new SecretsException("X25519 failed (" + e.getClass().getSimpleName() + ")");
    }
  }

  static byte[] hkdf(byte[] ikm, byte[] salt, String info) {
    byte[] prk = hmac(salt.length == 0 ? new byte[32] : salt, ikm);
    return hmac(prk, concat(info.getBytes(StandardCharsets.US_ASCII), new byte[]{1}));
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] chacha(int mode, byte[] key, byte[] nonce, byte[] data) {
    try {
      Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
      c.init(mode, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
      return c.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new SecretsException("ChaCha20-Poly1305 failed (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static byte[] chachaOpen(byte[] key, byte[] nonce, byte[] data) throws GeneralSecurityException {
    Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
    c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
    return c.doFinal(data);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    return indexOf(hay, needle, 0);
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static byte[] basepoint() {
    byte[] b = new byte[32];
    b[0] = 9;
    return b;
  }

  /** BIP-173 bech32, as age uses for its keys (no length limit). */
  static final class Bech32 {
    private static final String CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    record Decoded(String hrp, byte[] data) {
    }

    static String encode(String hrp, byte[] data) {
      byte[] five = convertBits(data, 8, 5, true);
      byte[] chk = checksum(hrp, five);
      StringBuilder sb = new StringBuilder(hrp).append('1');
      for (byte b : five) {
        sb.append(CHARSET.charAt(b));
      }
      for (byte b : chk) {
        sb.append(CHARSET.charAt(b));
      }
      return sb.toString();
    }

    static Decoded decode(String s) {
      if (!s.equals(s.toLowerCase(Locale.ROOT)) && !s.equals(s.toUpperCase(Locale.ROOT))) {
        throw new IllegalArgumentException("mixed case");
      }
      String l = s.toLowerCase(Locale.ROOT);
      int sep = l.lastIndexOf('1');
      if (sep < 1 || sep + 7 > l.length()) {
        throw new IllegalArgumentException("no separator");
      }
      String hrp = l.substring(0, sep);
      byte[] values = new byte[l.length() - sep - 1];
      for (int i = 0; i < values.length; i++) {
        int v = CHARSET.indexOf(l.charAt(sep + 1 + i));
        if (v < 0) {
          throw new IllegalArgumentException("invalid character");
        }
        values[i] = (byte) v;
      }
      if (polymod(concat(expand(hrp), values)) != 1) {
        throw new IllegalArgumentException("bad checksum");
      }
      return new Decoded(hrp, convertBits(Arrays.copyOf(values, values.length - 6), 5, 8, false));
    }

    private static byte[] checksum(String hrp, byte[] data) {
      byte[] values = concat(concat(expand(hrp), data), new byte[6]);
      int mod = polymod(values) ^ 1;
      byte[] out = new byte[6];
      for (int i = 0; i < 6; i++) {
        out[i] = (byte) ((mod >>> (5 * (5 - i))) & 31);
      }
      return out;
    }

    private static byte[] expand(String hrp) {
      byte[] out = new byte[hrp.length() * 2 + 1];
      for (int i = 0; i < hrp.length(); i++) {
        out[i] = (byte) (hrp.charAt(i) >> 5);
        out[i + hrp.length() + 1] = (byte) (hrp.charAt(i) & 31);
      }
      return out;
    }

    private static int polymod(byte[] values) {
      int[] gen = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
      int chk = 1;
      for (byte v : values) {
        int top = chk >>> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ v;
        for (int i = 0; i < 5; i++) {
          if (((top >>> i) & 1) == 1) {
            chk ^= gen[i];
          }
        }
      }
      return chk;
    }

    private static byte[] convertBits(byte[] data, int from, int to, boolean pad) {
      int acc = 0;
      int bits = 0;
      int maxv = (1 << to) - 1;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (byte b : data) {
        acc = (acc << from) | (b & 0xff);
        bits += from;
        while (bits >= to) {
          bits -= to;
          out.write((acc >>> bits) & maxv);
        }
      }
      if (pad) {
        if (bits > 0) {
          out.write((acc << (to - bits)) & maxv);
        }
      } else if (bits >= from || ((acc << (to - bits)) & maxv) != 0) {
        throw new IllegalArgumentException("invalid padding");
      }
      return out.toByteArray();
    }
  }
}
