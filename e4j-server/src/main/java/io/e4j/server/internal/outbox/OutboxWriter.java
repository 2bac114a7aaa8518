package io.e4j.server.internal.outbox;

import io.e4j.server.internal.store.Sql;
import io.e4j.server.internal.vault.SealedColumn;
import io.e4j.server.internal.vault.Vault;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Enqueues commands inside the caller's transaction, so a state change and the commands it implies
 * commit together or not at all.
 *
 * <p>A command is stored once, sealed, however many devices it goes to. Transactions that enqueue
 * take {@link #lock the writer lock} first and keep it until they commit, and take increasing
 * positions from it: positions follow commit order, and each device gets its commands in position
 * order, without a per-device counter to update. A command for a few devices, or for all of them,
 * becomes one outbox row per device; a rotation becomes one {@link #rotation topic fan-out} row,
 * which the dispatcher delivers by walking the topic's links. A command is protected at send time
 * under its device's current command key, unless the key changed after the command was enqueued:
 * {@link #keyChanging} and {@link #allKeysChanging} then keep the old key (sealed) for it, so the
 * device can still read it.
 */
public final class OutboxWriter {
  private static final int COMMAND_ID_BYTES = 16;

  private static final String[] NAMES = {
    "RemoveTopic", "ResetTopics", "SetIDKey", "SetTopicKey",
    "RemovePubKey", "ResetPubKeys", "SetPubKey", "SetC2Key"
  };

  /** The commands after which a device's command key is another. */
  private static final Set<String> KEY_CHANGES = Set.of("SetIDKey", "SetC2Key");

  private final OutboxStore store;
  private final RotationStore rotations = new RotationStore();
  private final Vault vault;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public OutboxWriter(Vault vault, Clock clock) {
    this(new OutboxStore(), vault, clock);
  }

  OutboxWriter(OutboxStore store, Vault vault, Clock clock) {
    this.store = store;
    this.vault = vault;
    this.clock = clock;
  }

  /**
   * Takes the writer lock until the transaction ends and returns a new position: above every
   * position committed before, and above those this transaction took earlier. A transaction that
   * enqueues commands, links devices or changes keys calls this before it locks or writes anything
   * else, so that it cannot deadlock with another writer.
   */
  public long lock(Handle handle) {
    return store.takePositions(handle, 1);
  }

  /** Enqueues {@code commands}, in order, for one device; erases them. */
  public void toDevice(Handle handle, byte[] deviceId, List<byte[]> commands) {
    if (commands.isEmpty()) {
      return;
    }
    OffsetDateTime now = Sql.at(clock.instant());
    long first = store.takePositions(handle, commands.size()) - commands.size() + 1;
    List<byte[]> commandIds = new ArrayList<>();
    for (byte[] command : commands) {
      commandIds.add(storeCommand(handle, command, now));
    }
    store.enqueue(handle, deviceId, first, commandIds, now);
  }

  /**
   * Enqueues again, in their order, the commands named {@code names} that the transport took for
   * the device since {@code since} (for a device that was away: the broker may have dropped them);
   * how many.
   */
  public int again(Handle handle, byte[] deviceId, Instant since, Set<String> names) {
    List<byte[]> commandIds = store.sentSince(handle, deviceId, since, names);
    if (commandIds.isEmpty()) {
      return 0;
    }
    long first = store.takePositions(handle, commandIds.size()) - commandIds.size() + 1;
    store.enqueue(handle, deviceId, first, commandIds, Sql.at(clock.instant()));
    return commandIds.size();
  }

  /**
   * Enqueues again the last command that changed the device's command key (SetIDKey; in PK mode
   * also SetC2Key) the transport took for it since {@code since}, under {@code previousKey}, the
   * key the device had before: for a device that may still hold that key (the broker dropped the
   * command). Its later commands go under its current key, which this gives it.
   *
   * @return whether there was such a command to send again
   */
  public boolean keyChangeAgain(Handle handle, byte[] deviceId, byte[] previousKey, Instant since) {
    Optional<byte[]> commandId = store.lastSent(handle, deviceId, since, KEY_CHANGES);
    if (commandId.isEmpty()) {
      return false;
    }
    long position = store.takePositions(handle, 1);
    store.enqueue(handle, deviceId, position, List.of(commandId.get()), Sql.at(clock.instant()));
    long row = store.rowAt(handle, deviceId, position);
    store.pinKey(
        handle, row, vault.seal(previousKey, SealedColumn.OUTBOX_COMMAND_KEY.label(deviceId, row)));
    return true;
  }

  /** Enqueues {@code command} for each of {@code deviceIds}, at one position; erases it. */
  public void toDevices(Handle handle, List<byte[]> deviceIds, byte[] command) {
    OffsetDateTime now = Sql.at(clock.instant());
    long position = store.takePositions(handle, 1);
    store.enqueue(handle, deviceIds, position, storeCommand(handle, command, now), now);
  }

  /**
   * Enqueues {@code command} for every device linked to the topic {@code topicId}, one row each, in
   * one statement; erases the command.
   *
   * @return how many devices it was enqueued for
   */
  public int toDevicesLinkedTo(Handle handle, byte[] topicId, byte[] command) {
    long position = lock(handle);
    OffsetDateTime now = Sql.at(clock.instant());
    byte[] commandId = storeCommand(handle, command, now);
    return droppedIfNone(
        handle, commandId, store.enqueueForLinkedTo(handle, topicId, position, commandId, now));
  }

  /**
   * Enqueues {@code command} for every device that holds the public key of {@code subjectId}, one
   * row each, in one statement; erases the command.
   *
   * @return how many devices it was enqueued for
   */
  public int toHoldersOfPublicKey(Handle handle, byte[] subjectId, byte[] command) {
    long position = lock(handle);
    OffsetDateTime now = Sql.at(clock.instant());
    byte[] commandId = storeCommand(handle, command, now);
    return droppedIfNone(
        handle, commandId, store.enqueueForHoldersOf(handle, subjectId, position, commandId, now));
  }

  /**
   * Enqueues {@code command} for every device, one row each, however many there are, in one
   * statement; erases the command.
   *
   * @return how many devices it was enqueued for
   */
  public int toEveryDevice(Handle handle, byte[] command) {
    long position = lock(handle);
    OffsetDateTime now = Sql.at(clock.instant());
    byte[] commandId = storeCommand(handle, command, now);
    return droppedIfNone(
        handle, commandId, store.enqueueForEveryDevice(handle, position, commandId, now));
  }

  /** A command enqueued for no device is not kept. */
  private int droppedIfNone(Handle handle, byte[] commandId, int devices) {
    if (devices == 0) {
      store.deleteCommand(handle, commandId);
    }
    return devices;
  }

  /**
   * Enqueues {@code command} for every device linked to the topic {@code topicId} now: one row
   * whatever the number of devices (devices linked later are not in its audience); erases the
   * command.
   */
  public void rotation(Handle handle, byte[] topicId, byte[] command) {
    long position = lock(handle);
    OffsetDateTime now = Sql.at(clock.instant());
    String name = name(command);
    rotations.insertRotation(
        handle, position, topicId, storeCommand(handle, command, now), name, now);
  }

  /**
   * Before a device's command key changes: the commands enqueued for it so far keep the key it has
   * now ({@code currentKey}), sealed into each outbox row and kept for each unfinished topic
   * fan-out that has yet to reach it; its later commands use the new key.
   */
  public void keyChanging(Handle handle, byte[] deviceId, byte[] currentKey) {
    long position = lock(handle);
    store.pinToUndelivered(
        handle,
        deviceId,
        row -> vault.seal(currentKey, SealedColumn.OUTBOX_COMMAND_KEY.label(deviceId, row)));
    rotations.keepForRotationsAhead(
        handle,
        deviceId,
        fanout -> vault.seal(currentKey, SealedColumn.FANOUT_COMMAND_KEY.label(deviceId, fanout)));
    store.keyChangedAt(handle, deviceId, position);
  }

  /**
   * {@link #keyChanging} for every device at once: before C2's key pair changes. The caller, which
   * rewrites every device's key, sets each one's {@code key_position} to the position returned.
   */
  public long allKeysChanging(Handle handle) {
    long position = lock(handle);
    store.pinToEveryUndelivered(
        handle,
        (sealedKey, deviceId, row) ->
            resealed(sealedKey, deviceId, SealedColumn.OUTBOX_COMMAND_KEY, row));
    rotations.keepEveryKeyForRotationsAhead(
        handle,
        (sealedKey, deviceId, fanout) ->
            resealed(sealedKey, deviceId, SealedColumn.FANOUT_COMMAND_KEY, fanout));
    return position;
  }

  /** A device's sealed command key, sealed again for one of its pinned copies. */
  private byte[] resealed(byte[] sealedDeviceKey, byte[] deviceId, SealedColumn pin, long row) {
    byte[] key = vault.open(sealedDeviceKey, SealedColumn.DEVICE_KEY.label(deviceId));
    try {
      return vault.seal(key, pin.label(deviceId, row));
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** Cancels a device's undelivered commands and erases their pinned keys. */
  public void cancelUndelivered(Handle handle, byte[] deviceId) {
    store.cancelUndelivered(handle, deviceId);
  }

  /** Stores a command, sealed, under a fresh random ID; erases it. */
  private byte[] storeCommand(Handle handle, byte[] command, OffsetDateTime now) {
    byte[] id = new byte[COMMAND_ID_BYTES];
    random.nextBytes(id);
    try {
      store.insertCommand(
          handle, id, name(command), vault.seal(command, SealedColumn.COMMAND.label(id)), now);
    } finally {
      Arrays.fill(command, (byte) 0);
    }
    return id;
  }

  private static String name(byte[] command) {
    int code = command[0] & 0xff;
    return code < NAMES.length ? NAMES[code] : "0x" + Integer.toHexString(code);
  }
}
