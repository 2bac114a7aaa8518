package io.e4j.core.internal.protocol;

import java.util.List;

/**
 * What an opened key report says (docs/key-reports.md); the public {@code KeyReport} is made from
 * it. Arrays are the caller's to keep: nothing else holds them.
 *
 * @param c2KeyFingerprint null in symmetric-key mode
 * @param topics sorted by topic hash
 */
public record ReportContents(
    KeyMode mode,
    Id16 deviceId,
    long timestamp,
    long sequence,
    long lastCommandTime,
    byte[] ownKeyFingerprint,
    byte[] c2KeyFingerprint,
    List<TopicFingerprint> topics) {

  /** One topic the device holds a key for. */
  public record TopicFingerprint(Id16 topicHash, byte[] keyFingerprint) {}
}
