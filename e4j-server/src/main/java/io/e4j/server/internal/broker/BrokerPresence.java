package io.e4j.server.internal.broker;

/**
 * What the embedded broker tells C2 about devices coming and going. Calls arrive in order on one
 * thread the broker owns, never one of its network threads; a slow listener delays later calls, not
 * the broker. Device IDs are copies the listener may keep.
 */
public interface BrokerPresence {
  /**
   * The control topic of {@code deviceId} ({@code e4/<hex id>}) has a subscriber: a client just
   * subscribed to it, or reconnected to a persistent session that holds the subscription. The
   * subscription is in effect: a message C2 publishes on the topic from now on reaches the client
   * (or its session's queue), so C2 may deliver what the device is missing.
   */
  void controlTopicSubscribed(byte[] deviceId, String clientId);

  /**
   * A client connected. {@code deviceId} is the device it logged in as ({@code devices} access
   * mode), or {@code null}.
   */
  default void clientConnected(String clientId, byte[] deviceId) {}

  /** A client's connection ended. {@code deviceId} as for {@link #clientConnected}. */
  default void clientDisconnected(String clientId, byte[] deviceId) {}

  /** Listens to nothing. */
  BrokerPresence NONE = (deviceId, clientId) -> {};
}
