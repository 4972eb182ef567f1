package io.stackpipe.secrets;

import io.stackpipe.PrivateTempDir;
import io.stackpipe.secrets.core.SecretsException;
import io.stackpipe.secrets.format.FileFormat;
import io.stackpipe.secrets.format.Sealer;
import io.stackpipe.secrets.format.Tree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A decrypted sops file. It never prints its values ({@link #toString} shows only the file and the paths), exposes the
 * secret leaf strings so adapters can mask them in logs, and hands a plaintext file to tools like Helm only inside
 * {@link #withTempFile}: 0600 in a private 0700 directory, deleted when the action returns or fails.
 */
public final class DecryptedSecrets {
  private final Path file;
  private final FileFormat format;
  private final List<Tree.Branch> documents;
  private final List<String> secretPaths;
  private final Set<String> secretValues;

  DecryptedSecrets(Path file, FileFormat format, Sealer.Opened opened) {
    this.file = file;
    this.format = format;
    this.documents = opened.documents();
    this.secretPaths = List.copyOf(opened.secretPaths());
    this.secretValues = Collections.unmodifiableSet(collectSecretValues(opened.secretValues()));
  }

  public Path file() {
    return file;
  }

  public FileFormat format() {
    return format;
  }

  /** Dotted paths of the values that were encrypted. */
  public List<String> secretPaths() {
    return secretPaths;
  }

  /** The string form of every decrypted value (non-empty), for log masking. */
  public Set<String> secretValues() {
    return secretValues;
  }

  /** The documents as plain ordered maps (comments dropped), e.g. as Helm values. */
  public List<Map<String, Object>> documents() {
    List<Map<String, Object>> out = new ArrayList<>();
    documents.forEach(d -> out.add(Tree.toPlain(d)));
    return out;
  }

  /** The plaintext file in its input format, like {@code sops -d}. Handle with care. */
  public String plaintext() {
    return format.emit(documents);
  }

  /**
   * One value selected with sops' {@code --extract} syntax ({@code ["a"]["b"][0]}): scalars as their text, maps and
   * lists in the file's format.
   */
  public String extract(String path) {
    Object cur = documents.get(0);
    Matcher m = Pattern.compile("\\[(?:\"([^\"]*)\"|'([^']*)'|(-?\\d+))]").matcher(path);
    int pos = 0;
    while (m.find()) {
      if (m.start() != pos) {
        throw new SecretsException("invalid extract path " + path);
      }
      pos = m.end();
      if (m.group(3) != null) {
        int idx = Integer.parseInt(m.group(3));
        List<?> l = cur instanceof List<?> list ? list.stream().filter(o -> !(o instanceof Tree.Comment)).toList() : null;
        if (l == null || idx < 0 || idx >= l.size()) {
          throw new SecretsException(file + ": no list element " + path.substring(0, pos));
        }
        cur = l.get(idx);
      } else {
        String key = m.group(1) != null ? m.group(1) : m.group(2);
        if (!(cur instanceof Tree.Branch b) || !b.has(key)) {
          throw new SecretsException(file + ": no key " + path.substring(0, pos));
        }
        cur = b.get(key);
      }
    }
    if (pos != path.length() || pos == 0) {
      throw new SecretsException("invalid extract path " + path + " (expected e.g. [\"key\"][0])");
    }
    return format.emitExtracted(cur, documents);
  }

  /** An action that receives the plaintext file's path. */
  @FunctionalInterface
  public interface FileAction<T> {
    T apply(Path plaintextFile) throws Exception;
  }

  /**
   * Writes the plaintext to a 0600 file in a fresh 0700 directory under {@code java.io.tmpdir}, runs the action and
   * deletes both in {@code finally}, also when the action fails.
   */
  public <T> T withTempFile(FileAction<T> action) {
    return withTempFile(Optional.empty(), action);
  }

  /** As {@link #withTempFile(FileAction)}, the private directory created under {@code tempRoot} if given. */
  public <T> T withTempFile(Optional<Path> tempRoot, FileAction<T> action) {
    try (PrivateTempDir dir = PrivateTempDir.create(tempRoot, "stackpipe-secrets-")) {
      Path f = dir.newFile(file.getFileName().toString());
      Files.writeString(f, plaintext(), StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
      return action.apply(f);
    } catch (SecretsException e) {
      throw e;
    } catch (Exception e) {
      throw new SecretsException(file + ": action on the decrypted file failed (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  private static Set<String> collectSecretValues(List<Object> values) {
    Set<String> out = new LinkedHashSet<>();
    for (Object v : values) {
      if (v != null && !(v instanceof Tree.Comment)) {
        String s = new String(Tree.toBytes(v), StandardCharsets.UTF_8);
        if (!s.isEmpty()) {
          out.add(s);
        }
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "DecryptedSecrets[" + file + ", " + secretPaths.size() + " secret values: " + String.join(", ", secretPaths) + " = ****]";
  }
}
