package io.e4j.server.internal.broker;

import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import io.e4j.server.internal.broker.AccessPolicy.Client;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The connections the broker let in, and the client IDs each device used since the broker started:
 * a session with a session expiry outlives its connection, and C2's changes (an unlinked topic, a
 * removed device) reach it too.
 */
final class Connections {
  /** The connection attribute holding a connection's number, set at login. */
  private static final String NUMBER = "io.e4j.connection";

  private final ConcurrentMap<Long, Client> byConnection = new ConcurrentHashMap<>();

  /** Connected clients and client IDs with sessions, by device (hex ID); guarded by this. */
  private final Map<String, Set<Client>> connectedByDevice = new HashMap<>();

  private final Map<String, Set<String>> sessionsByDevice = new HashMap<>();
  private final Map<String, String> deviceOfSession = new HashMap<>();

  /** A client logged in. */
  void add(Client client, boolean sessionOutlivesConnection) {
    byConnection.put(client.connection, client);
    synchronized (this) {
      String previous = deviceOfSession.remove(client.clientId);
      if (previous != null) {
        remove(sessionsByDevice, previous, client.clientId);
      }
      if (client.deviceHex != null) {
        connectedByDevice.computeIfAbsent(client.deviceHex, hex -> new HashSet<>()).add(client);
        if (sessionOutlivesConnection) {
          sessionsByDevice
              .computeIfAbsent(client.deviceHex, hex -> new HashSet<>())
              .add(client.clientId);
          deviceOfSession.put(client.clientId, client.deviceHex);
        }
      }
    }
  }

  /** Numbers a connection being accepted, so that its later events find its {@link Client}. */
  static void label(ConnectionInformation connection, long number) {
    connection
        .getConnectionAttributeStore()
        .put(NUMBER, ByteBuffer.allocate(Long.BYTES).putLong(0, number));
  }

  private static Optional<Long> number(ConnectionInformation connection) {
    return connection.getConnectionAttributeStore().get(NUMBER).map(value -> value.getLong(0));
  }

  /** The client of a connection, while it is connected; {@code null} if it never logged in. */
  Client of(ConnectionInformation connection) {
    return number(connection).map(byConnection::get).orElse(null);
  }

  /** A connection ended; its session, if it outlives it, stays known. */
  Client remove(ConnectionInformation connection) {
    Client client = number(connection).map(byConnection::remove).orElse(null);
    if (client != null && client.deviceHex != null) {
      synchronized (this) {
        remove(connectedByDevice, client.deviceHex, client);
      }
    }
    return client;
  }

  /** The device's connected clients. */
  synchronized List<Client> connected(String deviceHex) {
    return List.copyOf(connectedByDevice.getOrDefault(deviceHex, Set.of()));
  }

  /** Every device's connected clients. */
  synchronized List<Client> connectedDevices() {
    return connectedByDevice.values().stream().flatMap(Set::stream).toList();
  }

  /** Every client ID a device used with a lasting session, and those of devices connected now. */
  synchronized Set<String> deviceClientIds() {
    Set<String> ids = new HashSet<>(deviceOfSession.keySet());
    connectedByDevice.values().forEach(clients -> clients.forEach(c -> ids.add(c.clientId)));
    return ids;
  }

  /** Every client ID the device used with a lasting session, and those connected now. */
  synchronized Set<String> clientIds(String deviceHex) {
    Set<String> ids = new HashSet<>(sessionsByDevice.getOrDefault(deviceHex, Set.of()));
    connectedByDevice.getOrDefault(deviceHex, Set.of()).forEach(client -> ids.add(client.clientId));
    return ids;
  }

  /** The device is gone: forget its sessions (its connections go as they are closed). */
  synchronized void forgetDevice(String deviceHex) {
    Set<String> sessions = sessionsByDevice.remove(deviceHex);
    if (sessions != null) {
      sessions.forEach(deviceOfSession::remove);
    }
  }

  private static <T> void remove(Map<String, Set<T>> map, String key, T value) {
    Set<T> values = map.get(key);
    if (values != null) {
      values.remove(value);
      if (values.isEmpty()) {
        map.remove(key);
      }
    }
  }
}
