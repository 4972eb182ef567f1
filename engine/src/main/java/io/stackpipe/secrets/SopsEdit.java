package io.stackpipe.secrets;

import io.stackpipe.PrivateTempDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sops edit}: decrypts into a 0600 file in a private temp directory, runs the editor on it, and re-encrypts
 * with the same data key. Values that did not change keep their exact ciphertext (sops' IV stash), so diffs show only
 * real edits. The plaintext file is deleted in {@code finally}; an unparsable edit changes nothing.
 */
public final class SopsEdit {
  private final SecretKeys keys;
  private final List<String> editor;

  public SopsEdit(SecretKeys keys) {
    this(keys, editorCommand(System.getenv()));
  }

  private SopsEdit(SecretKeys keys, List<String> editor) {
    this.keys = keys;
    this.editor = editor;
  }

  /** The editor command; the plaintext file's path is appended as its last argument. */
  public SopsEdit withEditor(List<String> command) {
    return new SopsEdit(keys, List.copyOf(command));
  }

  /** The editor as sops picks it: SOPS_EDITOR, else EDITOR, else vi (split on whitespace). */
  public static List<String> editorCommand(java.util.Map<String, String> env) {
    String e = env.get("SOPS_EDITOR");
    if (e == null || e.isBlank()) {
      e = env.get("EDITOR");
    }
    return List.of((e == null || e.isBlank() ? "vi" : e).strip().split("\\s+"));
  }

  /** True if the file changed. */
  public boolean call(Path file) {
    SopsFile parsed = SopsFile.parse(file);
    SopsDecrypt.Result plain = SopsDecrypt.decryptTree(parsed, keys, false);
    String before = parsed.format().emit(plain.documents());
    String after = editInTempFile(file, before);
    if (after.equals(before)) {
      return false;
    }
    List<Tree.Branch> edited = parsed.format().parse(after, file + " (edited)");
    SopsMetadata meta = parsed.metadata();
    try {
      String out = Sealer.seal(parsed.format(), edited, meta.keyGroups(), meta.shamirThreshold(), meta.rules(),
          plain.dataKey(), plain.cipher());
      Sealer.writeAtomically(file, out);
    } catch (SecretsException e) {
      throw e.inFile(file);
    }
    return true;
  }

  private String editInTempFile(Path file, String plaintext) {
    try (PrivateTempDir dir = PrivateTempDir.create("stackpipe-edit-")) {
      Path tmp = dir.newFile(file.getFileName().toString());
      Files.writeString(tmp, plaintext, StandardCharsets.UTF_8);
      List<String> cmd = new ArrayList<>(editor);
      cmd.add(tmp.toString());
      int rc = new ProcessBuilder(cmd).inheritIO().start().waitFor();
      if (rc != 0) {
        throw new SecretsException(file + ": editor " + editor.get(0) + " exited with " + rc + "; file unchanged");
      }
      return Files.readString(tmp, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new SecretsException(file + ": cannot run editor " + editor.get(0) + " (" + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SecretsException(file + ": interrupted while editing; file unchanged");
    }
  }
}
