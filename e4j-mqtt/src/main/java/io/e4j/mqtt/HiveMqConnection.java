package io.e4j.mqtt;

import io.e4j.mqtt.internal.ConnectionSettings;
import io.e4j.mqtt.internal.HiveMqTransport;
import io.e4j.mqtt.internal.MqttTransport;
import io.e4j.mqtt.internal.RefusedException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@link MqttConnection} on the internal HiveMQ transport, which knows none of the public types:
 * settings and events are handed over here, and refusals rethrown as {@link
 * BrokerRefusedException}.
 */
final class HiveMqConnection implements MqttConnection {
  private final Settings settings;
  private final MqttTransport transport;

  HiveMqConnection(Settings settings, Events events) {
    this.settings = settings;
    this.transport =
        HiveMqTransport.create(
            new ConnectionSettings(
                settings.host(),
                settings.port(),
                settings.mqttVersion(),
                settings.clientId(),
                settings.tls(),
                settings.trustManagers(),
                settings.username(),
                settings.password(),
                settings.cleanSession(),
                settings.sessionExpiry(),
                settings.reconnectMaxDelay()),
            new MqttTransport.Events() {
              @Override
              public void received(String topic, byte[] payload, int qos, boolean retained) {
                events.received(topic, payload, qos, retained);
              }

              @Override
              public void connected() {
                events.connected();
              }

              @Override
              public void disconnected(Throwable cause) {
                events.disconnected(cause);
              }
            });
  }

  @Override
  public CompletableFuture<Void> connect() {
    return transport.connect();
  }

  @Override
  public CompletableFuture<Void> subscribe(String topicFilter, int qos) {
    return publicRefusal(transport.subscribe(topicFilter, qos));
  }

  @Override
  public CompletableFuture<Void> unsubscribe(String topicFilter) {
    return transport.unsubscribe(topicFilter);
  }

  @Override
  public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retain) {
    return publicRefusal(transport.publish(topic, payload, qos, retain));
  }

  @Override
  public boolean isConnected() {
    return transport.isConnected();
  }

  @Override
  public CompletableFuture<Void> disconnect() {
    return transport.disconnect();
  }

  @Override
  public Settings settings() {
    return settings;
  }

  @Override
  public String toString() {
    return "MqttConnection[" + settings + "]";
  }

  private static CompletableFuture<Void> publicRefusal(CompletableFuture<Void> operation) {
    return operation.exceptionallyCompose(
        failure -> {
          Throwable cause =
              failure instanceof CompletionException && failure.getCause() != null
                  ? failure.getCause()
                  : failure;
          return CompletableFuture.failedFuture(
              cause instanceof RefusedException refused
                  ? new BrokerRefusedException(refused.getMessage(), refused.getCause())
                  : failure);
        });
  }
}
