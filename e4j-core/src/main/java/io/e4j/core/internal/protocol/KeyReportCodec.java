package io.e4j.core.internal.protocol;

import io.e4j.core.internal.crypto.AesSiv;
import io.e4j.core.internal.crypto.Bytes;
import io.e4j.core.internal.crypto.Signing;
import io.e4j.core.internal.crypto.SivKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The key report, an e4j extension (docs/key-reports.md): a device tells C2 the keys it holds.
 *
 * <pre>
 * header (41):  magic "e4jrpt" 0x01 0xff (8) | mode u8 (0 SK, 1 PK) | device ID (16)
 *               | timestamp i64 | sequence u64
 * sealed:       AES-SIV tag (16) | ciphertext of the body          (AD: the header)
 * PK only:      Ed25519 signature (64) over every byte before it
 * body:         newest command time i64 | own key fingerprint (16) | PK: C2 key fingerprint (16)
 *               | topic count u32 | per topic, by topic hash: hash (16) | key fingerprint (16)
 * </pre>
 *
 * Sealed under {@link Derivations#reportKey} of the device's command key. The magic's last byte
 * makes the first 8 bytes, read as an E4 timestamp, at least 2^63: every E4 device refuses the
 * report as dated in the future (or, where it decrypts first, as not authentic under any of its
 * keys) before it could be taken for a message or a command.
 */
public final class KeyReportCodec {
  static final byte[] MAGIC = {'e', '4', 'j', 'r', 'p', 't', 0x01, (byte) 0xff};
  static final int VERSION_OFFSET = 6;
  static final int MODE_OFFSET = 8;
  static final int ID_OFFSET = 9;
  static final int TIMESTAMP_OFFSET = ID_OFFSET + Wire.ID;
  static final int SEQUENCE_OFFSET = TIMESTAMP_OFFSET + 8;
  static final int HEADER = SEQUENCE_OFFSET + 8;
  static final int BODY_OFFSET = HEADER + Wire.TAG;
  static final int TOPIC_RECORD = Wire.ID + Derivations.FINGERPRINT;

  /** Newest command time, own key fingerprint, topic count. */
  static final int SK_BODY = 8 + Derivations.FINGERPRINT + 4;

  /** As SK, and C2's key fingerprint. */
  static final int PK_BODY = SK_BODY + Derivations.FINGERPRINT;

  public static final int MIN_SK_SIZE = BODY_OFFSET + SK_BODY;
  public static final int MIN_PK_SIZE = BODY_OFFSET + PK_BODY + Wire.SIGNATURE;

  private KeyReportCodec() {}

  /** A report of {@code state}, sealed and (PK) signed. */
  public static byte[] seal(AesSiv siv, DeviceState state, long timestamp, long sequence) {
    boolean signed = state.mode() == KeyMode.PUBLIC_KEY;
    byte[] body = body(state);
    int sealedEnd = BODY_OFFSET + body.length;
    byte[] report = new byte[sealedEnd + (signed ? Wire.SIGNATURE : 0)];
    System.arraycopy(MAGIC, 0, report, 0, MAGIC.length);
    report[MODE_OFFSET] = (byte) (signed ? 1 : 0);
    state.id().writeTo(report, ID_OFFSET);
    Bytes.putLong(report, TIMESTAMP_OFFSET, timestamp);
    Bytes.putLong(report, SEQUENCE_OFFSET, sequence);
    byte[] commandKey = state.commandKey().ctrKeyBytes();
    SivKey key = reportKey(siv, commandKey);
    Bytes.zero(commandKey);
    try {
      siv.seal(key, report, 0, HEADER, body, 0, body.length, report, HEADER);
    } finally {
      key.destroy();
    }
    if (signed) {
      Signing.sign(state.signingKey(), report, 0, sealedEnd, report, sealedEnd);
    }
    return report;
  }

  /**
   * The device ID a report claims, unauthenticated: for looking up the keys to open it with.
   *
   * @throws ProtocolException {@code MESSAGE_TOO_SHORT}, or {@code INVALID_ARGUMENT} for what is
   *     not a key report of a format this e4j reads
   */
  public static Id16 claimedDeviceId(byte[] report) {
    checkHeader(report);
    return Id16.of(report, ID_OFFSET);
  }

  /**
   * Opens a symmetric-key device's report with its client key.
   *
   * @throws ProtocolException {@code NOT_AUTHENTIC} for a report not sealed under that key or
   *     altered; {@code WRONG_MODE} for a public-key report; as {@link #claimedDeviceId}
   */
  public static ReportContents openSymmetric(AesSiv siv, byte[] report, byte[] commandKey) {
    KeyMode mode = checkHeader(report);
    requireMode(mode, KeyMode.SYMMETRIC, "openSigned");
    return openSealed(siv, report, report.length, commandKey, mode);
  }

  /**
   * Opens a public-key device's report: its signature under the device's Ed25519 public key, then
   * its seal under the key the device shares with C2.
   *
   * @throws ProtocolException {@code INVALID_SIGNATURE}; {@code NOT_AUTHENTIC}; {@code INVALID_KEY}
   *     for a public key that is no Ed25519 point; {@code WRONG_MODE} for a symmetric-key report;
   *     as {@link #claimedDeviceId}
   */
  public static ReportContents openSigned(
      AesSiv siv, byte[] report, byte[] sharedCommandKey, byte[] ed25519Public) {
    KeyMode mode = checkHeader(report);
    requireMode(mode, KeyMode.PUBLIC_KEY, "openSymmetric");
    if (ed25519Public == null) {
      throw new ProtocolException(Refusal.INVALID_KEY, "the device's public key is null");
    }
    PeerKey device = PeerKey.checked(ed25519Public);
    int sealedEnd = report.length - Wire.SIGNATURE;
    if (!Signing.verify(device.point(), report, 0, sealedEnd, report, sealedEnd)) {
      throw new ProtocolException(
          Refusal.INVALID_SIGNATURE,
          "the key report's signature does not verify under the public key of device "
              + Id16.of(report, ID_OFFSET).hex());
    }
    return openSealed(siv, report, sealedEnd, sharedCommandKey, mode);
  }

  private static ReportContents openSealed(
      AesSiv siv, byte[] report, int sealedEnd, byte[] commandKey, KeyMode mode) {
    if (commandKey == null || commandKey.length != Wire.KEY) {
      throw new ProtocolException(
          Refusal.INVALID_KEY,
          "command key must be 32 bytes, got " + (commandKey == null ? "null" : commandKey.length));
    }
    byte[] body = new byte[sealedEnd - BODY_OFFSET];
    SivKey key = reportKey(siv, commandKey);
    try {
      if (!siv.open(key, report, 0, HEADER, report, HEADER, body.length, body, 0)) {
        throw new ProtocolException(
            Refusal.NOT_AUTHENTIC,
            "key report authentication failed: not sealed under the report key of this command"
                + " key, or altered");
      }
    } finally {
      key.destroy();
    }
    return new ReportContents(
        mode,
        Id16.of(report, ID_OFFSET),
        Bytes.getLong(report, TIMESTAMP_OFFSET),
        Bytes.getLong(report, SEQUENCE_OFFSET),
        Bytes.getLong(body, 0),
        Arrays.copyOfRange(body, 8, 8 + Derivations.FINGERPRINT),
        mode == KeyMode.PUBLIC_KEY ? Arrays.copyOfRange(body, SK_BODY - 4, PK_BODY - 4) : null,
        topics(body, mode == KeyMode.PUBLIC_KEY ? PK_BODY : SK_BODY));
  }

  private static List<ReportContents.TopicFingerprint> topics(byte[] body, int fixed) {
    long count = Integer.toUnsignedLong(getInt(body, fixed - 4));
    if (body.length != fixed + count * TOPIC_RECORD) {
      throw new ProtocolException(
          Refusal.INVALID_ARGUMENT,
          "the key report lists "
              + count
              + " topics in a body of "
              + body.length
              + " bytes; malformed");
    }
    List<ReportContents.TopicFingerprint> topics = new ArrayList<>((int) count);
    for (int off = fixed; off < body.length; off += TOPIC_RECORD) {
      topics.add(
          new ReportContents.TopicFingerprint(
              Id16.of(body, off), Arrays.copyOfRange(body, off + Wire.ID, off + TOPIC_RECORD)));
    }
    return topics;
  }

  private static byte[] body(DeviceState state) {
    boolean signed = state.mode() == KeyMode.PUBLIC_KEY;
    List<Map.Entry<Id16, TopicEntry>> topics = new ArrayList<>(state.topics().entrySet());
    topics.sort(Map.Entry.comparingByKey(KeyReportCodec::compareUnsigned));
    int fixed = signed ? PK_BODY : SK_BODY;
    byte[] body = new byte[fixed + topics.size() * TOPIC_RECORD];
    Bytes.putLong(body, 0, state.lastCommandTime());
    byte[] own = ownKeyFingerprint(state);
    System.arraycopy(own, 0, body, 8, own.length);
    if (signed) {
      byte[] c2 = Derivations.c2KeyFingerprint(state.c2PublicKey());
      System.arraycopy(c2, 0, body, 8 + Derivations.FINGERPRINT, c2.length);
    }
    putInt(body, fixed - 4, topics.size());
    int off = fixed;
    for (Map.Entry<Id16, TopicEntry> topic : topics) {
      byte[] hash = topic.getKey().toBytes();
      byte[] key = topic.getValue().current().ctrKeyBytes();
      byte[] fingerprint = Derivations.topicKeyFingerprint(hash, key);
      Bytes.zero(key);
      System.arraycopy(hash, 0, body, off, Wire.ID);
      System.arraycopy(fingerprint, 0, body, off + Wire.ID, fingerprint.length);
      off += TOPIC_RECORD;
    }
    return body;
  }

  private static byte[] ownKeyFingerprint(DeviceState state) {
    if (state.mode() == KeyMode.PUBLIC_KEY) {
      return Derivations.signingKeyFingerprint(state.ownPublicKey().publicKey());
    }
    byte[] clientKey = state.clientKey().ctrKeyBytes();
    try {
      return Derivations.clientKeyFingerprint(clientKey);
    } finally {
      Bytes.zero(clientKey);
    }
  }

  private static SivKey reportKey(AesSiv siv, byte[] commandKey) {
    byte[] reportKey = Derivations.reportKey(commandKey);
    try {
      return siv.e4Key(reportKey, 0);
    } finally {
      Bytes.zero(reportKey);
    }
  }

  /** The report's mode, after the checks every report must pass. */
  private static KeyMode checkHeader(byte[] report) {
    if (report == null) {
      throw new ProtocolException(Refusal.INVALID_ARGUMENT, "the key report is null");
    }
    if (report.length < MIN_SK_SIZE) {
      throw tooShort(MIN_SK_SIZE, report.length);
    }
    if (!Bytes.constantTimeEquals(report, 0, MAGIC, 0, VERSION_OFFSET)
        || report[MAGIC.length - 1] != MAGIC[MAGIC.length - 1]) {
      throw new ProtocolException(
          Refusal.INVALID_ARGUMENT, "not an e4j key report (its first bytes are not e4jrpt)");
    }
    if (report[VERSION_OFFSET] != MAGIC[VERSION_OFFSET]) {
      throw new ProtocolException(
          Refusal.INVALID_ARGUMENT,
          "key report format " + (report[VERSION_OFFSET] & 0xff) + "; this e4j reads format 1");
    }
    int mode = report[MODE_OFFSET] & 0xff;
    if (mode == 0) {
      return KeyMode.SYMMETRIC;
    }
    if (mode != 1) {
      throw new ProtocolException(
          Refusal.INVALID_ARGUMENT, "key report of unknown key mode " + mode);
    }
    if (report.length < MIN_PK_SIZE) {
      throw tooShort(MIN_PK_SIZE, report.length);
    }
    return KeyMode.PUBLIC_KEY;
  }

  private static void requireMode(KeyMode actual, KeyMode expected, String otherMethod) {
    if (actual != expected) {
      throw new ProtocolException(
          Refusal.WRONG_MODE,
          "a key report of a " + actual.description() + " device; open it with " + otherMethod);
    }
  }

  private static ProtocolException tooShort(int minimum, int length) {
    return new ProtocolException(
        Refusal.MESSAGE_TOO_SHORT,
        "a key report of this kind is at least " + minimum + " bytes, got " + length);
  }

  private static int compareUnsigned(Id16 a, Id16 b) {
    int high = Long.compareUnsigned(a.high(), b.high());
    return high != 0 ? high : Long.compareUnsigned(a.low(), b.low());
  }

  private static int getInt(byte[] in, int off) {
    return (in[off] & 0xff)
        | (in[off + 1] & 0xff) << 8
        | (in[off + 2] & 0xff) << 16
        | (in[off + 3] & 0xff) << 24;
  }

  private static void putInt(byte[] out, int off, int value) {
    for (int i = 0; i < 4; i++) {
      out[off + i] = (byte) (value >>> (8 * i));
    }
  }
}
