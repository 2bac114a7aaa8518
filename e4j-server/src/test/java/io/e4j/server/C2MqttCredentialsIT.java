package io.e4j.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.e4j.mqtt.E4MqttClient;
import io.e4j.mqtt.Mosquitto;
import io.e4j.mqtt.TestCertificates;
import io.e4j.server.Devices.Device;
import io.e4j.server.node.C2Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * C2 delivering commands through a Mosquitto that admits only known users: C2 and each device log
 * in with their own name and password; a wrong password for C2 is refused, said so, and loses no
 * command.
 */
class C2MqttCredentialsIT {
  private static final String TOPIC = "plant/line-2/pumps";
  private static final String C2_USER = "e4j-c2";
  private static final String C2_PASSWORD = "c2-broker-secret-8d2e";
  private static final String WRONG_PASSWORD = "c2-wrong-secret-31b7";
  private static final String DEVICE_PASSWORD = "device-broker-secret-a40f";
  private static final String TRUST_STORE_PASSWORD = "trust-store-secret-77c9";
  private static final Map<String, String> USERS =
      Map.of(
          C2_USER,
          C2_PASSWORD,
          "pump-alice",
          DEVICE_PASSWORD + "-alice",
          "pump-bob",
          DEVICE_PASSWORD + "-bob");

  @TempDir Path directory;

  private Mosquitto broker;
  private C2Server server;
  private Devices devices;
  private LogCapture logs;

  @BeforeEach
  void startLogs() {
    logs = new LogCapture();
  }

  @AfterEach
  void stop() {
    if (devices != null) {
      devices.close();
    }
    if (server != null) {
      server.close();
    }
    if (broker != null) {
      broker.close();
    }
    logs.close();
    assertThat(logs.lines())
        .as("log lines with a password")
        .noneMatch(
            line ->
                line.contains(C2_PASSWORD)
                    || line.contains(WRONG_PASSWORD)
                    || line.contains(DEVICE_PASSWORD)
                    || line.contains(TRUST_STORE_PASSWORD));
  }

  private C2Service startC2(C2Config.Mqtt mqtt) {
    server =
        C2Server.start(
            C2Config.defaults(directory.resolve("c2"))
                .withApi(C2Config.Api.disabled())
                .withBroker(mqtt),
            Clock.systemUTC(),
            Map.of());
    return server.service();
  }

  private C2Config.Mqtt plain(String password, int mqttVersion) {
    return new C2Config.Mqtt(
        "127.0.0.1",
        broker.port(),
        false,
        null,
        null,
        C2_USER,
        password,
        mqttVersion,
        C2_USER,
        C2Config.PresenceSource.NONE);
  }

  /** A device logging in as {@code name}, with whatever else {@code access} adds. */
  private Device device(
      C2Service c2, String name, int mqttVersion, UnaryOperator<E4MqttClient.Builder> access) {
    if (devices == null) {
      devices = new Devices(c2, broker.port());
    }
    return devices.create(
        name,
        mqttVersion,
        client -> access.apply(client.credentials(name, USERS.get(name).getBytes(UTF_8))));
  }

  /** Links both devices, waits for their keys, and has alice send bob a protected message. */
  private static void linkAndExchange(C2Service c2, Device alice, Device bob) {
    c2.createTopic(TOPIC);
    bob.subscribe(TOPIC);
    c2.link(alice.ref(), TOPIC);
    c2.link(bob.ref(), TOPIC);
    await()
        .atMost(Devices.WAIT)
        .until(() -> alice.client.hasTopicKey(TOPIC) && bob.client.hasTopicKey(TOPIC));
    alice.publish(TOPIC, "pump 3 at 70%".getBytes(UTF_8));
    await().atMost(Devices.WAIT).until(() -> bob.messages.size() == 1);
    assertThat(bob.messages.get(0).payload()).isEqualTo("pump 3 at 70%".getBytes(UTF_8));
    assertThat(bob.rejections).isEmpty();
  }

  private static void assertDelivered(C2Service c2, Device... devices) {
    for (Device device : devices) {
      await()
          .atMost(Devices.WAIT)
          .untilAsserted(
              () ->
                  assertThat(c2.deliveries(device.ref(), 10))
                      .extracting(Delivery::command, Devices::taken)
                      .containsExactly(Tuple.tuple("SetTopicKey", DeliveryStatus.SENT)));
    }
    assertThat(c2.undeliveredCount()).isZero();
  }

