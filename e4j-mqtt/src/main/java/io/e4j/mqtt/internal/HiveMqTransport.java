package io.e4j.mqtt.internal;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttClientSslConfigBuilder;
import com.hivemq.client.mqtt.MqttClientTransportConfig;
import com.hivemq.client.mqtt.MqttClientTransportConfigBuilder;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.exceptions.MqttClientStateException;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * {@link MqttTransport} on the HiveMQ MQTT client: what both MQTT versions share (building the
 * client, its automatic reconnection, the connection events, what a failed attempt means). {@link
 * Mqtt3Transport} and {@link Mqtt5Transport} each speak their version.
 *
 * <p>The client's automatic reconnection runs after every failure; the disconnected listener then
 * decides. A lost connection is retried. A failed attempt is read by {@link ConnectFailure}: a
 * refusal stops the retries (and fails connect(), or is reported as {@link Events#refused}); a
 * failure that may pass is retried once a connection was made since connect(), or when the settings
 * ask to retry the first connection, and otherwise ends connect().
 */
public abstract class HiveMqTransport implements MqttTransport {
  final ConnectionSettings settings;
  final Events events;

  /** From disconnect() to the next connect(): no events, and no reconnection. */
  private volatile boolean closed;

  /** Whether a connection was made since connect(): a failure is then a reconnection's. */
  private volatile boolean established;

  HiveMqTransport(ConnectionSettings settings, Events events) {
    this.settings = settings;
    this.events = events;
  }

  /** The transport the settings ask for: one MQTT version, or MQTT 5 falling back to 3.1.1. */
  public static MqttTransport create(ConnectionSettings settings, Events events) {
    return settings.mqttVersion() == 5 && settings.mqtt3Fallback()
        ? new FallbackTransport(settings, events)
        : of(settings, events);
  }

  static HiveMqTransport of(ConnectionSettings settings, Events events) {
    return settings.mqttVersion() == 5
        ? new Mqtt5Transport(settings, events)
        : new Mqtt3Transport(settings, events);
  }

  /** The client's settings common to both versions. */
  final MqttClientBuilder clientBuilder() {
    long timeout = settings.connectTimeout().toMillis();
    MqttClientTransportConfigBuilder transport =
        MqttClientTransportConfig.builder()
            .serverHost(settings.host())
            .serverPort(settings.port())
            .socketConnectTimeout(timeout, TimeUnit.MILLISECONDS)
            .mqttConnectTimeout(timeout, TimeUnit.MILLISECONDS);
    if (settings.tls()) {
      MqttClientSslConfigBuilder tls =
          MqttClientSslConfig.builder().handshakeTimeout(timeout, TimeUnit.MILLISECONDS);
      if (settings.trustManagers() != null) {
        tls = tls.trustManagerFactory(settings.trustManagers());
      }
      transport = transport.sslConfig(tls.build());
    }
    return MqttClient.builder()
        .identifier(settings.clientId())
        .transportConfig(transport.build())
        .automaticReconnect()
        .initialDelay(200, TimeUnit.MILLISECONDS)
        .maxDelay(settings.reconnectMaxDelay().toMillis(), TimeUnit.MILLISECONDS)
        .applyAutomaticReconnect()
        .addConnectedListener(context -> onConnected())
        .addDisconnectedListener(this::onDisconnected);
  }

  @Override
  public final CompletableFuture<Void> connect() {
    closed = false;
    established = false;
    return sendConnect()
        .exceptionallyCompose(failure -> CompletableFuture.failedFuture(connectFailure(failure)));
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

  @Override
  public final int mqttVersion() {
    return settings.mqttVersion();
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
    established = true;
    events.connected();
  }

  private void onDisconnected(MqttClientDisconnectedContext context) {
    if (closed) {
      // Stops the automatic reconnection, which would otherwise go on after disconnect() when it
      // came while not connected.
      context.getReconnector().reconnect(false);
      return;
    }
    if (context.getSource() == MqttDisconnectSource.USER) {
      return;
    }
    if (context.getReconnector().getAttempts() == 0) {
      // The client counts attempts since the last connection: none means one was just lost.
      reconnectWithSettings(context);
      events.disconnected(context.getCause());
      return;
    }
    ConnectFailure failure = ConnectFailure.of(context.getCause(), settings.mqttVersion());
    if (failure.refused()) {
      context.getReconnector().reconnect(false);
      if (established) {
        events.refused((RefusedException) failure.exception(settings.address()));
      }
      return;
    }
    if (!established && !settings.retryFirstConnection()) {
      // connect() fails with this attempt's failure; nothing goes on in the background.
      context.getReconnector().reconnect(false);
      return;
    }
    reconnectWithSettings(context);
    events.disconnected(failure.exception(settings.address()));
  }

  /** Makes the automatic reconnection send this connection's CONNECT: credentials, session. */
  abstract void reconnectWithSettings(MqttClientDisconnectedContext context);

  /** What connect()'s future fails with: the HiveMQ client's failure, read. */
  private RuntimeException connectFailure(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (closed) {
      return new IllegalStateException(
          "disconnected before the broker at " + settings.address() + " accepted the connection",
          cause);
    }
    if (cause instanceof MqttClientStateException state) {
      return state; // connect() while connected or connecting: a caller's mistake, said as it is
    }
    return ConnectFailure.of(cause, settings.mqttVersion()).exception(settings.address());
  }

  static MqttQos qos(int qos) {
    MqttQos value = MqttQos.fromCode(qos);
    if (value == null) {
      throw new IllegalArgumentException("MQTT QoS is 0, 1 or 2, got " + qos);
    }
    return value;
  }
}
