package io.e4j.core.internal.protocol;

import io.e4j.core.internal.crypto.AesSiv;
import io.e4j.core.internal.crypto.Agreement;
import io.e4j.core.internal.crypto.Bytes;
import io.e4j.core.internal.crypto.Signing;
import io.e4j.core.internal.crypto.SivKey;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything a device knows, as one immutable value: readers take a snapshot without locking, and
 * each state change builds a new value (copy on write; changes are rare, reads are the hot path).
 */
public final class DeviceState {
  /**
   * The device's own keys: the SK client key, or the PK signing key with C2's public key; and the
   * key commands arrive under, derived from them.
   */
  private record OwnKeys(
      SivKey clientKey,
      byte[] signingKey,
      PeerKey ownPublicKey,
      byte[] c2PublicKey,
      SivKey commandKey) {
    static OwnKeys symmetric(SivKey clientKey) {
      return new OwnKeys(clientKey, null, null, null, clientKey);
    }

    static OwnKeys publicKey(AesSiv siv, byte[] signingKey, byte[] c2PublicKey) {
      return new OwnKeys(
          null,
          signingKey,
          ownPublicKeyOf(signingKey),
          c2PublicKey,
          sharedCommandKey(siv, signingKey, c2PublicKey));
    }
  }

  private final Id16 id;
  private final String controlTopic;
  private final KeyMode mode;
  private final OwnKeys own;
  private final Map<Id16, TopicEntry> topics;
  private final Map<Id16, PeerKey> peers;
  private final AppliedCommands applied;
  private final long reportSequence;

  private DeviceState(
      Id16 id,
      String controlTopic,
      KeyMode mode,
      OwnKeys own,
      Map<Id16, TopicEntry> topics,
      Map<Id16, PeerKey> peers,
      AppliedCommands applied,
      long reportSequence) {
    this.id = id;
    this.controlTopic = controlTopic;
    this.mode = mode;
    this.own = own;
    this.topics = topics;
    this.peers = peers;
    this.applied = applied;
    this.reportSequence = reportSequence;
  }

  /** A symmetric-key device; {@code key} is copied. */
  public static DeviceState symmetric(AesSiv siv, Id16 id, String controlTopic, byte[] key) {
    checkKey(key, Wire.KEY, "client key");
    return new DeviceState(
        id,
        controlTopic,
        KeyMode.SYMMETRIC,
        OwnKeys.symmetric(siv.e4Key(key, 0)),
        Map.of(),
        Map.of(),
        AppliedCommands.none(),
        0);
  }

  /** A public-key device; both keys are copied and checked. */
  public static DeviceState publicKey(
      AesSiv siv, Id16 id, String controlTopic, byte[] signingKey, byte[] c2PublicKey) {
    byte[] c2Key = checkKey(c2PublicKey, Wire.KEY, "C2 public key").clone();
    return new DeviceState(
        id,
        controlTopic,
        KeyMode.PUBLIC_KEY,
        OwnKeys.publicKey(siv, checkedSigningKey(signingKey), c2Key),
        Map.of(),
        Map.of(),
        AppliedCommands.none(),
        0);
  }

  private DeviceState with(Map<Id16, TopicEntry> newTopics) {
    return new DeviceState(id, controlTopic, mode, own, newTopics, peers, applied, reportSequence);
  }

  private DeviceState withPeerMap(Map<Id16, PeerKey> newPeers) {
    return new DeviceState(id, controlTopic, mode, own, topics, newPeers, applied, reportSequence);
  }

  private DeviceState withOwn(OwnKeys newOwn) {
    return new DeviceState(id, controlTopic, mode, newOwn, topics, peers, applied, reportSequence);
  }

  /**
   * Installs a topic key. A key equal to the current one changes nothing; a different one keeps the
   * current key as the previous key, replaced at {@code now}.
   */
  public DeviceState withTopicKey(AesSiv siv, Id16 topicHash, byte[] key, long now) {
    checkKey(key, Wire.KEY, "topic key");
    SivKey newKey = siv.e4Key(key, 0);
    TopicEntry existing = topics.get(topicHash);
    TopicEntry entry;
    if (existing == null) {
      entry = TopicEntry.of(newKey);
    } else if (existing.current().sameKeyAs(newKey)) {
      newKey.destroy();
      return this;
    } else {
      entry = new TopicEntry(newKey, existing.current(), now);
    }
    return withTopicEntry(topicHash, entry);
  }

