package io.e4j.core;

import io.e4j.core.E4Exception.Reason;
import io.e4j.core.internal.crypto.Bytes;
import java.util.Arrays;

/**
 * A C2 command as plain bytes: a code byte, then a fixed-size payload (PROTOCOL.md, "Commands").
 * {@link #encode()} gives the bytes; {@link #parse(byte[])} reads them back and insists on exact
 * lengths. Build commands with {@link Commands}.
 */
public sealed interface Command {
  int TOPIC_HASH_SIZE = 16;
  int ID_SIZE = 16;
  int KEY_SIZE = 32;
  int ED25519_PRIVATE_KEY_SIZE = 64;
  int ED25519_PUBLIC_KEY_SIZE = 32;
  int CURVE25519_KEY_SIZE = 32;

  /** The code byte on the wire. */
  int code();

  /** The plain command bytes, ready for {@link Commands#protect}. */
  byte[] encode();

  /**
   * Zeroes the secret key this command carries, if any; the command must not be used afterwards.
   */
  default void erase() {}

  /** True for the commands only public-key-mode devices understand (0x04 to 0x07). */
  default boolean publicKeyModeOnly() {
    return code() >= 0x04;
  }

  /**
   * Reads a plain command.
   *
   * @throws E4Exception {@code INVALID_COMMAND} for an unknown code or a payload of the wrong size
   */
  static Command parse(byte[] command) {
    if (command.length == 0) {
      throw invalid("empty command");
    }
    int code = command[0] & 0xff;
    int payload = command.length - 1;
    switch (code) {
      case 0x00:
        expect("RemoveTopic", payload, TOPIC_HASH_SIZE);
        return new RemoveTopic(slice(command, 1, TOPIC_HASH_SIZE));
      case 0x01:
        expect("ResetTopics", payload, 0);
        return new ResetTopics();
      case 0x02:
        if (payload != KEY_SIZE && payload != ED25519_PRIVATE_KEY_SIZE) {
          throw invalid("SetIDKey carries 32 or 64 key bytes, got " + payload);
        }
        return new SetIdKey(slice(command, 1, payload));
      case 0x03:
        expect("SetTopicKey", payload, KEY_SIZE + TOPIC_HASH_SIZE);
        return new SetTopicKey(
            slice(command, 1, KEY_SIZE), slice(command, 1 + KEY_SIZE, TOPIC_HASH_SIZE));
      case 0x04:
        expect("RemovePubKey", payload, ID_SIZE);
        return new RemovePubKey(slice(command, 1, ID_SIZE));
      case 0x05:
        expect("ResetPubKeys", payload, 0);
        return new ResetPubKeys();
      case 0x06:
        expect("SetPubKey", payload, ED25519_PUBLIC_KEY_SIZE + ID_SIZE);
        return new SetPubKey(
            slice(command, 1, ED25519_PUBLIC_KEY_SIZE),
            slice(command, 1 + ED25519_PUBLIC_KEY_SIZE, ID_SIZE));
      case 0x07:
        expect("SetC2Key", payload, CURVE25519_KEY_SIZE);
        return new SetC2Key(slice(command, 1, CURVE25519_KEY_SIZE));
      default:
        throw invalid(String.format("unknown command code 0x%02x", code));
    }
  }

  private static void expect(String name, int actual, int expected) {
    if (actual != expected) {
      throw invalid(name + " carries " + expected + " payload bytes, got " + actual);
    }
  }

  private static E4Exception invalid(String message) {
    return new E4Exception(Reason.INVALID_COMMAND, message);
  }

  private static byte[] slice(byte[] bytes, int off, int len) {
    return Arrays.copyOfRange(bytes, off, off + len);
  }

  private static byte[] checked(String what, byte[] value, int size) {
    if (value == null || value.length != size) {
      throw new E4Exception(
          Reason.INVALID_ARGUMENT,
          what + " must be " + size + " bytes, got " + (value == null ? "null" : value.length));
    }
    return value.clone();
  }

  private static byte[] encode(int code, byte[]... parts) {
    return Bytes.concat(new byte[] {(byte) code}, Bytes.concat(parts));
  }

  /** 0x00: forget one topic's key (and its previous key). */
  record RemoveTopic(byte[] topicHash) implements Command {
    public RemoveTopic {
      topicHash = checked("topic hash", topicHash, TOPIC_HASH_SIZE);
    }

