package io.e4j.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.e4j.core.E4Client;
import io.e4j.core.Keys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device exchange over TLS to Mosquitto, with MQTT 3.1.1 (the other tests use MQTT 5). */
class E4MqttTlsIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path directory;

  private Mosquitto broker;
  private TestCertificates certificates;
  private final byte[] topicKey = Keys.randomKey();

  @BeforeEach
  void startBroker() throws Exception {
    certificates = TestCertificates.create(directory);
    broker = Mosquitto.start(directory, certificates);
  }

  @AfterEach
  void stopBroker() {
    broker.close();
  }

  private E4MqttClient.Builder device(String name) {
    E4Client device = E4Client.builder().name(name).key(Keys.randomKey()).build();
    device.setTopicKey("plant/line-1/pressure", topicKey);
    return E4MqttClient.builder(device).host("127.0.0.1").port(broker.port()).mqttVersion(3);
  }

  @Test
  void devicesExchangeOverTls() {
    E4MqttClient alice = device("alice").trustStore(certificates.trustStore()).build();
    E4MqttClient bob = device("bob").trustStore(certificates.trustStore()).build();
    List<E4Message> received = new CopyOnWriteArrayList<>();
    bob.subscribe("plant/#", 1, received::add);
    CompletableFuture.allOf(alice.connect(), bob.connect()).join();

    alice.blocking(WAIT).publish("plant/line-1/pressure", "4.2 bar".getBytes(UTF_8), 1, false);

    await().atMost(WAIT).until(() -> received.size() == 1);
    assertThat(received.get(0).payload()).isEqualTo("4.2 bar".getBytes(UTF_8));
    alice.disconnect().join();
    bob.disconnect().join();
  }

  @Test
  void aBrokerCertificateFromAnUntrustedCa_failsConnectWithATlsReason() {
    E4MqttClient client = device("carol").tls().build();

    CompletableFuture<Void> connecting = client.connect();

    assertThat(connecting)
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause()
        .isInstanceOfSatisfying(
            BrokerRefusedException.class,
            refused -> assertThat(refused.reason()).isEqualTo(BrokerRefusedException.Reason.TLS))
        .withMessageContaining("the broker's certificate is not trusted")
        .withRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class);
  }
}
