package io.e4j.core.vectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.e4j.core.ClientStore;
import io.e4j.core.E4Client;
import io.e4j.core.E4Exception;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the reference vectors, and the small conversions every vector test needs. */
final class VectorFiles {
  /** The clock every positive vector is valid at (the vectors' README). */
  static final long REFERENCE_NOW = 1_700_000_005L;

  /** The timestamp every vector message and command was protected with. */
  static final long T0 = 1_700_000_000L;

  private static final HexFormat HEX = HexFormat.of();
  private static final JsonNode E4GO = readJson("e4go/e4go-vectors.json");

  private VectorFiles() {}

  /** e4go-vectors.json, parsed once. */
  static JsonNode e4go() {
    return E4GO;
  }

  static List<String> lines(String name) {
    try (InputStream in = open(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A vector file as a file on disk, for the APIs that read files. */
  static Path path(String name) {
    URL url = VectorFiles.class.getResource("/vectors/" + name);
    if (url == null) {
      throw new IllegalStateException("test resource vectors/" + name + " is missing");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A client imported from the Go client's state file {@code goStateJson} (written to a file in
   * {@code directory} first) into a new memory store.
   */
  static E4Client importGoState(Path directory, String goStateJson, Clock clock) {
    try {
      Path file = Files.createTempFile(directory, "e4go-state", ".json");
      Files.writeString(file, goStateJson);
      return E4Client.importGoState(file, ClientStore.memory(), clock);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The Go client's state file of the symmetric client (section h) holding {@code topicKeys}: hex
   * map key to value, 32-byte keys and 40-byte transition entries alike.
   */
  static String symmetricGoState(Map<String, byte[]> topicKeys) {
    String fresh =
        E4GO.get("h_client_state_json")
            .get("symmetric_client")
            .get("json_after_NewClient")
            .asText();
    try {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode state = (ObjectNode) mapper.readTree(fresh);
      ObjectNode topics = state.putObject("TopicKeys");
      topicKeys.forEach((hash, key) -> topics.put(hash, Base64.getEncoder().encodeToString(key)));
      return mapper.writeValueAsString(state);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode readJson(String name) {
    try (InputStream in = open(name)) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream open(String name) {
    InputStream in = VectorFiles.class.getResourceAsStream("/vectors/" + name);
    if (in == null) {
      throw new IllegalStateException("test resource vectors/" + name + " is missing");
    }
    return in;
  }

  /** The reason {@code action} failed with, or null when it succeeded. */
  static E4Exception.Reason reasonOf(Runnable action) {
    try {
      action.run();
      return null;
    } catch (E4Exception e) {
      return e.reason();
    }
  }

  /**
   * What {@code client} unprotects {@code message} to; a refusal fails the test with its reason,
   * under {@code what}.
   */
  static Optional<byte[]> unprotected(E4Client client, String topic, byte[] message, String what) {
    try {
      return client.unprotect(topic, message);
    } catch (E4Exception e) {
      throw new AssertionError(what + ": refused, " + e.reason() + ": " + e.getMessage(), e);
    }
  }

  static Clock clockAt(long epochSecond) {
    return Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC);
  }

  /** The bytes of a hex field; the line format writes the empty string as "-". */
  static byte[] unhex(String hex) {
    return HEX.parseHex(hex.equals("-") ? "" : hex);
  }

  static byte[] unhex(JsonNode hexField) {
    return unhex(hexField.asText());
  }

  static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }

  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** A digest from the JDK, so that tests need no internal class for it. */
  static byte[] digest(String algorithm, byte[] data) {
    try {
      return MessageDigest.getInstance(algorithm).digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] sha3(byte[] data) {
    return digest("SHA3-256", data);
  }

  /** SHA3-256 truncated to 16 bytes: a topic hash or an ID, computed by the JDK. */
  static byte[] sha3Truncated16(byte[] data) {
    return Arrays.copyOf(sha3(data), 16);
  }

  /** d32(label) of the vectors' README: SHA3-256("e4-interop/" + label). */
  static byte[] d32(String label) {
    return sha3(utf8("e4-interop/" + label));
  }

  /** The 8-byte little-endian timestamp that starts every protected message. */
  static byte[] timestampBytes(long epochSecond) {
    byte[] bytes = new byte[8];
    for (int i = 0; i < 8; i++) {
      bytes[i] = (byte) (epochSecond >>> (8 * i));
    }
    return bytes;
  }

  static long timestampOf(byte[] message) {
    long timestamp = 0;
    for (int i = 7; i >= 0; i--) {
      timestamp = (timestamp << 8) | (message[i] & 0xff);
    }
    return timestamp;
  }
}
