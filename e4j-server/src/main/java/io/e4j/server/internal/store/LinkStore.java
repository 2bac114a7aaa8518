package io.e4j.server.internal.store;

import io.e4j.server.DeviceInfo;
import io.e4j.server.Page;
import io.e4j.server.TopicInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jdbi.v3.core.Handle;

/**
 * The {@code device_topics} table: which device is linked to which topic, and at which outbox
 * position it was linked ({@code linked_position}: a rotation committed before it is not for the
 * device, whose link sent it the key).
 */
public final class LinkStore {
  private final DeviceStore devices;
  private final TopicStore topics;

  public LinkStore(DeviceStore devices, TopicStore topics) {
    this.devices = devices;
    this.topics = topics;
  }

  /** Links each device to the topic at {@code position}, replacing any earlier link. */
  public void linkAll(
      Handle handle, byte[] topicId, List<byte[]> deviceIds, long position, Instant now) {
    var unlinkFirst =
        handle.prepareBatch("DELETE FROM device_topics WHERE device_id = ? AND topic_id = ?");
    var links =
        handle.prepareBatch(
            "INSERT INTO device_topics (device_id, topic_id, linked_at, linked_position)"
                + " VALUES (?, ?, ?, ?)");
    for (byte[] deviceId : deviceIds) {
      unlinkFirst.add(deviceId, topicId);
      links.add(deviceId, topicId, Sql.at(now), position);
    }
    unlinkFirst.execute();
    links.execute();
  }

  /** Whether the device was linked to the topic (and now is not). */
  public boolean unlink(Handle handle, byte[] deviceId, byte[] topicId) {
    return handle.execute(
            "DELETE FROM device_topics WHERE device_id = ? AND topic_id = ?", deviceId, topicId)
        > 0;
  }

  /** Unlinks the device from every topic. */
  public void unlinkAll(Handle handle, byte[] deviceId) {
    handle.execute("DELETE FROM device_topics WHERE device_id = ?", (Object) deviceId);
  }

  /**
   * Each topic the device is linked to, in name order, with its current key, opened and handed to
   * {@code each}, then erased.
   */
  public void forEachTopicKeyOf(Handle handle, byte[] deviceId, BiConsumer<String, byte[]> each) {
    handle
        .createQuery(
            "SELECT t.id, t.name, t.topic_key FROM topics t JOIN device_topics l"
                + " ON l.topic_id = t.id WHERE l.device_id = ? ORDER BY t.name")
        .bind(0, deviceId)
        .map(
            (rs, ctx) -> new TopicKey(rs.getString(2), topics.open(rs.getBytes(1), rs.getBytes(3))))
        .forEach(
            topic -> {
              try {
                each.accept(topic.name(), topic.key());
              } finally {
                Arrays.fill(topic.key(), (byte) 0);
              }
            });
  }

  /**
   * What a device holding each of its linked topics' current keys would report for it, computed by
   * {@code fingerprint} from the topic's ID, key version and key (opened only if the function asks
   * for it, and erased after).
   */
  public List<LinkedKey> linkedKeysOf(Handle handle, byte[] deviceId, KeyFingerprint fingerprint) {
    return linkedKeysOf(handle, List.of(deviceId), fingerprint)
        .getOrDefault(HexFormat.of().formatHex(deviceId), List.of());
  }

