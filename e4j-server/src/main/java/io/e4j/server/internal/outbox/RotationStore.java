package io.e4j.server.internal.outbox;

import io.e4j.server.Delivery;
import io.e4j.server.DeliveryStatus;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.store.Dialect;
import io.e4j.server.internal.store.Sql;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Every statement on rotations, each in the caller's transaction: {@code topic_fanouts}, {@code
 * topic_fanout_keys}, and the walk's reads of a topic's links and their devices. What the tables
 * mean is said in {@link OutboxStore}, which holds the statements on the outbox rows; a rotation's
 * device that the walk cannot serve directly becomes one of those rows.
 */
final class RotationStore {
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

  /**
   * For a rotation {@code f} and a link {@code l}: the device has no outbox row standing for it.
   */
  static final String WITHOUT_ITS_OWN_ROW =
      " AND NOT EXISTS (SELECT 1 FROM command_outbox o"
          + " WHERE o.device_id = l.device_id AND o.position = f.position)";

  private static final String LINKS =
      "SELECT l.device_id, l.linked_position, d.key_position, d.command_key, %s"
          + " FROM device_topics l JOIN devices d ON d.id = l.device_id"
          + " WHERE l.topic_id = :topic AND l.device_id > :after%s"
          // Ordered by the link index's whole key, which H2 then reads in order instead of
          // sorting every remaining link for each chunk.
          + " ORDER BY l.topic_id, l.device_id LIMIT :limit";

  /**
   * PostgreSQL merge-joins the links with the devices' index, which it scans from the first device
   * unless told where to start (a chunk half-way through 100,000 devices read 50,000 index
   * entries); the same bound makes H2 5 times slower.
   */
  private static final String DEVICES_AFTER = " AND d.id > :after";

  /** The latest position at or before the fan-out's where the device has an undelivered row. */
  private static final String LATEST_UNDELIVERED =
      "(SELECT MAX(e.position) FROM command_outbox e WHERE e.device_id = l.device_id"
          + " AND e.position <= :position AND e."
          + OutboxStore.UNDELIVERED
          + ")";

  /** The form of the walk's link query for one rotation and one database. */
  record LinkQuery(String sql) {}

  void insertRotation(
      Handle handle,
      long position,
      byte[] topicId,
      byte[] command,
      String name,
      OffsetDateTime now) {
    handle.execute(
        "INSERT INTO topic_fanouts (position, topic_id, command_id, command_name, created_at)"
            + " VALUES (?, ?, ?, ?, ?)",
        position,
        topicId,
        command,
        name,
        now);
  }

  /** Keeps {@code keyFor(position)} for each unfinished rotation yet to reach the device. */
  void keepForRotationsAhead(Handle handle, byte[] deviceId, LongFunction<byte[]> keyFor) {
    PreparedBatch kept = handle.prepareBatch(KEEP_FANOUT_KEY);
    handle
        .createQuery("SELECT f.position" + FANOUTS_AHEAD + " AND l.device_id = :device")
        .bind("device", deviceId)
        .mapTo(Long.class)
        .forEach(fanout -> kept.add(fanout, deviceId, keyFor.apply(fanout)));
    OutboxStore.executeIfAny(kept);
  }

  /** {@link #keepForRotationsAhead} for every device, streaming. */
  void keepEveryKeyForRotationsAhead(Handle handle, OutboxStore.Reseal reseal) {
    PreparedBatch kept = handle.prepareBatch(KEEP_FANOUT_KEY);
    handle
        .createQuery("SELECT f.position, l.device_id, d.command_key" + FANOUTS_AHEAD)
        .setFetchSize(OutboxStore.BATCH)
        .reduceResultSet(
            null,
            (ignored, rs, ctx) -> {
              long fanout = rs.getLong(1);
              byte[] deviceId = rs.getBytes(2);
              kept.add(fanout, deviceId, reseal.apply(rs.getBytes(3), deviceId, fanout));
              OutboxStore.executeIfFull(kept);
              return null;
            });
    OutboxStore.executeIfAny(kept);
  }

  /** The keys kept for the rotation at {@code position} for those of {@code devices} with one. */
  Map<ByteBuffer, byte[]> keptKeys(Handle handle, long position, List<byte[]> devices) {
    Map<ByteBuffer, byte[]> kept = new HashMap<>();
    handle
        .createQuery(
            "SELECT device_id, command_key FROM topic_fanout_keys"
                + " WHERE fanout_position = :position AND device_id IN (<devices>)")
        .bind("position", position)
        .bindList("devices", devices)
        .map((rs, ctx) -> Map.entry(rs.getBytes(1), rs.getBytes(2)))
        .forEach(entry -> kept.put(ByteBuffer.wrap(entry.getKey()), entry.getValue()));
    return kept;
  }

  Optional<byte[]> keptKey(Handle handle, long position, byte[] deviceId) {
    String sql =
        "SELECT command_key FROM topic_fanout_keys WHERE fanout_position = ? AND device_id = ?";
    return handle.select(sql, position, deviceId).mapTo(byte[].class).findFirst();
  }

