package io.e4j.core.internal.protocol;

import io.e4j.core.internal.crypto.Bytes;
import java.util.Arrays;

/**
 * A C2 command as a device reads it from its control topic (PROTOCOL.md, "Commands"): a code byte,
 * then a payload of exactly the size the code calls for. The public {@code Command} builds and
 * encodes commands; this is the one parser, which it uses too.
 *
 * <p>Keys are held in arrays of their own, handed out as they are (not copied); {@link #erase}
 * zeroes them once the command is applied.
 */
public sealed interface ControlCommand {
  int TOPIC_HASH_SIZE = 16;
  int ED25519_PRIVATE_KEY_SIZE = 64;
  int ED25519_PUBLIC_KEY_SIZE = 32;

  /** The code byte on the wire. */
  int code();

  /** Zeroes the secret key this command carries, if any. */
  default void erase() {}

  /** True for the commands only public-key-mode devices understand (0x04 to 0x07). */
  default boolean publicKeyModeOnly() {
    return code() >= 0x04;
  }

  /**
   * Reads a plain command.
   *
   * @throws ProtocolException {@code INVALID_COMMAND} for an unknown code or a payload of the wrong
   *     size
   */
  static ControlCommand parse(byte[] command) {
    if (command.length == 0) {
      throw invalid("empty command");
    }
    int code = command[0] & 0xff;
    int payload = command.length - 1;
    switch (code) {
      case 0x00:
        expect("RemoveTopic", payload, TOPIC_HASH_SIZE);
        return new RemoveTopic(Id16.of(command, 1));
      case 0x01:
        expect("ResetTopics", payload, 0);
        return new ResetTopics();
      case 0x02:
        if (payload != Wire.KEY && payload != ED25519_PRIVATE_KEY_SIZE) {
          throw invalid("SetIDKey carries 32 or 64 key bytes, got " + payload);
        }
        return new SetIdKey(slice(command, 1, payload));
      case 0x03:
        expect("SetTopicKey", payload, Wire.KEY + TOPIC_HASH_SIZE);
        return new SetTopicKey(slice(command, 1, Wire.KEY), Id16.of(command, 1 + Wire.KEY));
      case 0x04:
        expect("RemovePubKey", payload, Wire.ID);
        return new RemovePubKey(Id16.of(command, 1));
      case 0x05:
        expect("ResetPubKeys", payload, 0);
        return new ResetPubKeys();
      case 0x06:
        expect("SetPubKey", payload, ED25519_PUBLIC_KEY_SIZE + Wire.ID);
        return new SetPubKey(
            slice(command, 1, ED25519_PUBLIC_KEY_SIZE),
            Id16.of(command, 1 + ED25519_PUBLIC_KEY_SIZE));
      case 0x07:
        expect("SetC2Key", payload, Wire.KEY);
        return new SetC2Key(slice(command, 1, Wire.KEY));
      default:
        throw invalid(String.format("unknown command code 0x%02x", code));
    }
  }

  private static void expect(String name, int actual, int expected) {
    if (actual != expected) {
      throw invalid(name + " carries " + expected + " payload bytes, got " + actual);
    }
  }

  private static ProtocolException invalid(String message) {
    return new ProtocolException(Refusal.INVALID_COMMAND, message);
  }

  private static byte[] slice(byte[] bytes, int off, int len) {
    return Arrays.copyOfRange(bytes, off, off + len);
  }

  /** 0x00: forget one topic's key (and its previous key). */
  record RemoveTopic(Id16 topicHash) implements ControlCommand {
    @Override
    public int code() {
      return 0x00;
    }
  }

  /** 0x01: forget every topic key. */
  record ResetTopics() implements ControlCommand {
    @Override
    public int code() {
      return 0x01;
    }
  }

  /** 0x02: replace the device's own key: 32 bytes (SK) or a 64-byte Ed25519 private key (PK). */
  record SetIdKey(byte[] key) implements ControlCommand {
    @Override
    public int code() {
      return 0x02;
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

  /** 0x03: install or replace a topic key. */
  record SetTopicKey(byte[] key, Id16 topicHash) implements ControlCommand {
    @Override
    public int code() {
      return 0x03;
    }

    @Override
    public void erase() {
      Bytes.zero(key);
    }

    @Override
    public String toString() {
      return "SetTopicKey[" + topicHash.hex() + "]";
    }
  }

  /** 0x04: forget another device's public key. */
  record RemovePubKey(Id16 id) implements ControlCommand {
    @Override
    public int code() {
      return 0x04;
    }
  }

  /** 0x05: forget every other device's public key. */
  record ResetPubKeys() implements ControlCommand {
    @Override
    public int code() {
      return 0x05;
    }
  }

  /** 0x06: learn another device's Ed25519 public key. */
  record SetPubKey(byte[] publicKey, Id16 id) implements ControlCommand {
    @Override
    public int code() {
      return 0x06;
    }

    @Override
    public String toString() {
      return "SetPubKey[" + id.hex() + "]";
    }
  }

  /** 0x07: replace C2's Curve25519 public key, and so the shared command key. */
  record SetC2Key(byte[] publicKey) implements ControlCommand {
    @Override
    public int code() {
      return 0x07;
    }

    @Override
    public String toString() {
      return "SetC2Key[" + Bytes.hex(publicKey) + "]";
    }
  }
}
