package io.e4j.core;

import io.e4j.core.E4Exception.Reason;
import io.e4j.core.internal.crypto.AesSiv;
import io.e4j.core.internal.crypto.Bytes;
import io.e4j.core.internal.crypto.Signing;
import io.e4j.core.internal.protocol.Admission;
import io.e4j.core.internal.protocol.CommandApplier;
import io.e4j.core.internal.protocol.Derivations;
import io.e4j.core.internal.protocol.DeviceState;
import io.e4j.core.internal.protocol.Id16;
import io.e4j.core.internal.protocol.KeyMode;
import io.e4j.core.internal.protocol.KeyReportCodec;
import io.e4j.core.internal.protocol.Messages;
import io.e4j.core.internal.protocol.Names;
import io.e4j.core.internal.protocol.PeerKey;
import io.e4j.core.internal.protocol.ProtocolException;
import io.e4j.core.internal.protocol.TopicEntry;
import io.e4j.core.internal.protocol.TopicHashCache;
import io.e4j.core.internal.store.GoStateImport;
import io.e4j.core.internal.store.StateCodec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * An E4 device: protects what it publishes, unprotects what it receives, and applies the commands
 * C2 sends on its control topic (PROTOCOL.md).
 *
 * <pre>{@code
 * E4Client device = E4Client.builder()
 *     .name("meter-0042")
 *     .password("a long device password")
 *     .store(ClientStore.file(Path.of("meter-0042.e4")))
 *     .build();
 * byte[] message = device.protect("meters/0042/reading", payload);
 * Optional<byte[]> payload = device.unprotect(topic, received); // empty: a command was applied
 * }</pre>
 *
 * <p>Beyond the reference clients, and on by default: a clock-skew tolerance for timestamps
 * slightly in the future ({@link Builder#clockSkew}), a replay cache that rejects an exact copy of
 * a message already accepted ({@link Builder#replayProtection}), and command anti-rollback, which
 * applies no command twice, across restarts too ({@link Builder#commandRollbackProtection}). And an
 * e4j extension: {@link #keyReport()} tells C2 which keys the device holds.
 *
 * <p>Thread-safe: {@code protect} and {@code unprotect} read an immutable snapshot of the state and
 * never block one another; state changes (commands, {@link #setTopicKey}, {@link #addPublicKey})
 * are serialised, saved to the store, and only then become visible.
 *
 * <p>Keys replaced by a command are not zeroed while the client is open, because a message being
 * processed on another thread may still be using them; {@link #close()} zeroes the key arrays the
 * client holds.
 */
public final class E4Client implements AutoCloseable {
  /** The two key modes of E4. */
  public enum Mode {
    /** Every device and C2 share symmetric keys; messages carry no signature. */
    SYMMETRIC(KeyMode.SYMMETRIC),
    /** Devices sign every message with Ed25519; commands use an X25519 key shared with C2. */
    PUBLIC_KEY(KeyMode.PUBLIC_KEY);

    private final KeyMode keyMode;

    Mode(KeyMode keyMode) {
      this.keyMode = keyMode;
    }

    /** "symmetric-key" or "public-key", for messages. */
    public String description() {
      return keyMode.description();
    }

    static Mode of(KeyMode keyMode) {
      return keyMode == KeyMode.SYMMETRIC ? SYMMETRIC : PUBLIC_KEY;
    }
  }

  private static final int TOPIC_HASH_CACHE_SIZE = 4096;

  private final AesSiv siv;
  private final ClientStore store;
  private final Clock clock;
  private final Admission admission;
  private final CommandApplier commandApplier;
  private final TopicHashCache topicHashes = new TopicHashCache(TOPIC_HASH_CACHE_SIZE);
  private final ReentrantLock changeLock = new ReentrantLock();
  private volatile DeviceState state;
  private volatile boolean closed;

  private E4Client(Builder settings, AesSiv siv, DeviceState state) {
    this.siv = siv;
    this.store = settings.store;
    this.clock = settings.clock;
    this.admission =
        new Admission(
            siv,
            new Admission.Limits(
                settings.maxMessageAge.getSeconds(),
                settings.clockSkew.getSeconds(),
                settings.keyTransition.getSeconds(),
                settings.replayProtection ? settings.replayCacheSize : 0));
    this.commandApplier = new CommandApplier(siv, admission, settings.commandRollbackProtection);
    this.state = state;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Loads the client saved in {@code store}, with the default settings and the system clock.
   *
   * @throws E4Exception {@code STORAGE} when the store is empty, unreadable or corrupt
   */
  public static E4Client load(ClientStore store) {
    return builder().store(store).build();
  }

  /** Loads the client saved in {@code store}, reading time from {@code clock}. */
  public static E4Client load(ClientStore store, Clock clock) {
    return builder().store(store).clock(clock).build();
  }

  /**
   * Imports a state file written by Teserakt's Go client ({@code e4go}'s JSON store) into {@code
   * store}, which must be empty, and returns the client. Topic keys in a key transition keep their
   * previous key and the time it was replaced.
   *
   * @throws E4Exception {@code STORAGE} when the file cannot be read or is not an e4go state file
   */
  public static E4Client importGoState(Path goStateFile, ClientStore store) {
    return importGoState(goStateFile, store, Clock.systemUTC());
  }

  /** As {@link #importGoState(Path, ClientStore)}, reading time from {@code clock}. */
  public static E4Client importGoState(Path goStateFile, ClientStore store, Clock clock) {
    AesSiv siv = new AesSiv();
    DeviceState imported;
    try {
      imported = GoStateImport.read(goStateFile, siv);
    } catch (ProtocolException e) {
      throw E4Exception.of(e);
    }
    Builder settings = builder().store(store).clock(clock);
    return settings.create(siv, imported);
  }

  /** The 16-byte device ID. */
  public byte[] id() {
    return current().id().toBytes();
  }

  /** The topic C2 sends this device's commands on, {@code "e4/" + hex(id)}. */
  public String controlTopic() {
    return current().controlTopic();
  }

  public Mode mode() {
    return Mode.of(current().mode());
  }

  /**
   * This device's Ed25519 public key, which other devices need to verify its messages.
   *
   * @throws E4Exception {@code WRONG_MODE} for a symmetric-key client
   */
  public byte[] publicKey() {
    DeviceState snapshot = current();
    requirePublicKeyMode(snapshot, "only public-key clients have a public key");
    return snapshot.ownPublicKey().publicKeyBytes();
  }

  /** True when a key is held for {@code topic}. */
  public boolean hasTopicKey(String topic) {
    DeviceState snapshot = current();
    try {
      return snapshot.topics().containsKey(topicHashes.hash(topic));
    } catch (ProtocolException e) {
      throw E4Exception.of(e);
    }
  }

  /** The hashes of the topics this device holds keys for (the device never learns the names). */
  public List<byte[]> topicHashes() {
    List<byte[]> hashes = new ArrayList<>();
    for (Id16 hash : current().topics().keySet()) {
      hashes.add(hash.toBytes());
    }
    return hashes;
  }

  /** The IDs of the devices whose public keys this (public-key) client holds. */
  public List<byte[]> publicKeyIds() {
    List<byte[]> ids = new ArrayList<>();
    for (Id16 peer : current().peers().keySet()) {
      ids.add(peer.toBytes());
    }
    return ids;
  }

  /**
   * Protects {@code payload} for {@code topic}: {@code timestamp || tag || ciphertext} in
   * symmetric-key mode, with the sender's ID and an Ed25519 signature in public-key mode.
   *
   * @throws E4Exception {@code TOPIC_KEY_MISSING} when no key is held for the topic; {@code
   *     INVALID_TOPIC} for an invalid topic or the device's own control topic
   */
  public byte[] protect(String topic, byte[] payload) {
    if (payload == null) {
      throw new E4Exception(Reason.INVALID_ARGUMENT, "payload is null");
    }
    DeviceState snapshot = current();
    TopicEntry entry;
    try {
      Id16 topicHash = topicHashes.hash(topic);
      if (topic.equals(snapshot.controlTopic())) {
        throw new E4Exception(
            Reason.INVALID_TOPIC,
            "the control topic carries C2 commands only; C2 builds them with Commands.protect");
      }
      entry = snapshot.topicEntry(topicHash, topic);
    } catch (ProtocolException e) {
      throw E4Exception.of(e);
    }
    long now = nowSeconds();
    if (snapshot.mode() == KeyMode.SYMMETRIC) {
      return Messages.protectSymmetric(siv, entry.current(), now, payload);
    }
    return Messages.protectSigned(
        siv, entry.current(), now, snapshot.id(), snapshot.signingKey(), payload);
  }

  /**
   * Unprotects a message received on {@code topic}. A message on the device's control topic is a C2
   * command: it is checked, applied, saved, and the result is empty.
   *
   * @return the payload, or empty when the message was a command that has now been applied
   * @throws E4Exception with the reason the message was refused; the client's state is unchanged
   */
  public Optional<byte[]> unprotect(String topic, byte[] message) {
    if (message == null) {
      throw new E4Exception(Reason.INVALID_ARGUMENT, "message is null");
    }
    DeviceState snapshot = current();
    try {
      if (snapshot.controlTopic().equals(topic)) {
        applyCommand(message);
        return Optional.empty();
      }
      Id16 topicHash = topicHashes.hash(topic);
      return Optional.of(admission.open(snapshot, topic, topicHash, message, nowSeconds()));
    } catch (ProtocolException e) {
      throw E4Exception.of(e);
    }
  }

  /**
   * A new key report (docs/key-reports.md, an e4j extension): which keys this device holds, sealed
   * for C2 and, in public-key mode, signed. Publish it on {@link #reportTopic()} after applying
   * commands and on connecting; C2 opens it with {@link KeyReports}.
   *
   * <p>Each report has a sequence number greater than the one before, across restarts: it is saved
   * to the store before the report is made, so this costs a store write.
   *
   * @throws E4Exception {@code STORAGE} when the new sequence number cannot be saved
   */
  public byte[] keyReport() {
    changeLock.lock();
    try {
      DeviceState before = current();
      DeviceState next = before.withReportSequence(before.reportSequence() + 1);
      publish(next);
      return KeyReportCodec.seal(siv, next, nowSeconds(), next.reportSequence());
    } finally {
      changeLock.unlock();
    }
  }

  /** The MQTT topic this device's key reports go to: {@code "e4j/reports/" + hex(id)}. */
  public String reportTopic() {
    return KeyReports.reportTopic(id());
  }

  /**
   * This device's broker password for an e4j-aware broker, derived from its current command key
   * (see {@link KeyReports#brokerPassword}); the user name is {@code hex(id)}. It changes when C2
   * changes the device's key (or, in public-key mode, its own).
   */
  public String brokerPassword() {
    byte[] commandKey = current().commandKey().ctrKeyBytes();
    try {
      return Derivations.brokerPassword(commandKey);
    } finally {
      Bytes.zero(commandKey);
    }
  }

  /**
   * Installs a topic key without C2 (deployments that distribute keys themselves). Saved to the
   * store before it takes effect. The key replaced, if any, stays usable for the key transition.
   */
  public void setTopicKey(String topic, byte[] key) {
    Keys.checkSize("topic key", key, Keys.KEY_SIZE);
    try {
      Id16 topicHash = topicHashes.hash(topic);
      change(current -> current.withTopicKey(siv, topicHash, key, nowSeconds()));
    } catch (ProtocolException e) {
      throw E4Exception.of(e);
    }
  }

  /** Forgets a topic's key (and its previous key); saved to the store. */
  public void removeTopicKey(String topic) {
    try {
      Id16 topicHash = topicHashes.hash(topic);
      change(current -> current.withoutTopic(topicHash));
    } catch (ProtocolException e) {
      throw E4Exception.of(e);
    }
  }

  /**
   * Adds or replaces the Ed25519 public key of the device {@code id}, so this client accepts its
   * messages (public-key mode; what SetPubKey does, for deployments without C2). Saved to the
   * store.
   *
   * @throws E4Exception {@code INVALID_KEY} for a key that is not a valid Ed25519 point; {@code
   *     WRONG_MODE} for a symmetric-key client
   */
  public void addPublicKey(byte[] id, byte[] ed25519Public) {
    try {
      Id16 peerId = Id16.of(Names.checkId(id));
      Keys.checkSize("Ed25519 public key", ed25519Public, Signing.PUBLIC_KEY_SIZE);
      PeerKey peer = PeerKey.checked(ed25519Public);
      change(current -> current.withPeer(peerId, peer));
    } catch (ProtocolException e) {
      throw E4Exception.of(e);
    }
  }

  /** Forgets the public key of device {@code id} (public-key mode); saved to the store. */
  public void removePublicKey(byte[] id) {
    try {
      Id16 peerId = Id16.of(Names.checkId(id));
      change(current -> current.withoutPeer(peerId));
    } catch (ProtocolException e) {
      throw E4Exception.of(e);
    }
  }

  /**
   * Zeroes the key arrays the client holds. Use the client from no other thread while and after it
   * closes; the saved state is untouched and can be loaded again.
   *
   * <p>The JDK's cipher objects, kept per thread, hold their own copy of the last key they used
   * (and its schedule) until they are reused or collected; Java offers no way to erase those.
   */
  @Override
  public void close() {
    changeLock.lock();
    try {
      if (!closed) {
        closed = true;
        state.destroy();
      }
    } finally {
      changeLock.unlock();
    }
  }

  @Override
  public String toString() {
    DeviceState snapshot = state;
    return "E4Client["
        + snapshot.mode().description()
        + ", id "
        + snapshot.id().hex()
        + ", "
        + snapshot.topics().size()
        + " topic keys, store "
        + store.location()
        + (closed ? ", closed" : "")
        + "]";
  }

  private void applyCommand(byte[] message) {
    long now = nowSeconds();
    long timestamp = admission.commandTimestamp(message, now);
    // Serialised from the start: the key a command is opened with may be what the one before
    // it changed.
    changeLock.lock();
    try {
      publish(commandApplier.apply(current(), message, timestamp, now));
    } finally {
      changeLock.unlock();
    }
  }

  private void change(UnaryOperator<DeviceState> update) {
    changeLock.lock();
    try {
      DeviceState before = current();
      DeviceState after = update.apply(before);
      if (after != before) {
        publish(after);
      }
    } finally {
      changeLock.unlock();
    }
  }

  /** Saves, then makes visible: a state that could not be saved never takes effect. */
  private void publish(DeviceState next) {
    byte[] encoded = StateCodec.encode(next);
    try {
      store.write(encoded);
    } finally {
      Bytes.zero(encoded);
    }
    state = next;
  }

  private DeviceState current() {
    if (closed) {
      throw new IllegalStateException("this E4Client is closed");
    }
    return state;
  }

  private long nowSeconds() {
    return Math.floorDiv(clock.millis(), 1000L);
  }

  private static void requirePublicKeyMode(DeviceState snapshot, String message) {
    if (snapshot.mode() != KeyMode.PUBLIC_KEY) {
      throw new E4Exception(Reason.WRONG_MODE, message);
    }
  }

  /**
   * Settings for a new client, or for loading a saved one. Give an identity (ID or name, and a key
   * or password; in public-key mode C2's public key and a signing key or password) to create a
   * client, or only a store holding a saved client to load it.
   */
  public static final class Builder {
    private byte[] id;
    private String name;
    private byte[] key;
    private String password;
    private byte[] c2PublicKey;
    private byte[] signingKey;
    private ClientStore store;
    private Clock clock = Clock.systemUTC();
    private Duration maxMessageAge = Duration.ofMinutes(10);
    private Duration keyTransition = Duration.ofMinutes(60);
    private Duration clockSkew = Duration.ofSeconds(60);
    private boolean replayProtection = true;
    private int replayCacheSize = 100_000;
    private boolean commandRollbackProtection = true;

    private Builder() {}

    /** The 16-byte device ID. */
    public Builder id(byte[] id) {
      try {
        this.id = Names.checkId(id).clone();
      } catch (ProtocolException e) {
        throw E4Exception.of(e);
      }
      return this;
    }

    /** The device's name; the ID is {@code SHA3-256(name)[0..16)}. */
    public Builder name(String name) {
      Keys.idFromName(name);
      this.name = name;
      return this;
    }

    /** Symmetric-key mode: the 32-byte client key shared with C2. */
    public Builder key(byte[] key) {
      Keys.checkSize("client key", key, Keys.KEY_SIZE);
      this.key = key.clone();
      return this;
    }

    /**
     * A password (at least 16 UTF-8 bytes) from which the key is derived with Argon2i: the
     * symmetric client key, or in public-key mode the Ed25519 seed.
     */
    public Builder password(String password) {
      Bytes.zero(Keys.passwordBytes(password));
      this.password = password;
      return this;
    }

    /** Public-key mode: C2's 32-byte Curve25519 public key. */
    public Builder c2PublicKey(byte[] curve25519) {
      Keys.checkSize("C2 public key", curve25519, Keys.KEY_SIZE);
      this.c2PublicKey = curve25519.clone();
      return this;
    }

    /** Public-key mode: the device's 64-byte Ed25519 private key (seed || public key). */
    public Builder signingKey(byte[] ed25519Private64) {
      Keys.checkEd25519Private(ed25519Private64);
      this.signingKey = ed25519Private64.clone();
      return this;
    }

    /** Where the state is saved after every change; in memory when not set. */
    public Builder store(ClientStore store) {
      this.store = require(store, "store");
      return this;
    }

    /** The clock timestamps are written with and checked against. */
    public Builder clock(Clock clock) {
      this.clock = require(clock, "clock");
      return this;
    }

    /** How old a message may be (10 minutes by default, as the reference clients). */
    public Builder maxMessageAge(Duration maxMessageAge) {
      this.maxMessageAge = atLeast(maxMessageAge, Duration.ofSeconds(1), "maximum message age");
      return this;
    }

    /**
     * How long a replaced topic key keeps working for messages that fail under the new key, counted
     * from when the new key arrived (60 minutes by default, as the Go client). Zero turns key
     * transition off.
     */
    public Builder keyTransition(Duration keyTransition) {
      this.keyTransition = atLeast(keyTransition, Duration.ZERO, "key transition");
      return this;
    }

    /**
     * How far ahead of this device's clock a timestamp may be (60 seconds by default; the Go client
     * rejects even one second, so one fast sender clock breaks its readers). Zero behaves as the Go
     * client.
     */
    public Builder clockSkew(Duration clockSkew) {
      this.clockSkew = atLeast(clockSkew, Duration.ZERO, "clock skew");
      return this;
    }

    /**
     * Whether to reject an exact copy of a message already accepted within the message window (on
     * by default; the reference clients accept replays). The cache lives in memory, so after a
     * restart it starts empty. Commands do not need it while {@link #commandRollbackProtection} is
     * on, which remembers them in the saved state; with that off, this cache is what refuses an
     * exact copy of a command.
     */
    public Builder replayProtection(boolean enabled) {
      this.replayProtection = enabled;
      return this;
    }

    /**
     * How many accepted messages the replay cache remembers (100,000 by default, about 12 MB when
     * full). When traffic outgrows it the cache refuses the oldest messages rather than risk
     * accepting a replay.
     */
    public Builder replayCacheSize(int messages) {
      if (messages < 1) {
        throw new E4Exception(Reason.INVALID_ARGUMENT, "replay cache size must be at least 1");
      }
      this.replayCacheSize = messages;
      return this;
    }

    /**
     * Whether to apply no command twice, across restarts too (on by default): a command older than
     * the newest one applied is refused ({@code STALE_COMMAND}), so that a recorded old SetTopicKey
     * cannot bring back a key C2 has rotated away; a command of the newest command second is
     * refused ({@code REPLAYED}) when it was applied already, which the device tells by the AES-SIV
     * tags of that second's commands, kept in its saved state (at most 65,536: past that, the rest
     * of that second is refused; a state file of format 1, written by earlier e4j builds that kept
     * no tags, refuses the rest of its newest second the same way). C2 must therefore never need
     * the same command bytes applied twice in one second; e4j's C2 protects a repeated command
     * again in the next second.
     *
     * <p>Off: commands apply in any order and more than once, as on the reference clients (only
     * {@link #replayProtection}'s in-memory cache refuses an exact copy until a restart). The state
     * still records the commands applied, so turning this on again protects from then on.
     */
    public Builder commandRollbackProtection(boolean enabled) {
      this.commandRollbackProtection = enabled;
      return this;
    }

    /**
     * Creates the client and saves it, or, when no identity was given, loads the one saved in the
     * store.
     *
     * @throws E4Exception {@code STORAGE} when creating into a store that already holds a client
     *     (keys are never overwritten) or loading from an empty or corrupt one; {@code
     *     INVALID_ARGUMENT} or {@code INVALID_KEY} for incomplete or conflicting settings
     */
    public E4Client build() {
      AesSiv siv = new AesSiv();
      if (!hasIdentity()) {
        if (store == null) {
          throw new E4Exception(
              Reason.INVALID_ARGUMENT,
              "give an ID or name and a key or password to create a client, or a store to load"
                  + " one from");
        }
        byte[] saved =
            store
                .read()
                .orElseThrow(
                    () ->
                        new E4Exception(
                            Reason.STORAGE,
                            "no client is saved in "
                                + store.location()
                                + "; give an identity to create one"));
        try {
          return new E4Client(this, siv, StateCodec.decode(saved, store.location(), siv));
        } catch (ProtocolException e) {
          throw E4Exception.of(e);
        } finally {
          Bytes.zero(saved);
        }
      }
      DeviceState initial;
      try {
        initial = newState(siv);
      } catch (ProtocolException e) {
        throw E4Exception.of(e);
      }
      return create(siv, initial);
    }

    private E4Client create(AesSiv siv, DeviceState initial) {
      if (store == null) {
        store = ClientStore.memory();
      }
      Optional<byte[]> existing = store.read();
      if (existing.isPresent()) {
        Bytes.zero(existing.get());
        initial.destroy();
        throw new E4Exception(
            Reason.STORAGE,
            store.location()
                + " already holds a client; load it with E4Client.load, or use another store (keys"
                + " are never overwritten)");
      }
      E4Client client = new E4Client(this, siv, initial);
      try {
        client.publish(initial);
      } catch (E4Exception e) {
        initial.destroy();
        throw e;
      }
      return client;
    }

    private DeviceState newState(AesSiv siv) {
      if (id != null && name != null) {
        throw new E4Exception(Reason.INVALID_ARGUMENT, "give either an ID or a name, not both");
      }
      if (id == null && name == null) {
        throw new E4Exception(Reason.INVALID_ARGUMENT, "a client needs an ID or a name");
      }
      Id16 deviceId = Id16.of(id != null ? id : Names.idFromName(name));
      String controlTopic = Names.controlTopic(deviceId.toBytes());
      boolean publicKeyMode = c2PublicKey != null || signingKey != null;
      if (publicKeyMode) {
        return newPublicKeyState(siv, deviceId, controlTopic);
      }
      if ((key == null) == (password == null)) {
        throw new E4Exception(
            Reason.INVALID_ARGUMENT, "a symmetric-key client needs either a key or a password");
      }
      byte[] clientKey = key != null ? key : Keys.symmetricKeyFromPassword(password);
      try {
        return DeviceState.symmetric(siv, deviceId, controlTopic, clientKey);
      } finally {
        Bytes.zero(clientKey);
        key = null;
      }
    }

    private DeviceState newPublicKeyState(AesSiv siv, Id16 deviceId, String controlTopic) {
      if (key != null) {
        throw new E4Exception(
            Reason.INVALID_ARGUMENT,
            "key(...) is for symmetric-key clients; a public-key client takes signingKey(...)");
      }
      if (c2PublicKey == null) {
        throw new E4Exception(
            Reason.INVALID_ARGUMENT, "a public-key client needs C2's public key (c2PublicKey)");
      }
      if ((signingKey == null) == (password == null)) {
        throw new E4Exception(
            Reason.INVALID_ARGUMENT,
            "a public-key client needs either a signing key or a password");
      }
      byte[] ownKey = signingKey != null ? signingKey : Keys.ed25519FromPassword(password);
      try {
        return DeviceState.publicKey(siv, deviceId, controlTopic, ownKey, c2PublicKey);
      } finally {
        Bytes.zero(ownKey);
        signingKey = null;
      }
    }

    private boolean hasIdentity() {
      return id != null
          || name != null
          || key != null
          || password != null
          || c2PublicKey != null
          || signingKey != null;
    }

    private static <T> T require(T value, String what) {
      if (value == null) {
        throw new E4Exception(Reason.INVALID_ARGUMENT, what + " is null");
      }
      return value;
    }

    private static Duration atLeast(Duration value, Duration minimum, String what) {
      require(value, what);
      if (value.compareTo(minimum) < 0) {
        throw new E4Exception(
            Reason.INVALID_ARGUMENT, what + " must be at least " + minimum + ", got " + value);
      }
      return value;
    }

    @Override
    public String toString() {
      return "E4Client.Builder[" + (id != null ? Bytes.hex(id) : name) + "]";
    }
  }
}
