package io.stackpipe.secrets.format;

import io.stackpipe.secrets.core.SecretsException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * The document model sops works on, ported from sops.go: a map is an ordered {@link Branch} whose keys are strings or
 * {@link Comment}s, a list is a {@code List<Object>} that may hold comments, and leaves are String, Long, Double,
 * Boolean, byte[], OffsetDateTime (sops "time") or null. Walking order, encryption rules and the MAC follow sops.
 */
public final class Tree {
  private Tree() {
  }

  /**
   * A YAML comment without its leading '#'. As in sops, a comment at the end of a line is kept as a line of its own
   * before the entry it followed.
   */
  public record Comment(String value) {
  }

  /** One map entry; the key is a String or a Comment (then the value is null). Mutable so walks can replace values. */
  public static final class Item {
    private final Object key;
    private Object value;

    public Item(Object key, Object value) {
      this.key = key;
      this.value = value;
    }

    public Object key() {
      return key;
    }

    public Object value() {
      return value;
    }

    public void value(Object v) {
      this.value = v;
    }
  }

  /** An ordered map. */
  public static final class Branch extends ArrayList<Item> {
    public Object get(String key) {
      for (Item i : this) {
        if (key.equals(i.key())) {
          return i.value();
        }
      }
      return null;
    }

    public boolean has(String key) {
      return stream().anyMatch(i -> key.equals(i.key()));
    }
  }

  /** Callback for each leaf: returns the replacement value. */
  @FunctionalInterface
  interface LeafVisitor {
    Object visit(Object leaf, List<String> path, List<List<String>> commentsStack);
  }

  static Object walkValue(Object in, List<String> path, List<List<String>> comments, LeafVisitor v) {
    if (in == null) {
      return null;
    }
    if (in instanceof Branch b) {
      return walkBranch(b, path, comments, v);
    }
    if (in instanceof List<?> l) {
      @SuppressWarnings("unchecked")
      List<Object> list = (List<Object>) l;
      return walkSlice(list, path, comments, v);
    }
    if (in instanceof byte[] bytes) {
      return v.visit(new String(bytes, StandardCharsets.UTF_8), path, comments);
    }
    return v.visit(in, path, comments);
  }

  static List<Object> walkSlice(List<Object> in, List<String> path, List<List<String>> comments, LeafVisitor v) {
    List<List<String>> stack = push(comments);
    for (int i = 0; i < in.size(); i++) {
      Object item = in.get(i);
      boolean isComment = item instanceof Comment;
      if (isComment) {
        stack.get(stack.size() - 1).add(((Comment) item).value());
      }
      in.set(i, walkValue(item, path, stack, v));
      if (!isComment) {
        stack.get(stack.size() - 1).clear();
      }
    }
    return in;
  }

  static Branch walkBranch(Branch in, List<String> path, List<List<String>> comments, LeafVisitor v) {
    List<List<String>> stack = push(comments);
    for (int i = 0; i < in.size(); i++) {
      Item item = in.get(i);
      if (item.key() instanceof Comment c) {
        stack.get(stack.size() - 1).add(c.value());
        Object out = walkValue(c, path, stack, v);
        Comment replaced = out instanceof Comment oc ? oc : new Comment((String) out);
        in.set(i, new Item(replaced, null));
        continue;
      }
      boolean valueIsComment = item.value() instanceof Comment;
      if (valueIsComment) {
        stack.get(stack.size() - 1).add(((Comment) item.value()).value());
      }
      if (!(item.key() instanceof String key)) {
        throw new IllegalArgumentException("only string keys are supported, found " + typeName(item.key()));
      }
      List<String> childPath = new ArrayList<>(path);
      childPath.add(key);
      item.value(walkValue(item.value(), childPath, stack, v));
      if (!valueIsComment) {
        stack.get(stack.size() - 1).clear();
      }
    }
    return in;
  }

