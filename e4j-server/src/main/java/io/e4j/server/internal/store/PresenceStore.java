package io.e4j.server.internal.store;

import io.e4j.server.DeviceLag;
import io.e4j.server.TopicLag;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The {@code device_presence} and {@code topic_confirmations} tables: when each device was last
 * seen, what it last reported (key reports, docs/key-reports.md), and which key version of each
 * linked topic it reported holding. A confirmation goes with its link (foreign key, on delete
 * cascade), so unlinking forgets it.
 */
public final class PresenceStore {
  private static final HexFormat HEX = HexFormat.of();

  private final Dialect dialect;

  public PresenceStore(Database database) {
    this.dialect = database.dialect();
  }

  /** What the last accepted report of a device said, as far as the next one is checked against. */
  public record LastReport(long sequence, Instant at) {}

  /** A device's presence row, as the device status shows it. */
  public record Presence(
      Optional<Instant> lastSeen,
      Optional<Instant> subscribedAt,
      Optional<Instant> reportedAt,
      OptionalLong reportedCommandTime,
      Optional<Boolean> ownKeyCurrent,
      Optional<Instant> staleSince,
      Optional<Instant> awaySince) {
    static final Presence NEVER_SEEN =
        new Presence(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            OptionalLong.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
  }

  /** A confirmation to record: the device holds this version of the topic's key. */
  public record Confirmation(byte[] topicId, int keyVersion) {}

  /** The last accepted report of the device, if it ever reported. */
  public Optional<LastReport> lastReport(Handle handle, byte[] deviceId) {
    return handle
        .createQuery(
            "SELECT report_sequence, reported_at FROM device_presence"
                + " WHERE device_id = ? AND report_sequence IS NOT NULL")
        .bind(0, deviceId)
        .map((rs, ctx) -> new LastReport(rs.getLong(1), Sql.instant(rs, "reported_at")))
        .findOne();
  }

  /** The last accepted report of each of {@code deviceIds} that ever reported, by hex ID. */
  public Map<String, LastReport> lastReports(Handle handle, List<byte[]> deviceIds) {
    Map<String, LastReport> found = new HashMap<>();
    if (deviceIds.isEmpty()) {
      return found;
    }
    handle
        .createQuery(
            "SELECT device_id, report_sequence, reported_at FROM device_presence"
                + " WHERE device_id IN (<devices>) AND report_sequence IS NOT NULL")
        .bindList("devices", deviceIds)
        .map(
            (rs, ctx) ->
                Map.entry(
                    HEX.formatHex(rs.getBytes(1)),
                    new LastReport(rs.getLong(2), Sql.instant(rs, "reported_at"))))
        .forEach(entry -> found.put(entry.getKey(), entry.getValue()));
    return found;
  }

  /** An accepted report to record (its sequence checked against {@link #lastReports}). */
  public record Reported(
      byte[] deviceId,
      long sequence,
      long commandTime,
      boolean ownKeyCurrent,
      List<Confirmation> confirmations) {}

  /**
   * Records accepted reports, each of another device, in a few statements whatever their number.
   */
  public void reportedAll(Handle handle, List<Reported> reports, Instant now) {
    if (reports.isEmpty()) {
      return;
    }
    ensureRows(handle, reports.stream().map(Reported::deviceId).toList());
    PreparedBatch updates =
        handle.prepareBatch(
            "UPDATE device_presence SET last_seen_at = ?, report_sequence = ?, reported_at = ?,"
                + " reported_command_time = ?, own_key_current = ? WHERE device_id = ?");
    for (Reported report : reports) {
      updates.add(
          Sql.at(now),
          report.sequence(),
          Sql.at(now),
          report.commandTime(),
          report.ownKeyCurrent(),
          report.deviceId());
    }
    updates.execute();
    confirmAll(handle, reports, now);
  }

  public Presence presence(Handle handle, byte[] deviceId) {
    return handle
        .createQuery(
            "SELECT last_seen_at, subscribed_at, reported_at, reported_command_time,"
                + " own_key_current, stale_since, away_since FROM device_presence"
                + " WHERE device_id = ?")
        .bind(0, deviceId)
        .map((rs, ctx) -> presence(rs))
        .findOne()
        .orElse(Presence.NEVER_SEEN);
  }

  /**
   * Records that the device's control topic gained a subscriber.
   *
   * @return since when it had none, if a broker said so
   */
  public Optional<Instant> subscribed(Handle handle, byte[] deviceId, Instant now) {
    ensureRow(handle, deviceId);
    Optional<Instant> away =
        handle
            .createQuery(
                "SELECT away_since FROM device_presence WHERE device_id = ?"
                    + " AND away_since IS NOT NULL")
            .bind(0, deviceId)
            .map((rs, ctx) -> Sql.instant(rs, "away_since"))
            .findOne();
    handle.execute(
        "UPDATE device_presence SET last_seen_at = ?, subscribed_at = ?, away_since = NULL"
            + " WHERE device_id = ?",
        Sql.at(now),
        Sql.at(now),
        deviceId);
    return away;
  }

  /** Records that the device's control topic lost its last subscriber (if it had one). */
  public void gone(Handle handle, byte[] deviceId, Instant now) {
    handle.execute(
        "UPDATE device_presence SET away_since = COALESCE(away_since, ?) WHERE device_id = ?",
        Sql.at(now),
        deviceId);
  }

  /** Whether the device has ever been seen subscribed or reporting. */
  public boolean everSeen(Handle handle, byte[] deviceId) {
    return Listing.count(
            handle,
            "SELECT COUNT(*) FROM device_presence WHERE device_id = ? AND last_seen_at IS NOT NULL",
            (Object) deviceId)
        > 0;
  }

  /**
   * Records the topic keys each device reported holding at their current version; a topic it
   * reported under an older key keeps the version it confirmed before.
   */
  private void confirmAll(Handle handle, List<Reported> reports, Instant now) {
    if (reports.stream().allMatch(report -> report.confirmations().isEmpty())) {
      return;
    }
    var updates =
        handle.prepareBatch(
            "UPDATE topic_confirmations SET key_version = ?, confirmed_at = ?"
                + " WHERE device_id = ? AND topic_id = ? AND key_version <> ?");
    var inserts =
        handle.prepareBatch(
            "INSERT INTO topic_confirmations (device_id, topic_id, key_version, confirmed_at)"
                + " SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM topic_confirmations"
                + " WHERE device_id = ? AND topic_id = ?)");
    for (Reported report : reports) {
      byte[] deviceId = report.deviceId();
      for (Confirmation c : report.confirmations()) {
        updates.add(c.keyVersion(), Sql.at(now), deviceId, c.topicId(), c.keyVersion());
        inserts.add(deviceId, c.topicId(), c.keyVersion(), Sql.at(now), deviceId, c.topicId());
      }
    }
    updates.execute();
    inserts.execute();
  }

  /** Clears the stale mark of each of {@code deviceIds}; the hex IDs of those that had one. */
  public Set<String> clearStale(Handle handle, List<byte[]> deviceIds) {
    Set<String> cleared = new HashSet<>();
    if (deviceIds.isEmpty()) {
      return cleared;
    }
    PreparedBatch clears =
        handle.prepareBatch(
            "UPDATE device_presence SET stale_since = NULL WHERE device_id = ?"
                + " AND stale_since IS NOT NULL");
    for (byte[] id : deviceIds) {
      clears.add((Object) id);
    }
    int[] counts = clears.execute();
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] > 0) {
        cleared.add(HEX.formatHex(deviceIds.get(i)));
      }
    }
    return cleared;
  }

  /** Marks the device stale from {@code now}, or clears the mark; true if that changed it. */
  public boolean setStale(Handle handle, byte[] deviceId, boolean stale, Instant now) {
    ensureRow(handle, deviceId);
    return stale
        ? handle.execute(
                "UPDATE device_presence SET stale_since = ? WHERE device_id = ?"
                    + " AND stale_since IS NULL",
                Sql.at(now),
                deviceId)
            > 0
        : handle.execute(
                "UPDATE device_presence SET stale_since = NULL WHERE device_id = ?"
                    + " AND stale_since IS NOT NULL",
                (Object) deviceId)
            > 0;
  }

  /**
   * Reporting devices, not yet marked stale, that have had a linked topic's current key unconfirmed
   * since before {@code dueBefore}; at most {@code limit}.
   */
  public List<byte[]> newlyStale(Handle handle, Instant dueBefore, int limit) {
    return handle
        .createQuery(
            "SELECT p.device_id FROM device_presence p WHERE p.report_sequence IS NOT NULL"
                + " AND p.stale_since IS NULL AND EXISTS (SELECT 1 FROM device_topics l"
                + " JOIN topics t ON t.id = l.topic_id LEFT JOIN topic_confirmations c"
                + " ON c.device_id = l.device_id AND c.topic_id = l.topic_id"
                + " WHERE l.device_id = p.device_id"
                + " AND (c.key_version IS NULL OR c.key_version <> t.key_version)"
                + " AND t.rotated_at < :due AND l.linked_at < :due)"
                + " ORDER BY p.device_id LIMIT :limit")
        .bind("due", Sql.at(dueBefore))
        .bind("limit", limit)
        .map((rs, ctx) -> rs.getBytes(1))
        .list();
  }

  /** How many linked devices of the topic reported holding key {@code version}. */
  public long onVersion(Handle handle, byte[] topicId, int version) {
    return Listing.count(
        handle,
        "SELECT COUNT(*) FROM topic_confirmations WHERE topic_id = ? AND key_version = ?",
        topicId,
        version);
  }

  /** How many devices linked to the topic have ever reported. */
  public long reportingOf(Handle handle, byte[] topicId) {
    return Listing.count(
        handle,
        "SELECT COUNT(*) FROM device_topics l JOIN device_presence p ON p.device_id = l.device_id"
            + " WHERE l.topic_id = ? AND p.report_sequence IS NOT NULL",
        (Object) topicId);
  }

  /**
   * Up to {@code limit} devices linked to the topic without a confirmation of key {@code version},
   * in device ID order.
   */
  public List<DeviceLag> behindOn(
      Handle handle, byte[] topicId, int version, Instant rotatedAt, int limit) {
    return handle
        .createQuery(
            "SELECT l.device_id, d.name, c.key_version, l.linked_at, p.report_sequence,"
                + " p.last_seen_at FROM device_topics l JOIN devices d ON d.id = l.device_id"
                + " LEFT JOIN topic_confirmations c ON c.device_id = l.device_id"
                + " AND c.topic_id = l.topic_id"
                + " LEFT JOIN device_presence p ON p.device_id = l.device_id"
                + " WHERE l.topic_id = :topic AND (c.key_version IS NULL OR c.key_version <> :version)"
                + " ORDER BY l.device_id LIMIT :limit")
        .bind("topic", topicId)
        .bind("version", version)
        .bind("limit", limit)
        .map(
            (rs, ctx) ->
                new DeviceLag(
                    HEX.formatHex(rs.getBytes(1)),
                    Optional.ofNullable(rs.getString(2)),
                    optionalInt(rs, 3),
                    later(rotatedAt, Sql.instant(rs, "linked_at")),
                    rs.getObject(5) != null,
                    Optional.ofNullable(Sql.instant(rs, "last_seen_at"))))
        .list();
  }

  /**
   * For each of {@code deviceIds}, by hex ID, how many of its linked topics it reported holding at
   * their current version (absent: none).
   */
  public Map<String, Long> currentTopicCounts(Handle handle, List<byte[]> deviceIds) {
    Map<String, Long> counts = new HashMap<>();
    if (deviceIds.isEmpty()) {
      return counts;
    }
    handle
        .createQuery(
            "SELECT c.device_id, COUNT(*) FROM topic_confirmations c JOIN topics t"
                + " ON t.id = c.topic_id WHERE c.device_id IN (<devices>)"
                + " AND c.key_version = t.key_version GROUP BY c.device_id")
        .bindList("devices", deviceIds)
        .map((rs, ctx) -> Map.entry(HEX.formatHex(rs.getBytes(1)), rs.getLong(2)))
        .forEach(entry -> counts.put(entry.getKey(), entry.getValue()));
    return counts;
  }

  /** How many of the device's linked topics it reported holding at their current version. */
  public long currentTopicsOf(Handle handle, byte[] deviceId) {
    return Listing.count(
        handle,
        "SELECT COUNT(*) FROM topic_confirmations c JOIN topics t ON t.id = c.topic_id"
            + " WHERE c.device_id = ? AND c.key_version = t.key_version",
        (Object) deviceId);
  }

  /**
   * Up to {@code limit} of the device's linked topics whose current key it has not confirmed, in
   * name order.
   */
  public List<TopicLag> behindOf(Handle handle, byte[] deviceId, int limit) {
    return handle
        .createQuery(
            "SELECT t.name, t.key_version AS current_version, c.key_version, t.rotated_at,"
                + " l.linked_at FROM device_topics l JOIN topics t ON t.id = l.topic_id"
                + " LEFT JOIN topic_confirmations c ON c.device_id = l.device_id"
                + " AND c.topic_id = l.topic_id WHERE l.device_id = :device"
                + " AND (c.key_version IS NULL OR c.key_version <> t.key_version)"
                + " ORDER BY t.name LIMIT :limit")
        .bind("device", deviceId)
        .bind("limit", limit)
        .map(
            (rs, ctx) ->
                new TopicLag(
                    rs.getString(1),
                    rs.getInt(2),
                    optionalInt(rs, 3),
                    later(Sql.instant(rs, "rotated_at"), Sql.instant(rs, "linked_at"))))
        .list();
  }

  /** A topic's linked devices and those that reported holding its current key. */
  public record TopicCount(String topic, long linked, long onCurrentKey) {}

  /** Every topic with devices linked, with its counts, in name order; at most {@code limit}. */
  public List<TopicCount> topicCounts(Handle handle, int limit) {
    return handle
        .createQuery(
            "SELECT t.name, COUNT(l.device_id), COUNT(c.device_id) FROM topics t"
                + " JOIN device_topics l ON l.topic_id = t.id"
                + " LEFT JOIN topic_confirmations c ON c.device_id = l.device_id"
                + " AND c.topic_id = l.topic_id AND c.key_version = t.key_version"
                + " GROUP BY t.name ORDER BY t.name LIMIT :limit")
        .bind("limit", limit)
        .map((rs, ctx) -> new TopicCount(rs.getString(1), rs.getLong(2), rs.getLong(3)))
        .list();
  }

  /** Whether a topic the device is linked to got a new key, or the link was made, since then. */
  public boolean keysChangedSince(Handle handle, byte[] deviceId, Instant since) {
    return Listing.count(
            handle,
            "SELECT COUNT(*) FROM device_topics l JOIN topics t ON t.id = l.topic_id"
                + " WHERE l.device_id = ? AND (t.rotated_at >= ? OR l.linked_at >= ?)",
            deviceId,
            Sql.at(since),
            Sql.at(since))
        > 0;
  }

  /**
   * Makes the device's row if it has none. Reports and presence arrive together on two threads: the
   * insert must not fail when the other made the row first.
   */
  private void ensureRows(Handle handle, List<byte[]> deviceIds) {
    PreparedBatch rows =
        handle.prepareBatch(
            dialect == Dialect.H2
                ? "MERGE INTO device_presence (device_id) KEY (device_id) VALUES (?)"
                : "INSERT INTO device_presence (device_id) VALUES (?)"
                    + " ON CONFLICT (device_id) DO NOTHING");
    for (byte[] id : deviceIds) {
      rows.add((Object) id);
    }
    rows.execute();
  }

  private void ensureRow(Handle handle, byte[] deviceId) {
    if (dialect == Dialect.H2) {
      handle.execute("MERGE INTO device_presence (device_id) KEY (device_id) VALUES (?)", deviceId);
    } else {
      handle.execute(
          "INSERT INTO device_presence (device_id) VALUES (?) ON CONFLICT (device_id) DO NOTHING",
          (Object) deviceId);
    }
  }

  private static Presence presence(ResultSet rs) throws SQLException {
    long commandTime = rs.getLong("reported_command_time");
    OptionalLong reportedCommandTime =
        rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(commandTime);
    boolean ownKey = rs.getBoolean("own_key_current");
    Optional<Boolean> ownKeyCurrent = rs.wasNull() ? Optional.empty() : Optional.of(ownKey);
    return new Presence(
        Optional.ofNullable(Sql.instant(rs, "last_seen_at")),
        Optional.ofNullable(Sql.instant(rs, "subscribed_at")),
        Optional.ofNullable(Sql.instant(rs, "reported_at")),
        reportedCommandTime,
        ownKeyCurrent,
        Optional.ofNullable(Sql.instant(rs, "stale_since")),
        Optional.ofNullable(Sql.instant(rs, "away_since")));
  }

  private static OptionalInt optionalInt(ResultSet rs, int column) throws SQLException {
    int value = rs.getInt(column);
    return rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(value);
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
