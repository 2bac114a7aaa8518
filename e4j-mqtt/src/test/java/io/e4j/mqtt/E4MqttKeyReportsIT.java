package io.e4j.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.e4j.core.Commands;
import io.e4j.core.E4Client;
import io.e4j.core.KeyReport;
import io.e4j.core.KeyReports;
import io.e4j.core.Keys;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key reports through a real Mosquitto: a raw MQTT client in C2's place subscribes to {@code
 * e4j/reports/#}, sends protected commands as C2 does, and opens the reports with {@link
 * KeyReports}.
 */
class E4MqttKeyReportsIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int BURST = 20;

  @TempDir Path directory;

  private Mosquitto broker;
  private Mqtt5BlockingClient c2;
  private final List<Received> reports = new CopyOnWriteArrayList<>();
  private final List<E4MqttClient> clients = new ArrayList<>();

  private record Received(String topic, byte[] payload) {}

  @BeforeEach
  void startBrokerAndC2() throws Exception {
    broker = Mosquitto.start(directory);
    // A persistent session that reconnects by itself, as C2's would: reports sent while the
    // broker restarts reach it.
    c2 =
        MqttClient.builder()
            .useMqttVersion5()
            .identifier("test-c2")
            .serverHost("127.0.0.1")
            .serverPort(broker.port())
            .automaticReconnectWithDefaultConfig()
            .buildBlocking();
    c2.toAsync()
        .publishes(
            MqttGlobalPublishFilter.ALL,
            publish ->
                reports.add(
                    new Received(publish.getTopic().toString(), publish.getPayloadAsBytes())));
    c2.connectWith().cleanStart(false).sessionExpiryInterval(600).send();
    c2.subscribeWith().topicFilter("e4j/reports/#").qos(MqttQos.AT_LEAST_ONCE).send();
  }

  @AfterEach
  void stopEverything() {
    for (E4MqttClient client : clients) {
      client.disconnect().exceptionally(failure -> null).join();
    }
    if (c2.getState().isConnected()) {
      c2.disconnect();
    }
    broker.close();
  }

  private E4MqttClient connect(E4Client device, boolean keyReports) {
    E4MqttClient client =
        E4MqttClient.builder(device)
            .host("127.0.0.1")
            .port(broker.port())
            .reconnectMaxDelay(Duration.ofSeconds(1))
            .keyReports(keyReports)
            .build();
    clients.add(client);
    client.blocking(WAIT).connect();
    return client;
  }

  private static byte[] key(String label) {
    return io.e4j.core.internal.crypto.Hashing.sha3(label.getBytes(UTF_8));
  }

  /** What C2 does for a rotation or a link: a SetTopicKey per topic, protected at send time. */
  private Map<String, byte[]> sendBurst(E4Client device, byte[] commandKey) {
    Map<String, byte[]> sent = new LinkedHashMap<>();
    for (int i = 0; i < BURST; i++) {
      String topic = "plant/line-" + (i % (BURST / 2));
      byte[] topicKey = key("topic " + i + " " + Instant.now());
      sent.put(topic, topicKey);
      c2.publishWith()
          .topic(device.controlTopic())
          .payload(
              Commands.protect(Commands.setTopicKey(topicKey, topic), commandKey, Instant.now()))
          .qos(MqttQos.EXACTLY_ONCE)
          .send();
    }
    return sent;
  }

  private List<KeyReport> opened(E4Client device, Function<byte[], KeyReport> open) {
    List<KeyReport> opened = new ArrayList<>();
    for (Received report : reports) {
      assertThat(report.topic()).isEqualTo(device.reportTopic());
      assertThat(KeyReports.claimedDeviceId(report.payload())).isEqualTo(device.id());
      opened.add(open.apply(report.payload()));
    }
    return opened;
  }

  private static Map<String, String> expectedFingerprints(Map<String, byte[]> keys) {
    Map<String, String> expected = new LinkedHashMap<>();
    keys.forEach(
        (topic, key) ->
            expected.put(
                hex(KeyReports.topicHash(topic)),
                hex(KeyReports.topicKeyFingerprint(KeyReports.topicHash(topic), key))));
    return expected;
  }

  private static Map<String, String> reported(KeyReport report) {
    Map<String, String> fingerprints = new LinkedHashMap<>();
    for (KeyReport.TopicKeyFingerprint topic : report.topics()) {
      fingerprints.put(hex(topic.topicHash()), hex(topic.keyFingerprint()));
    }
    return fingerprints;
  }

  @Test
  void symmetricDevice_reportsOnConnect_andOnceAfterABurstOfCommands() {
    byte[] clientKey = key("client sk-device");
    E4Client device = E4Client.builder().name("sk-device").key(clientKey).build();
    Function<byte[], KeyReport> open = report -> KeyReports.openSymmetric(report, clientKey);

    connect(device, true);
    await().atMost(WAIT).until(() -> reports.size() == 1);
    KeyReport onConnect = opened(device, open).get(0);
    assertThat(onConnect.topics()).isEmpty();
    assertThat(onConnect.lastCommandTime()).isZero();

    Map<String, byte[]> sent = sendBurst(device, clientKey);

    await()
        .atMost(WAIT)
        .until(
            () -> {
              List<KeyReport> all = opened(device, open);
              return reported(all.get(all.size() - 1)).equals(expectedFingerprints(sent));
            });
    List<KeyReport> all = opened(device, open);
    System.out.println(
        "E4MqttKeyReportsIT: " + BURST + " commands gave " + (all.size() - 1) + " report(s)");
    assertThat(all.size() - 1).as("reports after the burst").isBetween(1, 3);
    assertThat(all).extracting(KeyReport::sequence).isSorted().doesNotHaveDuplicates();
    assertThat(all.get(all.size() - 1).ownKeyFingerprint())
        .isEqualTo(KeyReports.ownKeyFingerprint(E4Client.Mode.SYMMETRIC, clientKey));
  }

  @Test
  void publicKeyDevice_reportsSigned_andC2OpensThemWithTheSharedKey() {
    byte[] signingKey = io.e4j.core.internal.crypto.Signing.privateKeyFromSeed(key("pk-device"));
    byte[] c2Private = key("c2 private");
    byte[] c2Public = Keys.curve25519PublicFromPrivate(c2Private);
    E4Client device =
        E4Client.builder().name("pk-device").signingKey(signingKey).c2PublicKey(c2Public).build();
    byte[] shared = Keys.sharedKey(c2Private, Keys.curve25519Public(device.publicKey()));
    Function<byte[], KeyReport> open =
        report -> KeyReports.openSigned(report, shared, device.publicKey());

    connect(device, true);
    await().atMost(WAIT).until(() -> reports.size() == 1);
    Map<String, byte[]> sent = sendBurst(device, shared);

    await()
        .atMost(WAIT)
        .until(
            () -> {
              List<KeyReport> all = opened(device, open);
              return reported(all.get(all.size() - 1)).equals(expectedFingerprints(sent));
            });
    KeyReport last = opened(device, open).get(reports.size() - 1);
    assertThat(last.c2KeyFingerprint()).isEqualTo(KeyReports.c2KeyFingerprint(c2Public));
    assertThat(last.ownKeyFingerprint())
        .isEqualTo(KeyReports.ownKeyFingerprint(E4Client.Mode.PUBLIC_KEY, device.publicKey()));
  }

  @Test
  void reconnecting_reportsAgain() throws Exception {
    byte[] clientKey = key("client sk-device");
    E4Client device = E4Client.builder().name("sk-device").key(clientKey).build();
    connect(device, true);
    await().atMost(WAIT).until(() -> reports.size() == 1);

    broker.stop();
    broker.restart();

    await().atMost(WAIT).until(() -> reports.size() >= 2);
    assertThat(
            KeyReports.openSymmetric(reports.get(reports.size() - 1).payload(), clientKey)
                .sequence())
        .isGreaterThan(1);
  }

  @Test
  void withReportsOff_nothingIsPublished() throws InterruptedException {
    byte[] clientKey = key("client quiet");
    E4Client device = E4Client.builder().name("quiet").key(clientKey).build();
    connect(device, false);
    sendBurst(device, clientKey);

    await().atMost(WAIT).until(() -> device.topicHashes().size() == BURST / 2);
    Thread.sleep(1_500);
    assertThat(reports).isEmpty();
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
