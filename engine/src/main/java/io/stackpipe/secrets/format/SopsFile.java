package io.stackpipe.secrets.format;

import io.stackpipe.secrets.core.SecretsException;
import io.stackpipe.secrets.core.MasterKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A parsed sops file (YAML or JSON) before decryption: its documents with values still as ENC[...] strings and its
 * metadata. Reading keys without any key material is what chart builds need to create placeholder values.
 */
public final class SopsFile {
  private final Path path;
  private final FileFormat format;
  private final List<Tree.Branch> documents;
  private final SopsMetadata metadata;

  private SopsFile(Path path, FileFormat format, List<Tree.Branch> documents, SopsMetadata metadata) {
    this.path = path;
    this.format = format;
    this.documents = documents;
    this.metadata = metadata;
  }

  /** Parses a sops-encrypted file; fails with one line naming the file if it is not valid or not encrypted. */
  public static SopsFile parse(Path file) {
    SopsFile f = load(file);
    if (f.metadata == null) {
      throw new SecretsException(file + ": not a sops-encrypted file (no 'sops' metadata)");
    }
    return f;
  }

  /** Parses a YAML or JSON file that may or may not be sops-encrypted (see {@link #isEncrypted()}). */
  public static SopsFile load(Path file) {
    return parse(file, read(file));
  }

  /**
   * Parses text already read from {@code file} (the chart build reads each secrets file once, keeping its
   * bytes for the package); {@link #metadata()} is null when the text carries no sops metadata.
   */
  public static SopsFile parse(Path file, String content) {
    FileFormat format = FileFormat.of(file, content);
    List<Tree.Branch> docs = format.parse(content, file);
    SopsMetadata meta = null;
    for (int i = 0; i < docs.size(); i++) {
      Tree.Branch b = docs.get(i);
      for (int j = 0; j < b.size(); j++) {
        if (SopsMetadata.SOPS_KEY.equals(b.get(j).key())) {
          // like sops: metadata comes from the first document, and is removed from every document
          if (i == 0) {
            meta = SopsMetadata.parse(b.get(j).value(), file);
          }
          b.remove(j--);
        }
      }
    }
    return new SopsFile(file, format, docs, meta);
  }

  /** A cheap check: does this file parse and carry sops metadata? Never throws for unreadable or invalid files. */
  public static boolean isEncrypted(Path file) {
    try {
      String content = read(file);
      if (!content.contains(SopsMetadata.SOPS_KEY)) {
        return false;
      }
      return parse(file, content).metadata != null;
    } catch (SecretsException e) {
      return false;
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new SecretsException(file + ": cannot read (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * Checks, without any key, that the file is a well-formed sops file: metadata with a version, a MAC in sops' value
   * format, at least one key in every key group and each key complete; every value the file's rules say is encrypted
   * in the {@code ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]} format with valid base64, a 32-byte IV, a 16-byte tag
   * and a known type. Fails with one line naming the file and the key path (never the value).
   */
  public SopsFile checkStructure() {
    if (metadata == null) {
      throw new SecretsException(path + ": not a sops-encrypted file (no 'sops' metadata)");
    }
    try {
      metadata.checkStructure();
      for (Tree.Branch b : documents) {
        Tree.walkBranch((Tree.Branch) Tree.deepCopy(b), new ArrayList<>(), new ArrayList<>(), (in, p, stack) -> {
          if (in instanceof Tree.Comment c) {
            if (ValueCipher.looksEncrypted(c.value())) {
              ValueCipher.parse(c.value(), p);
            }
          } else if (Tree.shouldBeEncrypted(metadata.rules(), p, stack, false)) {
            if (!(in instanceof String s)) {
              throw new SecretsException("value at " + Tree.pathString(p) + " should be encrypted but is a plain "
                  + Tree.typeName(in));
            }
            if (!s.isEmpty()) {
              ValueCipher.parse(s, p);
            }
          }
          return in;
        });
      }
    } catch (SecretsException e) {
      throw e.inFile(path);
    }
    return this;
  }

  public Path path() {
    return path;
  }

  public FileFormat format() {
    return format;
  }

  public SopsMetadata metadata() {
    return metadata;
  }

  /** Whether the file carries sops metadata. */
  public boolean isEncrypted() {
    return metadata != null;
  }

  /** A copy of the documents (metadata removed), values as in the file. */
  public List<Tree.Branch> documents() {
    return Tree.deepCopy(documents);
  }

  List<Tree.Branch> tree() {
    return documents;
  }

  /**
   * The documents as plain maps (first document first) with every value that sops encrypted replaced by
   * {@code placeholder.apply(path)}, where path is the dotted key path; unencrypted values stay as they are.
   * No key is needed: values are not decrypted.
   */
  public List<Map<String, Object>> keyStructure(Function<String, Object> placeholder) {
    return keyStructure((path, type) -> placeholder.apply(path));
  }

  /** As {@link #keyStructure(Function)}, the placeholder also told the value's sops type (str, int, bool, ...). */
  public List<Map<String, Object>> keyStructure(BiFunction<String, String, Object> placeholder) {
    List<Tree.Branch> copy = Tree.deepCopy(documents);
    List<Map<String, Object>> out = new ArrayList<>();
    for (Tree.Branch b : copy) {
      Tree.walkBranch(b, new ArrayList<>(), new ArrayList<>(), (in, p, stack) -> {
        if (in instanceof Tree.Comment) {
          return in;
        }
        boolean encrypted = Tree.shouldBeEncrypted(metadata.rules(), p, stack, false);
        return encrypted && in instanceof String s && ValueCipher.looksEncrypted(s)
          ? placeholder.apply(String.join(".", p), ValueCipher.typeOf(s)) : in;
      });
      out.add(Tree.toPlain(b));
    }
    return out;
  }

  /** The dotted paths of all encrypted values, in document order. */
  public List<String> encryptedPaths() {
    List<String> paths = new ArrayList<>();
    keyStructure((p, type) -> {
      paths.add(p);
      return "";
    });
    return paths;
  }

  /** The file as sops writes it with its data key wrapped for other keys; values, MAC and lastmodified unchanged. */
  public String rekeyed(List<List<MasterKey>> keyGroups, int shamirThreshold) {
    return emit(format, documents, metadata.withKeys(keyGroups, shamirThreshold));
  }

  static String emit(FileFormat format, List<Tree.Branch> docs, SopsMetadata meta) {
    List<Tree.Branch> out = new ArrayList<>();
    for (Tree.Branch b : docs) {
      Tree.Branch copy = new Tree.Branch();
      copy.addAll(b);
      copy.add(new Tree.Item(SopsMetadata.SOPS_KEY, meta.toBranch()));
      out.add(copy);
    }
    return format.emit(out);
  }

  @Override
  public String toString() {
    return "SopsFile[" + path + ", " + format + ", " + (metadata == null ? "not encrypted" : metadata.allKeys().size() + " keys") + "]";
  }
}
