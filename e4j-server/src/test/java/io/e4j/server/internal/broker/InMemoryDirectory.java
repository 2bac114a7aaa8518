package io.e4j.server.internal.broker;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Devices and links in memory, standing in for C2's database; counts the questions asked. */
final class InMemoryDirectory implements DeviceDirectory {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A device as a test knows it. */
  record Device(String name, byte[] id, byte[] credential) {
    String hex() {
      return HexFormat.of().formatHex(id);
    }

    String controlTopic() {
      return Topics.CONTROL_PREFIX + hex();
    }
  }

  private final Map<String, Device> byName = new ConcurrentHashMap<>();
  private final Map<String, Device> byHex = new ConcurrentHashMap<>();
  private final Set<String> links = ConcurrentHashMap.newKeySet();
  final AtomicInteger linkQuestions = new AtomicInteger();

  Device add(String name) {
    byte[] id = new byte[16];
    byte[] credential = new byte[32];
    RANDOM.nextBytes(id);
    RANDOM.nextBytes(credential);
    Device device = new Device(name, id, credential);
    byName.put(name, device);
    byHex.put(device.hex(), device);
    return device;
  }

  void remove(Device device) {
    byName.remove(device.name());
    byHex.remove(device.hex());
  }

  void link(Device device, String topic) {
    links.add(device.hex() + " " + topic);
  }

  void unlink(Device device, String topic) {
    links.remove(device.hex() + " " + topic);
  }

  @Override
  public Optional<byte[]> deviceId(String username) {
    Device device = byName.get(username);
    if (device == null) {
      device = byHex.get(username);
    }
    return Optional.ofNullable(device).map(d -> d.id().clone());
  }

  @Override
  public boolean credentialMatches(byte[] deviceId, byte[] password) {
    Device device = byHex.get(HexFormat.of().formatHex(deviceId));
    return device != null && MessageDigest.isEqual(device.credential(), password);
  }

  @Override
  public boolean isLinked(byte[] deviceId, String topic) {
    linkQuestions.incrementAndGet();
    return links.contains(HexFormat.of().formatHex(deviceId) + " " + topic);
  }
}
