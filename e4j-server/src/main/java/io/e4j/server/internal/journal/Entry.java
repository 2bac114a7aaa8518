package io.e4j.server.internal.journal;

import io.e4j.server.EventType;

/**
 * An event to append: what the transaction changed. Fields that do not apply are {@code null}.
 *
 * @param deviceCount for events about many devices; 0 otherwise
 */
public record Entry(
    EventType type,
    byte[] deviceId,
    String deviceName,
    String topic,
    String command,
    long deviceCount,
    String detail) {

  public static Entry device(EventType type, byte[] deviceId, String deviceName) {
    return new Entry(type, deviceId, deviceName, null, null, 0, null);
  }

  public static Entry topic(EventType type, String topic) {
    return new Entry(type, null, null, topic, null, 0, null);
  }

  public static Entry link(EventType type, byte[] deviceId, String deviceName, String topic) {
    return new Entry(type, deviceId, deviceName, topic, null, 0, null);
  }

  public Entry withTopic(String name) {
    return new Entry(type, deviceId, deviceName, name, command, deviceCount, detail);
  }

  public Entry withDetail(String text) {
    return new Entry(type, deviceId, deviceName, topic, command, deviceCount, text);
  }

  public Entry withDeviceCount(long count) {
    return new Entry(type, deviceId, deviceName, topic, command, count, detail);
  }
}
