package io.e4j.server.internal.transport;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.e4j.core.KeyReports;
import io.e4j.core.Keys;
import io.e4j.mqtt.BrokerRefusedException;
import io.e4j.mqtt.MqttConnection;
import io.e4j.server.C2Config;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes commands on devices' control topics ({@code e4/<hex id>}) with QoS 2, never retained (a
 * retained command would be replayed to every new subscriber and overwritten by the next one), over
 * e4j-mqtt's {@link MqttConnection}, which waits for a broker that is not up yet and reconnects by
 * itself after a loss, until closed. A broker that refuses C2 (credentials, certificate, MQTT
 * version) is not tried again: the refusal is logged as an error, and C2 needs new settings and a
 * restart. While it is not connected, a command fails at once, naming the broker and the last
 * connection error, and waits in the outbox for its retry: the HiveMQ client's asynchronous publish
 * would otherwise block the delivery thread until a first connection.
 */
public final class MqttTransport implements Transport {
  private static final Logger LOG = LoggerFactory.getLogger(MqttTransport.class);

  private static final int COMMAND_QOS = 2;

  /** Reports are repeated by devices, not kept: at least once is enough. */
  private static final int REPORT_QOS = 1;

  private static final String REPORT_GROUP = "e4j-c2";

  private static final String REPORT_TOPIC_PREFIX =
      KeyReports.REPORT_TOPIC_FILTER.substring(0, KeyReports.REPORT_TOPIC_FILTER.length() - 1);
  private static final int MQTT3_IN_FLIGHT = 16;
  private static final Duration RECONNECT_MAX_DELAY = Duration.ofSeconds(10);

  private final MqttConnection connection;

  /** Why the last connection attempt failed or the connection was lost; never credentials. */
  private volatile String lastFailure = "no connection attempt yet";

  private final List<Runnable> reconnected = new CopyOnWriteArrayList<>();

  /** Where key reports go; none until {@link #onReports}. */
  private volatile BiConsumer<String, byte[]> reports;

  /** Reads presence from Mosquitto's log, when so configured and {@link #onPresence} was called. */
  private volatile MosquittoLog mosquittoLog;

  private final C2Config.PresenceSource presenceSource;

  private MqttTransport(C2Config.Mqtt settings, TrustManagerFactory trust) {
    MqttConnection.Settings.Builder connection =
        MqttConnection.Settings.builder()
            .host(settings.host())
            .port(settings.port())
            .mqttVersion(settings.version())
            .clientId(settings.clientId())
            .credentials(
                settings.username(),
                settings.password() == null ? null : settings.password().getBytes(UTF_8))
            .cleanSession(true)
            .reconnectMaxDelay(RECONNECT_MAX_DELAY)
            .retryFirstConnection(true);
    if (settings.tls()) {
      connection.tls(trust);
    }
    this.connection = MqttConnection.create(connection.build(), new Events());
    this.presenceSource = settings.presence();
  }

  /**
   * Connects to the broker, waiting up to {@code connectTimeout}; if the broker is not reachable
   * yet, keeps trying in the background (commands wait in the outbox meanwhile). A refusal, now or
   * later, is logged as an error and ends the attempts.
   */
  public static MqttTransport connect(
      C2Config.Mqtt settings, TrustManagerFactory trust, Duration connectTimeout) {
    MqttTransport transport = new MqttTransport(settings, trust);
    CompletableFuture<Void> connecting =
        transport.connection.connect().whenComplete((done, failure) -> transport.ended(failure));
    try {
      connecting.get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn(
          "MQTT broker {} not reachable yet ({}); retrying in the background",
          transport.where(),
          transport.lastFailure);
    } catch (ExecutionException e) {
      // Said by ended().
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return transport;
  }

  /** The connection's events, on the MQTT client's threads. */
  private final class Events implements MqttConnection.Events {
    @Override
    public void connected() {
      LOG.info("connected to MQTT broker {}", where());
      if (reports != null) {
        // A clean session forgets subscriptions: subscribe again at every connection.
        connection
            .subscribe(reportFilter(), REPORT_QOS)
            .whenComplete(
                (done, failure) -> {
                  if (failure != null) {
                    LOG.warn(
                        "C2 cannot subscribe to key reports ({}) on {}: {}",
                        KeyReports.REPORT_TOPIC_FILTER,
                        where(),
                        failure.getMessage());
                  }
                });
      }
      if (mosquittoLog != null) {
        subscribeToPresence();
      }
      reconnected.forEach(Runnable::run);
    }

    @Override
    public void received(String topic, byte[] payload, int qos, boolean retained) {
      BiConsumer<String, byte[]> receiver = reports;
      if (receiver != null && topic.startsWith(REPORT_TOPIC_PREFIX)) {
        receiver.accept(topic, payload);
        return;
      }
      MosquittoLog log = mosquittoLog;
      if (log != null && topic.startsWith("$SYS/")) {
        log.line(topic, payload);
      }
    }

    @Override
    public void disconnected(Throwable cause) {
      lastFailure = cause.getMessage();
      LOG.warn("disconnected from MQTT broker {}: {}", where(), lastFailure);
    }

    @Override
    public void refused(BrokerRefusedException refusal) {
      refusedFor(refusal);
    }
  }

  /** How the first connect() ended: a refusal is said once, as an error. */
  private void ended(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof BrokerRefusedException refusal) {
      refusedFor(refusal);
    } else if (cause != null) {
      lastFailure = cause.getMessage();
    }
  }

