package io.e4j.core;

import io.e4j.core.E4Exception.Reason;
import io.e4j.core.internal.crypto.AesSiv;
import io.e4j.core.internal.crypto.Bytes;
import io.e4j.core.internal.protocol.Derivations;
import io.e4j.core.internal.protocol.KeyReportCodec;
import io.e4j.core.internal.protocol.Names;
import io.e4j.core.internal.protocol.ProtocolException;
import io.e4j.core.internal.protocol.ReportContents;
import java.util.ArrayList;
import java.util.List;

/**
 * C2's side of key reports, an e4j extension (docs/key-reports.md): devices running e4j tell C2
 * which keys they hold, on {@link #reportTopic}; C2 opens the report and compares its fingerprints
 * with those of the keys it sent. Reference devices (Teserakt's Go and C clients) send none.
 *
 * <pre>{@code
 * byte[] id = KeyReports.claimedDeviceId(payload);          // unauthenticated: to find the keys
 * KeyReport report = KeyReports.openSymmetric(payload, clientKeyOf(id));
 * // then: id equals the one in the topic, sequence > the last accepted, timestamp recent
 * boolean holds = Arrays.equals(
 *     report.topicKeyFingerprint(KeyReports.topicHash("sensors/t")).orElse(null),
 *     KeyReports.topicKeyFingerprint(KeyReports.topicHash("sensors/t"), topicKey));
 * }</pre>
 *
 * <p>Opening checks authenticity only. Replays and staleness are C2's to judge, from the sequence
 * number (strictly increasing per device) and the timestamp.
 *
 * <p>The static methods set up their cipher objects on each call; to open many reports, keep one
 * {@link Opener}.
 */
public final class KeyReports {
  /** Where devices publish their reports: one topic per device under this filter. */
  public static final String REPORT_TOPIC_FILTER = "e4j/reports/+";

  private static final String REPORT_TOPIC_PREFIX = "e4j/reports/";

  private KeyReports() {}

  /**
   * {@link KeyReports#openSymmetric} and {@link KeyReports#openSigned} for C2's report intake:
   * keeps its cipher objects (one set per thread) from one report to the next. Safe for concurrent
   * use.
   */
  public static final class Opener {
    private final AesSiv siv = new AesSiv();

    /** See {@link KeyReports#openSymmetric}. */
    public KeyReport openSymmetric(byte[] report, byte[] commandKey) {
      try {
        return publicForm(KeyReportCodec.openSymmetric(siv, report, commandKey));
      } catch (ProtocolException e) {
        throw E4Exception.of(e);
      }
    }

    /** See {@link KeyReports#openSigned}. */
    public KeyReport openSigned(
        byte[] report, byte[] sharedCommandKey, byte[] deviceEd25519PublicKey) {
      try {
        return publicForm(
            KeyReportCodec.openSigned(siv, report, sharedCommandKey, deviceEd25519PublicKey));
      } catch (ProtocolException e) {
        throw E4Exception.of(e);
      }
    }
  }

  /**
   * The device ID a report claims, read without authentication: only for finding the keys to open
   * it with.
   *
   * @throws E4Exception {@code MESSAGE_TOO_SHORT}; {@code INVALID_ARGUMENT} when it is not an e4j
   *     key report of a format this version reads
   */
  public static byte[] claimedDeviceId(byte[] report) {
    try {
      return KeyReportCodec.claimedDeviceId(report).toBytes();
    } catch (ProtocolException e) {
      throw E4Exception.of(e);
    }
  }

  /**
   * Opens and authenticates the report of a symmetric-key device.
   *
   * @param commandKey the device's 32-byte client key
   * @throws E4Exception {@code NOT_AUTHENTIC} when not sealed under that key, or altered; {@code
   *     WRONG_MODE} for a public-key device's report; {@code MESSAGE_TOO_SHORT}; {@code
   *     INVALID_ARGUMENT} for what is not a key report
   */
  public static KeyReport openSymmetric(byte[] report, byte[] commandKey) {
    return new Opener().openSymmetric(report, commandKey);
  }

