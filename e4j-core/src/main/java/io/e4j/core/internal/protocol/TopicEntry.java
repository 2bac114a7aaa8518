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

  /** True when a message that fails under the current key may be retried under the previous one. */
  public boolean previousUsableAt(long now, long transitionSeconds) {
    return previous != null && now - previousReplacedAt <= transitionSeconds;
  }
}