  private void refusedFor(BrokerRefusedException refusal) {
    lastFailure = refusal.getMessage();
    LOG.error(
        "{}; C2 stops trying: correct the broker settings{} and restart",
        lastFailure,
        refusal.reason() == BrokerRefusedException.Reason.PROTOCOL_VERSION
            ? " (broker.mqttVersion: 3 for a broker that speaks only MQTT 3.1.1)"
            : "");
  }

  @Override
  public void onReports(BiConsumer<String, byte[]> receiver) {
    this.reports = receiver;
    if (connection.isConnected()) {
      connection.subscribe(reportFilter(), REPORT_QOS);
    }
  }

  @Override
  public void onPresence(PresenceEvents events) {
    if (presenceSource != C2Config.PresenceSource.MOSQUITTO_LOG) {
      return;
    }
    this.mosquittoLog = new MosquittoLog(events);
    if (connection.isConnected()) {
      subscribeToPresence();
    }
  }

  /**
   * Over MQTT 5, a shared subscription: several C2 nodes on one broker each take a share of the
   * reports instead of all of them (the second copy of a report would be refused as a replay).
   */
  private String reportFilter() {
    return connection.settings().mqttVersion() == 5
        ? "$share/" + REPORT_GROUP + "/" + KeyReports.REPORT_TOPIC_FILTER
        : KeyReports.REPORT_TOPIC_FILTER;
  }

  /** Mosquitto's log lines of subscriptions and departures (see {@link MosquittoLog}). */
  private void subscribeToPresence() {
    for (String topic : List.of(MosquittoLog.SUBSCRIPTIONS, MosquittoLog.NOTICES)) {
      connection
          .subscribe(topic, REPORT_QOS)
          .whenComplete(
              (done, failure) -> {
                if (failure != null) {
                  LOG.warn(
                      "C2 cannot read Mosquitto's log on {} ({}): devices' presence is unknown",
                      topic,
                      failure.getMessage());
                }
              });
    }
  }

  @Override
  public void onReconnected(Runnable action) {
    reconnected.add(action);
  }

  @Override
  public CompletableFuture<Void> send(byte[] deviceId, byte[] message) {
    if (!connection.isConnected()) {
      return CompletableFuture.failedFuture(
          new IllegalStateException(
              "not connected to MQTT broker " + where() + ": " + lastFailure));
    }
    return connection
        .publish(Keys.controlTopic(deviceId), message, COMMAND_QOS, false)
        .exceptionallyCompose(failure -> CompletableFuture.failedFuture(commandFailure(failure)));
  }

  /**
   * A refused command (MQTT 5: PUBACK or PUBREC with an error code) is the {@link
   * BrokerRefusedException} itself, whose message names the broker, the control topic and the
   * broker's reason code, e.g. {@code ... refused the message on e4/...: not authorized (PUBREC
   * 0x87)}; any other failure is left as it is.
   */
  private static Throwable commandFailure(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    return cause instanceof BrokerRefusedException ? cause : failure;
  }

  /**
   * MQTT 5 brokers announce how many QoS 2 publishes they take at once (receive maximum) and the
   * client keeps to it. MQTT 3.1.1 has no such signal, and Mosquitto acknowledges QoS 2 publishes
   * beyond its {@code max_inflight_messages} (20 by default) without forwarding them: stay below.
   */
  @Override
  public int inFlightLimit() {
    return connection.settings().mqttVersion() == 5 ? Integer.MAX_VALUE : MQTT3_IN_FLIGHT;
  }

  @Override
  public boolean connected() {
    return connection.isConnected();
  }

  @Override
  public String describe() {
    return "MQTT " + (connection.settings().mqttVersion() == 5 ? "5 " : "3.1.1 ") + where();
  }

  private String where() {
    return connection.settings().address();
  }

  /** Disconnects; the connection also stops reconnecting, a reconnection under way included. */
  @Override
  public void close() {
    try {
      connection.disconnect().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Not connected: the connection stops its retries all the same.
      LOG.debug("MQTT disconnect did not complete cleanly", e);
    }
  }
}