  private static List<List<String>> push(List<List<String>> comments) {
    List<List<String>> stack = new ArrayList<>(comments.size() + 1);
    stack.addAll(comments);
    stack.add(new ArrayList<>());
    return stack;
  }

  private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

  /** Compiled once per regex: the rules are checked for every leaf. */
  static Pattern pattern(String regex) {
    return PATTERNS.computeIfAbsent(regex, Pattern::compile);
  }

  /** The encrypted/unencrypted suffix, regex and comment-regex rules, exactly as sops' shouldBeEncrypted. */
  static boolean shouldBeEncrypted(SopsMetadata.Rules r, List<String> path, List<List<String>> stack, boolean isComment) {
    boolean encrypted = true;
    if (!r.unencryptedSuffix().isEmpty()) {
      for (String p : path) {
        if (p.endsWith(r.unencryptedSuffix())) {
          encrypted = false;
          break;
        }
      }
    }
    if (!r.encryptedSuffix().isEmpty()) {
      encrypted = path.stream().anyMatch(p -> p.endsWith(r.encryptedSuffix()));
    }
    if (!r.unencryptedRegex().isEmpty()) {
      Pattern re = pattern(r.unencryptedRegex());
      if (path.stream().anyMatch(p -> re.matcher(p).find())) {
        encrypted = false;
      }
    }
    if (!r.encryptedRegex().isEmpty()) {
      Pattern re = pattern(r.encryptedRegex());
      encrypted = path.stream().anyMatch(p -> re.matcher(p).find());
    }
    if (!r.unencryptedCommentRegex().isEmpty()) {
      Pattern re = pattern(r.unencryptedCommentRegex());
      if (stack.stream().flatMap(List::stream).anyMatch(c -> re.matcher(c).find())) {
        encrypted = false;
      }
    }
    if (!r.encryptedCommentRegex().isEmpty()) {
      Pattern re = pattern(r.encryptedCommentRegex());
      encrypted = false;
      int last = stack.size() - 1;
      outer:
      for (int i = 0; i < stack.size(); i++) {
        List<String> cs = stack.get(i);
        for (int j = 0; j < cs.size(); j++) {
          // the comment line that matches is itself left in clear; only later lines are encrypted
          if (isComment && i == last && j == cs.size() - 1) {
            continue;
          }
          if (re.matcher(cs.get(j)).find()) {
            encrypted = true;
            break outer;
          }
        }
      }
    }
    return encrypted;
  }

  static final byte[] MAC_ONLY_ENCRYPTED_INIT = sha256("sops");

  /** Decrypts every leaf in place (reporting each decrypted value) and returns the MAC (upper-case hex SHA-512) as sops computes it. */
  static String decrypt(List<Branch> branches, SopsMetadata.Rules rules, ValueCipher cipher, byte[] key,
             BiConsumer<List<String>, Object> onSecret) {
    MessageDigest hash = sha512(rules.macOnlyEncrypted());
    for (Branch b : branches) {
      walkBranch(b, new ArrayList<>(), new ArrayList<>(), (in, path, stack) -> {
        boolean isComment = in instanceof Comment;
        boolean encrypted = shouldBeEncrypted(rules, path, stack, isComment);
        Object v = in;
        if (encrypted) {
          String aad = aad(path);
          if (in instanceof Comment c) {
            // comments written by old sops versions were not encrypted: keep them as they are
            v = ValueCipher.looksEncrypted(c.value()) ? cipher.decrypt(c.value(), key, aad, path) : c;
          } else if (in instanceof String s) {
            v = cipher.decrypt(s, key, aad, path);
            onSecret.accept(path, v);
          } else {
            throw new SecretsException("value at " + pathString(path)
                + " should be encrypted but is a plain " + typeName(in));
          }
        }
        if ((!rules.macOnlyEncrypted() || encrypted) && !(v instanceof Comment)) {
          hash.update(toBytes(v));
        }
        return v;
      });
    }
    return HexFormat.of().withUpperCase().formatHex(hash.digest());
  }

