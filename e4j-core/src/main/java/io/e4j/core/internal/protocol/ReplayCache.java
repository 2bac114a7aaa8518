package io.e4j.core.internal.protocol;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the messages accepted inside the timestamp window, so an exact copy is rejected.
 *
 * <p>Bounded: when full it first drops the entries whose timestamps have left the window (the
 * timestamp check rejects those messages anyway). If that is not enough it drops the oldest entries
 * and raises a watermark: from then on a message stamped at or before the watermark is refused,
 * because the cache can no longer tell whether it was seen. The guarantee (nothing accepted twice)
 * holds at every size; a cache too small for the traffic refuses late messages.
 */
public final class ReplayCache {
  /**
   * What identifies a message: its timestamp, AES-SIV tag, topic and (PK mode) sender. The topic
   * matters because topics sharing a key legitimately carry equal messages in the same second.
   */
  public record Fingerprint(long timestamp, Id16 tag, Id16 topic, Id16 sender) {}

  private final int capacity;
  private final long windowSeconds;
  private final Set<Fingerprint> seen = ConcurrentHashMap.newKeySet();
  private volatile long watermark = Long.MIN_VALUE;

  /**
   * @param capacity how many messages to remember at most
   * @param windowSeconds how far back a message can be accepted (maximum message age)
   */
  public ReplayCache(int capacity, long windowSeconds) {
    if (capacity < 1) {
      throw new IllegalArgumentException("replay cache capacity must be at least 1");
    }
    this.capacity = capacity;
    this.windowSeconds = windowSeconds;
  }

  /** True when the message is new, and remembers it; false for a replay or an unprovable one. */
  public boolean admit(Fingerprint fingerprint, long now) {
    if (fingerprint.timestamp() <= watermark) {
      return false;
    }
    if (!seen.add(fingerprint)) {
      return false;
    }
    if (seen.size() > capacity) {
      shrink(now);
    }
    // Read after the add: a shrink that evicted an earlier copy of this message raised the
    // watermark before evicting, so this read sees it.
    return fingerprint.timestamp() > watermark;
  }

  public int size() {
    return seen.size();
  }

  private synchronized void shrink(long now) {
    if (seen.size() <= capacity) {
      return;
    }
    long oldestUseful = now - windowSeconds;
    seen.removeIf(entry -> entry.timestamp() < oldestUseful);
    int target = capacity - capacity / 4;
    if (seen.size() <= target) {
      return;
    }
    long[] timestamps = seen.stream().mapToLong(Fingerprint::timestamp).toArray();
    Arrays.sort(timestamps);
    long cut = timestamps[timestamps.length - target - 1];
    watermark = Math.max(watermark, cut);
    for (Iterator<Fingerprint> it = seen.iterator(); it.hasNext(); ) {
      if (it.next().timestamp() <= cut) {
        it.remove();
      }
    }
  }
}
