package io.e4j.server.internal.outbox;

import io.e4j.server.Delivery;
import io.e4j.server.DeliveryStatus;
import io.e4j.server.internal.store.Sql;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.LongFunction;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Every statement on the outbox rows, each in the caller's transaction ({@link RotationStore} holds
 * those on rotations). What the tables mean:
 *
 * <ul>
 *   <li>{@code outbox_writer}: one row whose {@code last_position} is the last position taken.
 *       Transactions that enqueue, link devices or change keys lock it first and hold it to their
 *       commit, so positions follow commit order.
 *   <li>{@code commands}: each command once, sealed, however many devices it goes to.
 *   <li>{@code command_outbox}: one row per device and command, at its position; its status says
 *       where it is (pending, failed and due again at {@code next_attempt_at}, delivered,
 *       cancelled); {@code command_key}, if set, is the key it goes under, kept because the
 *       device's key changed after it was enqueued.
 *   <li>{@code topic_fanouts}: one row per rotation whatever the number of devices; its audience is
 *       the devices whose link's {@code linked_position} is before its position. {@code
 *       done_through} is the last device (in ID order) the walk is done with, {@code finished_at}
 *       set once every device is. A device the walk could not serve directly has an outbox row at
 *       the rotation's position instead.
 *   <li>{@code topic_fanout_keys}: for a rotation, the key a device had when its key changed before
 *       the walk reached it.
 *   <li>{@code devices.key_position}: the position at which the device's key last changed; a
 *       rotation committed before it goes under the key kept for it.
 * </ul>
 *
 * <p>Change statements with care: H2 fixes a statement's plan when it first prepares it, and
 * several below are written for the plan they get.
 */
final class OutboxStore {
  static final int BATCH = 1_000;

  /**
   * Undelivered rows, in conditions that look rows up by device or ID: written as NOT IN, which no
   * index serves, because H2 fixes a statement's plan when it first prepares it, often on an empty
   * outbox, and with "status IN (pending, failed)" then picks the status index and scans every
   * pending row.
   */
  static final String UNDELIVERED = "status NOT IN (:delivered, :cancelled)";

  private static final String ENQUEUE =
      "INSERT INTO command_outbox (device_id, position, command_id, status, attempts,"
          + " created_at, next_attempt_at) VALUES (?, ?, ?, ?, 0, ?, ?)";
  private static final String PIN = "UPDATE command_outbox SET command_key = ? WHERE id = ?";

  /** The last position committed and the earliest unfinished rotation's, read together. */
  record Positions(long lastCommitted, OptionalLong earliestUnfinishedRotation) {}

  /** A failed send to record: due again at {@code retryAt}. */
  record Retry(long id, String error, Instant retryAt) {}

  /** Seals a device's key (given sealed under its own column) again for a row or fan-out. */
  interface Reseal {
    byte[] apply(byte[] sealedDeviceKey, byte[] deviceId, long rowOrFanout);
  }

  // ---- Positions (outbox_writer)

  /** Takes the writer lock and {@code count} consecutive positions: returns the last. */
  long takePositions(Handle handle, int count) {
    handle.execute(
        "UPDATE outbox_writer SET last_position = last_position + ? WHERE id = 1", count);
    return one(handle, "SELECT last_position FROM outbox_writer WHERE id = 1");
  }

  Positions positions(Handle handle) {
    return handle
        .createQuery(
            "SELECT w.last_position, (SELECT MIN(f.position) FROM topic_fanouts f"
                + " WHERE f.finished_at IS NULL) FROM outbox_writer w WHERE w.id = 1")
        .map(
            (rs, ctx) -> {
              long committed = rs.getLong(1);
              long rotation = rs.getLong(2);
              return new Positions(
                  committed, rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(rotation));
            })
        .one();
  }

  // ---- Commands

  void insertCommand(
      Handle handle, byte[] id, String name, byte[] sealedCommand, OffsetDateTime now) {
    handle.execute(
        "INSERT INTO commands (id, command_name, command, created_at) VALUES (?, ?, ?, ?)",
        id,
        name,
        sealedCommand,
        now);
  }

  void deleteCommand(Handle handle, byte[] id) {
    handle.execute("DELETE FROM commands WHERE id = ?", id);
  }

