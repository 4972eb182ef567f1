package io.stackpipe.profile;

import io.stackpipe.StackpipeException;
import io.stackpipe.Names;
import io.stackpipe.secrets.format.SopsFile;
import io.stackpipe.yaml.SafeYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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

  // Each file is read once here; the build renders, checks and packages from what this returns.
  private static Profile read(String name, Path dir) {
    Map<String, byte[]> files = new TreeMap<>();
    Map<?, ?> values = null;
    SopsFile secrets = null;
    for (Path file : list(dir)) {
      String fileName = file.getFileName().toString();
      String display = DIRECTORY + "/" + name + "/" + fileName;
      if (fileName.contains(".dec.")) {
        throw new StackpipeException(display + ": decrypted leftover in profile " + name
            + ": delete it, a plaintext secret must never be published");
      }
      requireRegularFile(file, display);
      byte[] bytes = SafeYaml.readBytes(file, display);
      String text = SafeYaml.decode(bytes, display);
      if (fileName.startsWith("secrets.")) {
        secrets = parseSecrets(name, file, display, text);
      }
      if (!KNOWN.contains(fileName)) {
        throw new StackpipeException(display + ": unknown file in profile " + name
            + " (a profile holds only " + VALUES + ", " + SECRETS + " and " + SOPS_CONFIG + ")");
      }
      Object document = fileName.equals(SECRETS) ? null : SafeYaml.load(text, display);
      if (fileName.equals(VALUES)) {
        if (document != null && !(document instanceof Map<?, ?>)) {
          throw new StackpipeException(display + ": must be a YAML mapping of values");
        }
        values = document == null ? Map.of() : (Map<?, ?>) document;
      } else if (fileName.equals(SOPS_CONFIG) && document != null && !(document instanceof Map<?, ?>)) {
        throw new StackpipeException(display + ": must be a YAML mapping (sops creation_rules)");
      }
      files.put(fileName, bytes);
    }
    return new Profile(name, dir, Collections.unmodifiableMap(files), Optional.ofNullable(values),
        Optional.ofNullable(secrets));
  }

  /** The one place a profile's secrets file is parsed: a plaintext file is refused before it can be packaged. */
  private static SopsFile parseSecrets(String profile, Path file, String display, String text) {
    String notEncrypted = display + ": not SOPS-encrypted (no sops metadata) in profile " + profile
        + ": encrypt it with 'stackpipe secrets encrypt', a plaintext secret must never be published";
    SopsFile parsed;
    try {
      parsed = SopsFile.parse(file, text);
    } catch (StackpipeException e) {
      if (!text.contains("sops")) {
        throw new StackpipeException(notEncrypted);
      }
      throw new StackpipeException(display + ": not a valid SOPS file in profile " + profile + " ("
          + e.getMessage().replace(file + ": ", "") + ")");
    }
    if (parsed.metadata() == null) {
      throw new StackpipeException(notEncrypted);
    }
    // a broken ENC[...] value or metadata would only fail at deploy time: refuse it now, no key needed
    parsed.checkStructure();
    return parsed;
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
      throw new StackpipeException(dir + ": cannot be listed (" + SafeYaml.describe(e) + ")");
    }
  }
}
