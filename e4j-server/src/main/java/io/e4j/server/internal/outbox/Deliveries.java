package io.e4j.server.internal.outbox;

import io.e4j.server.Delivery;
import io.e4j.server.DeliveryStatus;
import io.e4j.server.internal.store.Sql;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** What the outbox tells of deliveries: a device's recent commands, and how many wait. */
public final class Deliveries {
  /**
   * For a rotation {@code f} and a link {@code l}: the device has no outbox row for it, which would
   * stand for it (its send failed, or it waited behind earlier commands).
   */
  private static final String WITHOUT_ITS_OWN_ROW =
      " AND NOT EXISTS (SELECT 1 FROM command_outbox o"
          + " WHERE o.device_id = l.device_id AND o.position = f.position)";

  private Deliveries() {}

  /**
   * A device's most recent commands, newest first: its outbox rows, and the rotations of topics it
   * is linked to that reached it (or have yet to) straight from its link.
   */
  public static List<Delivery> ofDevice(Handle handle, byte[] deviceId, int limit) {
    String hexId = HexFormat.of().formatHex(deviceId);
    List<Delivery> deliveries = new ArrayList<>();
    handle
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
        .forEach(deliveries::add);
    // Rotations that reached the device straight from its link; one that became an outbox row for
    // it is listed as that row.
    handle
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
                  done ? DeliveryStatus.DELIVERED : DeliveryStatus.PENDING,
                  done ? 1 : 0,
                  Optional.empty(),
                  Sql.instant(rs, "created_at"),
                  Optional.ofNullable(Sql.instant(rs, "finished_at")));
            })
        .forEach(deliveries::add);
    deliveries.sort(Comparator.comparingLong(Delivery::position).reversed());
    return List.copyOf(deliveries.subList(0, Math.min(limit, deliveries.size())));
  }

  /**
   * How many commands wait for delivery (pending or failed), counting each device a rotation has
   * yet to reach.
   */
  public static long undelivered(Handle handle) {
    return handle
            .createQuery("SELECT COUNT(*) FROM command_outbox WHERE status IN (?, ?)")
            .bind(0, DeliveryStatus.PENDING.name())
            .bind(1, DeliveryStatus.FAILED.name())
            .mapTo(Long.class)
            .one()
        + handle
            .createQuery(
                "SELECT COUNT(*) FROM topic_fanouts f"
                    + " JOIN device_topics l ON l.topic_id = f.topic_id"
                    + " WHERE f.finished_at IS NULL AND l.linked_position < f.position"
                    + " AND (f.done_through IS NULL OR l.device_id > f.done_through)"
                    + WITHOUT_ITS_OWN_ROW)
            .mapTo(Long.class)
            .one();
  }
}