  /** Encrypts every leaf that the rules select, in place, and returns the MAC over the plaintext. */
  static String encrypt(List<Branch> branches, SopsMetadata.Rules rules, ValueCipher cipher, byte[] key) {
    MessageDigest hash = sha512(rules.macOnlyEncrypted());
    for (Branch b : branches) {
      walkBranch(b, new ArrayList<>(), new ArrayList<>(), (in, path, stack) -> {
        boolean isComment = in instanceof Comment;
        boolean encrypted = shouldBeEncrypted(rules, path, stack, isComment);
        if ((!rules.macOnlyEncrypted() || encrypted) && !isComment) {
          hash.update(toBytes(in));
        }
        if (!encrypted) {
          return in;
        }
        String out = cipher.encrypt(in, key, aad(path));
        if (isComment && !rules.unencryptedCommentRegex().isEmpty()
            && pattern(rules.unencryptedCommentRegex()).matcher(out).find()) {
          throw new SecretsException("an encrypted comment matches unencrypted_comment_regex; "
              + "choose a regex that cannot match ENC[...]");
        }
        return isComment ? new Comment(out) : out;
      });
    }
    return HexFormat.of().withUpperCase().formatHex(hash.digest());
  }

  static String aad(List<String> path) {
    return String.join(":", path) + ":";
  }

  static String pathString(List<String> path) {
    return path.isEmpty() ? "(top level)" : String.join(".", path);
  }

  /** sops' ToBytes: the bytes a leaf contributes to the MAC (and, for encryption, the plaintext). */
  public static byte[] toBytes(Object v) {
    if (v instanceof String s) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    if (v instanceof Long || v instanceof Integer) {
      return v.toString().getBytes(StandardCharsets.UTF_8);
    }
    if (v instanceof Double d) {
      return GoFormat.formatFloat(d).getBytes(StandardCharsets.UTF_8);
    }
    if (v instanceof Boolean b) {
      return (b ? "True" : "False").getBytes(StandardCharsets.UTF_8);
    }
    if (v instanceof byte[] bytes) {
      return bytes;
    }
    if (v instanceof OffsetDateTime t) {
      return GoFormat.rfc3339Nano(t).getBytes(StandardCharsets.UTF_8);
    }
    if (v instanceof Comment c) {
      return c.value().getBytes(StandardCharsets.UTF_8);
    }
    throw new SecretsException("cannot convert a value of type " + typeName(v) + " to bytes");
  }

  static String typeName(Object v) {
    return v == null ? "null" : v.getClass().getSimpleName();
  }

  private static MessageDigest sha512(boolean macOnlyEncrypted) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-512");
      if (macOnlyEncrypted) {
        // a different start state so the two MAC variants can never be confused
        md.update(MAC_ONLY_ENCRYPTED_INIT);
      }
      return md;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Deep copy, so callers can keep an encrypted tree next to its decryption. */
  static Object deepCopy(Object v) {
    if (v instanceof Branch b) {
      Branch out = new Branch();
      for (Item i : b) {
        out.add(new Item(i.key(), deepCopy(i.value())));
      }
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object o : l) {
        out.add(deepCopy(o));
      }
      return out;
    }
    if (v instanceof byte[] b) {
      return b.clone();
    }
    return v;
  }

  static List<Branch> deepCopy(List<Branch> branches) {
    List<Branch> out = new ArrayList<>(branches.size());
    for (Branch b : branches) {
      out.add((Branch) deepCopy(b));
    }
    return out;
  }

  /** A tree value as plain Java maps/lists, comments dropped. */
  public static Object toPlainValue(Object v) {
    if (v instanceof Branch b) {
      return toPlain(b);
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object o : l) {
        if (!(o instanceof Comment)) {
          out.add(toPlainValue(o));
        }
      }
      return out;
    }
    return v;
  }

  public static Map<String, Object> toPlain(Branch b) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Item i : b) {
      if (i.key() instanceof String k) {
        out.put(k, toPlainValue(i.value()));
      }
    }
    return out;
  }
}
