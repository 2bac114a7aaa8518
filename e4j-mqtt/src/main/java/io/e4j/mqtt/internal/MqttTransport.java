package io.e4j.mqtt.internal;

import java.util.concurrent.CompletableFuture;

/**
 * The few MQTT operations E4 needs, over either protocol version of the HiveMQ client. Refusals by
 * the broker fail with {@link RefusedException}.
 */
public interface MqttTransport {
  /** What the connection reports, on the client's network thread. */
  interface Events {
    void received(String topic, byte[] payload, int qos, boolean retained);

    /** Every successful connection, automatic reconnections included. */
    void connected();

    /** A connection lost or an attempt failed; neither for disconnect() nor after it. */
    void disconnected(Throwable cause);
  }

  CompletableFuture<Void> connect();

  CompletableFuture<Void> subscribe(String topicFilter, int qos);

  CompletableFuture<Void> unsubscribe(String topicFilter);

  CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retain);

  boolean isConnected();

  /** Disconnects and stops reconnecting, a reconnection under way included, until connect(). */
  CompletableFuture<Void> disconnect();
}