  Fanout fanout(Handle handle, long position) {
    return handle
        .createQuery(
            "SELECT f.position, f.topic_id, t.name, f.command_id, f.command_name,"
                + " f.done_through, c.command"
                + " FROM topic_fanouts f JOIN commands c ON c.id = f.command_id"
                + " LEFT JOIN topics t ON t.id = f.topic_id"
                + " WHERE f.position = ?")
        .bind(0, position)
        .map(
            (rs, ctx) ->
                new Fanout(
                    rs.getLong(1),
                    rs.getBytes(2),
                    rs.getString(3),
                    rs.getBytes(4),
                    rs.getString(5),
                    rs.getBytes(6),
                    rs.getBytes(7)))
        .one();
  }

  /** Whether any row at or before {@code position} is pending or failed. */
  boolean unsentAtOrBefore(Handle handle, long position) {
    return handle
            .createQuery(
                "SELECT COUNT(*) FROM (SELECT 1 FROM command_outbox WHERE status IN"
                    + " (:pending, :failed) AND position <= :position LIMIT 1) e")
            .bind("pending", DeliveryStatus.PENDING.name())
            .bind("failed", DeliveryStatus.FAILED.name())
            .bind("position", position)
            .mapTo(Integer.class)
            .one()
        > 0;
  }

  /**
   * The link query for one rotation: without the per-device probe of earlier rows if none can
   * exist, and with the device bound only where it helps ({@link #DEVICES_AFTER}).
   */
  LinkQuery linkQuery(Database database, boolean earlierRowsMayExist) {
    return new LinkQuery(
        String.format(
            LINKS,
            earlierRowsMayExist ? LATEST_UNDELIVERED : "CAST(NULL AS BIGINT)",
            database.dialect() == Dialect.H2 ? "" : DEVICES_AFTER));
  }

  /** Up to {@code limit} links of the rotation's topic after the device {@code after}. */
  List<FanoutLink> links(Handle handle, LinkQuery query, Fanout fanout, byte[] after, int limit) {
    return handle
        .createQuery(query.sql())
        .bind("topic", fanout.topicId())
        .bind("after", after)
        .bind("position", fanout.position())
        .bind("delivered", DeliveryStatus.SENT.name())
        .bind("cancelled", DeliveryStatus.CANCELLED.name())
        .bind("limit", limit)
        .map(
            (rs, ctx) ->
                new FanoutLink(
                    rs.getBytes(1),
                    rs.getLong(2),
                    rs.getLong(3),
                    rs.getBytes(4),
                    rs.getObject(5, Long.class)))
        .list();
  }

  boolean deviceExists(Handle handle, byte[] deviceId) {
    return OutboxStore.one(handle, "SELECT COUNT(*) FROM devices WHERE id = ?", deviceId) > 0;
  }

  void doneThrough(Handle handle, long position, byte[] deviceId) {
    handle.execute(
        "UPDATE topic_fanouts SET done_through = ? WHERE position = ?", deviceId, position);
  }

  /** Marks the rotation finished and drops the keys kept for it. */
  void finish(Handle handle, long position, Instant at) {
    handle.execute(
        "UPDATE topic_fanouts SET finished_at = ? WHERE position = ?", Sql.at(at), position);
    handle.execute("DELETE FROM topic_fanout_keys WHERE fanout_position = ?", position);
  }

  /** The devices linked to the topic before the rotation: those it was for, less the unlinked. */
  long audience(Handle handle, Fanout fanout) {
    return OutboxStore.one(
        handle,
        "SELECT COUNT(*) FROM device_topics WHERE topic_id = ? AND linked_position < ?",
        fanout.topicId(),
        fanout.position());
  }

  /** How many unfinished rotations have yet to reach the device from its link. */
  long walksAheadOf(Handle handle, byte[] deviceId) {
    return OutboxStore.one(
        handle,
        "SELECT COUNT(*) FROM device_topics l JOIN topic_fanouts f ON f.topic_id = l.topic_id"
            + " WHERE l.device_id = ? AND f.finished_at IS NULL AND l.linked_position < f.position"
            + " AND (f.done_through IS NULL OR l.device_id > f.done_through)"
            + WITHOUT_ITS_OWN_ROW,
        deviceId);
  }

  /** The rotations that reached a device (or have yet to) from its link, newest first. */
  List<Delivery> rotationsOf(Handle handle, byte[] deviceId, int limit) {
    String hexId = HexFormat.of().formatHex(deviceId);
    return handle
        .createQuery(
            "SELECT f.position, f.command_name, f.created_at, f.finished_at,"
                + " f.finished_at IS NOT NULL OR l.device_id <= f.done_through AS done"
                + " FROM device_topics l JOIN topic_fanouts f ON f.topic_id = l.topic_id"
                + " WHERE l.device_id = :device AND l.linked_position < f.position"
                + WITHOUT_ITS_OWN_ROW
                + " ORDER BY f.position DESC LIMIT :limit")
        .bind("device", deviceId)
        .bind("limit", limit)
        .map(
            (rs, ctx) -> {
              boolean done = rs.getBoolean("done");
              return new Delivery(
                  rs.getLong("position"),
                  hexId,
                  rs.getString("command_name"),
                  done ? DeliveryStatus.SENT : DeliveryStatus.PENDING,
                  done ? 1 : 0,
                  Optional.empty(),
                  Sql.instant(rs, "created_at"),
                  Optional.ofNullable(Sql.instant(rs, "finished_at")));
            })
        .list();
  }
}
