package io.e4j.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.e4j.core.E4Client;
import io.e4j.core.Keys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broker that requires a username and password. */
class E4MqttCredentialsIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path directory;

  private Mosquitto broker;

  @BeforeEach
  void startBroker() throws Exception {
    broker = Mosquitto.startWithPassword(directory, "meter-0042", "correct horse battery");
  }

  @AfterEach
  void stopBroker() {
    broker.close();
  }

  private E4MqttClient.Builder client(E4MqttListener listener) {
    E4Client device = E4Client.builder().name("meter-0042").key(Keys.randomKey()).build();
    return E4MqttClient.builder(device)
        .host("127.0.0.1")
        .port(broker.port())
        .listener(listener)
        .reconnectMaxDelay(Duration.ofSeconds(1));
  }

  @Test
  void theRightPasswordConnects() {
    E4MqttClient client =
        client(new E4MqttListener() {})
            .credentials("meter-0042", "correct horse battery".getBytes(UTF_8))
            .build();

    assertThat(client.connect()).succeedsWithin(WAIT);
    client.disconnect().join();
  }

  @Test
  void aWrongPassword_failsConnectWithTheBrokersReason() {
    List<Throwable> reported = new CopyOnWriteArrayList<>();
    E4MqttClient client =
        client(
                new E4MqttListener() {
                  @Override
                  public void disconnected(Throwable cause) {
                    reported.add(cause);
                  }
                })
            .credentials("meter-0042", "wrong".getBytes(UTF_8))
            .build();

    CompletableFuture<Void> connecting = client.connect();

    assertThat(connecting)
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOfSatisfying(
            BrokerRefusedException.class,
            refused ->
                assertThat(refused.reason())
                    .isEqualTo(BrokerRefusedException.Reason.NOT_AUTHORIZED))
        .withMessageContaining("refused the connection: not authorized (CONNACK 0x87)");
    assertThatThrownBy(() -> client.blocking(WAIT).connect())
        .isInstanceOf(BrokerRefusedException.class)
        .hasMessageContaining("not authorized");
    assertThat(reported).isEmpty();
  }

  @Test
  void credentialsRevokedWhileConnected_theRefusedReconnectionReachesTheListener()
      throws Exception {
    List<BrokerRefusedException> refusals = new CopyOnWriteArrayList<>();
    E4MqttClient client =
        client(
                new E4MqttListener() {
                  @Override
                  public void refused(BrokerRefusedException refusal) {
                    refusals.add(refusal);
                  }
                })
            .credentials("meter-0042", "correct horse battery".getBytes(UTF_8))
            .build();
    client.blocking(WAIT).connect();

    broker.setPassword("meter-0042", "another password");
    broker.restart();

    org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !refusals.isEmpty());
    assertThat(refusals.get(0).reason()).isEqualTo(BrokerRefusedException.Reason.NOT_AUTHORIZED);
    assertThat(refusals.get(0)).hasMessageContaining("refused the connection: not authorized");
  }
}
