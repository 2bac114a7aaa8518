package io.e4j.mqtt.internal;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@link MqttTransport} on the HiveMQ MQTT client: what both MQTT versions share (building the
 * client, its automatic reconnection, the connection events). {@link Mqtt3Transport} and {@link
 * Mqtt5Transport} each speak their version.
 */
public abstract class HiveMqTransport implements MqttTransport {
  final ConnectionSettings settings;
  final Events events;

  /** From disconnect() to the next connect(): no events, and no reconnection. */
  private volatile boolean closed;

  HiveMqTransport(ConnectionSettings settings, Events events) {
    this.settings = settings;
    this.events = events;
  }

  public static MqttTransport create(ConnectionSettings settings, Events events) {
    return settings.mqttVersion() == 5
        ? new Mqtt5Transport(settings, events)
        : new Mqtt3Transport(settings, events);
  }

  /** The client's settings common to both versions. */
  final MqttClientBuilder clientBuilder() {
    MqttClientBuilder builder =
        MqttClient.builder()
            .identifier(settings.clientId())
            .serverHost(settings.host())
            .serverPort(settings.port())
            .automaticReconnect()
            .initialDelay(200, TimeUnit.MILLISECONDS)
            .maxDelay(settings.reconnectMaxDelay().toMillis(), TimeUnit.MILLISECONDS)
            .applyAutomaticReconnect()
            .addConnectedListener(context -> onConnected())
            .addDisconnectedListener(this::onDisconnected);
    if (settings.tls()) {
      builder =
          builder.sslConfig(
              settings.trustManagers() == null
                  ? MqttClientSslConfig.builder().build()
                  : MqttClientSslConfig.builder()
                      .trustManagerFactory(settings.trustManagers())
                      .build());
    }
    return builder;
  }

  @Override
  public final CompletableFuture<Void> connect() {
    closed = false;
    return sendConnect();
  }

  @Override
  public final CompletableFuture<Void> disconnect() {
    closed = true;
    return sendDisconnect();
  }

  @Override
  public final boolean isConnected() {
    return client().getState().isConnected();
  }

  abstract MqttClient client();

  abstract CompletableFuture<Void> sendConnect();

  abstract CompletableFuture<Void> sendDisconnect();

  private void onConnected() {
    if (closed) {
      // A retry that was under way when disconnect() came: let go of it.
      sendDisconnect();
      return;
    }
    events.connected();
  }

  private void onDisconnected(MqttClientDisconnectedContext context) {
    if (closed) {
      // Stops the automatic reconnection, which would otherwise go on after disconnect() when it
      // came while not connected.
      context.getReconnector().reconnect(false);
      return;
    }
    if (context.getSource() != MqttDisconnectSource.USER) {
      events.disconnected(context.getCause());
    }
  }

  static MqttQos qos(int qos) {
    MqttQos value = MqttQos.fromCode(qos);
    if (value == null) {
      throw new IllegalArgumentException("MQTT QoS is 0, 1 or 2, got " + qos);
    }
    return value;
  }
}
