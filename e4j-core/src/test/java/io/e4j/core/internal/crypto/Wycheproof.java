package io.e4j.core.internal.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Loads a Wycheproof test file from the test resources. */
final class Wycheproof {
  private Wycheproof() {}

  static JsonNode load(String file) {
    try (InputStream in = Wycheproof.class.getResourceAsStream("/vectors/wycheproof/" + file)) {
      if (in == null) {
        throw new IllegalStateException("test resource vectors/wycheproof/" + file + " is missing");
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] hex(JsonNode test, String field) {
    return Bytes.unhex(test.get(field).asText());
  }

  static String describe(JsonNode test) {
    return "tcId " + test.get("tcId").asInt() + " " + test.get("comment").asText();
  }
}