  /** Installs an entry as it was stored (used when loading state). */
  public DeviceState withTopicEntry(Id16 topicHash, TopicEntry entry) {
    Map<Id16, TopicEntry> copy = new HashMap<>(topics);
    copy.put(topicHash, entry);
    return with(Collections.unmodifiableMap(copy));
  }

  /** Replaces every topic entry at once (used when loading state). */
  public DeviceState withTopicEntries(Map<Id16, TopicEntry> entries) {
    return with(Collections.unmodifiableMap(new HashMap<>(entries)));
  }

  /** Replaces every peer key at once (used when loading state). */
  public DeviceState withPeers(Map<Id16, PeerKey> keys) {
    if (!keys.isEmpty()) {
      requireMode(KeyMode.PUBLIC_KEY);
    }
    return withPeerMap(Collections.unmodifiableMap(new HashMap<>(keys)));
  }

  public DeviceState withoutTopic(Id16 topicHash) {
    if (!topics.containsKey(topicHash)) {
      return this;
    }
    Map<Id16, TopicEntry> copy = new HashMap<>(topics);
    copy.remove(topicHash);
    return with(Collections.unmodifiableMap(copy));
  }

  public DeviceState withoutTopics() {
    return with(Map.of());
  }

  public DeviceState withPeer(Id16 peerId, PeerKey key) {
    requireMode(KeyMode.PUBLIC_KEY);
    Map<Id16, PeerKey> copy = new HashMap<>(peers);
    copy.put(peerId, key);
    return withPeerMap(Collections.unmodifiableMap(copy));
  }

  public DeviceState withoutPeer(Id16 peerId) {
    requireMode(KeyMode.PUBLIC_KEY);
    if (!peers.containsKey(peerId)) {
      return this;
    }
    Map<Id16, PeerKey> copy = new HashMap<>(peers);
    copy.remove(peerId);
    return withPeerMap(Collections.unmodifiableMap(copy));
  }

  public DeviceState withoutPeers() {
    requireMode(KeyMode.PUBLIC_KEY);
    return withPeerMap(Map.of());
  }

  /** Replaces the device's own key: 32 bytes in SK mode, a 64-byte Ed25519 key in PK mode. */
  public DeviceState withOwnKey(AesSiv siv, byte[] key) {
    if (mode == KeyMode.SYMMETRIC) {
      checkKey(key, Wire.KEY, "symmetric client key");
      return withOwn(OwnKeys.symmetric(siv.e4Key(key, 0)));
    }
    return withOwn(OwnKeys.publicKey(siv, checkedSigningKey(key), own.c2PublicKey()));
  }

  public DeviceState withC2PublicKey(AesSiv siv, byte[] newC2PublicKey) {
    requireMode(KeyMode.PUBLIC_KEY);
    byte[] c2Key = checkKey(newC2PublicKey, Wire.KEY, "C2 public key").clone();
    return withOwn(OwnKeys.publicKey(siv, own.signingKey(), c2Key));
  }

  /** The same state, remembering {@code newApplied} as the commands applied. */
  public DeviceState withAppliedCommands(AppliedCommands newApplied) {
    return new DeviceState(id, controlTopic, mode, own, topics, peers, newApplied, reportSequence);
  }

  /** The same state, its newest key report numbered {@code sequence}. */
  public DeviceState withReportSequence(long sequence) {
    return new DeviceState(id, controlTopic, mode, own, topics, peers, applied, sequence);
  }

  public Id16 id() {
    return id;
  }

  public String controlTopic() {
    return controlTopic;
  }

  public KeyMode mode() {
    return mode;
  }

  /** The SK client key, or null in PK mode. */
  public SivKey clientKey() {
    return own.clientKey();
  }

