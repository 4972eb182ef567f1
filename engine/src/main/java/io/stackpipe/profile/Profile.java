package io.stackpipe.profile;

import io.stackpipe.secrets.format.SopsFile;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * One stack type's overrides inside a chart: {@code profiles/<name>/values.yaml} and, optionally, a
 * SOPS-encrypted {@code profiles/<name>/secrets.yaml}, as read once by {@link Profiles#scan}.
 *
 * @param files every file of the profile folder, file name → bytes, sorted by name: what the package holds
 * @param values the parsed values.yaml (empty map for an empty file), or empty when the profile has none
 * @param secrets the parsed secrets.yaml, or empty when the profile has none
 */
public record Profile(String name, Path directory, Map<String, byte[]> files, Optional<Map<?, ?>> values,
    Optional<SopsFile> secrets) {

  /** How messages name a file of this profile, relative to the chart: {@code profiles/qa1/values.yaml}. */
  public String display(String file) {
    return Profiles.DIRECTORY + "/" + name + "/" + file;
  }

  /** The values.yaml file, for tools that read values from a file (Helm). */
  public Optional<Path> valuesFile() {
    return values.map(v -> directory.resolve(Profiles.VALUES));
  }
}
