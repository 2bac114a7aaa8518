package io.e4j.server.internal.store;

import io.e4j.server.DeviceInfo;
import io.e4j.server.Page;
import java.time.Instant;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jdbi.v3.core.Handle;

/** PK mode, the {@code device_public_keys} table: which device was sent whose public key. */
public final class PublicKeyStore {
  private final DeviceStore devices;

  public PublicKeyStore(DeviceStore devices) {
    this.devices = devices;
  }

  /** Records that {@code holderId} was sent the public key of {@code subjectId}. */
  public void record(Handle handle, byte[] holderId, byte[] subjectId, Instant now) {
    remove(handle, holderId, subjectId);
    handle.execute(
        "INSERT INTO device_public_keys (holder_id, subject_id, sent_at) VALUES (?, ?, ?)",
        holderId,
        subjectId,
        Sql.at(now));
  }

  /** Whether the holder held the subject's key (and now does not). */
  public boolean remove(Handle handle, byte[] holderId, byte[] subjectId) {
    return handle.execute(
            "DELETE FROM device_public_keys WHERE holder_id = ? AND subject_id = ?",
            holderId,
            subjectId)
        > 0;
  }

  public void removeAll(Handle handle, byte[] holderId) {
    handle.execute("DELETE FROM device_public_keys WHERE holder_id = ?", (Object) holderId);
  }

  /** Each device whose public key {@code holderId} holds, in ID order: its ID and public key. */
  public void forEachHeldBy(Handle handle, byte[] holderId, BiConsumer<byte[], byte[]> each) {
    handle
        .createQuery(
            "SELECT d.id, d.public_key FROM devices d JOIN device_public_keys p"
                + " ON p.subject_id = d.id WHERE p.holder_id = ? ORDER BY d.id")
        .bind(0, holderId)
        .map((rs, ctx) -> new byte[][] {rs.getBytes(1), rs.getBytes(2)})
        .forEach(row -> each.accept(row[0], row[1]));
  }

  public Page<DeviceInfo> heldBy(Handle handle, byte[] holderId, byte[] after, int limit) {
    return devices.joinedPage(
        handle,
        "FROM devices d JOIN device_public_keys p ON p.subject_id = d.id WHERE p.holder_id = :holder",
        Map.of("holder", holderId),
        "p.subject_id",
        "p.holder_id, p.subject_id",
        after,
        limit);
  }
}
