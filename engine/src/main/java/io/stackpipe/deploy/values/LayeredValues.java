package io.stackpipe.deploy.values;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackpipe.PrivateTempDir;
import io.stackpipe.StackpipeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A chart's values under one profile, composed by {@link ProfileValues}: may hold decrypted secrets, so it never
 * prints them ({@link #toString} names the layers only) and hands them to Helm only through {@link #withValuesFile}.
 *
 * @param chart the chart's name
 * @param layers what was layered, in order (e.g. {@code profiles/qa1/values.yaml})
 * @param secretValues every decrypted value's text, for masking
 * @param secretsSkipped the profile has a secrets.yaml that was left out on purpose
 */
public record LayeredValues(String chart, String profile, Map<String, Object> values, List<String> layers,
    Set<String> secretValues, boolean secretsSkipped) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public LayeredValues {
    values = Collections.unmodifiableMap(values);
    layers = List.copyOf(layers);
    secretValues = Set.copyOf(secretValues);
  }

  /** These values replaced by {@code values}, one more layer named {@code layer}. */
  public LayeredValues withLayer(String layer, Map<String, Object> values) {
    List<String> more = new java.util.ArrayList<>(layers);
    more.add(layer);
    return new LayeredValues(chart, profile, values, more, secretValues, secretsSkipped);
  }

  /**
   * Runs {@code action} with the values as one JSON file (0600, in a fresh 0700 directory) that is deleted when it
   * returns or throws: Helm reads user values from files only.
   */
  public <T> T withValuesFile(Function<Path, T> action) {
    try (PrivateTempDir dir = PrivateTempDir.create("stackpipe-values-")) {
      Path file = dir.newFile("values.json");
      Files.write(file, JSON.writeValueAsBytes(values));
      return action.apply(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code text} with every decrypted value replaced by {@code ****}. */
  public String mask(String text) {
    if (text == null) {
      return null;
    }
    String masked = text;
    for (String secret : secretValues) {
      masked = masked.replace(secret, "****");
    }
    return masked;
  }

  /** The same failure with any decrypted value masked out of its message, and no cause that could carry one. */
  public RuntimeException masked(RuntimeException e) {
    String message = e.getMessage();
    if (message == null || secretValues.stream().noneMatch(message::contains)) {
      return e;
    }
    return new StackpipeException(mask(message));
  }

  @Override
  public String toString() {
    return "LayeredValues[" + chart + ", profile " + profile + ": " + String.join(" <- ", layers) + "; "
        + secretValues.size() + " secret values = ****]";
  }
}