  /** Gives each of {@code ids} found, with its sealed command, to {@code each}. */
  void readCommands(Handle handle, List<byte[]> ids, BiConsumer<byte[], byte[]> each) {
    handle
        .createQuery("SELECT id, command FROM commands WHERE id IN (<ids>)")
        .bindList("ids", ids)
        .map((rs, ctx) -> Map.entry(rs.getBytes(1), rs.getBytes(2)))
        .forEach(entry -> each.accept(entry.getKey(), entry.getValue()));
  }

  // ---- Enqueuing (command_outbox, topic_fanouts)

  /** One device's commands at consecutive positions from {@code first}. */
  void enqueue(
      Handle handle, byte[] deviceId, long first, List<byte[]> commandIds, OffsetDateTime now) {
    PreparedBatch rows = handle.prepareBatch(ENQUEUE);
    long position = first;
    for (byte[] commandId : commandIds) {
      rows.add(deviceId, position++, commandId, DeliveryStatus.PENDING.name(), now, now);
    }
    rows.execute();
  }

  /**
   * The commands named {@code names} the transport took for the device since {@code since}, in
   * their order.
   */
  List<byte[]> sentSince(Handle handle, byte[] deviceId, Instant since, Set<String> names) {
    return handle
        .createQuery(
            "SELECT o.command_id FROM command_outbox o JOIN commands c ON c.id = o.command_id"
                + " WHERE o.device_id = :device AND o.status = :sent AND o.delivered_at >= :since"
                + " AND c.command_name IN (<names>) ORDER BY o.device_id, o.position")
        .bind("device", deviceId)
        .bind("sent", DeliveryStatus.SENT.name())
        .bind("since", Sql.at(since))
        .bindList("names", List.copyOf(names))
        .map((rs, ctx) -> rs.getBytes(1))
        .list();
  }

  /**
   * The last command named one of {@code names} the transport took for the device since {@code
   * since}, if any.
   */
  Optional<byte[]> lastSent(Handle handle, byte[] deviceId, Instant since, Set<String> names) {
    return handle
        .createQuery(
            "SELECT o.command_id FROM command_outbox o JOIN commands c ON c.id = o.command_id"
                + " WHERE o.device_id = :device AND o.status = :sent AND o.delivered_at >= :since"
                + " AND c.command_name IN (<names>)"
                + " ORDER BY o.device_id DESC, o.position DESC LIMIT 1")
        .bind("device", deviceId)
        .bind("sent", DeliveryStatus.SENT.name())
        .bind("since", Sql.at(since))
        .bindList("names", List.copyOf(names))
        .map((rs, ctx) -> rs.getBytes(1))
        .findFirst();
  }

  /** The ID of the device's outbox row at {@code position}. */
  long rowAt(Handle handle, byte[] deviceId, long position) {
    return one(
        handle,
        "SELECT id FROM command_outbox WHERE device_id = ? AND position = ?",
        deviceId,
        position);
  }

  /** Whether the transport took any command for the device since {@code since}. */
  boolean anySentSince(Handle handle, byte[] deviceId, Instant since) {
    return one(
            handle,
            "SELECT COUNT(*) FROM command_outbox WHERE device_id = ? AND status = ?"
                + " AND delivered_at >= ?",
            deviceId,
            DeliveryStatus.SENT.name(),
            Sql.at(since))
        > 0;
  }

  /** How many of the device's outbox rows the transport has not taken yet (pending or failed). */
  long unsentOf(Handle handle, byte[] deviceId) {
    return one(
        handle,
        "SELECT COUNT(*) FROM command_outbox WHERE device_id = ? AND status IN (?, ?)",
        deviceId,
        DeliveryStatus.PENDING.name(),
        DeliveryStatus.FAILED.name());
  }

  /** One command for several devices at one position. */
  void enqueue(
      Handle handle, List<byte[]> deviceIds, long position, byte[] commandId, OffsetDateTime now) {
    PreparedBatch rows = handle.prepareBatch(ENQUEUE);
    for (byte[] deviceId : deviceIds) {
      rows.add(deviceId, position, commandId, DeliveryStatus.PENDING.name(), now, now);
    }
    rows.execute();
  }

  int enqueueForLinkedTo(
      Handle handle, byte[] topicId, long position, byte[] command, OffsetDateTime now) {
    return enqueueFor(
        handle,
        "SELECT device_id FROM device_topics WHERE topic_id = :topic",
        Map.of("topic", topicId),
        position,
        command,
        now);
  }

