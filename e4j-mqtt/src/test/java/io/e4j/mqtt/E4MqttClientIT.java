package io.e4j.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.e4j.core.Commands;
import io.e4j.core.E4Client;
import io.e4j.core.E4Exception;
import io.e4j.core.Keys;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Devices exchanging protected messages through a real Mosquitto broker. */
class E4MqttClientIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path directory;

  private Mosquitto broker;
  private final List<E4MqttClient> clients = new ArrayList<>();
  private final byte[] temperatureKey = Keys.randomKey();

  @BeforeEach
  void startBroker() throws Exception {
    broker = Mosquitto.start(directory);
  }

  @AfterEach
  void stopEverything() throws Exception {
    for (E4MqttClient client : clients) {
      client.disconnect().exceptionally(failure -> null).join();
    }
    broker.close();
  }

  private E4Client device(String name, byte[]... topicKeyForTemperature) {
    E4Client device = E4Client.builder().name(name).key(clientKey(name)).build();
    for (byte[] key : topicKeyForTemperature) {
      device.setTopicKey("sensors/temperature", key);
    }
    return device;
  }

  private static byte[] clientKey(String name) {
    return io.e4j.core.internal.crypto.Hashing.sha3(("client " + name).getBytes(UTF_8));
  }

  private E4MqttClient connect(E4Client device, MessagePolicy policy, Recorder recorder) {
    E4MqttClient client =
        E4MqttClient.builder(device)
            .host("127.0.0.1")
            .port(broker.port())
            .policy(policy)
            .listener(recorder)
            .reconnectMaxDelay(Duration.ofSeconds(1))
            .build();
    clients.add(client);
    return client;
  }

  @Test
  void twoDevicesExchange_andOneWithoutTheKeySeesOnlyCiphertext() {
    Recorder alice = new Recorder();
    Recorder bob = new Recorder();
    Recorder eve = new Recorder();
    E4MqttClient aliceMqtt = connect(device("alice", temperatureKey), MessagePolicy.STRICT, alice);
    E4MqttClient bobMqtt = connect(device("bob", temperatureKey), MessagePolicy.STRICT, bob);
    E4MqttClient eveMqtt = connect(device("eve"), MessagePolicy.ALLOW_CLEARTEXT, eve);
    bobMqtt.subscribe("sensors/temperature", 1, bob::deliver);
    eveMqtt.subscribe("sensors/temperature", 1, eve::deliver);
    CompletableFuture.allOf(aliceMqtt.connect(), bobMqtt.connect(), eveMqtt.connect()).join();

    aliceMqtt.blocking(WAIT).publish("sensors/temperature", "21.5 C".getBytes(UTF_8), 1, false);

    await().atMost(WAIT).until(() -> bob.messages.size() == 1 && eve.messages.size() == 1);
    assertThat(bob.messages.get(0).payload()).isEqualTo("21.5 C".getBytes(UTF_8));
    assertThat(bob.messages.get(0).protectedByE4()).isTrue();
    E4Message seenByEve = eve.messages.get(0);
    assertThat(seenByEve.protectedByE4()).isFalse();
    assertThat(seenByEve.payload()).hasSize(24 + 6);
    assertThat(new String(seenByEve.payload(), UTF_8)).doesNotContain("21.5");
  }

  @Test
  void strictPolicy_refusesToPublishInClearAndReportsUnreadableMessages() {
    Recorder alice = new Recorder();
    Recorder bob = new Recorder();
    E4MqttClient aliceMqtt = connect(device("alice", temperatureKey), MessagePolicy.STRICT, alice);
    E4MqttClient bobMqtt = connect(device("bob"), MessagePolicy.STRICT, bob);
    bobMqtt.subscribe("sensors/#", 1, bob::deliver);
    CompletableFuture.allOf(aliceMqtt.connect(), bobMqtt.connect()).join();

    assertThat(aliceMqtt.publish("sensors/humidity", new byte[] {1}, 1, false))
        .failsWithin(WAIT)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause()
        .isInstanceOfSatisfying(
            E4Exception.class,
            e -> assertThat(e.reason()).isEqualTo(E4Exception.Reason.TOPIC_KEY_MISSING));
    aliceMqtt.blocking(WAIT).publish("sensors/temperature", new byte[] {2}, 1, false);

    await().atMost(WAIT).until(() -> bob.rejections.size() == 1);
    assertThat(bob.rejections.get(0).reason()).isEqualTo(E4Exception.Reason.TOPIC_KEY_MISSING);
    assertThat(bob.messages).isEmpty();
  }

  @Test
  void commandOnTheControlTopic_letsTheDeviceReadATopicItCouldNotRead() {
    Recorder alice = new Recorder();
    Recorder bob = new Recorder();
    E4MqttClient aliceMqtt = connect(device("alice", temperatureKey), MessagePolicy.STRICT, alice);
    E4Client bobDevice = device("bob");
    E4MqttClient bobMqtt = connect(bobDevice, MessagePolicy.STRICT, bob);
    bobMqtt.subscribe("sensors/temperature", 1, bob::deliver);
    CompletableFuture.allOf(aliceMqtt.connect(), bobMqtt.connect()).join();
    aliceMqtt.blocking(WAIT).publish("sensors/temperature", "before".getBytes(UTF_8), 1, false);
    await().atMost(WAIT).until(() -> bob.rejections.size() == 1);

    publishRaw(
        bobDevice.controlTopic(),
        Commands.protect(
            Commands.setTopicKey(temperatureKey, "sensors/temperature"),
            clientKey("bob"),
            Instant.now()));
    await().atMost(WAIT).until(() -> bob.commands.size() == 1);
    aliceMqtt.blocking(WAIT).publish("sensors/temperature", "after".getBytes(UTF_8), 1, false);

    await().atMost(WAIT).until(() -> bob.messages.size() == 1);
    assertThat(bob.messages.get(0).payload()).isEqualTo("after".getBytes(UTF_8));
    assertThat(bobDevice.hasTopicKey("sensors/temperature")).isTrue();
  }

  @Test
  void wildcardSubscription_decryptsEachTopicWithItsOwnKey() {
    byte[] humidityKey = Keys.randomKey();
    E4Client aliceDevice = device("alice", temperatureKey);
    aliceDevice.setTopicKey("sensors/humidity", humidityKey);
    E4Client bobDevice = device("bob", temperatureKey);
    bobDevice.setTopicKey("sensors/humidity", humidityKey);
    Recorder bob = new Recorder();
    E4MqttClient aliceMqtt = connect(aliceDevice, MessagePolicy.STRICT, new Recorder());
    E4MqttClient bobMqtt = connect(bobDevice, MessagePolicy.STRICT, bob);
    bobMqtt.subscribe("sensors/+", 2, bob::deliver);
    CompletableFuture.allOf(aliceMqtt.connect(), bobMqtt.connect()).join();

    aliceMqtt.blocking(WAIT).publish("sensors/temperature", "21.5".getBytes(UTF_8), 2, false);
    aliceMqtt.blocking(WAIT).publish("sensors/humidity", "40%".getBytes(UTF_8), 2, false);

    await().atMost(WAIT).until(() -> bob.messages.size() == 2);
    Map<String, String> received = new ConcurrentHashMap<>();
    bob.messages.forEach(m -> received.put(m.topic(), new String(m.payload(), UTF_8)));
    assertThat(received)
        .containsEntry("sensors/temperature", "21.5")
        .containsEntry("sensors/humidity", "40%");
  }

  @Test
  void brokerRestart_losesNoQos1MessageAndRestoresSubscriptions() throws Exception {
    Recorder bob = new Recorder();
    E4MqttClient aliceMqtt =
        connect(device("alice", temperatureKey), MessagePolicy.STRICT, new Recorder());
    E4MqttClient bobMqtt = connect(device("bob", temperatureKey), MessagePolicy.STRICT, bob);
    bobMqtt.subscribe("sensors/temperature", 1, bob::deliver);
    CompletableFuture.allOf(aliceMqtt.connect(), bobMqtt.connect()).join();
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      sent.add(aliceMqtt.publish("sensors/temperature", ("m" + i).getBytes(UTF_8), 1, false));
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();

    broker.stop();
    for (int i = 20; i < 40; i++) {
      sent.add(aliceMqtt.publish("sensors/temperature", ("m" + i).getBytes(UTF_8), 1, false));
    }
    broker.restart();
    await().atMost(WAIT).until(() -> bob.connections.size() >= 2);
    for (int i = 40; i < 60; i++) {
      sent.add(aliceMqtt.publish("sensors/temperature", ("m" + i).getBytes(UTF_8), 1, false));
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
        .get(30, java.util.concurrent.TimeUnit.SECONDS);

    Set<String> expected = ConcurrentHashMap.newKeySet();
    for (int i = 0; i < 60; i++) {
      expected.add("m" + i);
    }
    await().atMost(WAIT).until(() -> bob.payloads().containsAll(expected));
    assertThat(bob.payloads()).isEqualTo(expected);
  }

  private void publishRaw(String topic, byte[] payload) {
    Mqtt5BlockingClient c2 =
        MqttClient.builder()
            .useMqttVersion5()
            .identifier("test-c2")
            .serverHost("127.0.0.1")
            .serverPort(broker.port())
            .buildBlocking();
    c2.connect();
    c2.publishWith().topic(topic).payload(payload).qos(MqttQos.EXACTLY_ONCE).send();
    c2.disconnect();
  }

  /** Everything a client reported. */
  private static final class Recorder implements E4MqttListener {
    final List<E4Message> messages = new CopyOnWriteArrayList<>();
    final List<E4Exception> rejections = new CopyOnWriteArrayList<>();
    final List<Instant> commands = new CopyOnWriteArrayList<>();
    final List<Instant> connections = new CopyOnWriteArrayList<>();

    void deliver(E4Message message) {
      messages.add(message);
    }

    Set<String> payloads() {
      Set<String> payloads = ConcurrentHashMap.newKeySet();
      messages.forEach(m -> payloads.add(new String(m.payload(), UTF_8)));
      return payloads;
    }

    @Override
    public void connected() {
      connections.add(Instant.now());
    }

    @Override
    public void commandApplied() {
      commands.add(Instant.now());
    }

    @Override
    public void messageRejected(String topic, E4Exception failure) {
      rejections.add(failure);
    }
  }
}
