package io.e4j.core;

import io.e4j.core.E4Exception.Reason;
import io.e4j.core.internal.crypto.AesSiv;
import io.e4j.core.internal.crypto.SivKey;
import io.e4j.core.internal.protocol.Messages;
import java.time.Instant;

/**
 * Builds C2 commands (plain bytes) and protects them for a device, the C2 side of PROTOCOL.md.
 *
 * <pre>{@code
 * byte[] command = Commands.setTopicKey(topicKey, "sensors/temperature");
 * byte[] message = Commands.protect(command, deviceKey, clock.instant());
 * broker.publish(Keys.controlTopic(deviceId), message);
 * }</pre>
 */
public final class Commands {
  private Commands() {}

  /** 0x00 RemoveTopic: the device forgets the topic's key. */
  public static byte[] removeTopic(String topic) {
    return new Command.RemoveTopic(Keys.topicHash(topic)).encode();
  }

  /** 0x01 ResetTopics: the device forgets every topic key. */
  public static byte[] resetTopics() {
    return new Command.ResetTopics().encode();
  }

  /** 0x02 SetIDKey: a 32-byte key (SK device) or a 64-byte Ed25519 private key (PK device). */
  public static byte[] setIdKey(byte[] key) {
    return new Command.SetIdKey(key).encode();
  }

  /** 0x03 SetTopicKey: install or replace the key of a topic. */
  public static byte[] setTopicKey(byte[] key, String topic) {
    return new Command.SetTopicKey(key, Keys.topicHash(topic)).encode();
  }

  /** 0x04 RemovePubKey: the device forgets another device's public key (PK mode). */
  public static byte[] removePubKey(byte[] id) {
    return new Command.RemovePubKey(id).encode();
  }

  /** 0x05 ResetPubKeys: the device forgets every other device's public key (PK mode). */
  public static byte[] resetPubKeys() {
    return new Command.ResetPubKeys().encode();
  }

  /** 0x06 SetPubKey: the device learns the Ed25519 public key of device {@code id} (PK mode). */
  public static byte[] setPubKey(byte[] ed25519Public, byte[] id) {
    return new Command.SetPubKey(ed25519Public, id).encode();
  }

  /** 0x07 SetC2Key: the device replaces C2's Curve25519 public key (PK mode). */
  public static byte[] setC2Key(byte[] curve25519Public) {
    return new Command.SetC2Key(curve25519Public).encode();
  }

  /**
   * Protects a command for one device: {@code timestamp || tag || ciphertext} under the device's
   * key (SK mode) or the device/C2 shared key (PK mode, see {@link Keys#sharedKey}).
   *
   * @param command plain command bytes from one of the builders; checked with {@link Command#parse}
   * @param key the 32-byte command key
   * @param at the timestamp the device checks against its clock; use the time of sending
   */
  public static byte[] protect(byte[] command, byte[] key, Instant at) {
    return new Protector().protect(command, key, at);
  }

  /**
   * {@link Commands#protect} for senders of many commands: keeps its cipher engines (one per
   * thread) from one command to the next. Safe for concurrent use.
   */
  public static final class Protector {
    private final AesSiv siv = new AesSiv();

    /** See {@link Commands#protect}. */
    public byte[] protect(byte[] command, byte[] key, Instant at) {
      Command.parse(command);
      Keys.checkSize("command key", key, Keys.KEY_SIZE);
      long timestamp = at.getEpochSecond();
      if (timestamp < 0) {
        throw new E4Exception(Reason.INVALID_ARGUMENT, "timestamps before 1970 cannot be encoded");
      }
      SivKey sivKey = siv.e4Key(key, 0);
      try {
        return Messages.protectSymmetric(siv, sivKey, timestamp, command);
      } finally {
        sivKey.destroy();
      }
    }
  }
}
