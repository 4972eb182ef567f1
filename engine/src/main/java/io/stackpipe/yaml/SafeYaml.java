package io.stackpipe.yaml;

import io.stackpipe.StackpipeException;
import io.stackpipe.base.Messages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The one YAML loader for user files: bounded in size and alias expansion (no "billion laughs"),
 * duplicate keys refused, and every error reported as one line naming the file and line.
 */
public final class SafeYaml {

  /** Chart.yaml, values files and secrets files: generous for configuration, small for memory. */
  public static final long MAX_FILE_BYTES = 1024 * 1024;
  /** One rendered object: etcd stores at most about 1.5 MiB per object. */
  static final int MAX_RENDERED_CODE_POINTS = 4 * 1024 * 1024;
  static final int MAX_ALIASES = 50;
  // Immutable and thread-safe: built once, not per document (rendered charts parse hundreds of documents).
  private static final LoadSettings FILE_SETTINGS = settings((int) MAX_FILE_BYTES);
  private static final LoadSettings RENDERED_SETTINGS = settings(MAX_RENDERED_CODE_POINTS);

  private SafeYaml() {
  }

  /** Loads a single-document file; {@code displayName} is how errors name it (e.g. profiles/qa1/values.yaml). */
  public static Object load(Path file, String displayName) {
    return load(read(file, displayName), displayName);
  }

  /** Loads a values-style file: a mapping, or nothing at all. */
  public static void requireMapping(Path file, String displayName) {
    Object document = load(file, displayName);
    if (document != null && !(document instanceof java.util.Map)) {
      throw new StackpipeException(displayName + ": must be a YAML mapping of values");
    }
  }

  public static Object load(String text, String displayName) {
    try {
      return new Load(FILE_SETTINGS).loadFromString(text);
    } catch (YamlEngineException e) {
      throw new StackpipeException(displayName + ": " + describe(e));
    }
  }

  /**
   * Composes a single-document file into nodes, which keep their line numbers: for files whose every error
   * must name its line and field (stack policies). Empty when the file holds no document.
   */
  public static java.util.Optional<Node> compose(Path file, String displayName) {
    return compose(read(file, displayName), displayName);
  }

  /** {@link #compose(Path, String)} of a document already read (a setting's text). */
  public static java.util.Optional<Node> compose(String text, String displayName) {
    try {
      return new Compose(FILE_SETTINGS).composeString(text);
    } catch (YamlEngineException e) {
      throw new StackpipeException(displayName + ": " + describe(e));
    }
  }

  /** Loads one rendered Kubernetes document: larger than a values file may be, as big as etcd accepts. */
  public static Object loadRendered(String text, String displayName) {
    try {
      return new Load(RENDERED_SETTINGS).loadFromString(text);
    } catch (YamlEngineException e) {
      throw new StackpipeException(displayName + ": " + describe(e));
    }
  }

  public static String dump(Object data) {
    return new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).build()).dumpToString(data);
  }

  /** Reads a user file as UTF-8, refusing oversize files before anything parses them. */
  public static String read(Path file, String displayName) {
    return decode(readBytes(file, displayName), displayName);
  }

  /** Reads a user file's bytes, refusing oversize files: for callers that keep the bytes and parse the text. */
  public static byte[] readBytes(Path file, String displayName) {
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new StackpipeException(
            displayName + ": file is " + size + " bytes, over the limit of " + MAX_FILE_BYTES + " bytes");
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new StackpipeException(displayName + ": cannot be read (" + describe(e) + ")");
    }
  }

  /** Strict UTF-8: a file in another encoding is refused rather than parsed with replacement characters. */
  public static String decode(byte[] bytes, String displayName) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new StackpipeException(displayName + ": not valid UTF-8");
    }
  }

  /** An I/O failure in words a user acts on, not a Java class name. */
  public static String describe(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return Messages.firstLine(e.getMessage(), "I/O error");
  }

  private static LoadSettings settings(int codePointLimit) {
    return LoadSettings.builder()
        .setMaxAliasesForCollections(MAX_ALIASES)
        .setAllowDuplicateKeys(false)
        .setCodePointLimit(codePointLimit)
        .build();
  }

  private static String describe(YamlEngineException e) {
    if (e instanceof MarkedYamlEngineException marked && marked.getProblemMark().isPresent()) {
      var mark = marked.getProblemMark().get();
      String problem = marked.getProblem() == null ? "invalid YAML" : marked.getProblem();
      String context = marked.getContext() == null ? "" : marked.getContext() + ": ";
      return "line " + (mark.getLine() + 1) + ": " + context + problem;
    }
    String message = Messages.firstLine(e.getMessage(), "invalid YAML");
    if (message.startsWith("Number of aliases")) {
      return "more than " + MAX_ALIASES + " aliases to collections: refused, alias expansion could exhaust memory";
    }
    return message;
  }
}
