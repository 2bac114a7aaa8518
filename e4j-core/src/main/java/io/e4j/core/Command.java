package io.e4j.core;

import io.e4j.core.E4Exception.Reason;
import io.e4j.core.internal.crypto.Bytes;
import io.e4j.core.internal.protocol.ControlCommand;
import io.e4j.core.internal.protocol.ProtocolException;

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
    ControlCommand parsed;
    try {
      parsed = ControlCommand.parse(command);
    } catch (ProtocolException e) {
      throw E4Exception.of(e);
    }
    try {
      return of(parsed);
    } finally {
      parsed.erase();
    }
  }

  /** The public twin of a parsed command; its keys are copied. */
  private static Command of(ControlCommand parsed) {
    if (parsed instanceof ControlCommand.RemoveTopic removeTopic) {
      return new RemoveTopic(removeTopic.topicHash().toBytes());
    }
    if (parsed instanceof ControlCommand.ResetTopics) {
      return new ResetTopics();
    }
    if (parsed instanceof ControlCommand.SetIdKey setIdKey) {
      return new SetIdKey(setIdKey.key());
    }
    if (parsed instanceof ControlCommand.SetTopicKey setTopicKey) {
      return new SetTopicKey(setTopicKey.key(), setTopicKey.topicHash().toBytes());
    }
    if (parsed instanceof ControlCommand.RemovePubKey removePubKey) {
      return new RemovePubKey(removePubKey.id().toBytes());
    }
    if (parsed instanceof ControlCommand.ResetPubKeys) {
      return new ResetPubKeys();
    }
    if (parsed instanceof ControlCommand.SetPubKey setPubKey) {
      return new SetPubKey(setPubKey.publicKey(), setPubKey.id().toBytes());
    }
    return new SetC2Key(((ControlCommand.SetC2Key) parsed).publicKey());
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
