package io.stackpipe.manifest.l3;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackpipe.StackpipeException;
import java.io.IOException;

/** The JSON of the records kept in ConfigMaps. */
final class L3Json {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private L3Json() {
  }

  static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static <T> T read(String text, TypeReference<T> type, String display) {
    try {
      return JSON.readValue(text, type);
    } catch (IOException e) {
      throw new StackpipeException(display + " is not a Stackpipe L3 record (" + e.getClass().getSimpleName() + ")");
    }
  }
}
