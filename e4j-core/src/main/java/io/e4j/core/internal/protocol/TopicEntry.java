package io.e4j.core.internal.protocol;

import io.e4j.core.internal.crypto.SivKey;

/**
 * A topic's current key and, during a key transition, the key it replaced and when (device clock,
 * epoch seconds).
 */
public record TopicEntry(SivKey current, SivKey previous, long previousReplacedAt) {
  public static TopicEntry of(SivKey current) {
    return new TopicEntry(current, null, 0);
  }

  /**
   * True when a message that fails under the current key may be retried under the previous one:
   * within {@code transitionSeconds} after the replacement, and not before it (a replacement dated
   * ahead of the clock, as e4go's key-timestamp check refuses, would keep the old key alive until
   * that date plus the transition).
   */
  public boolean previousUsableAt(long now, long transitionSeconds) {
    long elapsed = now - previousReplacedAt;
    return previous != null && elapsed >= 0 && elapsed <= transitionSeconds;
  }
}