  int enqueueForHoldersOf(
      Handle handle, byte[] subject, long position, byte[] command, OffsetDateTime now) {
    return enqueueFor(
        handle,
        "SELECT holder_id AS device_id FROM device_public_keys WHERE subject_id = :subject",
        Map.of("subject", subject),
        position,
        command,
        now);
  }

  int enqueueForEveryDevice(Handle handle, long position, byte[] command, OffsetDateTime now) {
    return enqueueFor(
        handle, "SELECT id AS device_id FROM devices", Map.of(), position, command, now);
  }

  /** One row per device {@code audience} returns, in one statement: how many. */
  private static int enqueueFor(
      Handle handle,
      String audience,
      Map<String, ?> binds,
      long position,
      byte[] commandId,
      OffsetDateTime now) {
    Map<String, Object> all = new HashMap<>(binds);
    all.put("position", position);
    all.put("command", commandId);
    all.put("pending", DeliveryStatus.PENDING.name());
    all.put("now", now);
    return handle
        .createUpdate(
            "INSERT INTO command_outbox (device_id, position, command_id, status, attempts,"
                + " created_at, next_attempt_at) SELECT a.device_id, :position, :command,"
                + " :pending, 0, :now, :now FROM ("
                + audience
                + ") a")
        .bindMap(all)
        .execute();
  }

  /** A rotation's row for one device that the walk could not serve directly: its ID. */
  long insertFanoutRow(
      Handle handle,
      Fanout fanout,
      byte[] deviceId,
      DeliveryStatus status,
      String error,
      Instant now,
      Instant next) {
    boolean failed = status == DeliveryStatus.FAILED;
    handle
        .createUpdate(
            "INSERT INTO command_outbox (device_id, position, command_id, status, attempts,"
                + " last_error, created_at, next_attempt_at)"
                + " VALUES (:device, :position, :command, :status, :attempts, :error, :now,"
                + " :next)")
        .bind("device", deviceId)
        .bind("position", fanout.position())
        .bind("command", fanout.commandId())
        .bind("status", status.name())
        .bind("attempts", failed ? 1 : 0)
        .bind("error", error)
        .bind("now", Sql.at(now))
        .bind("next", Sql.at(next))
        .execute();
    // The writer lock keeps other transactions from adding rows meanwhile.
    return one(
        handle,
        "SELECT MAX(id) FROM command_outbox WHERE device_id = ? AND position = ?",
        deviceId,
        fanout.position());
  }

  // ---- Keys kept for commands enqueued before a key change

  /** Pins to each undelivered row of the device without a key of its own {@code keyFor(id)}. */
  void pinToUndelivered(Handle handle, byte[] deviceId, LongFunction<byte[]> keyFor) {
    PreparedBatch pins = handle.prepareBatch(PIN);
    handle
        .createQuery(
            "SELECT id FROM command_outbox WHERE device_id = :device"
                + " AND command_key IS NULL AND "
                + UNDELIVERED)
        .bind("device", deviceId)
        .bind("delivered", DeliveryStatus.SENT.name())
        .bind("cancelled", DeliveryStatus.CANCELLED.name())
        .mapTo(Long.class)
        .forEach(id -> pins.add(keyFor.apply(id), id));
    executeIfAny(pins);
  }

  void keyChangedAt(Handle handle, byte[] deviceId, long position) {
    handle.execute("UPDATE devices SET key_position = ? WHERE id = ?", position, deviceId);
  }

