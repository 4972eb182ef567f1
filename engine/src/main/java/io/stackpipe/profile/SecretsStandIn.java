package io.stackpipe.profile;

import io.stackpipe.yaml.SafeYaml;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Values shaped like a profile's SOPS secrets, with placeholders for every leaf. SOPS keeps keys in clear,
 * so templates that read secrets can be rendered and checked without any decryption key.
 */
public final class SecretsStandIn {

  /** The string every encrypted string leaf becomes; a template that prints it is visibly not a real secret. */
  public static final String PLACEHOLDER = "stackpipe-placeholder";
  private static final Pattern ENC_TYPE = Pattern.compile("^ENC\\[AES256_GCM,.*,type:(\\w+)\\]$");

  private SecretsStandIn() {
  }

  /** The secrets file's structure with placeholder leaves of the encrypted types; the sops metadata removed. */
  public static Map<String, Object> of(Path secretsFile, String display) {
    Map<String, Object> values = new LinkedHashMap<>();
    if (SafeYaml.load(secretsFile, display) instanceof Map<?, ?> document) {
      document.forEach((key, value) -> {
        if (!"sops".equals(key)) {
          values.put(String.valueOf(key), standIn(value));
        }
      });
    }
    return values;
  }

  private static Object standIn(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(String.valueOf(k), standIn(v)));
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(v -> copy.add(standIn(v)));
      return copy;
    }
    if (value instanceof String text) {
      Matcher enc = ENC_TYPE.matcher(text);
      if (enc.matches()) {
        return switch (enc.group(1)) {
          case "int" -> 1;
          case "float" -> 1.5;
          case "bool" -> true;
          default -> PLACEHOLDER;
        };
      }
    }
    // Values left unencrypted by the file's rules are not secret: keep them, templates may depend on them.
    return value;
  }
}
