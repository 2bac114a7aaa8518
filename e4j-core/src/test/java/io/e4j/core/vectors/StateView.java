package io.e4j.core.vectors;

import static io.e4j.core.vectors.VectorFiles.hex;
import static io.e4j.core.vectors.VectorFiles.sha3Truncated16;
import static io.e4j.core.vectors.VectorFiles.unhex;

import com.fasterxml.jackson.databind.JsonNode;
import io.e4j.core.ClientStore;
import io.e4j.core.E4Client;
import io.e4j.core.E4Client.Mode;
import java.util.Map;
import java.util.TreeMap;

/**
 * A device state as the vectors write it (the normalised {@code state_*} views and the columns of
 * cvectors.txt), every value lower-case hex.
 *
 * @param idKey the 32-byte client key (symmetric mode) or the 64-byte Ed25519 private key
 * @param signerId the ID public-key messages carry; null in symmetric mode
 * @param c2PublicKey C2's Curve25519 public key; null in symmetric mode
 * @param topicKeys topic hash to current key
 * @param previousTopicKeys topic hash to the key it replaced, during a key transition
 * @param publicKeys device ID to Ed25519 public key (public-key mode)
 */
record StateView(
    String id,
    String controlTopic,
    Mode mode,
    String idKey,
    String signerId,
    String c2PublicKey,
    Map<String, String> topicKeys,
    Map<String, String> previousTopicKeys,
    Map<String, String> publicKeys) {
  private static final int KEY_HEX = 64;
  private static final int TRANSITION_ENTRY_HEX = 80;

  static StateView symmetric(String id, String key, Map<String, String> topicKeys) {
    return new StateView(
        id, "e4/" + id, Mode.SYMMETRIC, key, null, null, topicKeys, Map.of(), Map.of());
  }

  static StateView publicKey(
      String id,
      String privateKey,
      String c2PublicKey,
      Map<String, String> topicKeys,
      Map<String, String> publicKeys) {
    return new StateView(
        id,
        "e4/" + id,
        Mode.PUBLIC_KEY,
        privateKey,
        id,
        c2PublicKey,
        topicKeys,
        Map.of(),
        publicKeys);
  }

  /**
   * Reads a {@code state_before}/{@code state_after}/{@code state_final} view. A 40-byte topic
   * entry is a key transition (old key || time), stored by the Go client under the hash of the
   * topic hash.
   */
  static StateView fromJson(JsonNode state) {
    Map<String, String> current = new TreeMap<>();
    Map<String, String> transitions = new TreeMap<>();
    state
        .get("topic_keys")
        .properties()
        .forEach(
            entry -> {
              String value = entry.getValue().asText();
              if (value.length() == TRANSITION_ENTRY_HEX) {
                transitions.put(entry.getKey(), value.substring(0, KEY_HEX));
              } else {
                current.put(entry.getKey(), value);
              }
            });
    Map<String, String> previous = new TreeMap<>();
    for (String topicHash : current.keySet()) {
      String old = transitions.remove(hex(sha3Truncated16(unhex(topicHash))));
      if (old != null) {
        previous.put(topicHash, old);
      }
    }
    if (!transitions.isEmpty()) {
      throw new AssertionError("transition entries without their topic: " + transitions.keySet());
    }
    Map<String, String> publicKeys = new TreeMap<>();
    state
        .path("pub_keys")
        .properties()
        .forEach(entry -> publicKeys.put(entry.getKey(), entry.getValue().asText()));
    boolean symmetric = state.get("key_type").asText().startsWith("symmetric");
    return new StateView(
        state.get("id").asText(),
        state.get("receiving_topic").asText(),
        symmetric ? Mode.SYMMETRIC : Mode.PUBLIC_KEY,
        state.get("id_key").asText(),
        symmetric ? null : state.get("signer_id").asText(),
        symmetric ? null : state.get("c2_pubkey").asText(),
        current,
        previous,
        publicKeys);
  }

  /**
   * The same state without the key transitions: where the Go client stamped a transition with its
   * wall clock, whether the old key is still usable depends on when the test runs.
   */
  StateView withoutTransitions() {
    return new StateView(
        id, controlTopic, mode, idKey, signerId, c2PublicKey, topicKeys, Map.of(), publicKeys);
  }

  /** The Ed25519 public key of a public-key device: the second half of its private key. */
  String ownPublicKey() {
    return idKey.substring(KEY_HEX);
  }

  /**
   * A client in this state, made only through the public API: the builder, then {@link
   * E4Client#setTopicKey} (the old key first where a transition is under way) and {@link
   * E4Client#addPublicKey}.
   *
   * @param settings a builder with the settings under test (clock, clock skew...) but no identity
   */
  E4Client newClient(E4Client.Builder settings) {
    E4Client.Builder builder = settings.id(unhex(id)).store(ClientStore.memory());
    if (mode == Mode.SYMMETRIC) {
      builder.key(unhex(idKey));
    } else {
      builder.signingKey(unhex(idKey)).c2PublicKey(unhex(c2PublicKey));
    }
    E4Client client = builder.build();
    topicKeys.forEach(
        (topicHash, key) -> {
          String topic = ReferenceInputs.topicNamed(topicHash);
          if (previousTopicKeys.containsKey(topicHash)) {
            client.setTopicKey(topic, unhex(previousTopicKeys.get(topicHash)));
          }
          client.setTopicKey(topic, unhex(key));
        });
    publicKeys.forEach((peer, publicKey) -> client.addPublicKey(unhex(peer), unhex(publicKey)));
    return client;
  }
}
