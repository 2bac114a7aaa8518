package io.e4j.server.internal.outbox;

import io.e4j.server.DeliveryStatus;
import io.e4j.server.internal.store.Sql;
import io.e4j.server.internal.vault.SealedColumn;
import io.e4j.server.internal.vault.Vault;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

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
  private static final int BATCH = 1_000;
  private static final int COMMAND_ID_BYTES = 16;
  private static final String PIN = "UPDATE command_outbox SET command_key = ? WHERE id = ?";
  private static final String KEEP_FANOUT_KEY =
      "INSERT INTO topic_fanout_keys (fanout_position, device_id, command_key) VALUES (?, ?, ?)";

  /**
   * For each device: the unfinished topic fan-outs that have yet to reach it, committed since its
   * key last changed (so the key it has now is the one each fan-out must use).
   */
  private static final String FANOUTS_AHEAD =
      " FROM topic_fanouts f JOIN device_topics l ON l.topic_id = f.topic_id"
          + " JOIN devices d ON d.id = l.device_id"
          + " WHERE f.finished_at IS NULL AND l.linked_position < f.position"
          + " AND d.key_position < f.position"
          + " AND (f.done_through IS NULL OR l.device_id > f.done_through)";

  private static final String[] NAMES = {
    "RemoveTopic", "ResetTopics", "SetIDKey", "SetTopicKey",
    "RemovePubKey", "ResetPubKeys", "SetPubKey", "SetC2Key"
  };

  private final Vault vault;
  private static final String ENQUEUE =
      "INSERT INTO command_outbox (device_id, position, command_id, status, attempts,"
          + " created_at, next_attempt_at) VALUES (?, ?, ?, ?, 0, ?, ?)";

  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public OutboxWriter(Vault vault, Clock clock) {
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
    return takeLock(handle);
  }

  /** {@link #lock}, for the dispatcher. */
  static long takeLock(Handle handle) {
    return takePositions(handle, 1);
  }

  /** {@link #lock}, taking {@code count} consecutive positions: returns the last. */
  private static long takePositions(Handle handle, int count) {
    handle.execute(
        "UPDATE outbox_writer SET last_position = last_position + ? WHERE id = 1", count);
    return handle
        .createQuery("SELECT last_position FROM outbox_writer WHERE id = 1")
        .mapTo(Long.class)
        .one();
  }

  /** Enqueues {@code commands}, in order, for one device; erases them. */
  public void toDevice(Handle handle, byte[] deviceId, List<byte[]> commands) {
    if (commands.isEmpty()) {
      return;
    }
    OffsetDateTime now = Sql.at(clock.instant());
    long position = takePositions(handle, commands.size()) - commands.size();
    PreparedBatch rows = handle.prepareBatch(ENQUEUE);
    for (byte[] command : commands) {
      rows.add(
          deviceId,
          ++position,
          store(handle, command, now),
          DeliveryStatus.PENDING.name(),
          now,
          now);
    }
    rows.execute();
  }

  /** Enqueues {@code command} for each of {@code deviceIds}, at one position; erases it. */
  public void toDevices(Handle handle, List<byte[]> deviceIds, byte[] command) {
    OffsetDateTime now = Sql.at(clock.instant());
    long position = takePositions(handle, 1);
    byte[] commandId = store(handle, command, now);
    PreparedBatch rows = handle.prepareBatch(ENQUEUE);
    for (byte[] deviceId : deviceIds) {
      rows.add(deviceId, position, commandId, DeliveryStatus.PENDING.name(), now, now);
    }
    rows.execute();
  }

  /**
   * Enqueues {@code command} for every device linked to the topic {@code topicId}, one row each, in
   * one statement; erases the command.
   *
   * @return how many devices it was enqueued for
   */
  public int toDevicesLinkedTo(Handle handle, byte[] topicId, byte[] command) {
    return toAudience(
        handle,
        "SELECT device_id FROM device_topics WHERE topic_id = :topic",
        Map.of("topic", topicId),
        command);
  }

  /**
   * Enqueues {@code command} for every device that holds the public key of {@code subjectId}, one
   * row each, in one statement; erases the command.
   *
   * @return how many devices it was enqueued for
   */
  public int toHoldersOfPublicKey(Handle handle, byte[] subjectId, byte[] command) {
    return toAudience(
        handle,
        "SELECT holder_id AS device_id FROM device_public_keys WHERE subject_id = :subject",
        Map.of("subject", subjectId),
        command);
  }

  /**
   * Enqueues {@code command} for every device, one row each, however many there are, in one
   * statement; erases the command.
   *
   * @return how many devices it was enqueued for
   */
  public int toEveryDevice(Handle handle, byte[] command) {
    return toAudience(handle, "SELECT id AS device_id FROM devices", Map.of(), command);
  }

  /**
   * Enqueues {@code command} for every device that {@code audience} (a query of device IDs with
   * named parameters {@code binds}) returns, at one position; erases the command.
   */
  private int toAudience(Handle handle, String audience, Map<String, ?> binds, byte[] command) {
    long position = lock(handle);
    OffsetDateTime now = Sql.at(clock.instant());
    Map<String, Object> all = new HashMap<>(binds);
    all.put("position", position);
    all.put("command", store(handle, command, now));
    all.put("pending", DeliveryStatus.PENDING.name());
    all.put("now", now);
    int devices =
        handle
            .createUpdate(
                "INSERT INTO command_outbox (device_id, position, command_id, status, attempts,"
                    + " created_at, next_attempt_at) SELECT a.device_id, :position, :command,"
                    + " :pending, 0, :now, :now FROM ("
                    + audience
                    + ") a")
            .bindMap(all)
            .execute();
    if (devices == 0) {
      handle.execute("DELETE FROM commands WHERE id = ?", all.get("command"));
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
    handle.execute(
        "INSERT INTO topic_fanouts (position, topic_id, command_id, command_name, created_at)"
            + " VALUES (?, ?, ?, ?, ?)",
        position,
        topicId,
        store(handle, command, now),
        name,
        now);
  }

  /**
   * Before a device's command key changes: the commands enqueued for it so far keep the key it has
   * now ({@code currentKey}), sealed into each outbox row and kept for each unfinished topic
   * fan-out that has yet to reach it; its later commands use the new key.
   */
  public void keyChanging(Handle handle, byte[] deviceId, byte[] currentKey) {
    long position = lock(handle);
    PreparedBatch pins = handle.prepareBatch(PIN);
    handle
        .createQuery(
            "SELECT id FROM command_outbox WHERE device_id = :device"
                + " AND command_key IS NULL AND "
                + Dispatcher.UNDELIVERED)
        .bind("device", deviceId)
        .bind("delivered", DeliveryStatus.DELIVERED.name())
        .bind("cancelled", DeliveryStatus.CANCELLED.name())
        .mapTo(Long.class)
        .forEach(
            id ->
                pins.add(
                    vault.seal(currentKey, SealedColumn.OUTBOX_COMMAND_KEY.label(deviceId, id)),
                    id));
    if (pins.size() > 0) {
      pins.execute();
    }
    PreparedBatch kept = handle.prepareBatch(KEEP_FANOUT_KEY);
    handle
        .createQuery("SELECT f.position" + FANOUTS_AHEAD + " AND l.device_id = :device")
        .bind("device", deviceId)
        .mapTo(Long.class)
        .forEach(
            fanout ->
                kept.add(
                    fanout,
                    deviceId,
                    vault.seal(
                        currentKey, SealedColumn.FANOUT_COMMAND_KEY.label(deviceId, fanout))));
    if (kept.size() > 0) {
      kept.execute();
    }
    handle.execute("UPDATE devices SET key_position = ? WHERE id = ?", position, deviceId);
  }

  /**
   * {@link #keyChanging} for every device at once: before C2's key pair changes. The caller, which
   * rewrites every device's key, sets each one's {@code key_position} to the position returned.
   */
  public long allKeysChanging(Handle handle) {
    long position = lock(handle);
    PreparedBatch pins = handle.prepareBatch(PIN);
    handle
        .createQuery(
            "SELECT o.id, o.device_id, d.command_key FROM command_outbox o"
                + " JOIN devices d ON d.id = o.device_id"
                + " WHERE o.status IN (:pending, :failed) AND o.command_key IS NULL")
        .bind("pending", DeliveryStatus.PENDING.name())
        .bind("failed", DeliveryStatus.FAILED.name())
        .setFetchSize(BATCH)
        .reduceResultSet(
            null,
            (ignored, rs, ctx) -> {
              byte[] deviceId = rs.getBytes(2);
              long id = rs.getLong(1);
              pins.add(resealed(rs.getBytes(3), deviceId, SealedColumn.OUTBOX_COMMAND_KEY, id), id);
              if (pins.size() == BATCH) {
                pins.execute();
              }
              return null;
            });
    if (pins.size() > 0) {
      pins.execute();
    }
    PreparedBatch kept = handle.prepareBatch(KEEP_FANOUT_KEY);
    handle
        .createQuery("SELECT f.position, l.device_id, d.command_key" + FANOUTS_AHEAD)
        .setFetchSize(BATCH)
        .reduceResultSet(
            null,
            (ignored, rs, ctx) -> {
              long fanout = rs.getLong(1);
              byte[] deviceId = rs.getBytes(2);
              kept.add(
                  fanout,
                  deviceId,
                  resealed(rs.getBytes(3), deviceId, SealedColumn.FANOUT_COMMAND_KEY, fanout));
              if (kept.size() == BATCH) {
                kept.execute();
              }
              return null;
            });
    if (kept.size() > 0) {
      kept.execute();
    }
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
    handle
        .createUpdate(
            "UPDATE command_outbox SET status = :cancelled, command_key = NULL,"
                + " last_error = 'device removed' WHERE device_id = :device AND "
                + Dispatcher.UNDELIVERED)
        .bind("cancelled", DeliveryStatus.CANCELLED.name())
        .bind("device", deviceId)
        .bind("delivered", DeliveryStatus.DELIVERED.name())
        .execute();
  }

  /** Stores a command, sealed, under a fresh random ID; erases it. */
  private byte[] store(Handle handle, byte[] command, OffsetDateTime now) {
    byte[] id = new byte[COMMAND_ID_BYTES];
    random.nextBytes(id);
    try {
      handle.execute(
          "INSERT INTO commands (id, command_name, command, created_at) VALUES (?, ?, ?, ?)",
          id,
          name(command),
          vault.seal(command, SealedColumn.COMMAND.label(id)),
          now);
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
