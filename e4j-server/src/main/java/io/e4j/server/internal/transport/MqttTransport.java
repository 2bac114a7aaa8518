package io.e4j.server.internal.transport;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.auth.Mqtt3SimpleAuth;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5SimpleAuth;
import io.e4j.core.Keys;
import io.e4j.server.C2Config;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes commands on devices' control topics ({@code e4/<hex id>}) with QoS 2, never retained (a
 * retained command would be replayed to every new subscriber and overwritten by the next one).
 * Reconnects by itself until closed. While it is not connected, a command fails at once, naming the
 * broker and the last connection error (a refused certificate, wrong credentials), and waits in the
 * outbox for its retry: the HiveMQ client's asynchronous publish would otherwise block the delivery
 * thread until a first connection, which never comes while the configuration is wrong.
 */
public final class MqttTransport implements Transport {
  private static final Logger LOG = LoggerFactory.getLogger(MqttTransport.class);

  private static final int MQTT3_IN_FLIGHT = 16;

  private final C2Config.Mqtt settings;
  private final Mqtt3AsyncClient mqtt3;
  private final Mqtt5AsyncClient mqtt5;

  /** Why the last connection attempt failed or the connection was lost; never credentials. */
  private volatile String lastFailure = "no connection attempt yet";

  private volatile boolean closed;

  private final List<Runnable> reconnected = new CopyOnWriteArrayList<>();

  private MqttTransport(C2Config.Mqtt settings, TrustManagerFactory trust) {
    this.settings = settings;
    MqttClientBuilder builder =
        MqttClient.builder()
            .identifier(settings.clientId())
            .serverHost(settings.host())
            .serverPort(settings.port())
            .automaticReconnect()
            .initialDelay(200, TimeUnit.MILLISECONDS)
            .maxDelay(10, TimeUnit.SECONDS)
            .applyAutomaticReconnect()
            .addConnectedListener(context -> onConnected())
            .addDisconnectedListener(this::disconnected);
    if (settings.tls()) {
      builder =
          builder.sslConfig(
              trust == null
                  ? MqttClientSslConfig.builder().build()
                  : MqttClientSslConfig.builder().trustManagerFactory(trust).build());
    }
    if (settings.version() == 5) {
      this.mqtt5 = builder.useMqttVersion5().buildAsync();
      this.mqtt3 = null;
    } else {
      this.mqtt3 = builder.useMqttVersion3().buildAsync();
      this.mqtt5 = null;
    }
  }

  /**
   * Connects to the broker, waiting up to {@code connectTimeout}; if the broker is not reachable
   * yet, keeps trying in the background (commands wait in the outbox meanwhile).
   */
  public static MqttTransport connect(
      C2Config.Mqtt settings, TrustManagerFactory trust, Duration connectTimeout) {
    MqttTransport transport = new MqttTransport(settings, trust);
    try {
      transport.connect().get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      LOG.warn(
          "MQTT broker {} not reachable yet ({}); retrying in the background",
          where(settings),
          e.getCause() == null ? transport.lastFailure : e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return transport;
  }

  private void onConnected() {
    if (closed) {
      // A retry that was under way when the transport closed: let go of it.
      disconnect();
      return;
    }
    LOG.info("connected to MQTT broker {}", where(settings));
    reconnected.forEach(Runnable::run);
  }

  @Override
  public void onReconnected(Runnable action) {
    reconnected.add(action);
  }

  private void disconnected(MqttClientDisconnectedContext context) {
    if (closed) {
      // Stops the automatic reconnection, which would otherwise go on after close().
      context.getReconnector().reconnect(false);
      return;
    }
    if (context.getSource() != MqttDisconnectSource.USER) {
      lastFailure = context.getCause().getMessage();
      LOG.warn("disconnected from MQTT broker {}: {}", where(settings), lastFailure);
    }
  }

  private CompletableFuture<Void> connect() {
    if (mqtt5 != null) {
      var connect = mqtt5.connectWith().cleanStart(true);
      if (settings.username() != null) {
        var auth = Mqtt5SimpleAuth.builder().username(settings.username());
        connect =
            connect.simpleAuth(
                settings.password() == null
                    ? auth.build()
                    : auth.password(settings.password().getBytes(UTF_8)).build());
      }
      return connect.send().thenApply(ack -> null);
    }
    var connect = mqtt3.connectWith().cleanSession(true);
    if (settings.username() != null) {
      var auth = Mqtt3SimpleAuth.builder().username(settings.username());
      connect =
          connect.simpleAuth(
              settings.password() == null
                  ? auth.build()
                  : auth.password(settings.password().getBytes(UTF_8)).build());
    }
    return connect.send().thenApply(ack -> null);
  }

  @Override
  public CompletableFuture<Void> send(byte[] deviceId, byte[] message) {
    if (!(mqtt5 != null ? mqtt5.getState() : mqtt3.getState()).isConnected()) {
      return CompletableFuture.failedFuture(
          new IllegalStateException(
              "not connected to MQTT broker " + where(settings) + ": " + lastFailure));
    }
    String topic = Keys.controlTopic(deviceId);
    if (mqtt5 != null) {
      return mqtt5
          .publishWith()
          .topic(topic)
          .qos(MqttQos.EXACTLY_ONCE)
          .retain(false)
          .payload(message)
          .send()
          .thenAccept(
              result ->
                  result
                      .getError()
                      .ifPresent(
                          error -> {
                            throw new IllegalStateException(
                                "the broker refused the command: " + error.getMessage(), error);
                          }));
    }
    return mqtt3
        .publishWith()
        .topic(topic)
        .qos(MqttQos.EXACTLY_ONCE)
        .retain(false)
        .payload(message)
        .send()
        .thenApply(publish -> null);
  }

  /**
   * MQTT 5 brokers announce how many QoS 2 publishes they take at once (receive maximum) and the
   * client keeps to it. MQTT 3.1.1 has no such signal, and Mosquitto acknowledges QoS 2 publishes
   * beyond its {@code max_inflight_messages} (20 by default) without forwarding them: stay below.
   */
  @Override
  public int inFlightLimit() {
    return mqtt5 != null ? Integer.MAX_VALUE : MQTT3_IN_FLIGHT;
  }

  @Override
  public boolean connected() {
    return mqtt5 != null ? mqtt5.getState().isConnected() : mqtt3.getState().isConnected();
  }

  @Override
  public String describe() {
    return "MQTT " + (mqtt5 != null ? "5 " : "3.1.1 ") + where(settings);
  }

  private static String where(C2Config.Mqtt settings) {
    return (settings.tls() ? "mqtts://" : "mqtt://") + settings.host() + ":" + settings.port();
  }

  @Override
  public void close() {
    closed = true;
    try {
      disconnect().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Not connected: the next failed attempt stops the reconnection (see disconnected).
      LOG.debug("MQTT disconnect did not complete cleanly", e);
    }
  }

  private CompletableFuture<Void> disconnect() {
    return mqtt5 != null ? mqtt5.disconnect() : mqtt3.disconnect();
  }
}
