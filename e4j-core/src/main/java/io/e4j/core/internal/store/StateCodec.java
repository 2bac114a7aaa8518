package io.e4j.core.internal.store;

import io.e4j.core.internal.crypto.AesSiv;
import io.e4j.core.internal.crypto.Bytes;
import io.e4j.core.internal.crypto.Signing;
import io.e4j.core.internal.crypto.SivKey;
import io.e4j.core.internal.protocol.AppliedCommands;
import io.e4j.core.internal.protocol.DeviceState;
import io.e4j.core.internal.protocol.Id16;
import io.e4j.core.internal.protocol.KeyMode;
import io.e4j.core.internal.protocol.PeerKey;
import io.e4j.core.internal.protocol.ProtocolException;
import io.e4j.core.internal.protocol.Refusal;
import io.e4j.core.internal.protocol.TopicEntry;
import io.e4j.core.internal.protocol.Wire;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The saved form of a client, little-endian:
 *
 * <pre>
 * "E4JS" | version u8 (2) | mode u8 (0 SK, 1 PK) | id (16) | control topic (u16 length, UTF-8)
 * | newest command time i64
 * | fingerprints known u8 (0, 1) | fingerprint count u32 | AES-SIV tag (16) of each command
 *   applied in the newest command second                                        (since version 2)
 * | newest key report's sequence number i64                                    (since version 2)
 * | SK: client key (32)          PK: Ed25519 private key (64) | C2 public key (32)
 * | topic count u32 | per topic: hash (16) | key (32) | has previous u8 [| previous key (32) | replaced at i64]
 * | peer count u32  | per peer: id (16) | Ed25519 public key (32)
 * | CRC32C of everything before it (u32)
 * </pre>
 *
 * The checksum turns a damaged file into a clear error instead of wrong keys. Version 1 (no
 * fingerprints, no report sequence) is still read: its commands of the newest second count as
 * unknown ({@link AppliedCommands#withoutFingerprints}), its report sequence as 0. Every write is
 * version 2.
 */
public final class StateCodec {
  private static final byte[] MAGIC = {'E', '4', 'J', 'S'};
  private static final int VERSION = 2;
  private static final int OLDEST_VERSION = 1;
  private static final int HEADER = MAGIC.length + 2;
  private static final int CHECKSUM = 4;

  private StateCodec() {}

  /** The bytes to save; they hold keys, so the caller zeroes them once written. */
  public static byte[] encode(DeviceState state) {
    Writer out = new Writer();
    out.bytes(MAGIC);
    out.u8(VERSION);
    out.u8(state.mode() == KeyMode.SYMMETRIC ? 0 : 1);
    out.id(state.id());
    byte[] topic = state.controlTopic().getBytes(StandardCharsets.UTF_8);
    out.u16(topic.length);
    out.bytes(topic);
    AppliedCommands applied = state.appliedCommands();
    out.i64(applied.newestTime());
    out.u8(applied.fingerprintsKnown() ? 1 : 0);
    out.i32(applied.count());
    for (int i = 0; i < applied.count(); i++) {
      out.id(applied.fingerprint(i));
    }
    out.i64(state.reportSequence());
    if (state.mode() == KeyMode.SYMMETRIC) {
      out.key(state.clientKey());
    } else {
      out.bytes(state.signingKey());
      out.bytes(state.c2PublicKey());
    }
    out.i32(state.topics().size());
    for (Map.Entry<Id16, TopicEntry> topicEntry : state.topics().entrySet()) {
      TopicEntry entry = topicEntry.getValue();
      out.id(topicEntry.getKey());
      out.key(entry.current());
      out.u8(entry.previous() == null ? 0 : 1);
      if (entry.previous() != null) {
        out.key(entry.previous());
        out.i64(entry.previousReplacedAt());
      }
    }
    out.i32(state.peers().size());
    for (Map.Entry<Id16, PeerKey> peer : state.peers().entrySet()) {
      out.id(peer.getKey());
      out.bytes(peer.getValue().publicKey());
    }
    return out.finish();
  }

  /**
   * Reads a saved state.
   *
   * @throws ProtocolException {@code STORAGE}, naming {@code location}, for anything but a
   *     complete, undamaged state of a known version
   */
  public static DeviceState decode(byte[] saved, String location, AesSiv siv) {
    if (saved.length > 0 && saved[0] == '{') {
      throw corrupt(
          location,
          "it looks like a JSON state file of the Go client; import it with"
              + " E4Client.importGoState");
    }
    if (saved.length < HEADER + CHECKSUM
        || !Bytes.constantTimeEquals(saved, 0, MAGIC, 0, MAGIC.length)) {
      throw corrupt(location, "it is not an e4j state file");
    }
    int version = saved[MAGIC.length] & 0xff;
    if (version < OLDEST_VERSION || version > VERSION) {
      throw corrupt(
          location,
          "it has format version "
              + version
              + "; this e4j reads versions "
              + OLDEST_VERSION
              + " to "
              + VERSION);
    }
    int bodyLength = saved.length - CHECKSUM;
    CRC32C crc = new CRC32C();
    crc.update(saved, 0, bodyLength);
    ByteBuffer trailer =
        ByteBuffer.wrap(saved, bodyLength, CHECKSUM).order(ByteOrder.LITTLE_ENDIAN);
    if ((int) crc.getValue() != trailer.getInt()) {
      throw corrupt(location, "its checksum does not match (truncated or damaged)");
    }
    ByteBuffer in =
        ByteBuffer.wrap(saved, HEADER, bodyLength - HEADER).slice().order(ByteOrder.LITTLE_ENDIAN);
    try {
      DeviceState state = readState(version, saved[MAGIC.length + 1] & 0xff, in, siv);
      if (in.hasRemaining()) {
        state.destroy();
        throw corrupt(location, in.remaining() + " unexpected bytes after the state");
      }
      return state;
    } catch (BufferUnderflowException e) {
      throw corrupt(location, "it ends in the middle of a record");
    } catch (ProtocolException e) {
      if (e.refusal() == Refusal.STORAGE) {
        throw e;
      }
      throw corrupt(location, e.getMessage());
    }
  }

  private static DeviceState readState(int version, int mode, ByteBuffer in, AesSiv siv) {
    Id16 id = readId(in);
    byte[] topic = new byte[Short.toUnsignedInt(in.getShort())];
    in.get(topic);
    String controlTopic = new String(topic, StandardCharsets.UTF_8);
    AppliedCommands applied;
    long reportSequence = 0;
    if (version == 1) {
      applied = AppliedCommands.withoutFingerprints(in.getLong());
    } else {
      applied = readAppliedCommands(in);
      reportSequence = in.getLong();
    }
    DeviceState state;
    if (mode == 0) {
      byte[] key = take(in, Wire.KEY);
      try {
        state = DeviceState.symmetric(siv, id, controlTopic, key);
      } finally {
        Bytes.zero(key);
      }
    } else if (mode == 1) {
      byte[] signingKey = take(in, Signing.PRIVATE_KEY_SIZE);
      byte[] c2PublicKey = take(in, Wire.KEY);
      try {
        state = DeviceState.publicKey(siv, id, controlTopic, signingKey, c2PublicKey);
      } finally {
        Bytes.zero(signingKey);
      }
    } else {
      throw new ProtocolException(Refusal.INVALID_ARGUMENT, "unknown key mode " + mode);
    }
    int topicCount = count(in, Wire.ID + Wire.KEY + 1);
    Map<Id16, TopicEntry> topics = new HashMap<>(topicCount * 2);
    for (int i = 0; i < topicCount; i++) {
      Id16 hash = readId(in);
      SivKey current = readKey(in, siv);
      int hasPrevious = in.get();
      if (hasPrevious == 0) {
        topics.put(hash, TopicEntry.of(current));
      } else if (hasPrevious == 1) {
        SivKey previous = readKey(in, siv);
        topics.put(hash, new TopicEntry(current, previous, in.getLong()));
      } else {
        throw new ProtocolException(
            Refusal.INVALID_ARGUMENT, "bad previous-key flag " + hasPrevious);
      }
    }
    int peerCount = count(in, Wire.ID + Wire.KEY);
    Map<Id16, PeerKey> peers = new HashMap<>(peerCount * 2);
    for (int i = 0; i < peerCount; i++) {
      Id16 peer = readId(in);
      byte[] publicKey = take(in, Signing.PUBLIC_KEY_SIZE);
      peers.put(
          peer,
          PeerKey.of(publicKey)
              .orElseThrow(
                  () ->
                      new ProtocolException(
                          Refusal.INVALID_ARGUMENT, "invalid public key for device " + peer)));
    }
    return state
        .withTopicEntries(topics)
        .withPeers(peers)
        .withAppliedCommands(applied)
        .withReportSequence(reportSequence);
  }

  private static AppliedCommands readAppliedCommands(ByteBuffer in) {
    long newestTime = in.getLong();
    int known = in.get();
    if (known != 0 && known != 1) {
      throw new ProtocolException(Refusal.INVALID_ARGUMENT, "bad fingerprints-known flag " + known);
    }
    Id16[] fingerprints = new Id16[count(in, Wire.ID)];
    for (int i = 0; i < fingerprints.length; i++) {
      fingerprints[i] = readId(in);
    }
    return AppliedCommands.of(newestTime, fingerprints, known == 1);
  }

  /** A count, checked against the bytes left so a damaged count cannot allocate gigabytes. */
  private static int count(ByteBuffer in, int minimumRecordSize) {
    int count = in.getInt();
    if (count < 0 || (long) count * minimumRecordSize > in.remaining()) {
      throw new BufferUnderflowException();
    }
    return count;
  }

  private static Id16 readId(ByteBuffer in) {
    return Id16.of(take(in, Wire.ID));
  }

  private static SivKey readKey(ByteBuffer in, AesSiv siv) {
    byte[] key = take(in, Wire.KEY);
    try {
      return siv.e4Key(key, 0);
    } finally {
      Bytes.zero(key);
    }
  }

  private static byte[] take(ByteBuffer in, int size) {
    byte[] bytes = new byte[size];
    in.get(bytes);
    return bytes;
  }

  private static ProtocolException corrupt(String location, String why) {
    return new ProtocolException(Refusal.STORAGE, "state file " + location + " is corrupt: " + why);
  }

  /** Collects the encoding; each buffer it outgrows is zeroed, since it held keys. */
  private static final class Writer {
    private byte[] buffer = new byte[1024];
    private int length;

    private void ensure(int more) {
      if (length + more > buffer.length) {
        byte[] larger = new byte[Math.max(buffer.length * 2, length + more)];
        System.arraycopy(buffer, 0, larger, 0, length);
        Bytes.zero(buffer);
        buffer = larger;
      }
    }

    void bytes(byte[] bytes) {
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buffer, length, bytes.length);
      length += bytes.length;
    }

    void u8(int value) {
      ensure(1);
      buffer[length++] = (byte) value;
    }

    void u16(int value) {
      u8(value);
      u8(value >>> 8);
    }

    void i32(int value) {
      u16(value);
      u16(value >>> 16);
    }

    void i64(long value) {
      ensure(8);
      Bytes.putLong(buffer, length, value);
      length += 8;
    }

    void id(Id16 id) {
      ensure(Wire.ID);
      id.writeTo(buffer, length);
      length += Wire.ID;
    }

    void key(SivKey key) {
      byte[] bytes = key.ctrKeyBytes();
      bytes(bytes);
      Bytes.zero(bytes);
    }

    byte[] finish() {
      CRC32C crc = new CRC32C();
      crc.update(buffer, 0, length);
      i32((int) crc.getValue());
      byte[] result = java.util.Arrays.copyOf(buffer, length);
      Bytes.zero(buffer);
      return result;
    }
  }
}