    @Override
    public byte[] topicHash() {
      return topicHash.clone();
    }

    @Override
    public int code() {
      return 0x00;
    }

    @Override
    public byte[] encode() {
      return Command.encode(code(), topicHash);
    }

    @Override
    public String toString() {
      return "RemoveTopic[" + Bytes.hex(topicHash) + "]";
    }
  }

  /** 0x01: forget every topic key. */
  record ResetTopics() implements Command {
    @Override
    public int code() {
      return 0x01;
    }

    @Override
    public byte[] encode() {
      return Command.encode(code());
    }
  }

  /** 0x02: replace the device's own key: 32 bytes (SK) or a 64-byte Ed25519 private key (PK). */
  record SetIdKey(byte[] key) implements Command {
    public SetIdKey {
      if (key == null || (key.length != KEY_SIZE && key.length != ED25519_PRIVATE_KEY_SIZE)) {
        throw new E4Exception(
            Reason.INVALID_ARGUMENT, "a device key is 32 bytes (SK) or 64 bytes (PK)");
      }
      key = key.clone();
    }

    @Override
    public byte[] key() {
      return key.clone();
    }

    @Override
    public int code() {
      return 0x02;
    }

    @Override
    public byte[] encode() {
      return Command.encode(code(), key);
    }

    @Override
    public void erase() {
      Bytes.zero(key);
    }

    @Override
    public String toString() {
      return "SetIdKey[" + key.length + "-byte key]";
    }
  }

  /** 0x03: install or replace a topic key. On the wire the key comes first. */
  record SetTopicKey(byte[] key, byte[] topicHash) implements Command {
    public SetTopicKey {
      key = checked("topic key", key, KEY_SIZE);
      topicHash = checked("topic hash", topicHash, TOPIC_HASH_SIZE);
    }

    @Override
    public byte[] key() {
      return key.clone();
    }

    @Override
    public byte[] topicHash() {
      return topicHash.clone();
    }

    @Override
    public int code() {
      return 0x03;
    }

    @Override
    public byte[] encode() {
      return Command.encode(code(), key, topicHash);
    }

    @Override
    public void erase() {
      Bytes.zero(key);
    }

    @Override
    public String toString() {
      return "SetTopicKey[" + Bytes.hex(topicHash) + "]";
    }
  }

  /** 0x04: forget another device's public key. */
  record RemovePubKey(byte[] id) implements Command {
    public RemovePubKey {
      id = checked("device ID", id, ID_SIZE);
    }

    @Override
    public byte[] id() {
      return id.clone();
    }

    @Override
    public int code() {
      return 0x04;
    }

    @Override
    public byte[] encode() {
      return Command.encode(code(), id);
    }

    @Override
    public String toString() {
      return "RemovePubKey[" + Bytes.hex(id) + "]";
    }
  }

  /** 0x05: forget every other device's public key. */
  record ResetPubKeys() implements Command {
    @Override
    public int code() {
      return 0x05;
    }

    @Override
    public byte[] encode() {
      return Command.encode(code());
    }
  }

  /** 0x06: learn another device's Ed25519 public key. On the wire the key comes first. */
  record SetPubKey(byte[] publicKey, byte[] id) implements Command {
    public SetPubKey {
      publicKey = checked("Ed25519 public key", publicKey, ED25519_PUBLIC_KEY_SIZE);
      id = checked("device ID", id, ID_SIZE);
    }

    @Override
    public byte[] publicKey() {
      return publicKey.clone();
    }

    @Override
    public byte[] id() {
      return id.clone();
    }

    @Override
    public int code() {
      return 0x06;
    }

    @Override
    public byte[] encode() {
      return Command.encode(code(), publicKey, id);
    }

    @Override
    public String toString() {
      return "SetPubKey[" + Bytes.hex(id) + "]";
    }
  }

  /** 0x07: replace C2's Curve25519 public key, and so the shared command key. */
  record SetC2Key(byte[] publicKey) implements Command {
    public SetC2Key {
      publicKey = checked("Curve25519 public key", publicKey, CURVE25519_KEY_SIZE);
    }

    @Override
    public byte[] publicKey() {
      return publicKey.clone();
    }

    @Override
    public int code() {
      return 0x07;
    }

    @Override
    public byte[] encode() {
      return Command.encode(code(), publicKey);
    }

    @Override
    public String toString() {
      return "SetC2Key[" + Bytes.hex(publicKey) + "]";
    }
  }
}
