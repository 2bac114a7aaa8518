package io.e4j.server.internal.transport;

import io.e4j.server.C2Config;
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

  /**
   * Hands every key report devices send (docs/key-reports.md) to {@code receiver}, with the topic
   * it came on ({@code e4j/reports/<hex id>}; Kafka: the same, from the record's key), on the
   * transport's threads: the receiver must not block. Call before the first connection.
   */
  default void onReports(java.util.function.BiConsumer<String, byte[]> receiver) {}

  /**
   * Tells {@code events} when devices subscribe to their control topics and leave, if the broker
   * says (see {@link C2Config.PresenceSource}); otherwise does nothing.
   */
  default void onPresence(PresenceEvents events) {}

  /** Whether the transport is connected to its broker now (for readiness checks). */
  boolean connected();

  /** Where commands go, for logs: never credentials. */
  String describe();

  @Override
  void close();
}
