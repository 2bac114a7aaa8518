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
 * <p>A command is stored once, sealed, however many devices it goes to; each device gets an outbox
 * row. Transactions that enqueue take {@link #lock the writer lock} first and keep it until they
 * commit, so outbox IDs follow commit order and a device's commands go out in ID order, without a
 * per-device counter to update (a fan-out to 100,000 devices is one INSERT ... SELECT). A row is
 * protected at send time under its device's current command key, unless the key changed after the
 * row was enqueued: {@link #pinKey} and {@link #pinAllKeys} then seal the old key into the row
 * first, so the device can still read it.
 */
public final class OutboxWriter {
  private static final int BATCH = 1_000;
  private static final int COMMAND_ID_BYTES = 16;
  private static final String PIN = "UPDATE command_outbox SET command_key = ? WHERE id = ?";
  private static final String[] NAMES = {
    "RemoveTopic", "ResetTopics", "SetIDKey", "SetTopicKey",
    "RemovePubKey", "ResetPubKeys", "SetPubKey", "SetC2Key"
  };

  private final Vault vault;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public OutboxWriter(Vault vault, Clock clock) {
    this.vault = vault;
    this.clock = clock;
  }

  /**
   * Takes the writer lock until the transaction ends. A transaction that enqueues commands or pins
   * keys calls this before it locks or writes anything else, so that it cannot deadlock with
   * another writer; enqueueing and pinning take it too, in case.
   */
  public void lock(Handle handle) {
    handle
        .createQuery("SELECT id FROM outbox_writer WHERE id = 1 FOR UPDATE")
        .mapTo(Integer.class)
        .one();
  }

  /** Enqueues {@code commands}, in order, for one device; erases them. */
  public void toDevice(Handle handle, byte[] deviceId, List<byte[]> commands) {
    if (commands.isEmpty()) {
      return;
    }
    lock(handle);
    OffsetDateTime now = Sql.at(clock.instant());
    PreparedBatch rows =
        handle.prepareBatch(
            "INSERT INTO command_outbox (device_id, command_id, status, attempts, created_at,"
                + " next_attempt_at) VALUES (?, ?, ?, 0, ?, ?)");
    for (byte[] command : commands) {
      rows.add(deviceId, store(handle, command, now), DeliveryStatus.PENDING.name(), now, now);
    }
    rows.execute();
  }

  /**
   * Enqueues {@code command} for every device that {@code audience} (a query of device IDs with
   * named parameters {@code binds}) returns, however many there are, in one statement; erases the
   * command.
   *
   * @return how many devices it was enqueued for
   */
  public int fanOut(Handle handle, String audience, Map<String, ?> binds, byte[] command) {
    lock(handle);
    OffsetDateTime now = Sql.at(clock.instant());
    Map<String, Object> all = new HashMap<>(binds);
    all.put("command", store(handle, command, now));
    all.put("pending", DeliveryStatus.PENDING.name());
    all.put("now", now);
    int devices =
        handle
            .createUpdate(
                "INSERT INTO command_outbox (device_id, command_id, status, attempts, created_at,"
                    + " next_attempt_at) SELECT a.device_id, :command, :pending, 0, :now, :now"
                    + " FROM ("
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
   * Before a device's command key changes: its undelivered commands keep the key it has now ({@code
   * currentKey}), sealed into each row.
   */
  public void pinKey(Handle handle, byte[] deviceId, byte[] currentKey) {
    lock(handle);
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
  }

  /** {@link #pinKey} for every device at once: before C2's key pair changes. */
  public void pinAllKeys(Handle handle) {
    lock(handle);
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
              byte[] key = vault.open(rs.getBytes(3), SealedColumn.DEVICE_KEY.label(deviceId));
              try {
                long id = rs.getLong(1);
                pins.add(vault.seal(key, SealedColumn.OUTBOX_COMMAND_KEY.label(deviceId, id)), id);
              } finally {
                Arrays.fill(key, (byte) 0);
              }
              if (pins.size() == BATCH) {
                pins.execute();
              }
              return null;
            });
    if (pins.size() > 0) {
      pins.execute();
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
