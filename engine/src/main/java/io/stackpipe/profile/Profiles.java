package io.stackpipe.profile;

import io.stackpipe.StackpipeException;
import io.stackpipe.chart.Names;
import io.stackpipe.secrets.format.SopsFile;
import io.stackpipe.yaml.SafeYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** Finds and validates a chart's profiles: names, known files, and that no plaintext secret can be published. */
public final class Profiles {

  public static final String DIRECTORY = "profiles";
  public static final String VALUES = "values.yaml";
  public static final String SECRETS = "secrets.yaml";
  public static final String SOPS_CONFIG = ".sops.yaml";
  private static final Set<String> KNOWN = Set.of(VALUES, SECRETS, SOPS_CONFIG);

  private Profiles() {
  }

  /** Checks a profile name given by a user (a step argument, a CLI option) before it touches a path. */
  public static String checkName(String name) {
    if (!Names.isDns1123Label(name)) {
      throw new StackpipeException("profile name '" + name
          + "' is invalid: use a DNS-1123 label (lowercase letters, digits and '-'), no '/', '..' or upper case");
    }
    return name;
  }

  /** All profiles of a chart, sorted by name; none when the chart has no profiles/ folder. */
  public static List<Profile> scan(Path chartDir) {
    Path root = chartDir.resolve(DIRECTORY);
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    requireRealDirectory(root, DIRECTORY);
    List<Profile> profiles = new ArrayList<>();
    for (Path dir : list(root)) {
      String name = dir.getFileName().toString();
      String display = DIRECTORY + "/" + name;
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new StackpipeException(display + ": only profile folders belong in " + DIRECTORY + "/");
      }
      checkDirectoryName(name, display);
      profiles.add(read(name, dir));
    }
    return profiles;
  }

  private static void checkDirectoryName(String name, String display) {
    if (!Names.isDns1123Label(name)) {
      throw new StackpipeException(display + ": profile name '" + name
          + "' is invalid: use a DNS-1123 label (lowercase letters, digits and '-')");
    }
  }

  private static Profile read(String name, Path dir) {
    Path values = null;
    Path secrets = null;
    for (Path file : list(dir)) {
      String fileName = file.getFileName().toString();
      String display = DIRECTORY + "/" + name + "/" + fileName;
      if (fileName.contains(".dec.")) {
        throw new StackpipeException(display + ": decrypted leftover in profile " + name
            + ": delete it, a plaintext secret must never be published");
      }
      if (fileName.startsWith("secrets.")) {
        requireRegularFile(file, display);
        SafeYaml.read(file, display);
        if (!SopsFile.isEncrypted(file)) {
          throw new StackpipeException(display + ": not SOPS-encrypted (no sops metadata) in profile " + name
              + ": encrypt it with 'stackpipe secrets encrypt', a plaintext secret must never be published");
        }
        // a broken ENC[...] value or metadata would only fail at deploy time: refuse it now, no key needed
        SopsFile.parse(file).checkStructure();
      }
      if (!KNOWN.contains(fileName)) {
        throw new StackpipeException(display + ": unknown file in profile " + name
            + " (a profile holds only " + VALUES + ", " + SECRETS + " and " + SOPS_CONFIG + ")");
      }
      requireRegularFile(file, display);
      switch (fileName) {
        case VALUES -> {
          SafeYaml.requireMapping(file, display);
          values = file;
        }
        case SECRETS -> secrets = file;
        default -> SafeYaml.load(file, display);
      }
    }
    return new Profile(name, dir, Optional.ofNullable(values), Optional.ofNullable(secrets));
  }

  private static void requireRealDirectory(Path dir, String display) {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new StackpipeException(display + ": must be a folder (symbolic links are refused)");
    }
  }

  private static void requireRegularFile(Path file, String display) {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new StackpipeException(display + ": must be a regular file (symbolic links are refused)");
    }
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.sorted().toList();
    } catch (IOException e) {
      throw new StackpipeException(dir + ": cannot be listed (" + e.getClass().getSimpleName() + ")");
    }
  }
}
