package io.stackpipe.secrets;

import io.stackpipe.PrivateTempDir;
import io.stackpipe.secrets.core.SecretsEnvironment;
import io.stackpipe.secrets.core.SecretsException;
import io.stackpipe.secrets.format.Sealer;
import io.stackpipe.secrets.format.SopsFile;
import io.stackpipe.secrets.format.SopsMetadata;
import io.stackpipe.secrets.format.Tree;
import io.stackpipe.secrets.keys.SecretKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code sops edit}: decrypts into a 0600 file in a private temp directory, runs the editor on it, and re-encrypts
 * with the same data key. Values that did not change keep their exact ciphertext (sops' IV stash), so diffs show only
 * real edits. The plaintext file is deleted in {@code finally}; an unparsable edit changes nothing.
 */
public final class SopsEdit {
  private final SecretKeys keys;
  private List<String> editor = List.of("vi");
  private Optional<Path> tempRoot = Optional.empty();

  /** Edits with {@code vi} unless {@link #withEditor} names the editor (e.g. {@link SecretsEnvironment#editor()}). */
  public SopsEdit(SecretKeys keys) {
    this.keys = keys;
  }

  /** The editor command; the plaintext file's path is appended as its last argument. */
  public SopsEdit withEditor(List<String> command) {
    editor = List.copyOf(command);
    return this;
  }

  /** Where the private directory of the plaintext file is created (default: {@code java.io.tmpdir}). */
  public SopsEdit withTempRoot(Path dir) {
    tempRoot = Optional.of(dir);
    return this;
  }

  /** True if the file changed. */
  public boolean call(Path file) {
    SopsFile parsed = SopsFile.parse(file);
    byte[] dataKey = SopsDecrypt.dataKey(parsed, keys);
    Sealer.Opened plain = Sealer.open(parsed, dataKey, false);
    String before = parsed.format().emit(plain.documents());
    String after = editInTempFile(file, before);
    if (after.equals(before)) {
      return false;
    }
    List<Tree.Branch> edited = parsed.format().parse(after, file + " (edited)");
    SopsMetadata meta = parsed.metadata();
    try {
      String out = Sealer.seal(parsed.format(), edited, meta.keyGroups(), meta.shamirThreshold(), meta.rules(),
          dataKey, plain.cipher());
      SecretsFiles.writeAtomically(file, out);
    } catch (SecretsException e) {
      throw e.inFile(file);
    }
    return true;
  }

  private String editInTempFile(Path file, String plaintext) {
    try (PrivateTempDir dir = PrivateTempDir.create(tempRoot, "stackpipe-edit-")) {
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
