package io.e4j.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a connection fails, against a real Mosquitto: a refusal ends connect() with the broker's
 * reason within 5 s and is never retried; a broker that cannot be reached fails connect() at once
 * unless asked to wait for it; a lost connection is retried; a refused reconnection stops and is
 * reported; a broker that speaks only MQTT 3.1.1 is spoken to in 3.1.1 unless a version was chosen.
 */
class ConnectionFailuresIT {
  private static final Duration REFUSAL_LIMIT = Duration.ofSeconds(5);
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path directory;

  private final List<AutoCloseable> closing = new ArrayList<>();
  private final List<MqttConnection> connections = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (MqttConnection connection : connections) {
      connection.disconnect().exceptionally(failure -> null).get(5, TimeUnit.SECONDS);
    }
    for (AutoCloseable resource : closing) {
      resource.close();
    }
  }

  private Mosquitto broker(Mosquitto broker) {
    closing.add(broker);
    return broker;
  }

  private MqttConnection connection(MqttConnection.Settings.Builder settings, Recorder events) {
    MqttConnection connection =
        MqttConnection.create(
            settings.host("127.0.0.1").reconnectMaxDelay(Duration.ofMillis(500)).build(), events);
    connections.add(connection);
    return connection;
  }

  private static MqttConnection.Settings.Builder settings(int port, String clientId) {
    return MqttConnection.Settings.builder().port(port).clientId(clientId);
  }

  /** Runs connect() and returns what it failed with, checking it ended within 5 s. */
  private static Throwable connectFailure(MqttConnection connection) throws Exception {
    long start = System.nanoTime();
    CompletableFuture<Void> connecting = connection.connect();
    try {
      connecting.get(REFUSAL_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      System.out.println("connect() failed after " + took.toMillis() + " ms: " + e.getCause());
      assertThat(took).isLessThan(REFUSAL_LIMIT);
      return e.getCause();
    }
    throw new AssertionError("connect() succeeded");
  }

  @Test
  void wrongPassword_failsConnectWithTheBrokersReason_andIsNotRetried() throws Exception {
    Mosquitto mosquitto =
        broker(Mosquitto.start(directory, null, Map.of("meter-0042", "correct horse battery")));
    for (int version : new int[] {5, 3}) {
      Recorder events = new Recorder();
      MqttConnection connection =
          connection(
              settings(mosquitto.port(), "meter-0042-v" + version)
                  .mqttVersion(version)
                  .credentials("meter-0042", "wrong".getBytes(UTF_8)),
              events);

      Throwable failure = connectFailure(connection);

      assertThat(failure)
          .isInstanceOfSatisfying(
              BrokerRefusedException.class,
              refused ->
                  assertThat(refused.reason())
                      .isIn(
                          BrokerRefusedException.Reason.NOT_AUTHORIZED,
                          BrokerRefusedException.Reason.CREDENTIALS))
          .hasMessageStartingWith(
              "the broker at mqtt://127.0.0.1:" + mosquitto.port() + " refused the connection: ")
          .hasMessageContaining(version == 5 ? "(CONNACK 0x8" : "(CONNACK return code ");
      long accepted = mosquitto.connectionsAccepted();
      assertThat(accepted).as("the refused attempts, in Mosquitto's log").isPositive();
      Thread.sleep(1500); // three reconnection delays: an attempt would show in the log
      assertThat(mosquitto.connectionsAccepted()).isEqualTo(accepted);
      assertThat(events.all()).isEmpty();
      assertThat(connection.isConnected()).isFalse();
    }
  }

  @Test
  void untrustedCertificate_failsConnectWithATlsReason() throws Exception {
    TestCertificates certificates = TestCertificates.create(directory);
    Mosquitto mosquitto = broker(Mosquitto.start(directory, certificates));
    Recorder events = new Recorder();
    MqttConnection connection =
        connection(settings(mosquitto.port(), "carol").tls(jdkDefaultTrust()), events);

    Throwable failure = connectFailure(connection);

    assertThat(failure)
        .isInstanceOfSatisfying(
            BrokerRefusedException.class,
            refused -> assertThat(refused.reason()).isEqualTo(BrokerRefusedException.Reason.TLS))
        .hasMessageStartingWith(
            "the TLS handshake with the broker at mqtts://127.0.0.1:"
                + mosquitto.port()
                + " failed: the broker's certificate is not trusted (");
    assertThat(events.all()).isEmpty();
  }

  @Test
  void trustedCertificate_connects() throws Exception {
    TestCertificates certificates = TestCertificates.create(directory);
    Mosquitto mosquitto = broker(Mosquitto.start(directory, certificates));
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(certificates.trustStore());
    MqttConnection connection =
        connection(settings(mosquitto.port(), "dave").tls(trust), new Recorder());

    assertThat(connection.connect()).succeedsWithin(WAIT);
  }

  @Test
  void nothingListening_failsConnectAtOnce_unlessAskedToWaitForTheBroker() throws Exception {
    Mosquitto mosquitto = broker(Mosquitto.start(directory));
    mosquitto.stop();
    MqttConnection impatient = connection(settings(mosquitto.port(), "impatient"), new Recorder());

    Throwable failure = connectFailure(impatient);

    assertThat(failure)
        .isInstanceOf(BrokerUnreachableException.class)
        .hasMessage(
            "cannot connect to the broker at mqtt://127.0.0.1:"
                + mosquitto.port()
                + ": connection refused (nothing listening there?)");

    Recorder events = new Recorder();
    MqttConnection patient =
        connection(settings(mosquitto.port(), "patient").retryFirstConnection(true), events);
    CompletableFuture<Void> connecting = patient.connect();
    await().atMost(WAIT).until(() -> events.disconnections.size() >= 2);
    assertThat(connecting).isNotDone();
    assertThat(events.disconnections.get(0))
        .isInstanceOf(BrokerUnreachableException.class)
        .hasMessageContaining("connection refused");
    mosquitto.restart();
    assertThat(connecting).succeedsWithin(WAIT);
  }

  @Test
  void disconnectWhileWaitingForTheBroker_endsConnect_andTheAttempts() throws Exception {
    Mosquitto mosquitto = broker(Mosquitto.start(directory));
    mosquitto.stop();
    Recorder events = new Recorder();
    MqttConnection patient =
        connection(settings(mosquitto.port(), "patient").retryFirstConnection(true), events);
    CompletableFuture<Void> connecting = patient.connect();
    await().atMost(WAIT).until(() -> !events.disconnections.isEmpty());

    patient.disconnect();

    assertThat(connecting)
        .failsWithin(REFUSAL_LIMIT)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .withMessageContaining("disconnected before the broker at");
    int reported = events.disconnections.size();
    mosquitto.restart();
    Thread.sleep(1500); // three reconnection delays
    assertThat(events.disconnections).hasSize(reported);
    assertThat(events.connections).isEmpty();
    assertThat(patient.isConnected()).isFalse();
  }

  @Test
  void lostConnection_isRetried_andTheApplicationReceivesAgain() throws Exception {
    Mosquitto mosquitto = broker(Mosquitto.start(directory));
    Recorder events = new Recorder();
    MqttConnection subscriber = connection(settings(mosquitto.port(), "subscriber"), events);
    events.onConnected = () -> subscriber.subscribe("plant/#", 1);
    subscriber.connect().get(20, TimeUnit.SECONDS);
    subscriber.subscribe("plant/#", 1).get(20, TimeUnit.SECONDS);
    MqttConnection publisher = connection(settings(mosquitto.port(), "publisher"), new Recorder());
    publisher.connect().get(20, TimeUnit.SECONDS);
    publisher
        .publish("plant/pressure", "before".getBytes(UTF_8), 1, false)
        .get(20, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> events.payloads().contains("before"));

    mosquitto.stop();
    await().atMost(WAIT).until(() -> !events.disconnections.isEmpty());
    mosquitto.restart();
    await().atMost(WAIT).until(() -> events.connections.size() >= 2);
    await().atMost(WAIT).until(publisher::isConnected);
    publisher
        .publish("plant/pressure", "after".getBytes(UTF_8), 1, false)
        .get(20, TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> events.payloads().contains("after"));
    assertThat(events.refusals).isEmpty();
  }

  @Test
  void refusedReconnection_stopsTheRetries_andIsReported() throws Exception {
    Mosquitto mosquitto =
        broker(Mosquitto.start(directory, null, Map.of("meter-0042", "correct horse battery")));
    Recorder events = new Recorder();
    MqttConnection connection =
        connection(
            settings(mosquitto.port(), "meter-0042")
                .credentials("meter-0042", "correct horse battery".getBytes(UTF_8)),
            events);
    connection.connect().get(20, TimeUnit.SECONDS);

    mosquitto.setPassword("meter-0042", "a new password, revoked the old one");
    mosquitto.restart();

    await().atMost(WAIT).until(() -> !events.refusals.isEmpty());
    assertThat(events.refusals.get(0).reason())
        .isIn(
            BrokerRefusedException.Reason.NOT_AUTHORIZED,
            BrokerRefusedException.Reason.CREDENTIALS);
    assertThat(events.refusals.get(0)).hasMessageContaining("refused the connection");
    long accepted = mosquitto.connectionsAccepted();
    assertThat(accepted).as("the attempts so far, in Mosquitto's log").isGreaterThanOrEqualTo(2);
    Thread.sleep(1500);
    assertThat(mosquitto.connectionsAccepted()).isEqualTo(accepted);
    assertThat(events.refusals).hasSize(1);
    assertThat(connection.isConnected()).isFalse();
  }

  @Test
  void mqtt311OnlyBroker_isSpokenToIn311_whenNoVersionWasChosen() throws Exception {
    Mosquitto mosquitto = broker(Mosquitto.start(directory));
    for (Mqtt311OnlyBroker.Refusal refusal : Mqtt311OnlyBroker.Refusal.values()) {
      Mqtt311OnlyBroker gate = Mqtt311OnlyBroker.inFrontOf(mosquitto, refusal);
      closing.add(gate);
      Recorder events = new Recorder();
      MqttConnection device = connection(settings(gate.port(), "device-" + refusal), events);
      assertThat(device.mqttVersion()).isEqualTo(5);

      long start = System.nanoTime();
      device.connect().get(REFUSAL_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
      System.out.println(
          refusal
              + ": connected with MQTT "
              + device.mqttVersion()
              + " after "
              + Duration.ofNanos(System.nanoTime() - start).toMillis()
              + " ms");

      assertThat(device.mqttVersion()).isEqualTo(3);
      assertThat(gate.mqtt5Refused()).isEqualTo(1);
      device.subscribe("plant/" + refusal, 1).get(20, TimeUnit.SECONDS);
      MqttConnection other =
          connection(settings(mosquitto.port(), "other-" + refusal), new Recorder());
      other.connect().get(20, TimeUnit.SECONDS);
      other
          .publish("plant/" + refusal, "over 3.1.1".getBytes(UTF_8), 1, false)
          .get(20, TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> events.payloads().contains("over 3.1.1"));
    }
  }

  @Test
  void mqtt311OnlyBroker_refusesAChosenMqtt5_atOnce_sayingSo() throws Exception {
    Mosquitto mosquitto = broker(Mosquitto.start(directory));
    Mqtt311OnlyBroker gate =
        Mqtt311OnlyBroker.inFrontOf(mosquitto, Mqtt311OnlyBroker.Refusal.MQTT5_SHAPED_CONNACK);
    closing.add(gate);
    MqttConnection device =
        connection(settings(gate.port(), "device").mqttVersion(5), new Recorder());

    Throwable failure = connectFailure(device);

    assertThat(failure)
        .isInstanceOfSatisfying(
            BrokerRefusedException.class,
            refused ->
                assertThat(refused.reason())
                    .isEqualTo(BrokerRefusedException.Reason.PROTOCOL_VERSION))
        .hasMessageContaining("refused the connection: it does not speak MQTT 5");
    Thread.sleep(1000);
    assertThat(gate.mqtt5Refused()).isEqualTo(1);
  }

  private static TrustManagerFactory jdkDefaultTrust() throws Exception {
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init((java.security.KeyStore) null);
    return trust;
  }

  /** Everything the events reported. */
  private static final class Recorder implements MqttConnection.Events {
    final List<String> received = new CopyOnWriteArrayList<>();
    final List<Throwable> disconnections = new CopyOnWriteArrayList<>();
    final List<BrokerRefusedException> refusals = new CopyOnWriteArrayList<>();
    final List<Long> connections = new CopyOnWriteArrayList<>();
    volatile Runnable onConnected = () -> {};

    @Override
    public void received(String topic, byte[] payload, int qos, boolean retained) {
      received.add(new String(payload, UTF_8));
    }

    @Override
    public void connected() {
      connections.add(System.nanoTime());
      onConnected.run();
    }

    @Override
    public void disconnected(Throwable cause) {
      disconnections.add(cause);
    }

    @Override
    public void refused(BrokerRefusedException refusal) {
      refusals.add(refusal);
    }

    List<String> payloads() {
      return received;
    }

    List<Object> all() {
      List<Object> all = new ArrayList<>(disconnections);
      all.addAll(refusals);
      all.addAll(connections);
      return all;
    }
  }
}
