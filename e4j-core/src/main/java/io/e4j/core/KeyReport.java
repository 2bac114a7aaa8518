package io.e4j.core;

import io.e4j.core.E4Exception.Reason;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a device told C2 in a key report (docs/key-reports.md), once {@link KeyReports} opened and
 * authenticated it. It holds fingerprints, never keys. Arrays are copied in and out.
 *
 * <p>Opening proves who wrote it, not when: C2 still checks that the sequence is greater than the
 * last one it accepted from this device, that the timestamp is recent, and that the device ID is
 * the one of the topic the report came on.
 *
 * @param deviceId the 16-byte ID of the device that wrote it
 * @param timestamp when the device wrote it, epoch seconds by the device's clock
 * @param sequence the device's report counter: each report has a greater one, across restarts
 * @param lastCommandTime the timestamp of the newest command the device applied, 0 when none
 * @param ownKeyFingerprint of the device's own key: its client key (symmetric-key mode) or its
 *     Ed25519 public key (public-key mode); see {@link KeyReports#ownKeyFingerprint}
 * @param c2KeyFingerprint of the C2 public key the device holds (public-key mode); null in
 *     symmetric-key mode
 * @param topics every topic the device holds a key for, by topic hash
 */
public record KeyReport(
    byte[] deviceId,
    long timestamp,
    long sequence,
    long lastCommandTime,
    byte[] ownKeyFingerprint,
    byte[] c2KeyFingerprint,
    List<TopicKeyFingerprint> topics) {

  /** Size of every fingerprint in a report. */
  public static final int FINGERPRINT_SIZE = 16;

  public KeyReport {
    deviceId = copy(deviceId, Keys.ID_SIZE, "device ID");
    ownKeyFingerprint = copy(ownKeyFingerprint, FINGERPRINT_SIZE, "own key fingerprint");
    c2KeyFingerprint =
        c2KeyFingerprint == null
            ? null
            : copy(c2KeyFingerprint, FINGERPRINT_SIZE, "C2 key fingerprint");
    if (topics == null) {
      throw new E4Exception(Reason.INVALID_ARGUMENT, "topics is null");
    }
    topics = List.copyOf(topics);
  }

  /**
   * A topic the device holds a key for: its hash ({@link KeyReports#topicHash}) and the fingerprint
   * of the key ({@link KeyReports#topicKeyFingerprint}).
   */
  public record TopicKeyFingerprint(byte[] topicHash, byte[] keyFingerprint) {
    public TopicKeyFingerprint {
      topicHash = copy(topicHash, Keys.ID_SIZE, "topic hash");
      keyFingerprint = copy(keyFingerprint, FINGERPRINT_SIZE, "topic key fingerprint");
    }

    @Override
    public byte[] topicHash() {
      return topicHash.clone();
    }

    @Override
    public byte[] keyFingerprint() {
      return keyFingerprint.clone();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof TopicKeyFingerprint that
          && Arrays.equals(topicHash, that.topicHash)
          && Arrays.equals(keyFingerprint, that.keyFingerprint);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(topicHash) + Arrays.hashCode(keyFingerprint);
    }

    @Override
    public String toString() {
      return hex(topicHash) + "=" + hex(keyFingerprint);
    }
  }

  @Override
  public byte[] deviceId() {
    return deviceId.clone();
  }

  @Override
  public byte[] ownKeyFingerprint() {
    return ownKeyFingerprint.clone();
  }

  @Override
  public byte[] c2KeyFingerprint() {
    return c2KeyFingerprint == null ? null : c2KeyFingerprint.clone();
  }

  /** The fingerprint of the key the device holds for the topic {@code topicHash}, if any. */
  public Optional<byte[]> topicKeyFingerprint(byte[] topicHash) {
    for (TopicKeyFingerprint topic : topics) {
      if (Arrays.equals(topic.topicHash, topicHash)) {
        return Optional.of(topic.keyFingerprint());
      }
    }
    return Optional.empty();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof KeyReport that
        && Arrays.equals(deviceId, that.deviceId)
        && timestamp == that.timestamp
        && sequence == that.sequence
        && lastCommandTime == that.lastCommandTime
        && Arrays.equals(ownKeyFingerprint, that.ownKeyFingerprint)
        && Arrays.equals(c2KeyFingerprint, that.c2KeyFingerprint)
        && topics.equals(that.topics);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        Arrays.hashCode(deviceId),
        timestamp,
        sequence,
        lastCommandTime,
        Arrays.hashCode(ownKeyFingerprint),
        Arrays.hashCode(c2KeyFingerprint),
        topics);
  }

  /** Hex IDs and fingerprints (fingerprints reveal nothing of the keys). */
  @Override
  public String toString() {
    return "KeyReport[device "
        + hex(deviceId)
        + ", sequence "
        + sequence
        + ", at "
        + timestamp
        + ", newest command "
        + lastCommandTime
        + ", own key "
        + hex(ownKeyFingerprint)
        + (c2KeyFingerprint == null ? "" : ", C2 key " + hex(c2KeyFingerprint))
        + ", "
        + topics.size()
        + " topics "
        + topics
        + "]";
  }

  private static byte[] copy(byte[] value, int size, String what) {
    if (value == null || value.length != size) {
      throw new E4Exception(
          Reason.INVALID_ARGUMENT,
          what + " must be " + size + " bytes, got " + (value == null ? "null" : value.length));
    }
    return value.clone();
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
