package io.stackpipe.secrets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/** Finds the sops-encrypted YAML/JSON files under directories (e.g. every profile of a chart). */
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
}
