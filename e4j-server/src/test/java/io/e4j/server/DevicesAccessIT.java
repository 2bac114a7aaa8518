package io.e4j.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.e4j.core.ClientStore;
import io.e4j.core.E4Client;
import io.e4j.core.Keys;
import io.e4j.mqtt.BrokerRefusedException;
import io.e4j.mqtt.E4Message;
import io.e4j.mqtt.E4MqttClient;
import io.e4j.mqtt.E4MqttListener;
import io.e4j.mqtt.MqttConnection;
import io.e4j.server.node.C2Server;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker in {@code devices} access mode, with C2's own tables as the policy: a device
 * logs in with its hex ID and the broker password it derives from its key, uses only its own
 * control topic and the topics it is linked to, and loses a topic when C2 unlinks it.
 */
class DevicesAccessIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dataDirectory;

  private C2Server server;
  private final List<E4MqttClient> clients = new CopyOnWriteArrayList<>();

  private C2Service startC2() {
    C2Config config =
        C2Config.defaults(dataDirectory)
            .withApi(C2Config.Api.disabled())
            .withBroker(
                new C2Config.EmbeddedMqtt("127.0.0.1", 0)
                    .withAccess(C2Config.EmbeddedMqtt.Access.DEVICES));
    server = C2Server.start(config, Clock.systemUTC(), Map.of());
    return server.service();
  }

  @AfterEach
  void stop() {
    clients.forEach(client -> client.disconnect().exceptionally(failure -> null).join());
    if (server != null) {
      server.close();
    }
  }

  @Test
  void deviceWithItsDerivedPassword_getsItsKeysAndUsesItsTopics_untilUnlinked() throws Exception {
    C2Service c2 = startC2();
    c2.createTopic("plant/heat");
    E4Client alice = device(c2, "alice");
    E4Client bob = device(c2, "bob");
    c2.link(DeviceRef.name("alice"), "plant/heat");
    c2.link(DeviceRef.name("bob"), "plant/heat");
    E4MqttClient aliceMqtt = connect(alice, alice.brokerPassword());
    E4MqttClient bobMqtt = connect(bob, bob.brokerPassword());
    await()
        .atMost(WAIT)
        .until(() -> alice.hasTopicKey("plant/heat") && bob.hasTopicKey("plant/heat"));
    List<E4Message> received = new CopyOnWriteArrayList<>();
    bobMqtt.subscribe("plant/heat", 1, received::add).get(10, TimeUnit.SECONDS);

    aliceMqtt.publish("plant/heat", "21.5".getBytes(UTF_8), 1, false).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> received.size() == 1);
    assertThat(new String(received.get(0).payload(), UTF_8)).isEqualTo("21.5");

    c2.unlink(DeviceRef.name("bob"), "plant/heat");
    await().atMost(WAIT).until(() -> !bob.hasTopicKey("plant/heat"));
    Thread.sleep(500); // the broker drops bob's subscription as it follows C2's event log
    aliceMqtt.publish("plant/heat", "22.0".getBytes(UTF_8), 1, false).get(10, TimeUnit.SECONDS);
    Thread.sleep(1_000);
    assertThat(received).hasSize(1);
    assertThatThrownBy(
            () -> bobMqtt.subscribe("plant/heat", 1, received::add).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
  }

  @Test
  void deviceAwayDuringItsKeyChange_logsInWithItsOldPassword_andThenWithItsNewOne()
      throws Exception {
    C2Service c2 = startC2();
    E4Client frank = device(c2, "frank");
    String oldPassword = frank.brokerPassword();
    // A persistent session: the broker keeps what C2 sends while the device is away.
    connect(frank, oldPassword, false).disconnect().get(10, TimeUnit.SECONDS);

    c2.newDeviceKey(DeviceRef.name("frank"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                Devices.taken(c2.deliveries(DeviceRef.name("frank"), 1).get(0))
                    == DeliveryStatus.SENT);
    E4MqttClient back = connect(frank, oldPassword, false);

    await().atMost(WAIT).until(() -> !frank.brokerPassword().equals(oldPassword));
    back.disconnect().get(10, TimeUnit.SECONDS);
    connect(frank, frank.brokerPassword(), true);
    await()
        .atMost(WAIT)
        .until(() -> c2.deviceStatus(DeviceRef.name("frank"), 0).ownKeyCurrent().orElse(false));
  }

  /**
   * A device logged in with {@link E4MqttClient.Builder#deviceLogin()} while C2 gives it a new key
   * twice: each time the broker disconnects it (its credentials changed) and it logs in again with
   * the key it holds (the previous one, which C2 still accepts), receives its SetIDKey, and goes on
   * with the new key. A client with the password it was built with is locked out at the second
   * change.
   */
  @Test
  void deviceLoggedInByItsKey_throughTwoKeyChanges_staysIn_andGetsRotationsAndMessages()
      throws Exception {
    C2Service c2 = startC2();
    c2.createTopic("plant/heat");
    E4Client alice = device(c2, "alice");
    E4Client bob = device(c2, "bob");
    c2.link(DeviceRef.name("alice"), "plant/heat");
    c2.link(DeviceRef.name("bob"), "plant/heat");
    Listener aliceEvents = new Listener();
    E4MqttClient aliceMqtt = connectAsDevice(alice, aliceEvents);
    E4MqttClient bobMqtt = connectAsDevice(bob, new Listener());
    await()
        .atMost(WAIT)
        .until(() -> alice.hasTopicKey("plant/heat") && bob.hasTopicKey("plant/heat"));

    String firstPassword = alice.brokerPassword();
    c2.newDeviceKey(DeviceRef.name("alice"));
    await().atMost(WAIT).until(() -> !alice.brokerPassword().equals(firstPassword));
    String secondPassword = alice.brokerPassword();
    c2.newDeviceKey(DeviceRef.name("alice"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                !alice.brokerPassword().equals(secondPassword)
                    && c2.deviceStatus(DeviceRef.name("alice"), 0).ownKeyCurrent().orElse(false));

    assertThat(alice.brokerPassword()).isNotEqualTo(firstPassword);
    assertThat(aliceEvents.refusals).isEmpty();
    // Connected at first, then again after each change.
    await().atMost(WAIT).until(() -> aliceEvents.connections.get() >= 3);
    c2.rotateTopicKey("plant/heat");
    await().atMost(WAIT).until(() -> c2.topicStatus("plant/heat", 10).onCurrentKey() == 0);
    await().atMost(WAIT).until(() -> c2.topicStatus("plant/heat", 10).onCurrentKey() == 2);
    List<E4Message> received = new CopyOnWriteArrayList<>();
    bobMqtt.subscribe("plant/heat", 1, received::add).get(10, TimeUnit.SECONDS);
    aliceMqtt.publish("plant/heat", "21.5".getBytes(UTF_8), 1, false).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> received.size() == 1);
    assertThat(new String(received.get(0).payload(), UTF_8)).isEqualTo("21.5");
    assertThat(aliceEvents.refusals).isEmpty();
  }

  /**
   * A device away while C2 changes its key logs in with the password of the key it holds, the
   * previous one, receives the SetIDKey its session kept, and logs in with the new key's password
   * from then on.
   */
  @Test
  void deviceLoggedInByItsKey_awayDuringAKeyChange_logsInAndReceivesItsSetIdKey() throws Exception {
    C2Service c2 = startC2();
    E4Client frank = device(c2, "frank");
    String oldPassword = frank.brokerPassword();
    connectAsDevice(frank, new Listener()).disconnect().get(10, TimeUnit.SECONDS);

    c2.newDeviceKey(DeviceRef.name("frank"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                Devices.taken(c2.deliveries(DeviceRef.name("frank"), 1).get(0))
                    == DeliveryStatus.SENT);
    Listener events = new Listener();
    E4MqttClient back = connectAsDevice(frank, events);

    await()
        .atMost(WAIT)
        .until(() -> c2.deviceStatus(DeviceRef.name("frank"), 0).ownKeyCurrent().orElse(false));
    assertThat(frank.brokerPassword()).isNotEqualTo(oldPassword);
    back.disconnect().get(10, TimeUnit.SECONDS);
    back.connect().get(10, TimeUnit.SECONDS);
    assertThat(events.refusals).isEmpty();
  }

  @Test
  void wrongPasswordOrNoneOrC2sIdentity_cannotConnect() throws Exception {
    C2Service c2 = startC2();
    E4Client carol = device(c2, "carol");
    E4Client impostor =
        E4Client.builder().id(carol.id()).key(Keys.randomKey()).store(ClientStore.memory()).build();

    assertThatThrownBy(() -> connect(carol, impostor.brokerPassword()))
        .hasMessageContaining("refused");
    assertThatThrownBy(() -> anonymous("someone").connect().get(10, TimeUnit.SECONDS))
        .hasMessageContaining("refused");
    assertThatThrownBy(() -> anonymous("e4j-c2").connect().get(10, TimeUnit.SECONDS))
        .hasMessageContaining("refused");
    connect(carol, carol.brokerPassword());
  }

  @Test
  void deviceCannotSubscribeToAnothersControlTopicNorAnUnlinkedTopicNorPublishCommands()
      throws Exception {
    C2Service c2 = startC2();
    c2.createTopic("plant/secret");
    E4Client dave = device(c2, "dave");
    E4Client erin = device(c2, "erin");
    E4MqttClient daveMqtt = connect(dave, dave.brokerPassword());

    assertThatThrownBy(
            () ->
                daveMqtt.subscribe(erin.controlTopic(), 1, message -> {}).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
    assertThatThrownBy(
            () -> daveMqtt.subscribe("plant/secret", 1, message -> {}).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
    assertThatThrownBy(
            () -> daveMqtt.subscribe("plant/#", 1, message -> {}).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
  }

  private static E4Client device(C2Service c2, String name) {
    byte[] key = Keys.randomKey();
    c2.createDevice(NewDevice.of(DeviceRef.name(name), new DeviceCredential.SymmetricKey(key)));
    return E4Client.builder().name(name).key(key).store(ClientStore.memory()).build();
  }

  private E4MqttClient connect(E4Client device, String password) throws Exception {
    return connect(device, password, true);
  }

  private E4MqttClient connect(E4Client device, String password, boolean cleanSession)
      throws Exception {
    E4MqttClient client =
        E4MqttClient.builder(device)
            .cleanSession(cleanSession)
            .host("127.0.0.1")
            .port(server.embeddedBrokerPort().get())
            .credentials(HexFormat.of().formatHex(device.id()), password.getBytes(US_ASCII))
            .build();
    try {
      client.connect().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    }
    clients.add(client);
    return client;
  }

  /** Logged in as the device, with the password of the key it holds at each connection. */
  private E4MqttClient connectAsDevice(E4Client device, Listener listener) throws Exception {
    E4MqttClient client =
        E4MqttClient.builder(device)
            .host("127.0.0.1")
            .port(server.embeddedBrokerPort().get())
            .reconnectMaxDelay(Duration.ofSeconds(1))
            .deviceLogin()
            .listener(listener)
            .build();
    client.connect().get(10, TimeUnit.SECONDS);
    clients.add(client);
    return client;
  }

  /** How often a client connected, and the reconnections the broker refused. */
  private static final class Listener implements E4MqttListener {
    final AtomicInteger connections = new AtomicInteger();
    final List<BrokerRefusedException> refusals = new CopyOnWriteArrayList<>();

    @Override
    public void connected() {
      connections.incrementAndGet();
    }

    @Override
    public void refused(BrokerRefusedException refusal) {
      refusals.add(refusal);
    }
  }

  private MqttConnection anonymous(String clientId) {
    return MqttConnection.create(
        MqttConnection.Settings.builder()
            .host("127.0.0.1")
            .port(server.embeddedBrokerPort().get())
            .clientId(clientId)
            .build(),
        new MqttConnection.Events() {});
  }
}
