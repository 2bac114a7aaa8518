package io.e4j.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.e4j.mqtt.Mosquitto;
import io.e4j.mqtt.TestCertificates;
import io.e4j.server.Devices.Device;
import io.e4j.server.node.C2Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * C2 delivering commands through a Mosquitto that speaks only TLS: the broker's certificate is
 * checked against {@code broker.trustStore}, and a broker the trust store does not vouch for gets
 * no command.
 */
class C2MqttTlsIT {
  private static final String TOPIC = "plant/line-1/valves";
  private static final String TRUST_STORE_PASSWORD = "trust-store-secret-5f1c";

  @TempDir Path directory;

  private TestCertificates certificates;
  private Mosquitto broker;
  private C2Server server;
  private Devices devices;
  private LogCapture logs;

  @BeforeEach
  void startBroker() throws Exception {
    certificates = TestCertificates.create(Files.createDirectory(directory.resolve("pki")));
    broker = Mosquitto.start(Files.createDirectory(directory.resolve("broker")), certificates);
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
    broker.close();
    logs.close();
    assertThat(logs.lines())
        .as("log lines with the trust store's password")
        .noneMatch(line -> line.contains(TRUST_STORE_PASSWORD));
  }

  private C2Service startC2(Path trustStore, int mqttVersion) {
    C2Config config =
        C2Config.defaults(directory.resolve("c2"))
            .withApi(C2Config.Api.disabled())
            .withBroker(
                new C2Config.Mqtt(
                    "127.0.0.1",
                    broker.port(),
                    true,
                    trustStore,
                    TRUST_STORE_PASSWORD,
                    null,
                    null,
                    mqttVersion,
                    "e4j-c2",
                    C2Config.PresenceSource.NONE));
    server = C2Server.start(config, Clock.systemUTC(), Map.of());
    return server.service();
  }

  private Device tlsDevice(C2Service c2, String name, int mqttVersion) {
    if (devices == null) {
      devices = new Devices(c2, broker.port());
    }
    return devices.create(
        name, mqttVersion, client -> client.trustStore(certificates.trustStore()));
  }

  @ParameterizedTest(name = "MQTT {0}, trust store {1}")
  @CsvSource({"3, trust.p12", "5, trust.jks"})
  void commandsReachDevicesOverTls_trustingTheConfiguredStore(int mqttVersion, String file)
      throws Exception {
    Path trustStore =
        TrustStores.writeTrustStore(
            certificates.trustStore(), directory.resolve(file), TRUST_STORE_PASSWORD);
    C2Service c2 = startC2(trustStore, mqttVersion);
    c2.createTopic(TOPIC);
    Device alice = tlsDevice(c2, "tls-alice", mqttVersion);
    Device bob = tlsDevice(c2, "tls-bob", mqttVersion);
    bob.subscribe(TOPIC);

    c2.link(alice.ref(), TOPIC);
    c2.link(bob.ref(), TOPIC);

    await()
        .atMost(Devices.WAIT)
        .until(() -> alice.client.hasTopicKey(TOPIC) && bob.client.hasTopicKey(TOPIC));
    alice.publish(TOPIC, "valve 7 open".getBytes(UTF_8));
    await().atMost(Devices.WAIT).until(() -> bob.messages.size() == 1);
    assertThat(bob.messages.get(0).payload()).isEqualTo("valve 7 open".getBytes(UTF_8));
    assertThat(bob.rejections).isEmpty();
    for (Device device : List.of(alice, bob)) {
      await()
          .atMost(Devices.WAIT)
          .untilAsserted(
              () ->
                  assertThat(c2.deliveries(device.ref(), 10))
                      .extracting(Delivery::command, Devices::taken)
                      .containsExactly(Tuple.tuple("SetTopicKey", DeliveryStatus.SENT)));
    }
    assertThat(c2.undeliveredCount()).isZero();
    assertThat(logs.has("INFO", "connected to MQTT broker mqtts://127.0.0.1:" + broker.port()))
        .isTrue();
  }

  @Test
  void aBrokerCertificateFromAnUntrustedCa_isRefused_andTheCommandWaitsForTheRightTrustStore()
      throws Exception {
    TestCertificates otherCa =
        TestCertificates.create(Files.createDirectory(directory.resolve("other-pki")));
    Path wrongTrust =
        TrustStores.writeTrustStore(
            otherCa.trustStore(), directory.resolve("other-ca.p12"), TRUST_STORE_PASSWORD);
    Path rightTrust =
        TrustStores.writeTrustStore(
            certificates.trustStore(), directory.resolve("trust.p12"), TRUST_STORE_PASSWORD);
    C2Service c2 = startC2(wrongTrust, 5);
    c2.createTopic(TOPIC);
    Device device = tlsDevice(c2, "tls-device", 5);

    c2.link(device.ref(), TOPIC);

    // The handshake fails on C2's side; the log and the command's delivery say why.
    String where = "MQTT broker mqtts://127.0.0.1:" + broker.port();
    String refusal = "the broker's certificate is not trusted";
    assertThat(logs.has("ERROR", "TLS handshake with the broker at mqtts://", refusal)).isTrue();
    await()
        .atMost(Devices.WAIT)
        .until(() -> c2.deliveries(device.ref(), 10).get(0).status() == DeliveryStatus.FAILED);
    assertThat(c2.deliveries(device.ref(), 10).get(0).lastError())
        .hasValueSatisfying(
            error -> assertThat(error).contains("not connected to " + where, refusal));
    assertThat(c2.undeliveredCount()).isEqualTo(1);
    assertThat(device.client.hasTopicKey(TOPIC)).isFalse();
    assertThat(device.commands).hasValue(0);

    server.close();
    server = null;
    C2Service fixed = startC2(rightTrust, 5);

    await().atMost(Devices.WAIT).until(() -> device.client.hasTopicKey(TOPIC));
    await().atMost(Devices.WAIT).until(() -> fixed.undeliveredCount() == 0);
    Delivery delivery = fixed.deliveries(device.ref(), 10).get(0);
    assertThat(delivery.command()).isEqualTo("SetTopicKey");
    assertThat(Devices.taken(delivery)).isEqualTo(DeliveryStatus.SENT);
    assertThat(delivery.attempts()).isGreaterThan(1);
  }
}
