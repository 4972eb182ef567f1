package io.stackpipe.secrets;

import io.stackpipe.secrets.core.SecretsException;
import io.stackpipe.secrets.format.SopsFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** Finds the sops-encrypted YAML/JSON files under directories (e.g. every profile of a chart) and replaces them safely. */
public final class SecretsFiles {
  private SecretsFiles() {
  }

  /** Files are taken as they are; directories are walked (sorted; .sops.yaml and hidden directories skipped). */
  public static List<Path> find(Collection<Path> filesOrDirs) {
    List<Path> out = new ArrayList<>();
    for (Path p : filesOrDirs) {
      if (Files.isRegularFile(p)) {
        out.add(p);
      } else if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.walk(p)) {
          s.filter(Files::isRegularFile)
              .filter(f -> !inHiddenDir(p.relativize(f)))
              .filter(f -> f.getFileName().toString().matches("(?i).*\\.(ya?ml|json)$"))
              .filter(f -> !f.getFileName().toString().equals(CreationRules.FILE_NAME))
              .filter(SopsFile::isEncrypted)
              .sorted()
              .forEach(out::add);
        } catch (IOException e) {
          throw new SecretsException(p + ": cannot list (" + e.getClass().getSimpleName() + ")");
        }
      } else {
        throw new SecretsException(p + ": no such file or directory");
      }
    }
    return out;
  }

  private static boolean inHiddenDir(Path rel) {
    for (int i = 0; i < rel.getNameCount() - 1; i++) {
      if (rel.getName(i).toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  /** Replaces the file atomically, keeping its permissions (a crash never leaves half a file). */
  static void writeAtomically(Path file, String content) {
    Path tmp = null;
    try {
      Path dir = file.toAbsolutePath().getParent();
      tmp = Files.createTempFile(dir, ".stackpipe-", ".tmp");
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      if (Files.exists(file)) {
        try {
          Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
          Files.setPosixFilePermissions(tmp, perms);
        } catch (UnsupportedOperationException e) {
          // non-POSIX file system: keep defaults
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      tmp = null;
    } catch (IOException e) {
      throw new SecretsException(file + ": cannot write (" + e.getClass().getSimpleName() + ")");
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          // nothing secret in it: only ciphertext is ever written here
        }
      }
    }
  }
}
