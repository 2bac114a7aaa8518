package io.e4j.server.internal.broker;

import java.util.Optional;

/**
 * What the embedded broker asks C2 about devices, in {@code devices} access mode. The broker calls
 * it on threads of its own, never the network's, and remembers link answers per connected client
 * until C2 reports a change through {@link AccessChanges}.
 */
public interface DeviceDirectory {
  /**
   * The 16-byte ID of the device a client names as its MQTT user name: the device's name or its
   * 32-hex-digit ID.
   */
  Optional<byte[]> deviceId(String username);

  /**
   * Whether {@code password} is a broker credential C2 accepts for the device: the password derived
   * from its key, or the credential C2 issued it. Compares in constant time. The broker zeroes
   * {@code password} afterwards.
   */
  boolean credentialMatches(byte[] deviceId, byte[] password);

  /** Whether the device is linked to {@code topic} (an exact topic name, never a filter). */
  boolean isLinked(byte[] deviceId, String topic);
}
