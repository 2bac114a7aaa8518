package io.e4j.core.internal.protocol;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Topic name to topic hash, memoised: SHA3 on every message would cost more than AES-SIV on a small
 * payload. Bounded; when full it starts over, which costs a rehash per topic, nothing else.
 */
public final class TopicHashCache {
  private final int capacity;
  private final ConcurrentHashMap<String, Id16> hashes = new ConcurrentHashMap<>();

  public TopicHashCache(int capacity) {
    this.capacity = capacity;
  }

  /** The topic's hash; validates the topic on first sight ({@code INVALID_TOPIC}). */
  public Id16 hash(String topic) {
    if (topic == null) {
      return Id16.of(Names.topicHash(null));
    }
    Id16 hash = hashes.get(topic);
    if (hash == null) {
      hash = Id16.of(Names.topicHash(topic));
      if (hashes.size() >= capacity) {
        hashes.clear();
      }
      hashes.put(topic, hash);
    }
    return hash;
  }
}
