package io.e4j.server.internal.transport;

/**
 * What a broker tells C2 of devices' presence on their control topics ({@code e4/<hex id>}), for
 * brokers that tell: the embedded broker, and Mosquitto with its log published on {@code $SYS}.
 * Called on the broker's or the transport's threads: implementations hand off and return.
 */
public interface PresenceEvents {
  /** The device's control topic gained a subscriber (its subscription is in effect). */
  void subscribed(byte[] deviceId);

  /** The last client subscribed to the device's control topic went away. */
  void gone(byte[] deviceId);
}
