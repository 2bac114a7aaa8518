package io.e4j.core.internal.protocol;

import io.e4j.core.internal.crypto.AesSiv;
import io.e4j.core.internal.crypto.Bytes;
import io.e4j.core.internal.crypto.Signing;

/**
 * Decides whether a received message is let in, and opens it: long enough for its mode, dated
 * inside the window (no older than the maximum age, no further ahead than the clock skew), signed
 * by a known sender (public-key mode), authentic under the topic's key or, during a key transition,
 * the key it replaced, and not a copy of a message already accepted (the replay cache). Commands
 * pass the same length, window and replay checks.
 *
 * <p>Safe for concurrent use; the replay cache is its only changing part. The message path
 * allocates only the payload and the replay cache's entry.
 */
public final class Admission {
  /**
   * The window and caches a client is built with, in seconds.
   *
   * @param replayCacheSize how many accepted messages the replay cache remembers; 0 turns replay
   *     protection off
   */
  public record Limits(
      long maxAgeSeconds, long clockSkewSeconds, long keyTransitionSeconds, int replayCacheSize) {}

  private final AesSiv siv;
  private final long maxAgeSeconds;
  private final long skewSeconds;
  private final long transitionSeconds;
  private final ReplayCache replayCache;

  public Admission(AesSiv siv, Limits limits) {
    this.siv = siv;
    this.maxAgeSeconds = limits.maxAgeSeconds();
    this.skewSeconds = limits.clockSkewSeconds();
    this.transitionSeconds = limits.keyTransitionSeconds();
    this.replayCache =
        limits.replayCacheSize() > 0
            ? new ReplayCache(limits.replayCacheSize(), maxAgeSeconds)
            : null;
  }

  /**
   * The payload of a message received on {@code topic} (whose hash is {@code topicHash}), if it is
   * let in at device time {@code now}; the message is then remembered by the replay cache.
   *
   * @throws ProtocolException with the reason the message was refused
   */
  public byte[] open(DeviceState state, String topic, Id16 topicHash, byte[] message, long now) {
    TopicEntry entry = state.topicEntry(topicHash, topic);
    boolean signed = state.mode() == KeyMode.PUBLIC_KEY;
    int overhead = signed ? Wire.PK_OVERHEAD : Wire.SK_OVERHEAD;
    checkLength(message, overhead);
    long timestamp = checkTimestamp(message, now);
    Id16 sender = null;
    int tagOffset = Wire.SK_TAG_OFFSET;
    if (signed) {
      sender = Id16.of(message, Wire.PK_SENDER_OFFSET);
      verifySignature(state, sender, message);
      tagOffset = Wire.PK_TAG_OFFSET;
    }
    byte[] payload = new byte[message.length - overhead];
    openUnderTopicKey(entry, message, tagOffset, payload, now);
    if (!firstSeen(message, timestamp, tagOffset, topicHash, sender, now)) {
      Bytes.zero(payload);
      throw replayed();
    }
    return payload;
  }

  /**
   * A command's timestamp, after the checks that need no key (length and window): cheap enough to
   * run before the caller takes its state lock.
   *
   * @throws ProtocolException {@code MESSAGE_TOO_SHORT}, {@code TIMESTAMP_IN_FUTURE} or {@code
   *     TIMESTAMP_TOO_OLD}
   */
  public long commandTimestamp(byte[] message, long now) {
    checkLength(message, Wire.SK_OVERHEAD);
    return checkTimestamp(message, now);
  }

  /**
   * Remembers an authentic command in the replay cache, under the device's own ID as its topic.
   *
   * @throws ProtocolException {@code REPLAYED} when it was accepted before
   */
  void admitCommand(DeviceState state, byte[] message, long timestamp, long now) {
    if (!firstSeen(message, timestamp, Wire.SK_TAG_OFFSET, state.id(), null, now)) {
      throw replayed();
    }
  }

  /**
   * False for a copy of a message already accepted (or one the cache can no longer rule out); true,
   * and remembered, otherwise, or when replay protection is off.
   */
  private boolean firstSeen(
      byte[] message, long timestamp, int tagOffset, Id16 topic, Id16 sender, long now) {
    if (replayCache == null) {
      return true;
    }
    return replayCache.admit(
        new ReplayCache.Fingerprint(timestamp, Id16.of(message, tagOffset), topic, sender), now);
  }

  /**
   * Opens under the topic's current key, else under the key it replaced while the key transition
   * lasts (messages sealed just before a rotation are still arriving).
   */
  private void openUnderTopicKey(
      TopicEntry entry, byte[] message, int tagOffset, byte[] payload, long now) {
    if (Messages.open(siv, entry.current(), message, tagOffset, payload)) {
      return;
    }
    if (entry.previous() == null) {
      throw notAuthentic();
    }
    if (!entry.previousUsableAt(now, transitionSeconds)) {
      throw new ProtocolException(
          Refusal.NOT_AUTHENTIC,
          "message authentication failed: not under the topic's current key, and the previous"
              + " key's transition period has ended");
    }
    if (!Messages.open(siv, entry.previous(), message, tagOffset, payload)) {
      throw notAuthentic();
    }
  }

  private static void verifySignature(DeviceState state, Id16 sender, byte[] message) {
    PeerKey peer = state.peer(sender);
    if (peer == null) {
      throw new ProtocolException(
          Refusal.SENDER_UNKNOWN, "no public key is held for the sender " + sender.hex());
    }
    int signedLength = message.length - Wire.SIGNATURE;
    if (!Signing.verify(peer.point(), message, 0, signedLength, message, signedLength)) {
      throw new ProtocolException(
          Refusal.INVALID_SIGNATURE,
          "the signature of sender " + sender.hex() + " does not verify");
    }
  }

  private static void checkLength(byte[] message, int overhead) {
    if (message.length < overhead) {
      throw new ProtocolException(
          Refusal.MESSAGE_TOO_SHORT,
          "a protected message is at least " + overhead + " bytes, got " + message.length);
    }
  }

  /** The message's timestamp (unsigned epoch seconds), if inside [now - max age, now + skew]. */
  private long checkTimestamp(byte[] message, long now) {
    long timestamp = Bytes.getLong(message, 0);
    if (timestamp < 0 || timestamp > now + skewSeconds) {
      throw new ProtocolException(
          Refusal.TIMESTAMP_IN_FUTURE,
          "message dated "
              + Long.toUnsignedString(timestamp)
              + " is more than "
              + skewSeconds
              + " s ahead of this device's clock ("
              + now
              + ")");
    }
    if (timestamp < now - maxAgeSeconds) {
      throw new ProtocolException(
          Refusal.TIMESTAMP_TOO_OLD,
          "message dated "
              + timestamp
              + " is more than "
              + maxAgeSeconds
              + " s older than this device's clock ("
              + now
              + ")");
    }
    return timestamp;
  }

  private static ProtocolException replayed() {
    return new ProtocolException(
        Refusal.REPLAYED,
        "this exact message was already accepted (or is too old for the replay cache to rule it"
            + " out)");
  }

  private static ProtocolException notAuthentic() {
    return new ProtocolException(
        Refusal.NOT_AUTHENTIC, "message authentication failed: wrong topic key or altered message");
  }
}
