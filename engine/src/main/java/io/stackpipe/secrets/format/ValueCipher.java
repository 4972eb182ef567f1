package io.stackpipe.secrets.format;

import io.stackpipe.secrets.core.SecretsException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * sops' AES256_GCM value format {@code ENC[AES256_GCM,data:..,iv:..,tag:..,type:..]} with a 32-byte IV. Like sops'
 * cipher it remembers the IV of every value it decrypted, so re-encrypting an unchanged value under the same path and
 * data key yields the same ciphertext (edits only change the values that changed).
 */
public final class ValueCipher {
  private static final Pattern ENC_PREFIX = Pattern.compile("^ENC\\[AES256_GCM,");
  private static final Pattern ENC = Pattern.compile("^ENC\\[AES256_GCM,data:([^,]*),iv:([^,]*),tag:([^,]*),type:([^,\\]]*)]$");
  private static final java.util.Set<String> TYPES = java.util.Set.of("str", "int", "float", "bytes", "bool", "time", "comment");
  private static final int TAG_SIZE = 16;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int NONCE_SIZE = 32;

  private record StashKey(String aad, Object plaintext) {
  }

  /** The decoded fields of one {@code ENC[...]} value. */
  record Parts(byte[] data, byte[] iv, byte[] tag, String type) {
  }

  private final Map<StashKey, byte[]> stash = new ConcurrentHashMap<>();

  public ValueCipher() {
  }

  static boolean looksEncrypted(String s) {
    return ENC_PREFIX.matcher(s).find();
  }

  /** The sops type of an encrypted value (str, int, float, bool, time, comment, bytes). */
  static String typeOf(String ciphertext) {
    Matcher m = ENC.matcher(ciphertext);
    return m.find() ? m.group(4) : "str";
  }

  /** Splits and decodes an encrypted value, refusing any malformed field; the message names the path, never the value. */
  static Parts parse(String value, List<String> path) {
    Matcher m = ENC.matcher(value);
    String where = "value at " + Tree.pathString(path);
    if (!m.matches()) {
      throw new SecretsException(where + " is not in sops' ENC[AES256_GCM,data:…,iv:…,tag:…,type:…] format");
    }
    byte[] data = base64(m.group(1), where, "data");
    byte[] iv = base64(m.group(2), where, "iv");
    byte[] tag = base64(m.group(3), where, "tag");
    if (iv.length != NONCE_SIZE) {
      throw new SecretsException(where + " has a " + iv.length + "-byte iv (sops uses " + NONCE_SIZE + ")");
    }
    if (tag.length != TAG_SIZE) {
      throw new SecretsException(where + " has a " + tag.length + "-byte tag (AES-GCM uses " + TAG_SIZE + ")");
    }
    if (!TYPES.contains(m.group(4))) {
      throw new SecretsException(where + " has unknown type '" + m.group(4) + "'");
    }
    return new Parts(data, iv, tag, m.group(4));
  }

  private static byte[] base64(String field, String where, String name) {
    try {
      return Base64.getDecoder().decode(field);
    } catch (IllegalArgumentException e) {
      throw new SecretsException(where + " has invalid base64 in its " + name + " field");
    }
  }

  Object decrypt(String ciphertext, byte[] key, String aad, List<String> path) {
    if (ciphertext.isEmpty()) {
      return "";
    }
    Parts parts = parse(ciphertext, path);
    byte[] data = parts.data();
    byte[] iv = parts.iv();
    byte[] tag = parts.tag();
    String type = parts.type();
    byte[] plain;
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
      c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
      byte[] both = Arrays.copyOf(data, data.length + tag.length);
      System.arraycopy(tag, 0, both, data.length, tag.length);
      plain = c.doFinal(both);
    } catch (GeneralSecurityException e) {
      throw new SecretsException("value at " + Tree.pathString(path)
          + " fails authentication (ciphertext altered, moved from another path, or wrong data key)");
    }
    String s = new String(plain, StandardCharsets.UTF_8);
    Object value;
    try {
      value = switch (type) {
        case "str" -> s;
        case "int" -> Long.parseLong(s);
        case "float" -> GoFormat.parseFloat(s);
        case "bytes" -> plain;
        case "bool" -> GoFormat.parseBool(s);
        case "time" -> GoFormat.parseTime(s);
        case "comment" -> new Tree.Comment(s);
        default -> throw new IllegalStateException(type);
      };
    } catch (IllegalArgumentException e) {
      throw new SecretsException("value at " + Tree.pathString(path) + " does not parse as its declared type " + type);
    }
    stash.put(new StashKey(aad, stashable(value)), iv);
    return value;
  }

  String encrypt(Object plaintext, byte[] key, String aad) {
    String type;
    byte[] bytes;
    if (plaintext instanceof String s) {
      type = "str";
      bytes = s.getBytes(StandardCharsets.UTF_8);
    } else if (plaintext instanceof Long || plaintext instanceof Integer) {
      type = "int";
      bytes = Tree.toBytes(plaintext);
    } else if (plaintext instanceof Double) {
      type = "float";
      bytes = Tree.toBytes(plaintext);
    } else if (plaintext instanceof Boolean) {
      type = "bool";
      bytes = Tree.toBytes(plaintext);
    } else if (plaintext instanceof java.time.OffsetDateTime) {
      type = "time";
      bytes = Tree.toBytes(plaintext);
    } else if (plaintext instanceof Tree.Comment c) {
      type = "comment";
      bytes = c.value().getBytes(StandardCharsets.UTF_8);
    } else {
      throw new SecretsException("cannot encrypt a value of type " + Tree.typeName(plaintext));
    }
    if (bytes.length == 0 && (type.equals("str") || type.equals("comment"))) {
      return "";
    }
    byte[] iv = stash.get(new StashKey(aad, stashable(plaintext)));
    if (iv == null) {
      iv = new byte[NONCE_SIZE];
      RANDOM.nextBytes(iv);
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
      c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
      byte[] out = c.doFinal(bytes);
      Base64.Encoder b64 = Base64.getEncoder();
      return "ENC[AES256_GCM,data:" + b64.encodeToString(Arrays.copyOf(out, out.length - 16))
          + ",iv:" + b64.encodeToString(iv)
          + ",tag:" + b64.encodeToString(Arrays.copyOfRange(out, out.length - 16, out.length))
          + ",type:" + type + "]";
    } catch (GeneralSecurityException e) {
      throw new SecretsException("AES-GCM encryption failed: " + e.getClass().getSimpleName());
    }
  }

  /** byte[] has identity equality: wrap it for the stash. */
  private static Object stashable(Object v) {
    return v instanceof byte[] b ? ByteBuffer.wrap(b) : v;
  }
}
