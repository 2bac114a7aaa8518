package io.e4j.server.internal.broker;

import io.e4j.server.C2Config.EmbeddedMqtt.Access;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Who may connect to the embedded broker and what each connection may do. Decisions only, no
 * HiveMQ: the extension asks, answering the quick questions on the broker's threads and handing
 * those that need the {@link DeviceDirectory} to threads of its own.
 *
 * <ul>
 *   <li>C2's client ID is C2's alone: it logs in with a secret generated at each start.
 *   <li>Control topics ({@code e4/...}) take publishes from C2 only, never retained ones.
 *   <li>{@code open}: anyone else connects and subscribes to anything.
 *   <li>{@code devices}: a client logs in as a device and subscribes to its own control topic and
 *       the topics it is linked to, exact names only; it publishes on those topics and on its own
 *       report topic.
 * </ul>
 */
final class AccessPolicy {
  /** How many topic decisions a connection remembers; beyond, the directory is asked each time. */
  static final int REMEMBERED_TOPICS = 1_000;

  enum Verdict {
    ALLOWED,
    NOT_AUTHORIZED,
    WILDCARDS_REFUSED,
    SHARED_REFUSED
  }

  enum Role {
    C2,
    ANYONE,
    DEVICE
  }

  /** One connection's identity and the link decisions it remembers. */
  static final class Client {
    final long connection;
    final String clientId;
    final Role role;
    private final byte[] deviceId;
    final String deviceHex;
    private final ConcurrentMap<String, Boolean> links = new ConcurrentHashMap<>();

    private Client(long connection, String clientId, Role role, byte[] deviceId) {
      this.connection = connection;
      this.clientId = clientId;
      this.role = role;
      this.deviceId = deviceId;
      this.deviceHex = deviceId == null ? null : Topics.hex(deviceId);
    }

    /** The device this client logged in as, a copy; {@code null} unless a device. */
    byte[] deviceId() {
      return deviceId == null ? null : deviceId.clone();
    }

    /** C2 changed a link: what this connection remembers follows. */
    void linkChanged(String topic, boolean linked) {
      links.put(topic, linked);
    }

    @Override
    public String toString() {
      return "Client[" + clientId + ", " + role + (deviceHex == null ? "" : ", " + deviceHex) + "]";
    }
  }

  /** The outcome of a CONNECT. */
  sealed interface Login permits Accepted, Refused {}

  record Accepted(Client client) implements Login {}

  /**
   * @param badCredentials wrong or unknown user name or password, rather than none or not allowed
   * @param reason for the client (MQTT 5 reason string) and the log; names no secret
   */
  record Refused(boolean badCredentials, String reason) implements Login {}

  private final Access mode;
  private final String c2ClientId;
  private final byte[] c2Secret;
  private final DeviceDirectory directory;

  /**
   * @param c2Secret the password C2's own connection presents (kept, not copied: the broker owns
   *     it)
   */
  AccessPolicy(Access mode, String c2ClientId, byte[] c2Secret, DeviceDirectory directory) {
    this.mode = mode;
    this.c2ClientId = c2ClientId;
    this.c2Secret = c2Secret;
    this.directory = directory;
  }

  Access mode() {
    return mode;
  }

  /** Whether {@link #login} asks the device directory (and so must not run on broker threads). */
  boolean loginAsksDirectory(String clientId) {
    return mode == Access.DEVICES && !clientId.equals(c2ClientId);
  }

  /**
   * Decides a CONNECT.
   *
   * @param connection a number unique to this connection
   * @param username the CONNECT's user name, or {@code null}
   * @param password the CONNECT's password, or {@code null}; zeroed by the caller afterwards
   */
  Login login(long connection, String clientId, String username, byte[] password) {
    if (clientId.equals(c2ClientId)) {
      boolean c2 =
          clientId.equals(username)
              && password != null
              && MessageDigest.isEqual(password, c2Secret);
      return c2
          ? new Accepted(new Client(connection, clientId, Role.C2, null))
          : new Refused(false, "client ID " + clientId + " is reserved for C2");
    }
    if (mode == Access.OPEN) {
      return new Accepted(new Client(connection, clientId, Role.ANYONE, null));
    }
    if (username == null || username.isEmpty()) {
      return new Refused(
          false, "log in with a device's name or hex ID as user name and its broker credential");
    }
    Optional<byte[]> device = directory.deviceId(username);
    if (device.isEmpty()
        || password == null
        || !directory.credentialMatches(device.get().clone(), password)) {
      return new Refused(true, "unknown device or wrong credential");
    }
    return new Accepted(new Client(connection, clientId, Role.DEVICE, device.get().clone()));
  }

  /** The decision on a PUBLISH, or {@code null} if it needs the directory ({@link #publish}). */
  Verdict publishIfKnown(Client client, String topic, boolean retain) {
    if (Topics.isControl(topic)) {
      return client.role == Role.C2 && !retain ? Verdict.ALLOWED : Verdict.NOT_AUTHORIZED;
    }
    return switch (client.role) {
      case C2, ANYONE -> Verdict.ALLOWED;
      case DEVICE -> {
        if (Topics.isReports(topic)) {
          yield topic.equals(Topics.reports(client.deviceHex))
              ? Verdict.ALLOWED
              : Verdict.NOT_AUTHORIZED;
        }
        yield remembered(client, topic);
      }
    };
  }

  /** The decision on a PUBLISH, asking the directory if need be. */
  Verdict publish(Client client, String topic, boolean retain) {
    Verdict known = publishIfKnown(client, topic, retain);
    return known != null ? known : linked(client, topic);
  }

  /** The decision on one subscription, or {@code null} if it needs the directory. */
  Verdict subscribeIfKnown(Client client, String filter) {
    if (client.role != Role.DEVICE) {
      return Verdict.ALLOWED;
    }
    if (Topics.isShared(filter)) {
      return Verdict.SHARED_REFUSED;
    }
    if (Topics.hasWildcard(filter)) {
      return Verdict.WILDCARDS_REFUSED;
    }
    if (Topics.isControl(filter)) {
      return filter.equals(Topics.control(client.deviceHex))
          ? Verdict.ALLOWED
          : Verdict.NOT_AUTHORIZED;
    }
    if (Topics.isReports(filter)) {
      return Verdict.NOT_AUTHORIZED;
    }
    return remembered(client, filter);
  }

  /** The decision on one subscription, asking the directory if need be. */
  Verdict subscribe(Client client, String filter) {
    Verdict known = subscribeIfKnown(client, filter);
    return known != null ? known : linked(client, filter);
  }

  private static Verdict remembered(Client client, String topic) {
    Boolean linked = client.links.get(topic);
    if (linked == null) {
      return null;
    }
    return linked ? Verdict.ALLOWED : Verdict.NOT_AUTHORIZED;
  }

  /**
   * Asks the directory, and remembers the answer unless C2 reported a change for the topic
   * meanwhile ({@link Client#linkChanged} wins: it is newer than the directory's answer).
   */
  private Verdict linked(Client client, String topic) {
    boolean linked = directory.isLinked(client.deviceId, topic);
    if (client.links.size() < REMEMBERED_TOPICS) {
      Boolean kept = client.links.putIfAbsent(topic, linked);
      if (kept != null) {
        linked = kept;
      }
    }
    return linked ? Verdict.ALLOWED : Verdict.NOT_AUTHORIZED;
  }

  void forget() {
    Arrays.fill(c2Secret, (byte) 0);
  }
}
