package io.stackpipe.profile;

import io.stackpipe.secrets.format.SopsFile;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Values shaped like a profile's SOPS secrets, with placeholders for every encrypted leaf. SOPS keeps keys in
 * clear, so templates that read secrets can be rendered and checked without any decryption key.
 */
public final class SecretsStandIn {

  /** The string every encrypted string leaf becomes; a template that prints it is visibly not a real secret. */
  public static final String PLACEHOLDER = "stackpipe-placeholder";

  private SecretsStandIn() {
  }

  /**
   * The secrets file's first document with placeholders of the encrypted values' types; values left
   * unencrypted by the file's rules are not secret and stay, since templates may depend on them.
   */
  public static Map<String, Object> of(SopsFile secrets) {
    var documents = secrets.keyStructure((path, type) -> switch (type) {
      case "int" -> 1;
      case "float" -> 1.5;
      case "bool" -> true;
      default -> PLACEHOLDER;
    });
    return documents.isEmpty() ? Map.of() : new LinkedHashMap<>(documents.get(0));
  }
}
