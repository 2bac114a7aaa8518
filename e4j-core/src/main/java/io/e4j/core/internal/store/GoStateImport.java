package io.e4j.core.internal.store;

import io.e4j.core.internal.crypto.AesSiv;
import io.e4j.core.internal.crypto.Bytes;
import io.e4j.core.internal.crypto.Hashing;
import io.e4j.core.internal.protocol.DeviceState;
import io.e4j.core.internal.protocol.Id16;
import io.e4j.core.internal.protocol.Names;
import io.e4j.core.internal.protocol.PeerKey;
import io.e4j.core.internal.protocol.ProtocolException;
import io.e4j.core.internal.protocol.Refusal;
import io.e4j.core.internal.protocol.TopicEntry;
import io.e4j.core.internal.protocol.Wire;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the JSON state file of Teserakt's Go client (e4go's store):
 *
 * <pre>
 * {"ID": b64, "TopicKeys": {hex hash: b64}, "Key": {"keyType": 0|1, "keyData": {...}},
 *  "ReceivingTopic": "e4/..."}
 * </pre>
 *
 * A 40-byte TopicKeys value is a key transition: the previous key and the little-endian time it was
 * replaced, stored under {@code SHA3-256(raw topic hash)[0..16)} of the topic it belongs to.
 */
public final class GoStateImport {
  private static final int TRANSITION_ENTRY = Wire.KEY + 8;

  private GoStateImport() {}

  public static DeviceState read(Path file, AesSiv siv) {
    String location = file.toAbsolutePath().toString();
    byte[] raw;
    try {
      raw = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ProtocolException(
          Refusal.STORAGE, "cannot read Go state file " + location + ": " + e.getMessage(), e);
    }
    try {
      return parse(raw, siv);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new ProtocolException(
          Refusal.STORAGE, "Go state file " + location + " is not valid: " + e.getMessage());
    } catch (ProtocolException e) {
      throw new ProtocolException(
          Refusal.STORAGE, "Go state file " + location + " is not valid: " + e.getMessage());
    } finally {
      Bytes.zero(raw);
    }
  }

  static DeviceState parse(byte[] raw, AesSiv siv) {
    Map<String, Object> root = object(Json.parse(utf8(raw)), "the file");
    Id16 id = Id16.of(bytes(root, "ID", Wire.ID));
    String controlTopic = string(root, "ReceivingTopic");
    Names.topicHash(controlTopic);
    Map<String, Object> key = object(root.get("Key"), "Key");
    Object keyType = key.get("keyType");
    if (!(keyType instanceof java.math.BigDecimal type)) {
      throw new IllegalArgumentException("Key.keyType is missing");
    }
    Map<String, Object> keyData = object(key.get("keyData"), "Key.keyData");
    DeviceState state;
    Map<Id16, PeerKey> peers = new HashMap<>();
    switch (type.intValueExact()) {
      case 0 -> {
        byte[] clientKey = bytes(keyData, "Key", Wire.KEY);
        try {
          state = DeviceState.symmetric(siv, id, controlTopic, clientKey);
        } finally {
          Bytes.zero(clientKey);
        }
      }
      case 1 -> {
        byte[] signingKey = bytes(keyData, "PrivateKey", 64);
        try {
          state =
              DeviceState.publicKey(
                  siv, id, controlTopic, signingKey, bytes(keyData, "C2PubKey", Wire.KEY));
        } finally {
          Bytes.zero(signingKey);
        }
        Object pubKeys = keyData.get("PubKeys");
        if (pubKeys != null) {
          for (Map.Entry<String, Object> peer : object(pubKeys, "PubKeys").entrySet()) {
            Id16 peerId = Id16.of(hex16(peer.getKey()));
            byte[] publicKey = base64(peer.getValue(), "PubKeys." + peer.getKey(), Wire.KEY);
            peers.put(
                peerId,
                PeerKey.of(publicKey)
                    .orElseThrow(
                        () ->
                            new IllegalArgumentException(
                                "PubKeys." + peer.getKey() + " is not an Ed25519 public key")));
          }
        }
      }
      default -> throw new IllegalArgumentException("unknown Key.keyType " + type);
    }
    Map<Id16, TopicEntry> topics = topics(root.get("TopicKeys"), siv);
    return state.withTopicEntries(topics).withPeers(peers);
  }

  private static Map<Id16, TopicEntry> topics(Object topicKeys, AesSiv siv) {
    Map<Id16, byte[]> raw = new HashMap<>();
    if (topicKeys != null) {
      for (Map.Entry<String, Object> entry : object(topicKeys, "TopicKeys").entrySet()) {
        Object value = entry.getValue();
        if (!(value instanceof String text)) {
          throw new IllegalArgumentException("TopicKeys." + entry.getKey() + " is not a string");
        }
        byte[] key = decodeBase64(text, "TopicKeys." + entry.getKey());
        if (key.length != Wire.KEY && key.length != TRANSITION_ENTRY) {
          Bytes.zero(key);
          throw new IllegalArgumentException(
              "TopicKeys." + entry.getKey() + " is " + key.length + " bytes, not 32 or 40");
        }
        raw.put(Id16.of(hex16(entry.getKey())), key);
      }
    }
    Map<Id16, TopicEntry> topics = new HashMap<>();
    try {
      for (Map.Entry<Id16, byte[]> entry : raw.entrySet()) {
        byte[] current = entry.getValue();
        if (current.length != Wire.KEY) {
          continue;
        }
        byte[] transition = raw.get(Id16.of(Hashing.sha3Truncated16(entry.getKey().toBytes())));
        TopicEntry topic;
        if (transition != null && transition.length == TRANSITION_ENTRY) {
          topic =
              new TopicEntry(
                  siv.e4Key(current, 0), siv.e4Key(transition, 0), Bytes.getLong(transition, 32));
        } else {
          topic = TopicEntry.of(siv.e4Key(current, 0));
        }
        topics.put(entry.getKey(), topic);
      }
    } finally {
      raw.values().forEach(Bytes::zero);
    }
    return topics;
  }

  private static String utf8(byte[] raw) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(raw))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("it is not UTF-8 text");
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object value, String what) {
    if (!(value instanceof Map)) {
      throw new IllegalArgumentException(what + " is not a JSON object");
    }
    return (Map<String, Object>) value;
  }

  private static String string(Map<String, Object> object, String name) {
    if (!(object.get(name) instanceof String value)) {
      throw new IllegalArgumentException(name + " is missing or not a string");
    }
    return value;
  }

  private static byte[] bytes(Map<String, Object> object, String name, int size) {
    return base64(object.get(name), name, size);
  }

  private static byte[] base64(Object value, String name, int size) {
    if (!(value instanceof String text)) {
      throw new IllegalArgumentException(name + " is missing or not a string");
    }
    byte[] bytes = decodeBase64(text, name);
    if (bytes.length != size) {
      Bytes.zero(bytes);
      throw new IllegalArgumentException(
          name + " is " + bytes.length + " bytes; e4j needs " + size);
    }
    return bytes;
  }

  private static byte[] decodeBase64(String text, String name) {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + " is not valid base64");
    }
  }

  private static byte[] hex16(String hex) {
    if (hex.length() != 2 * Wire.ID) {
      throw new IllegalArgumentException("\"" + hex + "\" is not a 16-byte hex value");
    }
    try {
      return Bytes.unhex(hex);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"" + hex + "\" is not a 16-byte hex value");
    }
  }
}
