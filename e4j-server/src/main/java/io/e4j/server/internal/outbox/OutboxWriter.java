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
 * row that takes the next place in its order ({@code devices.commands_enqueued}, incremented under
 * the device row's lock). A row is protected at send time under its device's current command key,
 * unless the key changed after the row was enqueued: {@link #pinKey} and {@link #pinAllKeys} then
 * seal the old key into the row first, so the device can still read it.
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

  /** Enqueues {@code commands}, in order, for one device; erases them. */
  public void toDevice(Handle handle, byte[] deviceId, List<byte[]> commands) {
    if (commands.isEmpty()) {
      return;
    }
    handle.execute(
        "UPDATE devices SET commands_enqueued = commands_enqueued + ? WHERE id = ?",
        commands.size(),
        deviceId);
    long sequence =
        handle
                .createQuery("SELECT commands_enqueued FROM devices WHERE id = ?")
                .bind(0, deviceId)
                .mapTo(Long.class)
                .one()
            - commands.size();
    OffsetDateTime now = Sql.at(clock.instant());
    PreparedBatch rows =
        handle.prepareBatch(
            "INSERT INTO command_outbox (device_id, device_sequence, command_id, status, attempts,"
                + " created_at, next_attempt_at) VALUES (?, ?, ?, ?, 0, ?, ?)");
    for (byte[] command : commands) {
      rows.add(
          deviceId,
          ++sequence,
          store(handle, command, now),
          DeliveryStatus.PENDING.name(),
          now,
          now);
    }
    rows.execute();
  }

  /**
   * Enqueues {@code command} for every device {@code d} of the table {@code devices} that {@code
   * audience} (an SQL condition with named parameters {@code binds}) selects, however many there
   * are, in two set-wise statements; erases the command.
   *
   * @return how many devices it was enqueued for
   */
  public int fanOut(Handle handle, String audience, Map<String, ?> binds, byte[] command) {
    int devices =
        handle
            .createUpdate(
                "UPDATE devices d SET commands_enqueued = commands_enqueued + 1 WHERE " + audience)
            .bindMap(binds)
            .execute();
    if (devices == 0) {
      Arrays.fill(command, (byte) 0);
      return 0;
    }
    OffsetDateTime now = Sql.at(clock.instant());
    Map<String, Object> all = new HashMap<>(binds);
    all.put("command", store(handle, command, now));
    all.put("pending", DeliveryStatus.PENDING.name());
    all.put("now", now);
    return handle
        .createUpdate(
            "INSERT INTO command_outbox (device_id, device_sequence, command_id, status, attempts,"
                + " created_at, next_attempt_at) SELECT d.id, d.commands_enqueued, :command,"
                + " :pending, 0, :now, :now FROM devices d WHERE "
                + audience)
        .bindMap(all)
        .execute();
  }

  /**
   * Before a device's command key changes: its undelivered commands keep the key it has now ({@code
   * currentKey}), sealed into each row.
   */
  public void pinKey(Handle handle, byte[] deviceId, byte[] currentKey) {
    PreparedBatch pins = handle.prepareBatch(PIN);
    handle
        .createQuery(
            "SELECT id, device_sequence FROM command_outbox WHERE device_id = :device"
                + " AND status IN (:pending, :failed) AND command_key IS NULL")
        .bind("device", deviceId)
        .bind("pending", DeliveryStatus.PENDING.name())
        .bind("failed", DeliveryStatus.FAILED.name())
        .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)})
        .forEach(
            row ->
                pins.add(
                    vault.seal(currentKey, SealedColumn.OUTBOX_COMMAND_KEY.label(deviceId, row[1])),
                    row[0]));
    if (pins.size() > 0) {
      pins.execute();
    }
  }

  /** {@link #pinKey} for every device at once: before C2's key pair changes. */
  public void pinAllKeys(Handle handle) {
    PreparedBatch pins = handle.prepareBatch(PIN);
    handle
        .createQuery(
            "SELECT o.id, o.device_id, o.device_sequence, d.command_key FROM command_outbox o"
                + " JOIN devices d ON d.id = o.device_id"
                + " WHERE o.status IN (:pending, :failed) AND o.command_key IS NULL")
        .bind("pending", DeliveryStatus.PENDING.name())
        .bind("failed", DeliveryStatus.FAILED.name())
        .setFetchSize(BATCH)
        .reduceResultSet(
            null,
            (ignored, rs, ctx) -> {
              byte[] deviceId = rs.getBytes(2);
              byte[] key = vault.open(rs.getBytes(4), SealedColumn.DEVICE_KEY.label(deviceId));
              try {
                pins.add(
                    vault.seal(key, SealedColumn.OUTBOX_COMMAND_KEY.label(deviceId, rs.getLong(3))),
                    rs.getLong(1));
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
                + " last_error = 'device removed' WHERE device_id = :device"
                + " AND status IN (:pending, :failed)")
        .bind("cancelled", DeliveryStatus.CANCELLED.name())
        .bind("device", deviceId)
        .bind("pending", DeliveryStatus.PENDING.name())
        .bind("failed", DeliveryStatus.FAILED.name())
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
