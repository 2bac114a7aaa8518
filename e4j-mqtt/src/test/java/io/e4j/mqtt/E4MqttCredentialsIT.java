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
  void aWrongPasswordIsReportedAndNeverConnects() {
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    E4MqttClient client =
        client(
                new E4MqttListener() {
                  @Override
                  public void disconnected(Throwable cause) {
                    failures.add(cause);
                  }
                })
            .credentials("meter-0042", "wrong".getBytes(UTF_8))
            .build();

    CompletableFuture<Void> connecting = client.connect();

    await().atMost(WAIT).until(() -> !failures.isEmpty());
    assertThat(failures.get(0)).hasMessageContaining("NOT_AUTHORIZED");
    assertThat(connecting).isNotCompleted();
    client.disconnect().exceptionally(failure -> null).join();
  }
}
