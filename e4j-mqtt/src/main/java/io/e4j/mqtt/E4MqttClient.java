package io.e4j.mqtt;

import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.datatypes.MqttTopicFilter;
import io.e4j.core.E4Client;
import io.e4j.core.E4Exception;
import io.e4j.core.E4Exception.Reason;
import io.e4j.mqtt.internal.Coalescer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import javax.net.ssl.TrustManagerFactory;

/**
 * An E4 device on an MQTT broker: what it publishes is protected, what it receives is unprotected,
 * and the commands C2 sends to its control topic are applied and never reach the application.
 *
 * <pre>{@code
 * E4MqttClient mqtt = E4MqttClient.builder(device).host("broker.example").port(8883)
 *     .trustStore(trustStore).credentials("meter-0042", password).build();
 * mqtt.subscribe("meters/+/reading", 1, message -> handle(message.topic(), message.payload()));
 * mqtt.connect().join();
 * mqtt.publish("meters/0042/reading", reading, 1, false);
 * }</pre>
 *
 * <p>Against a broker that checks e4j devices' own passwords ({@code e4 server} with {@code
 * broker.access = devices}), {@link Builder#deviceLogin()} replaces {@code credentials(...)}: the
 * password follows the device's key at each connection.
 *
 * <p>On connect it subscribes to the control topic with QoS 2, on a persistent session by default
 * so commands sent while the device was offline arrive when it returns. It reconnects by itself and
 * restores every subscription. Subscriptions made before {@link #connect()} are in place before any
 * queued message is delivered.
 *
 * <p>{@link #connect()} fails when the broker refuses ({@link BrokerRefusedException}, with its
 * reason: credentials, TLS, MQTT version) or cannot be reached ({@link
 * BrokerUnreachableException}), unless {@link Builder#retryFirstConnection} asks to wait for it; a
 * lost connection is retried, and a refused reconnection reported to {@link
 * E4MqttListener#refused}. See {@link MqttConnection} for the whole story and the MQTT version.
 *
 * <p>Each incoming message is unprotected once, with the key of the topic it was published on, then
 * handed to every subscription whose filter matches. A message that fails a check is dropped and
 * reported to the {@link E4MqttListener}; the connection stays up.
 *
 * <p>Key reports (an e4j extension, docs/key-reports.md; on by default, {@link
 * Builder#keyReports}): once subscribed after each connection, and after applying commands, it
 * publishes {@link E4Client#keyReport()} on {@link E4Client#reportTopic()} (QoS 1, not retained),
 * so that C2 learns which keys the device holds. Commands arriving in a burst give one report, 200
 * ms after the last of them, and at least one a second while the burst lasts. Reports are made and
 * published on a thread of the client's own, which ends when idle.
 */
public final class E4MqttClient {
  private static final int COMMAND_QOS = 2;
  private static final int REPORT_QOS = 1;
  private static final Duration REPORT_QUIET = Duration.ofMillis(200);
  private static final Duration REPORT_MAX_DELAY = Duration.ofSeconds(1);

  private record Subscription(MqttTopicFilter matcher, int qos, Consumer<E4Message> handler) {}

  private final E4Client device;
  private final MessagePolicy policy;
  private final E4MqttListener listener;
  private final String controlTopic;
  private final MqttConnection connection;
  private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  private final Coalescer reports;
  private volatile boolean online;

  private E4MqttClient(Builder builder) {
    this.device = builder.device;
    this.policy = builder.policy;
    this.listener = builder.listener;
    this.controlTopic = device.controlTopic();
    this.connection = MqttConnection.create(builder.settings.build(), new Events());
    this.reports = builder.keyReports ? reportCoalescer() : null;
  }

