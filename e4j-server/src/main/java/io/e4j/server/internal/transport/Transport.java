package io.e4j.server.internal.transport;

import java.util.concurrent.CompletableFuture;

/** Carries protected commands to devices' control channels. */
public interface Transport extends AutoCloseable {

  /**
   * Sends a protected command to one device; completes when the transport has acknowledged it (MQTT
   * QoS 2 PUBCOMP, Kafka acks=all), exceptionally if it could not.
   */
  CompletableFuture<Void> send(byte[] deviceId, byte[] message);

  /**
   * How many commands may wait for acknowledgement at once. Beyond the transport's own flow control
   * (MQTT 5 receive maximum, Kafka's buffer), some brokers acknowledge and then drop.
   */
  int inFlightLimit();

  /**
   * Runs {@code action} each time the transport connects again after a loss of connection, during
   * which its sends failed. Transports that keep sends waiting through an outage never call it.
   */
  default void onReconnected(Runnable action) {}

  /** Whether the transport is connected to its broker now (for readiness checks). */
  boolean connected();

  /** Where commands go, for logs: never credentials. */
  String describe();

  @Override
  void close();
}