  /** The 64-byte Ed25519 private key (not a copy: never hand it out), or null in SK mode. */
  public byte[] signingKey() {
    return own.signingKey();
  }

  public PeerKey ownPublicKey() {
    return own.ownPublicKey();
  }

  public byte[] c2PublicKey() {
    return own.c2PublicKey();
  }

  /** The key commands arrive under: the client key (SK) or the shared key with C2 (PK). */
  public SivKey commandKey() {
    return own.commandKey();
  }

  public Map<Id16, TopicEntry> topics() {
    return topics;
  }

  /** The keys of a topic, named {@code topic} in the refusal when none are held. */
  public TopicEntry topicEntry(Id16 topicHash, String topic) {
    TopicEntry entry = topics.get(topicHash);
    if (entry == null) {
      throw new ProtocolException(Refusal.TOPIC_KEY_MISSING, "no key is held for topic " + topic);
    }
    return entry;
  }

  public Map<Id16, PeerKey> peers() {
    return peers;
  }

  /** The sender's public key, the device's own included; null when unknown. */
  public PeerKey peer(Id16 sender) {
    PeerKey peer = peers.get(sender);
    if (peer == null && sender.equals(id)) {
      return own.ownPublicKey();
    }
    return peer;
  }

  /** The timestamp of the newest command applied (epoch seconds), 0 when none. */
  public long lastCommandTime() {
    return applied.newestTime();
  }

  /** The newest command second and the commands applied in it. */
  public AppliedCommands appliedCommands() {
    return applied;
  }

  /** The sequence number of the newest key report handed out, 0 when none. */
  public long reportSequence() {
    return reportSequence;
  }

  /** Erases every key this state holds. Only for a state no thread will read again. */
  public void destroy() {
    if (own.clientKey() != null) {
      own.clientKey().destroy();
    }
    if (own.commandKey() != own.clientKey()) {
      own.commandKey().destroy();
    }
    Bytes.zero(own.signingKey());
    for (TopicEntry entry : topics.values()) {
      entry.current().destroy();
      if (entry.previous() != null) {
        entry.previous().destroy();
      }
    }
  }

  private void requireMode(KeyMode required) {
    if (mode != required) {
      throw new ProtocolException(
          Refusal.WRONG_MODE,
          "this needs a " + required.description() + " client; this one is " + mode.description());
    }
  }

  private static byte[] checkKey(byte[] key, int size, String what) {
    if (key == null || key.length != size) {
      throw new ProtocolException(
          Refusal.INVALID_KEY,
          what + " must be " + size + " bytes, got " + (key == null ? "null" : key.length));
    }
    return key;
  }

  private static byte[] checkedSigningKey(byte[] signingKey) {
    checkKey(signingKey, Signing.PRIVATE_KEY_SIZE, "Ed25519 private key");
    if (!Signing.isConsistent(signingKey)) {
      throw new ProtocolException(
          Refusal.INVALID_KEY, "the Ed25519 private key's public half does not match its seed");
    }
    return signingKey.clone();
  }

  private static PeerKey ownPublicKeyOf(byte[] signingKey) {
    byte[] publicKey = java.util.Arrays.copyOfRange(signingKey, 32, 64);
    return PeerKey.of(publicKey)
        .orElseThrow(
            () ->
                new ProtocolException(Refusal.INVALID_KEY, "the Ed25519 public key is not valid"));
  }

  private static SivKey sharedCommandKey(AesSiv siv, byte[] signingKey, byte[] c2PublicKey) {
    byte[] curvePrivate = Agreement.curvePrivateFromEd25519(signingKey);
    try {
      byte[] shared =
          Agreement.sharedKey(curvePrivate, c2PublicKey)
              .orElseThrow(
                  () ->
                      new ProtocolException(
                          Refusal.INVALID_KEY,
                          "the C2 public key has low order: no shared key can be derived"));
      try {
        return siv.e4Key(shared, 0);
      } finally {
        Bytes.zero(shared);
      }
    } finally {
      Bytes.zero(curvePrivate);
    }
  }
}
