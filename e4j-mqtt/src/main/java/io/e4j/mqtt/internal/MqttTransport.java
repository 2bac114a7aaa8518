package io.e4j.mqtt.internal;

import java.util.concurrent.CompletableFuture;

/**
 * The few MQTT operations E4 needs, over either protocol version of the HiveMQ client. Refusals by
 * the broker fail with {@link RefusedException}; a first connection that finds no broker fails with
 * {@link UnreachableException}.
 */
public interface MqttTransport {
  /** What the connection reports, on the client's network thread. */
  interface Events {
    void received(String topic, byte[] payload, int qos, boolean retained);

    /** Every successful connection, automatic reconnections included. */
    void connected();

    /**
     * The connection is down and the next attempt follows by itself: a connection lost, or an
     * attempt that failed for a reason that may pass. Neither for disconnect() nor after it.
     */
    void disconnected(Throwable cause);

    /**
     * A reconnection was refused: no attempt follows until connect(). (A refused connect() fails
     * its future instead.)
     */
    void refused(RefusedException refusal);
  }

  /**
   * Connects. Completes when connected; fails with {@link RefusedException} when the broker
   * refused, and, unless the settings ask to retry the first connection, with {@link
   * UnreachableException} when this first attempt failed otherwise. A failed connect() leaves
   * nothing trying in the background.
   */
  CompletableFuture<Void> connect();

  CompletableFuture<Void> subscribe(String topicFilter, int qos);

  CompletableFuture<Void> unsubscribe(String topicFilter);

  CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retain);

  boolean isConnected();

  /** The MQTT version connected with, or to be tried first: 5 or 3 (3.1.1). */
  int mqttVersion();

  /** Disconnects and stops reconnecting, a reconnection under way included, until connect(). */
  CompletableFuture<Void> disconnect();
}
