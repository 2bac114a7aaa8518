package io.e4j.mqtt.internal;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttClientSslConfigBuilder;
import com.hivemq.client.mqtt.MqttClientTransportConfig;
import com.hivemq.client.mqtt.MqttClientTransportConfigBuilder;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.exceptions.MqttClientStateException;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import io.e4j.mqtt.internal.RefusedException.Refusal;
import io.reactivex.Flowable;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link MqttTransport} on the HiveMQ MQTT client: what both MQTT versions share (building the
 * client, its automatic reconnection and the CONNECT it sends, the connection events, what a failed
 * attempt means, handing incoming messages over). {@link Mqtt3Transport} and {@link Mqtt5Transport}
 * each speak their version: its CONNECT message ({@code C}) and its stream of incoming messages.
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
public abstract class HiveMqTransport<C> implements MqttTransport {
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

  static HiveMqTransport<?> of(ConnectionSettings settings, Events events) {
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
    CompletableFuture<?> sent;
    try {
      sent = sendConnect(connectMessage(password));
    } catch (RuntimeException e) {
      zero(password);
      throw e;
    }
    return sent.whenComplete((done, failure) -> zero(password))
        .<Void>thenApply(connAck -> null)
        .exceptionallyCompose(failure -> CompletableFuture.failedFuture(connectFailure(failure)));
  }

  @Override
  public final CompletableFuture<Void> disconnect() {
    closed = true;
    zero(reconnectionPassword.getAndSet(null));
    return sendDisconnect();
  }

  @Override
  public final CompletableFuture<Void> subscribe(String topicFilter, int qos) {
    return sendSubscribe(topicFilter, qos(qos))
        .thenAccept(
            refusal -> {
              if (refusal != null) {
                throw new RefusedException(
                    Refusal.SUBSCRIPTION,
                    "the broker refused the subscription to " + topicFilter + refusal,
                    null);
              }
            });
  }

  @Override
  public final CompletableFuture<Void> publish(
      String topic, byte[] payload, int qos, boolean retain) {
    return sendPublish(topic, payload, qos(qos), retain)
        .<Void>thenApply(published -> null)
        .exceptionallyCompose(
            failure ->
                CompletableFuture.failedFuture(
                    MessageFailure.of(failure, topic, settings.address())));
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

  /**
   * Subscribes; completes with null when the broker granted it, or with the refusal's details
   * (empty, or starting with {@code ": "}).
   */
  abstract CompletableFuture<String> sendSubscribe(String topicFilter, MqttQos qos);

  /** Publishes; completes when the broker acknowledged it (QoS 1, 2) or it was sent (QoS 0). */
  abstract CompletableFuture<?> sendPublish(
      String topic, byte[] payload, MqttQos qos, boolean retain);

  /** Sends this CONNECT; completes when the broker accepted it. */
  abstract CompletableFuture<?> sendConnect(C connect);

  /**
   * This version's CONNECT: the settings' session, and {@code login} unless null (its password
   * unless null). The HiveMQ client keeps the password array it is given, without copying it.
   */
  abstract C connectMessage(Login login);

  /** Hands this CONNECT to the automatic reconnection of {@code context}, this version's. */
  abstract void reconnectWith(MqttClientDisconnectedContext context, C connect);

  /** This version's stream of incoming messages, as the HiveMQ client gives them. */
  abstract Flowable<Incoming> incoming();

  /** A user name, and a password or null. */
  record Login(String username, byte[] password) {
    /** Never the password. */
    @Override
    public String toString() {
      return "Login[" + username + "]";
    }
  }

  /** A message the broker delivered, in the types both versions share. */
  record Incoming(MqttTopic topic, byte[] payload, MqttQos qos, boolean retained) {}

  /**
   * Hands every incoming message to the events. The HiveMQ client drops this handler when a session
   * ends (a clean session's disconnection, or a session the broker no longer has): it is taken
   * again at once, or a connection made again would receive nothing. Called once by each version's
   * constructor, once its client is built.
   */
  final void receive() {
    incoming()
        .subscribe(
            message ->
                events.received(
                    message.topic().toString(),
                    message.payload(),
                    message.qos().getCode(),
                    message.retained()),
            sessionEnded -> receive(),
            this::receive);
  }

  private C connectMessage(byte[] password) {
    return connectMessage(
        settings.username() == null ? null : new Login(settings.username(), password));
  }

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
    reconnectWith(context, connectMessage(password));
    return true;
  }

  /** A new copy of the password for one CONNECT, or null for none (or no user name). */
  private byte[] takePassword() {
    return settings.username() == null || settings.password() == null
        ? null
        : settings.password().get();
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
