package io.stackpipe.secrets.format;

import io.stackpipe.secrets.core.SecretsException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The document formats supported, chosen like sops by extension (with a content sniff for unknown extensions). */
public enum FileFormat {
  YAML, JSON;

  public static FileFormat of(Path file, String content) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".json")) {
      return JSON;
    }
    if (name.endsWith(".yaml") || name.endsWith(".yml")) {
      return YAML;
    }
    if (name.endsWith(".env") || name.endsWith(".ini")) {
      throw new SecretsException(file + ": dotenv and ini sops files are not supported (use YAML or JSON)");
    }
    return content.stripLeading().startsWith("{") ? JSON : YAML;
  }

  /** Parses plaintext or encrypted content into documents; errors name {@code file} and never quote the content. */
  public List<Tree.Branch> parse(String content, Object file) {
    try {
      return this == JSON ? JsonStore.parse(content) : YamlStore.parse(content);
    } catch (SecretsException e) {
      throw e.inFile(file);
    } catch (org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException e) {
      // the problem and its position only: the parser's snippet of the offending line may hold a secret
      String where = e.getProblemMark().map(m -> " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1)).orElse("");
      throw new SecretsException(file + ": not valid YAML: " + e.getProblem() + where);
    } catch (RuntimeException e) {
      throw new SecretsException(file + ": not valid " + this + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** The documents as sops writes them in this format. */
  public String emit(List<Tree.Branch> branches) {
    return this == JSON ? JsonStore.emit(branches) : YamlStore.emit(branches);
  }

  /**
   * What {@code sops -d --extract} prints for the value found in the first document: strings as they are, others
   * encoded, and a map as the whole file with the map in place of the first document (as sops does).
   */
  public String emitExtracted(Object value, List<Tree.Branch> documents) {
    if (value instanceof Tree.Branch b) {
      List<Tree.Branch> docs = new java.util.ArrayList<>(documents);
      docs.set(0, b);
      return emit(docs);
    }
    if (value instanceof String s) {
      return s;
    }
    return this == JSON ? JsonStore.emitValue(value) : YamlStore.emitValue(value);
  }
}