  private Coalescer reportCoalescer() {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread =
                  new Thread(task, "e4-reports-" + HexFormat.of().formatHex(device.id()));
              thread.setDaemon(true);
              return thread;
            });
    // The thread ends when idle, so a client that is dropped without disconnecting leaks none.
    executor.setKeepAliveTime(5, TimeUnit.SECONDS);
    executor.allowCoreThreadTimeOut(true);
    executor.setRemoveOnCancelPolicy(true);
    return new Coalescer(
        REPORT_QUIET,
        REPORT_MAX_DELAY,
        Coalescer.Timer.on(executor),
        System::nanoTime,
        this::publishReport);
  }

  public static Builder builder(E4Client device) {
    if (device == null) {
      throw new IllegalArgumentException("device is null");
    }
    return new Builder(device);
  }

  /** The MQTT version of the connection: 5, or 3 (3.1.1), see {@link MqttConnection}. */
  public int mqttVersion() {
    return connection.mqttVersion();
  }

  /** The E4 client this connection protects and unprotects with. */
  public E4Client device() {
    return device;
  }

  /**
   * Connects, then subscribes to the control topic and to every subscription made so far. Completes
   * when the broker has acknowledged them all.
   */
  public CompletableFuture<Void> connect() {
    return connection
        .connect()
        .thenCompose(
            connected -> {
              // Online before subscribing: a subscribe() racing with this one then subscribes
              // itself (at worst twice, which the broker treats as one).
              online = true;
              return subscribeAll();
            })
        .thenRun(
            () -> {
              listener.connected();
              reportNow();
            });
  }

  /**
   * Protects {@code payload} with the topic's key and publishes it. Completes when the broker has
   * acknowledged it (QoS 1 and 2) or it has been sent (QoS 0).
   *
   * <p>Fails with {@link E4Exception} {@code TOPIC_KEY_MISSING} when no key is held for the topic,
   * unless the policy is {@link MessagePolicy#ALLOW_CLEARTEXT}, which publishes it in clear.
   */
  public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retain) {
    byte[] message;
    try {
      message = device.protect(topic, payload);
    } catch (E4Exception e) {
      if (e.reason() != Reason.TOPIC_KEY_MISSING || policy != MessagePolicy.ALLOW_CLEARTEXT) {
        return CompletableFuture.failedFuture(e);
      }
      message = payload;
    }
    return connection.publish(topic, message, qos, retain);
  }

  /**
   * Publishes {@code payload} as it is, without E4: for tests and for talking to devices that do
   * not speak E4. Never use it for data that must stay confidential.
   */
  public CompletableFuture<Void> publishUnprotected(
      String topic, byte[] payload, int qos, boolean retain) {
    return connection.publish(topic, payload, qos, retain);
  }

  /**
   * Subscribes {@code handler} to {@code topicFilter} (wildcards allowed). Before {@link
   * #connect()} it is only recorded, and made when the connection is.
   */
  public CompletableFuture<Void> subscribe(
      String topicFilter, int qos, Consumer<E4Message> handler) {
    MqttTopicFilter matcher;
    try {
      matcher = MqttTopicFilter.of(topicFilter);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("invalid MQTT topic filter " + topicFilter, e));
    }
    if (handler == null || qos < 0 || qos > 2) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("a subscription needs a handler and a QoS of 0, 1 or 2"));
    }
    subscriptions.put(topicFilter, new Subscription(matcher, qos, handler));
    return online
        ? connection.subscribe(topicFilter, qos)
        : CompletableFuture.completedFuture(null);
  }

  public CompletableFuture<Void> unsubscribe(String topicFilter) {
    if (subscriptions.remove(topicFilter) == null || !online) {
      return CompletableFuture.completedFuture(null);
    }
    return connection.unsubscribe(topicFilter);
  }

  /** Disconnects for good; a persistent session stays on the broker for the next connect. */
  public CompletableFuture<Void> disconnect() {
    online = false;
    return connection.disconnect();
  }

  /** The same operations, waiting for each to complete (at most {@code timeout}). */
  public Blocking blocking(Duration timeout) {
    return new Blocking(this, timeout);
  }

  @Override
  public String toString() {
    return "E4MqttClient[" + connection.settings() + ", device " + device + "]";
  }

  private CompletableFuture<Void> subscribeAll() {
    List<CompletableFuture<Void>> acks = new ArrayList<>();
    acks.add(connection.subscribe(controlTopic, COMMAND_QOS));
    subscriptions.forEach(
        (filter, subscription) -> acks.add(connection.subscribe(filter, subscription.qos())));
    return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new));
  }

  private void received(String topic, byte[] payload, int qos, boolean retained) {
    if (topic.equals(controlTopic)) {
      applyCommand(payload);
      return;
    }
    MqttTopic mqttTopic = MqttTopic.of(topic);
    List<Subscription> matching = new ArrayList<>(1);
    for (Subscription subscription : subscriptions.values()) {
      if (subscription.matcher().matches(mqttTopic)) {
        matching.add(subscription);
      }
    }
    if (matching.isEmpty()) {
      return;
    }
    E4Message message;
    try {
      message =
          new E4Message(topic, device.unprotect(topic, payload).orElseThrow(), qos, retained, true);
    } catch (E4Exception e) {
      if (e.reason() != Reason.TOPIC_KEY_MISSING || policy != MessagePolicy.ALLOW_CLEARTEXT) {
        listener.messageRejected(topic, e);
        return;
      }
      message = new E4Message(topic, payload, qos, retained, false);
    }
    for (Subscription subscription : matching) {
      try {
        subscription.handler().accept(message);
      } catch (RuntimeException e) {
        listener.handlerFailed(topic, e);
      }
    }
  }

  private void applyCommand(byte[] payload) {
    try {
      device.unprotect(controlTopic, payload);
    } catch (E4Exception e) {
      listener.messageRejected(controlTopic, e);
      return;
    }
    if (reports != null) {
      reports.request();
    }
    listener.commandApplied();
  }

  private void reportNow() {
    if (reports != null) {
      reports.requestNow();
    }
  }

  /** On the report thread: a new report, published if connected (the next connection reports). */
  private void publishReport() {
    if (!online || !connection.isConnected()) {
      return;
    }
    byte[] report;
    try {
      report = device.keyReport();
    } catch (RuntimeException e) {
      listener.reportFailed(e);
      return;
    }
    connection
        .publish(device.reportTopic(), report, REPORT_QOS, false)
        .whenComplete(
            (sent, failure) -> {
              if (failure != null) {
                listener.reportFailed(failure);
              }
            });
  }

  /** Network events, on the HiveMQ client's threads. */
  private final class Events implements MqttConnection.Events {
    @Override
    public void received(String topic, byte[] payload, int qos, boolean retained) {
      E4MqttClient.this.received(topic, payload, qos, retained);
    }

    @Override
    public void connected() {
      if (online) {
        subscribeAll()
            .whenComplete(
                (done, failure) -> {
                  if (failure == null) {
                    listener.connected();
                    reportNow();
                  } else {
                    listener.disconnected(failure);
                  }
                });
      }
    }

    @Override
    public void disconnected(Throwable cause) {
      listener.disconnected(cause);
    }

    @Override
    public void refused(BrokerRefusedException refusal) {
      listener.refused(refusal);
    }
  }

  /** {@link E4MqttClient}'s operations, each waiting for its outcome. */
  public static final class Blocking {
    private final E4MqttClient client;
    private final Duration timeout;

    private Blocking(E4MqttClient client, Duration timeout) {
      this.client = client;
      this.timeout = timeout;
    }

    public void connect() {
      await(client.connect(), "connecting to " + client.connection.settings());
    }

    public void publish(String topic, byte[] payload, int qos, boolean retain) {
      await(client.publish(topic, payload, qos, retain), "publishing on " + topic);
    }

    public void subscribe(String topicFilter, int qos, Consumer<E4Message> handler) {
      await(client.subscribe(topicFilter, qos, handler), "subscribing to " + topicFilter);
    }

    public void unsubscribe(String topicFilter) {
      await(client.unsubscribe(topicFilter), "unsubscribing from " + topicFilter);
    }

    public void disconnect() {
      await(client.disconnect(), "disconnecting");
    }

    private void await(CompletableFuture<Void> operation, String what) {
      try {
        operation.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new E4MqttException(what + " was interrupted", e);
      } catch (TimeoutException e) {
        throw new E4MqttException(what + " took longer than " + timeout, e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException runtime
            && !(runtime instanceof java.util.concurrent.CompletionException)) {
          throw runtime;
        }
        throw new E4MqttException(what + " failed: " + e.getCause().getMessage(), e.getCause());
      }
    }
  }

  /** Connection settings; only the device is required (broker on localhost:1883 otherwise). */
  public static final class Builder {
    private final E4Client device;
    private final MqttConnection.Settings.Builder settings =
        MqttConnection.Settings.builder()
            .cleanSession(false)
            .sessionExpiry(Duration.ofDays(7))
            .reconnectMaxDelay(Duration.ofSeconds(30));
    private MessagePolicy policy = MessagePolicy.STRICT;
    private E4MqttListener listener = new E4MqttListener() {};
    private boolean keyReports = true;

    private Builder(E4Client device) {
      this.device = device;
      clientId(null);
    }

    public Builder host(String host) {
      settings.host(host);
      return this;
    }

    public Builder port(int port) {
      settings.port(port);
      return this;
    }

    /**
     * 5 or 3 for MQTT 3.1.1, and only that version. Without it: MQTT 5, or 3.1.1 with a broker that
     * refuses MQTT 5 for its version.
     */
    public Builder mqttVersion(int version) {
      settings.mqttVersion(version);
      return this;
    }

    /** The MQTT client identifier; {@code "e4-" + hex(device ID)} by default. */
    public Builder clientId(String clientId) {
      settings.clientId(
          clientId != null ? clientId : "e4-" + HexFormat.of().formatHex(device.id()));
      return this;
    }

    /** Connect over TLS, trusting the certificates in {@code trustStore}. */
    public Builder trustStore(KeyStore trustStore) {
      try {
        TrustManagerFactory factory =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trustStore);
        settings.tls(factory);
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("the trust store cannot be used: " + e.getMessage(), e);
      }
      return this;
    }

    /** Connect over TLS with the JDK's default trusted certificates. */
    public Builder tls() {
      return trustStore(null);
    }

    /** A user name and a fixed password at the broker. Replaces {@link #deviceLogin()}. */
    public Builder credentials(String username, byte[] password) {
      settings.credentials(username, password);
      return this;
    }

    /**
     * Logs in as the device to a broker that checks e4j broker passwords (the embedded broker of
     * {@code e4 server} with {@code broker.access = devices}): user name {@code hex(device ID)},
     * password {@link E4Client#brokerPassword()} as it is at each connection, the automatic
     * reconnections included. The password changes when C2 changes the device's key (SetIDKey, or
     * SetC2Key in public-key mode), and such a broker then disconnects the device: it logs in again
     * with the key it holds. Replaces {@link #credentials}.
     */
    public Builder deviceLogin() {
      settings.credentialsEachConnection(
          HexFormat.of().formatHex(device.id()),
          () -> device.brokerPassword().getBytes(StandardCharsets.US_ASCII));
      return this;
    }

    /**
     * A clean session forgets subscriptions and queued messages when the device disconnects (false
     * by default: commands sent while offline must arrive).
     */
    public Builder cleanSession(boolean cleanSession) {
      settings.cleanSession(cleanSession);
      return this;
    }

    /** How long the broker keeps a persistent session (MQTT 5; 7 days by default). */
    public Builder sessionExpiry(Duration sessionExpiry) {
      settings.sessionExpiry(sessionExpiry);
      return this;
    }

    /**
     * Whether {@link E4MqttClient#connect()} keeps trying while the broker cannot be reached (false
     * by default: it fails), for a device that may start before its network or broker.
     */
    public Builder retryFirstConnection(boolean retry) {
      settings.retryFirstConnection(retry);
      return this;
    }

    /**
     * How long one connection attempt waits for the TCP connection, the TLS handshake and the
     * broker's answer, each (10 s by default).
     */
    public Builder connectTimeout(Duration connectTimeout) {
      settings.connectTimeout(connectTimeout);
      return this;
    }

    /** The longest wait between reconnection attempts (30 s by default). */
    public Builder reconnectMaxDelay(Duration reconnectMaxDelay) {
      settings.reconnectMaxDelay(reconnectMaxDelay);
      return this;
    }

    public Builder policy(MessagePolicy policy) {
      this.policy = policy;
      return this;
    }

    public Builder listener(E4MqttListener listener) {
      this.listener = listener;
      return this;
    }

    /**
     * Whether to publish key reports on {@link E4Client#reportTopic()} (true by default): after
     * each connection and after applying commands, so that C2 knows which keys the device holds.
     * Turn off for brokers that refuse the report topic; C2 then knows only what the broker took.
     */
    public Builder keyReports(boolean enabled) {
      this.keyReports = enabled;
      return this;
    }

    public E4MqttClient build() {
      return new E4MqttClient(this);
    }
  }
}
