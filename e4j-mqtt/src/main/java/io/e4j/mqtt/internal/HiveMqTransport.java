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
import io.e4j.mqtt.internal.RefusedException.Refusal;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

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
 *
 * <p>Every CONNECT, a reconnection's too, carries the password the settings give at that moment (a
 * device's broker password changes with its key). The HiveMQ client sends the array it is given
 * without copying it, so each copy is zeroed once its attempt has ended.
 */
public abstract class HiveMqTransport implements MqttTransport {
  final ConnectionSettings settings;
  final Events events;

  /** From disconnect() to the next connect(): no events, and no reconnection. */
  private volatile boolean closed;

  /** Whether a connection was made since connect(): a failure is then a reconnection's. */
  private volatile boolean established;

  /** The password of the reconnection attempt under way, zeroed when that attempt ends. */
  private final AtomicReference<byte[]> reconnectionPassword = new AtomicReference<>();

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
    byte[] password;
    try {
      password = takePassword();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Void> sent;
    try {
      sent = sendConnect(password);
    } catch (RuntimeException e) {
      zero(password);
      throw e;
    }
    return sent.whenComplete((done, failure) -> zero(password))
        .exceptionallyCompose(failure -> CompletableFuture.failedFuture(connectFailure(failure)));
  }

  @Override
  public final CompletableFuture<Void> disconnect() {
    closed = true;
    zero(reconnectionPassword.getAndSet(null));
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

  /** Sends CONNECT with the settings and {@code password} (null for none), which it keeps. */
  abstract CompletableFuture<Void> sendConnect(byte[] password);

  abstract CompletableFuture<Void> sendDisconnect();

  private void onConnected() {
    zero(reconnectionPassword.getAndSet(null));
    if (closed) {
      // A retry that was under way when disconnect() came: let go of it.
      sendDisconnect();
      return;
    }
    established = true;
    events.connected();
  }

  private void onDisconnected(MqttClientDisconnectedContext context) {
    zero(reconnectionPassword.getAndSet(null));
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
      if (reconnectWithSettings(context)) {
        events.disconnected(context.getCause());
      }
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
    if (reconnectWithSettings(context)) {
      events.disconnected(failure.exception(settings.address()));
    }
  }

  /**
   * Makes the automatic reconnection send this connection's CONNECT: credentials (the password as
   * it is now), session. False when the password cannot be had: nothing follows until connect().
   */
  private boolean reconnectWithSettings(MqttClientDisconnectedContext context) {
    byte[] password;
    try {
      password = takePassword();
    } catch (RuntimeException e) {
      context.getReconnector().reconnect(false);
      events.refused(
          new RefusedException(
              Refusal.CREDENTIALS,
              "no reconnection to the broker at "
                  + settings.address()
                  + ": the password could not be had ("
                  + e.getMessage()
                  + ")",
              e));
      return false;
    }
    zero(reconnectionPassword.getAndSet(password));
    reconnectWith(context, password);
    return true;
  }

  /** Hands the reconnector a CONNECT with the settings and {@code password} (null for none). */
  abstract void reconnectWith(MqttClientDisconnectedContext context, byte[] password);

  /** A new copy of the password for one CONNECT, or null for none. */
  private byte[] takePassword() {
    return settings.password() == null ? null : settings.password().get();
  }

  private static void zero(byte[] password) {
    if (password != null) {
      Arrays.fill(password, (byte) 0);
    }
  }

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