  /**
   * Verifies and opens the report of a public-key device.
   *
   * @param sharedCommandKey the 32-byte key C2 protects this device's commands with ({@link
   *     Keys#sharedKey} of C2's Curve25519 private key and the device's Curve25519 public key)
   * @param deviceEd25519PublicKey the device's 32-byte Ed25519 public key
   * @throws E4Exception {@code INVALID_SIGNATURE} when the device did not sign it, or it was
   *     altered; {@code NOT_AUTHENTIC} when not sealed under that shared key; {@code INVALID_KEY}
   *     for a public key that is not an Ed25519 point; {@code WRONG_MODE}, {@code
   *     MESSAGE_TOO_SHORT}, {@code INVALID_ARGUMENT} as {@link #openSymmetric}
   */
  public static KeyReport openSigned(
      byte[] report, byte[] sharedCommandKey, byte[] deviceEd25519PublicKey) {
    return new Opener().openSigned(report, sharedCommandKey, deviceEd25519PublicKey);
  }

  /** {@code SHA3-256(topic)[0..16)}, as reports list topics. */
  public static byte[] topicHash(String topic) {
    return Keys.topicHash(topic);
  }

  /**
   * The fingerprint a device reports for the topic key {@code topicKey}: {@code SHA3-256("e4j topic
   * key fingerprint v1" || 0x00 || topic hash || topic key)[0..16)}.
   */
  public static byte[] topicKeyFingerprint(byte[] topicHash, byte[] topicKey) {
    try {
      return Derivations.topicKeyFingerprint(topicHash, topicKey);
    } catch (ProtocolException e) {
      throw E4Exception.of(e);
    }
  }

  /**
   * The fingerprint a device reports for its own key.
   *
   * @param key symmetric-key mode: the 32-byte client key; public-key mode: the device's 32-byte
   *     Ed25519 public key (C2 holds no private key of the device)
   */
  public static byte[] ownKeyFingerprint(E4Client.Mode mode, byte[] key) {
    if (mode == null) {
      throw new E4Exception(Reason.INVALID_ARGUMENT, "mode is null");
    }
    try {
      return mode == E4Client.Mode.SYMMETRIC
          ? Derivations.clientKeyFingerprint(key)
          : Derivations.signingKeyFingerprint(key);
    } catch (ProtocolException e) {
      throw E4Exception.of(e);
    }
  }

  /** The fingerprint a public-key device reports for the C2 public key it holds. */
  public static byte[] c2KeyFingerprint(byte[] c2Curve25519Public) {
    try {
      return Derivations.c2KeyFingerprint(c2Curve25519Public);
    } catch (ProtocolException e) {
      throw E4Exception.of(e);
    }
  }

  /**
   * The MQTT password of an e4j device, from its command key (the client key, or in public-key mode
   * the key shared with C2): 43 characters of base64url without padding. The user name is the
   * device ID in lower-case hex. It changes when the command key does (SetIDKey, SetC2Key).
   */
  public static String brokerPassword(byte[] commandKey) {
    try {
      return Derivations.brokerPassword(commandKey);
    } catch (ProtocolException e) {
      throw E4Exception.of(e);
    }
  }

  /** {@code "e4j/reports/"} and the device ID in lower-case hex. */
  public static String reportTopic(byte[] deviceId) {
    try {
      return REPORT_TOPIC_PREFIX + Bytes.hex(Names.checkId(deviceId));
    } catch (ProtocolException e) {
      throw E4Exception.of(e);
    }
  }

  private static KeyReport publicForm(ReportContents opened) {
    List<KeyReport.TopicKeyFingerprint> topics = new ArrayList<>(opened.topics().size());
    for (ReportContents.TopicFingerprint topic : opened.topics()) {
      topics.add(
          new KeyReport.TopicKeyFingerprint(topic.topicHash().toBytes(), topic.keyFingerprint()));
    }
    return new KeyReport(
        opened.deviceId().toBytes(),
        opened.timestamp(),
        opened.sequence(),
        opened.lastCommandTime(),
        opened.ownKeyFingerprint(),
        opened.c2KeyFingerprint(),
        topics);
  }
}
