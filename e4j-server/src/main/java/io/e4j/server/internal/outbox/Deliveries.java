package io.e4j.server.internal.outbox;

import io.e4j.server.Delivery;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** What the outbox tells of deliveries: a device's recent commands, and how many wait. */
public final class Deliveries {
  private static final OutboxStore STORE = new OutboxStore();
  private static final RotationStore ROTATIONS = new RotationStore();

  private Deliveries() {}

  /**
   * A device's most recent commands, newest first: its outbox rows, and the rotations of topics it
   * is linked to that reached it (or have yet to) straight from its link. A rotation that became an
   * outbox row for the device is listed as that row.
   */
  public static List<Delivery> ofDevice(Handle handle, byte[] deviceId, int limit) {
    List<Delivery> deliveries = new ArrayList<>(STORE.rowsOf(handle, deviceId, limit));
    deliveries.addAll(ROTATIONS.rotationsOf(handle, deviceId, limit));
    deliveries.sort(Comparator.comparingLong(Delivery::position).reversed());
    return List.copyOf(deliveries.subList(0, Math.min(limit, deliveries.size())));
  }

  /** Whether the transport took any command for the device since {@code since}. */
  public static boolean anySentSince(Handle handle, byte[] deviceId, java.time.Instant since) {
    return STORE.anySentSince(handle, deviceId, since);
  }

  /**
   * How many of the device's commands the transport has not taken yet: its outbox rows, and the
   * rotations whose walk has yet to reach it.
   */
  public static long unsentOf(Handle handle, byte[] deviceId) {
    return STORE.unsentOf(handle, deviceId) + ROTATIONS.walksAheadOf(handle, deviceId);
  }

  /**
   * How many commands wait for delivery (pending or failed), counting each device a rotation has
   * yet to reach.
   */
  public static long undelivered(Handle handle) {
    return STORE.undelivered(handle);
  }
}
