package io.e4j.core.internal.protocol;

import io.e4j.core.internal.crypto.Bytes;
import io.e4j.core.internal.crypto.Hashing;
import io.e4j.core.internal.crypto.PasswordKeys;

/** Topic hashes, IDs from names and control topics, with the size rules of PROTOCOL.md. */
public final class Names {
  private Names() {}

  /** {@code SHA3-256(UTF-8 topic)[0..16)}, for a topic of 1 to 512 UTF-8 bytes. */
  public static byte[] topicHash(String topic) {
    byte[] utf8 = PasswordKeys.utf8(nonNull(topic, Refusal.INVALID_TOPIC, "topic")).orElse(null);
    if (utf8 == null) {
      throw new ProtocolException(
          Refusal.INVALID_TOPIC, "topic is not valid UTF-8: " + printable(topic));
    }
    if (utf8.length == 0 || utf8.length > Wire.MAX_TOPIC_BYTES) {
      throw new ProtocolException(
          Refusal.INVALID_TOPIC,
          "a topic is 1 to " + Wire.MAX_TOPIC_BYTES + " UTF-8 bytes, got " + utf8.length);
    }
    return Hashing.sha3Truncated16(utf8);
  }

  /** {@code SHA3-256(UTF-8 name)[0..16)}, for a name of 1 to 255 UTF-8 bytes. */
  public static byte[] idFromName(String name) {
    byte[] utf8 = PasswordKeys.utf8(nonNull(name, Refusal.INVALID_ARGUMENT, "name")).orElse(null);
    if (utf8 == null || utf8.length == 0 || utf8.length > Wire.MAX_NAME_BYTES) {
      throw new ProtocolException(
          Refusal.INVALID_ARGUMENT,
          "a device name is 1 to " + Wire.MAX_NAME_BYTES + " bytes of valid UTF-8");
    }
    return Hashing.sha3Truncated16(utf8);
  }

  /** {@code "e4/"} followed by the ID in lower-case hex. */
  public static String controlTopic(byte[] id) {
    return Wire.CONTROL_TOPIC_PREFIX + Bytes.hex(checkId(id));
  }

  public static byte[] checkId(byte[] id) {
    if (id == null || id.length != Wire.ID) {
      throw new ProtocolException(
          Refusal.INVALID_ARGUMENT,
          "a device ID is 16 bytes, got " + (id == null ? "null" : id.length));
    }
    return id;
  }

  private static String nonNull(String value, Refusal refusal, String what) {
    if (value == null) {
      throw new ProtocolException(refusal, what + " is null");
    }
    return value;
  }

  private static String printable(String topic) {
    return topic.length() > 64 ? topic.substring(0, 64) + "…" : topic;
  }
}