  /**
   * {@link #linkedKeysOf(Handle, byte[], KeyFingerprint)} for several devices in one query, by
   * device hex ID (a device linked to nothing is absent).
   */
  public Map<String, List<LinkedKey>> linkedKeysOf(
      Handle handle, List<byte[]> deviceIds, KeyFingerprint fingerprint) {
    Map<String, List<LinkedKey>> byDevice = new HashMap<>();
    if (deviceIds.isEmpty()) {
      return byDevice;
    }
    handle
        .createQuery(
            "SELECT l.device_id, t.id, t.key_version, t.topic_key FROM topics t"
                + " JOIN device_topics l ON l.topic_id = t.id WHERE l.device_id IN (<devices>)")
        .bindList("devices", deviceIds)
        .map(
            (rs, ctx) -> {
              String device = HexFormat.of().formatHex(rs.getBytes(1));
              byte[] id = rs.getBytes(2);
              int version = rs.getInt(3);
              byte[] sealed = rs.getBytes(4);
              byte[][] opened = new byte[1][];
              try {
                byte[] print =
                    fingerprint.of(
                        id,
                        version,
                        () -> {
                          if (opened[0] == null) {
                            opened[0] = topics.open(id, sealed);
                          }
                          return opened[0];
                        });
                return Map.entry(device, new LinkedKey(id, version, print));
              } finally {
                if (opened[0] != null) {
                  Arrays.fill(opened[0], (byte) 0);
                }
              }
            })
        .forEach(
            entry ->
                byDevice
                    .computeIfAbsent(entry.getKey(), any -> new ArrayList<>())
                    .add(entry.getValue()));
    return byDevice;
  }

  /** Computes a topic key's fingerprint; {@code key} opens the key when called. */
  @FunctionalInterface
  public interface KeyFingerprint {
    byte[] of(byte[] topicId, int keyVersion, java.util.function.Supplier<byte[]> key);
  }

  /** A linked topic: its ID, current key version and that key's fingerprint. */
  public record LinkedKey(byte[] topicId, int keyVersion, byte[] fingerprint) {}

  public Page<TopicInfo> topicsOf(Handle handle, byte[] deviceId, String cursor, int limit) {
    return topics.joinedPage(
        handle,
        "FROM topics t JOIN device_topics l ON l.topic_id = t.id WHERE l.device_id = :device",
        Map.of("device", deviceId),
        cursor,
        limit);
  }

  /** Whether the device is linked to the topic named {@code topic}. */
  public boolean isLinked(Handle handle, byte[] deviceId, String topic) {
    return Listing.count(
            handle,
            "SELECT COUNT(*) FROM device_topics WHERE device_id = ? AND topic_id = ?",
            deviceId,
            io.e4j.core.Keys.topicHash(topic))
        > 0;
  }

  public long topicCountOf(Handle handle, byte[] deviceId) {
    return Listing.count(
        handle, "SELECT COUNT(*) FROM device_topics WHERE device_id = ?", (Object) deviceId);
  }

  public Page<DeviceInfo> devicesOf(Handle handle, byte[] topicId, byte[] after, int limit) {
    return devices.joinedPage(
        handle,
        "FROM devices d JOIN device_topics l ON l.device_id = d.id WHERE l.topic_id = :topic",
        Map.of("topic", topicId),
        "l.device_id",
        "l.topic_id, l.device_id",
        after,
        limit);
  }

  public long deviceCountOf(Handle handle, byte[] topicId) {
    return Listing.count(
        handle, "SELECT COUNT(*) FROM device_topics WHERE topic_id = ?", (Object) topicId);
  }

  /** The names of a device's topics, in name order, from the {@code offset}-th. */
  public List<String> topicNamesOfAt(Handle handle, byte[] deviceId, long offset, int count) {
    return Listing.namesAt(
        handle,
        "SELECT t.name FROM topics t JOIN device_topics l ON l.topic_id = t.id"
            + " WHERE l.device_id = :device ORDER BY t.name",
        Map.of("device", deviceId),
        offset,
        count);
  }

  /** The names of a topic's devices, in name order, from the {@code offset}-th. */
  public List<String> deviceNamesOfAt(Handle handle, byte[] topicId, long offset, int count) {
    return Listing.namesAt(
        handle,
        "SELECT d.name FROM devices d JOIN device_topics l ON l.device_id = d.id"
            + " WHERE l.topic_id = :topic AND d.name IS NOT NULL ORDER BY d.name",
        Map.of("topic", topicId),
        offset,
        count);
  }

  private record TopicKey(String name, byte[] key) {}
}