  @ParameterizedTest(name = "MQTT {0}")
  @ValueSource(ints = {3, 5})
  void theRightCredentials_deliverCommands(int mqttVersion) throws Exception {
    broker = Mosquitto.start(Files.createDirectory(directory.resolve("broker")), null, USERS);
    C2Service c2 = startC2(plain(C2_PASSWORD, mqttVersion));
    Device alice = device(c2, "pump-alice", mqttVersion, UnaryOperator.identity());
    Device bob = device(c2, "pump-bob", mqttVersion, UnaryOperator.identity());

    linkAndExchange(c2, alice, bob);

    assertDelivered(c2, alice, bob);
    assertThat(logs.has("INFO", "connected to MQTT broker mqtt://127.0.0.1:" + broker.port()))
        .isTrue();
  }

  @Test
  void credentialsOverTls_deliverCommands() throws Exception {
    TestCertificates certificates =
        TestCertificates.create(Files.createDirectory(directory.resolve("pki")));
    broker =
        Mosquitto.start(Files.createDirectory(directory.resolve("broker")), certificates, USERS);
    Path trustStore =
        TrustStores.writeTrustStore(
            certificates.trustStore(), directory.resolve("trust.p12"), TRUST_STORE_PASSWORD);
    C2Service c2 =
        startC2(
            new C2Config.Mqtt(
                "127.0.0.1",
                broker.port(),
                true,
                trustStore,
                TRUST_STORE_PASSWORD,
                C2_USER,
                C2_PASSWORD,
                5,
                C2_USER,
                C2Config.PresenceSource.NONE));
    UnaryOperator<E4MqttClient.Builder> tls =
        client -> client.trustStore(certificates.trustStore());
    Device alice = device(c2, "pump-alice", 5, tls);
    Device bob = device(c2, "pump-bob", 5, tls);

    linkAndExchange(c2, alice, bob);

    assertDelivered(c2, alice, bob);
    assertThat(logs.has("INFO", "connected to MQTT broker mqtts://127.0.0.1:" + broker.port()))
        .isTrue();
  }

  @Test
  void aWrongPassword_isRefused_andTheCommandsWaitForTheRightOne() throws Exception {
    broker = Mosquitto.start(Files.createDirectory(directory.resolve("broker")), null, USERS);
    C2Service c2 = startC2(plain(WRONG_PASSWORD, 5));
    Device alice = device(c2, "pump-alice", 5, UnaryOperator.identity());
    Device bob = device(c2, "pump-bob", 5, UnaryOperator.identity());
    c2.createTopic(TOPIC);

    c2.link(alice.ref(), TOPIC);
    c2.link(bob.ref(), TOPIC);

    // The broker refuses C2's login; the log and each command's delivery say so.
    String where = "MQTT broker mqtt://127.0.0.1:" + broker.port();
    String refusal = "refused the connection: not authorized (CONNACK 0x87)";
    assertThat(logs.has("ERROR", "mqtt://127.0.0.1:" + broker.port(), refusal)).isTrue();
    for (Device device : List.of(alice, bob)) {
      await()
          .atMost(Devices.WAIT)
          .until(() -> c2.deliveries(device.ref(), 10).get(0).status() == DeliveryStatus.FAILED);
      assertThat(c2.deliveries(device.ref(), 10).get(0).lastError())
          .hasValueSatisfying(
              error -> assertThat(error).contains("not connected to " + where, refusal));
    }
    assertThat(c2.undeliveredCount()).isEqualTo(2);
    assertThat(alice.commands).hasValue(0);
    assertThat(bob.commands).hasValue(0);

    // Restarted on the same key store with the right password, C2 delivers what waited.
    server.close();
    server = null;
    C2Service fixed = startC2(plain(C2_PASSWORD, 5));

    await()
        .atMost(Devices.WAIT)
        .until(() -> alice.client.hasTopicKey(TOPIC) && bob.client.hasTopicKey(TOPIC));
    assertDelivered(fixed, alice, bob);
    bob.subscribe(TOPIC);
    alice.publish(TOPIC, "pump 3 at 70%".getBytes(UTF_8));
    await().atMost(Devices.WAIT).until(() -> bob.messages.size() == 1);
    assertThat(bob.messages.get(0).payload()).isEqualTo("pump 3 at 70%".getBytes(UTF_8));
  }
}