  /** {@link #pinToUndelivered} for every device, streaming: before C2's key pair changes. */
  void pinToEveryUndelivered(Handle handle, Reseal reseal) {
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
              long id = rs.getLong(1);
              pins.add(reseal.apply(rs.getBytes(3), rs.getBytes(2), id), id);
              executeIfFull(pins);
              return null;
            });
    executeIfAny(pins);
  }

  void pinKey(Handle handle, long rowId, byte[] sealedKey) {
    handle.execute(PIN, sealedKey, rowId);
  }

  // ---- Sending single commands

  /** Due pending and failed rows after {@code after}, at or before {@code highWater}, by ID. */
  List<OutboxRow> due(Handle handle, long after, Instant now, long highWater, int limit) {
    List<OutboxRow> rows = new ArrayList<>();
    for (DeliveryStatus status : List.of(DeliveryStatus.PENDING, DeliveryStatus.FAILED)) {
      rows.addAll(
          handle
              .createQuery(
                  "SELECT o.id, o.position, o.device_id, o.attempts, o.command_id,"
                      + " o.command_key, d.command_key, EXISTS (SELECT 1"
                      + " FROM command_outbox e WHERE e.device_id = o.device_id"
                      + " AND (e.position < o.position"
                      + " OR (e.position = o.position AND e.id < o.id)) AND e."
                      + UNDELIVERED
                      + ")"
                      + ", c.command_name"
                      + " FROM command_outbox o LEFT JOIN devices d ON d.id = o.device_id"
                      + " LEFT JOIN commands c ON c.id = o.command_id"
                      + " WHERE o.status = :status AND o.id > :cursor"
                      + " AND o.next_attempt_at <= :now AND o.position <= :gate"
                      // Ordered by the whole index key, which H2 then reads in order instead of
                      // sorting every due row for each batch.
                      + " ORDER BY o.status, o.id LIMIT :limit")
              .bind("status", status.name())
              .bind("delivered", DeliveryStatus.SENT.name())
              .bind("cancelled", DeliveryStatus.CANCELLED.name())
              .bind("cursor", after)
              .bind("now", Sql.at(now))
              .bind("gate", highWater)
              .bind("limit", limit)
              .map(
                  (rs, ctx) ->
                      new OutboxRow(
                          rs.getLong(1),
                          rs.getLong(2),
                          rs.getBytes(3),
                          rs.getInt(4),
                          rs.getBytes(5),
                          rs.getBytes(6),
                          rs.getBytes(7),
                          rs.getBoolean(8),
                          rs.getString(9)))
              .list());
    }
    rows.sort(Comparator.comparingLong(OutboxRow::id));
    return rows.size() > limit ? new ArrayList<>(rows.subList(0, limit)) : rows;
  }

  /** For each of {@code devices}: the places of its undelivered commands. */
  Map<ByteBuffer, List<Place>> undeliveredPlaces(Handle handle, List<byte[]> devices) {
    Map<ByteBuffer, List<Place>> undelivered = new HashMap<>();
    handle
        .createQuery(
            "SELECT device_id, position, id FROM command_outbox"
                + " WHERE device_id IN (<devices>) AND "
                + UNDELIVERED)
        .bindList("devices", devices)
        .bind("delivered", DeliveryStatus.SENT.name())
        .bind("cancelled", DeliveryStatus.CANCELLED.name())
        .map((rs, ctx) -> Map.entry(rs.getBytes(1), new Place(rs.getLong(2), rs.getLong(3))))
        .forEach(
            entry ->
                undelivered
                    .computeIfAbsent(ByteBuffer.wrap(entry.getKey()), d -> new ArrayList<>())
                    .add(entry.getValue()));
    return undelivered;
  }

  /** Marks {@code ids} (sorted) delivered, each run of consecutive IDs in one statement. */
  void markDelivered(Handle handle, long[] ids, Instant now) {
    PreparedBatch runs =
        handle.prepareBatch(
            "UPDATE command_outbox SET status = :delivered, attempts = attempts + 1,"
                + " delivered_at = :now, last_error = NULL, command_key = NULL"
                + " WHERE id BETWEEN :first AND :last AND "
                + UNDELIVERED);
    for (int first = 0, last; first < ids.length; first = last + 1) {
      last = first;
      while (last + 1 < ids.length && ids[last + 1] == ids[last] + 1) {
        last++;
      }
      runs.bind("delivered", DeliveryStatus.SENT.name())
          .bind("now", Sql.at(now))
          .bind("first", ids[first])
          .bind("last", ids[last])
          .bind("cancelled", DeliveryStatus.CANCELLED.name())
          .add();
    }
    executeIfAny(runs);
  }

  void markFailed(Handle handle, List<Retry> retries) {
    PreparedBatch failed =
        handle.prepareBatch(
            "UPDATE command_outbox SET status = :failed, attempts = attempts + 1,"
                + " last_error = :error, next_attempt_at = :retry"
                + " WHERE id = :id AND "
                + UNDELIVERED);
    for (Retry retry : retries) {
      failed
          .bind("failed", DeliveryStatus.FAILED.name())
          .bind("error", retry.error())
          .bind("retry", Sql.at(retry.retryAt()))
          .bind("id", retry.id())
          .bind("delivered", DeliveryStatus.SENT.name())
          .bind("cancelled", DeliveryStatus.CANCELLED.name())
          .add();
    }
    executeIfAny(failed);
  }

  /** Makes every failed row due now: how many. */
  int retryFailedNow(Handle handle, Instant now) {
    return handle
        .createUpdate(
            "UPDATE command_outbox SET next_attempt_at = :now"
                + " WHERE status = :failed AND next_attempt_at > :now")
        .bind("now", Sql.at(now))
        .bind("failed", DeliveryStatus.FAILED.name())
        .execute();
  }

  void cancelUndelivered(Handle handle, byte[] deviceId) {
    handle
        .createUpdate(
            "UPDATE command_outbox SET status = :cancelled, command_key = NULL,"
                + " last_error = 'device removed' WHERE device_id = :device AND "
                + UNDELIVERED)
        .bind("cancelled", DeliveryStatus.CANCELLED.name())
        .bind("device", deviceId)
        .bind("delivered", DeliveryStatus.SENT.name())
        .execute();
  }

  /** Deletes finished rows and rotations created before {@code before}: how many. */
  int purge(Handle handle, Instant before) {
    int rows =
        handle
            .createUpdate(
                "DELETE FROM command_outbox WHERE status IN (:delivered, :cancelled)"
                    + " AND created_at < :before")
            .bind("delivered", DeliveryStatus.SENT.name())
            .bind("cancelled", DeliveryStatus.CANCELLED.name())
            .bind("before", Sql.at(before))
            .execute();
    rows +=
        handle
            .createUpdate(
                "DELETE FROM topic_fanouts WHERE finished_at IS NOT NULL"
                    + " AND created_at < :before")
            .bind("before", Sql.at(before))
            .execute();
    // A command is as old as its rows; one still undelivered keeps it.
    handle
        .createUpdate(
            "DELETE FROM commands WHERE created_at < :before AND id NOT IN"
                + " (SELECT command_id FROM command_outbox"
                + " WHERE status IN (:pending, :failed))"
                + " AND id NOT IN (SELECT command_id FROM topic_fanouts"
                + " WHERE finished_at IS NULL)")
        .bind("before", Sql.at(before))
        .bind("pending", DeliveryStatus.PENDING.name())
        .bind("failed", DeliveryStatus.FAILED.name())
        .execute();
    return rows;
  }

  // ---- Walking a rotation

  // ---- Listings

  /** A device's most recent outbox rows, newest first. */
  List<Delivery> rowsOf(Handle handle, byte[] deviceId, int limit) {
    String hexId = HexFormat.of().formatHex(deviceId);
    return handle
        .createQuery(
            "SELECT o.position, c.command_name, o.status, o.attempts, o.last_error,"
                + " o.created_at, o.delivered_at"
                + " FROM command_outbox o LEFT JOIN commands c ON c.id = o.command_id"
                + " WHERE o.device_id = :device"
                + " ORDER BY o.device_id DESC, o.position DESC LIMIT :limit")
        .bind("device", deviceId)
        .bind("limit", limit)
        .map(
            (rs, ctx) ->
                new Delivery(
                    rs.getLong("position"),
                    hexId,
                    rs.getString("command_name"),
                    DeliveryStatus.valueOf(rs.getString("status")),
                    rs.getInt("attempts"),
                    Optional.ofNullable(rs.getString("last_error")),
                    Sql.instant(rs, "created_at"),
                    Optional.ofNullable(Sql.instant(rs, "delivered_at"))))
        .list();
  }

  /** Pending and failed rows, and devices unfinished rotations have yet to reach. */
  long undelivered(Handle handle) {
    return one(
            handle,
            "SELECT COUNT(*) FROM command_outbox WHERE status IN (?, ?)",
            DeliveryStatus.PENDING.name(),
            DeliveryStatus.FAILED.name())
        + one(
            handle,
            "SELECT COUNT(*) FROM topic_fanouts f"
                + " JOIN device_topics l ON l.topic_id = f.topic_id"
                + " WHERE f.finished_at IS NULL AND l.linked_position < f.position"
                + " AND (f.done_through IS NULL OR l.device_id > f.done_through)"
                + RotationStore.WITHOUT_ITS_OWN_ROW);
  }

  /** The one number {@code sql} selects, with positional {@code arguments}. */
  static long one(Handle handle, String sql, Object... arguments) {
    return handle.select(sql, arguments).mapTo(Long.class).one();
  }

  static void executeIfFull(PreparedBatch batch) {
    if (batch.size() == BATCH) {
      batch.execute();
    }
  }

  static void executeIfAny(PreparedBatch batch) {
    if (batch.size() > 0) {
      batch.execute();
    }
  }
}
