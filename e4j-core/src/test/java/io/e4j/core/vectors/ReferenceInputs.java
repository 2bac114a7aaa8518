package io.e4j.core.vectors;

import static io.e4j.core.vectors.VectorFiles.d32;
import static io.e4j.core.vectors.VectorFiles.hex;
import static io.e4j.core.vectors.VectorFiles.unhex;

import com.fasterxml.jackson.databind.JsonNode;
import io.e4j.core.Keys;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The names and keys the vectors were generated from (the vectors' README, "Names used below"). A
 * device never learns topic names, only their hashes; the tests need the names back to call the
 * public API, which takes names.
 */
final class ReferenceInputs {
  static final String TEMPERATURE = "sensors/temperature";
  static final String HUMIDITY = "sensors/humidity";
  static final String VALVE = "actuators/valve";
  static final String SYMMETRIC_CLIENT = "sym-client-1";
  static final String PK_CLIENT_A = "pk-client-A";
  static final String PK_CLIENT_B = "pk-client-B";

  private static final List<String> TOPICS =
      List.of(TEMPERATURE, HUMIDITY, VALVE, "not/present", "no/key/here");
  private static final Map<String, String> TOPIC_BY_HASH = new HashMap<>();
  private static final Map<String, JsonNode> ED25519_BY_ALIAS = new HashMap<>();
  private static final Map<String, byte[]> ED25519_PRIVATE_BY_PUBLIC = new HashMap<>();
  private static final JsonNode PUBLIC_KEY_MODE = VectorFiles.e4go().get("e_public_key_mode");

  static {
    for (String topic : TOPICS) {
      TOPIC_BY_HASH.put(hex(Keys.topicHash(topic)), topic);
    }
    for (JsonNode key : PUBLIC_KEY_MODE.get("ed25519_keys")) {
      ED25519_BY_ALIAS.put(key.get("alias").asText(), key);
      ED25519_PRIVATE_BY_PUBLIC.put(
          key.get("ed25519_public_key").asText(),
          unhex(key.get("ed25519_private_key_go_format_seed_pub")));
    }
  }

  private ReferenceInputs() {}

  /** The topic whose hash is {@code topicHashHex}. */
  static String topicNamed(String topicHashHex) {
    String topic = TOPIC_BY_HASH.get(topicHashHex);
    if (topic == null) {
      throw new AssertionError("no vector topic hashes to " + topicHashHex);
    }
    return topic;
  }

  /** d32("topic-key/" + topic), the key every vector uses for that topic. */
  static byte[] topicKey(String topic) {
    return d32("topic-key/" + topic);
  }

  static byte[] symmetricClientKey() {
    return d32("sym-client-key-1");
  }

  /** The 64-byte Ed25519 private key (seed || public) of pk-client-A or pk-client-B. */
  static byte[] ed25519Private(String alias) {
    JsonNode key = ED25519_BY_ALIAS.get(alias);
    if (key == null) {
      throw new AssertionError("no Ed25519 key for " + alias);
    }
    return unhex(key.get("ed25519_private_key_go_format_seed_pub"));
  }

  /** The private key of a public key the vectors use, to sign as its owner. */
  static byte[] ed25519PrivateOf(String publicKeyHex) {
    byte[] privateKey = ED25519_PRIVATE_BY_PUBLIC.get(publicKeyHex);
    if (privateKey == null) {
      throw new AssertionError("no vector Ed25519 key has the public key " + publicKeyHex);
    }
    return privateKey.clone();
  }

  /**
   * C2's Curve25519 public key: {@code index} 0 is the current one, 1 the one SetC2Key installs.
   */
  static byte[] c2Public(int index) {
    return unhex(PUBLIC_KEY_MODE.get("c2_keys").get(index).get("curve25519_public"));
  }
}
