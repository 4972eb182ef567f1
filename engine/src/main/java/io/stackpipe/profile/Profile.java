package io.stackpipe.profile;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One stack type's overrides inside a chart: {@code profiles/<name>/values.yaml} and, optionally, a
 * SOPS-encrypted {@code profiles/<name>/secrets.yaml}.
 */
public record Profile(String name, Path directory, Optional<Path> values, Optional<Path> secrets) {

  /** How messages name a file of this profile, relative to the chart: {@code profiles/qa1/values.yaml}. */
  public String display(String file) {
    return Profiles.DIRECTORY + "/" + name + "/" + file;
  }
}
