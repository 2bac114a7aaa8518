package io.e4j.server.internal.outbox;

import io.e4j.server.DeliveryStatus;
import io.e4j.server.internal.store.Sql;
import io.e4j.server.internal.vault.SealedColumn;
import io.e4j.server.internal.vault.Vault;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Enqueues commands inside the caller's transaction, so a state change and the commands it implies
 * commit together or not at all.
 *
 * <p>Each command takes the next place in its device's order ({@code devices.commands_enqueued},
 * incremented under the device row's lock) and carries the key it must be protected under, sealed:
 * a command enqueued before a key change is protected under the old key even if it is sent after.
 */
public final class OutboxWriter {
  private static final int BATCH = 1_000;
  private static final String[] NAMES = {
    "RemoveTopic", "ResetTopics", "SetIDKey", "SetTopicKey",
    "RemovePubKey", "ResetPubKeys", "SetPubKey", "SetC2Key"
  };

  private final Vault vault;
  private final Clock clock;

  public OutboxWriter(Vault vault, Clock clock) {
    this.vault = vault;
    this.clock = clock;
  }

  /** Enqueues {@code commands}, in order, for one device, under its current command key. */
  public void toDevice(Handle handle, byte[] deviceId, List<byte[]> commands) {
    if (commands.isEmpty()) {
      return;
    }
    handle.execute(
        "UPDATE devices SET commands_enqueued = commands_enqueued + ? WHERE id = ?",
        commands.size(),
        deviceId);
    Map<String, Object> row =
        handle
            .createQuery("SELECT commands_enqueued, command_key FROM devices WHERE id = ?")
            .bind(0, deviceId)
            .mapToMap()
            .one();
    long last = ((Number) row.get("commands_enqueued")).longValue();
    byte[] key =
        vault.open((byte[]) row.get("command_key"), SealedColumn.DEVICE_KEY.label(deviceId));
    try (Inserter inserter = new Inserter(handle)) {
      long sequence = last - commands.size();
      for (byte[] command : commands) {
        inserter.add(deviceId, ++sequence, command, key);
      }
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /**
   * Enqueues one command for every device that {@code devicesSql} selects (a query returning device
   * IDs, with named parameters {@code binds}), however many there are: the rows stream from the
   * database and are inserted in batches.
   *
   * @param command builds the command for a device from its ID and its row's {@code public_key}
   * @return how many commands were enqueued
   */
  public long fanOut(
      Handle handle,
      String devicesSql,
      Map<String, ?> binds,
      BiFunction<byte[], byte[], byte[]> command) {
    handle
        .createUpdate(
            "UPDATE devices SET commands_enqueued = commands_enqueued + 1 WHERE id IN ("
                + devicesSql
                + ")")
        .bindMap(binds)
        .execute();
    try (Inserter inserter = new Inserter(handle)) {
      handle
          .createQuery(
              "SELECT id, commands_enqueued, command_key, public_key FROM devices WHERE id IN ("
                  + devicesSql
                  + ")")
          .bindMap(binds)
          .setFetchSize(BATCH)
          .reduceResultSet(
              null,
              (ignored, rs, ctx) -> {
                byte[] id = rs.getBytes(1);
                byte[] key = vault.open(rs.getBytes(3), SealedColumn.DEVICE_KEY.label(id));
                try {
                  inserter.add(id, rs.getLong(2), command.apply(id, rs.getBytes(4)), key);
                } finally {
                  Arrays.fill(key, (byte) 0);
                }
                return null;
              });
      return inserter.count;
    }
  }

  /** Cancels a device's undelivered commands and erases their keys. */
  public void cancelUndelivered(Handle handle, byte[] deviceId) {
    handle
        .createUpdate(
            "UPDATE command_outbox SET status = :cancelled, command = :empty, command_key = :empty,"
                + " last_error = 'device removed' WHERE device_id = :device"
                + " AND status IN (:pending, :failed)")
        .bind("cancelled", DeliveryStatus.CANCELLED.name())
        .bind("empty", new byte[0])
        .bind("device", deviceId)
        .bind("pending", DeliveryStatus.PENDING.name())
        .bind("failed", DeliveryStatus.FAILED.name())
        .execute();
  }

  static String name(byte[] command) {
    int code = command[0] & 0xff;
    return code < NAMES.length ? NAMES[code] : "0x" + Integer.toHexString(code);
  }

  /** Batches inserts of sealed outbox rows. */
  private final class Inserter implements AutoCloseable {
    private final Handle handle;
    private final OffsetDateTime now = Sql.at(clock.instant());
    private PreparedBatch batch;
    private int inBatch;
    long count;

    Inserter(Handle handle) {
      this.handle = handle;
    }

    void add(byte[] deviceId, long sequence, byte[] command, byte[] key) {
      if (batch == null) {
        batch =
            handle.prepareBatch(
                "INSERT INTO command_outbox (device_id, device_sequence, command_name, command,"
                    + " command_key, status, attempts, created_at, next_attempt_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)");
      }
      batch.add(
          deviceId,
          sequence,
          name(command),
          vault.seal(command, SealedColumn.OUTBOX_COMMAND.label(deviceId, sequence)),
          vault.seal(key, SealedColumn.OUTBOX_COMMAND_KEY.label(deviceId, sequence)),
          DeliveryStatus.PENDING.name(),
          now,
          now);
      Arrays.fill(command, (byte) 0);
      count++;
      if (++inBatch == BATCH) {
        flush();
      }
    }

    private void flush() {
      if (inBatch > 0) {
        batch.execute();
        batch = null;
        inBatch = 0;
      }
    }

    @Override
    public void close() {
      flush();
    }
  }
}
