package io.e4j.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.e4j.core.ClientStore;
import io.e4j.core.Commands;
import io.e4j.core.E4Client;
import io.e4j.core.Keys;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A password that changes while connected (a device's broker password changes with its key) is
 * taken again at each CONNECT, the automatic reconnections included; a fixed password stays the one
 * it was built with. Mosquitto reads a changed password file when restarted, which also drops every
 * connection: the clients reconnect by themselves.
 */
class PasswordEachConnectionIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path directory;

  @ParameterizedTest
  @ValueSource(ints = {3, 5})
  void passwordChangedWhileConnected_reconnectionLogsInWithTheNewOne_andEachCopyIsZeroed(
      int mqttVersion) throws Exception {
    try (Mosquitto broker =
        Mosquitto.start(directory, null, Map.of("device", "first", "fixed", "first-fixed"))) {
      AtomicReference<String> current = new AtomicReference<>("first");
      List<byte[]> given = new CopyOnWriteArrayList<>();
      Events changing = new Events();
      MqttConnection device =
          MqttConnection.create(
              settings(broker.port(), mqttVersion, "device")
                  .credentialsEachConnection(
                      "device",
                      () -> {
                        byte[] password = current.get().getBytes(UTF_8);
                        given.add(password);
                        return password;
                      })
                  .build(),
              changing);
      Events fixed = new Events();
      MqttConnection fixedDevice =
          MqttConnection.create(
              settings(broker.port(), mqttVersion, "fixed")
                  .credentials("fixed", "first-fixed".getBytes(UTF_8))
                  .build(),
              fixed);
      device.connect().get(10, TimeUnit.SECONDS);
      fixedDevice.connect().get(10, TimeUnit.SECONDS);
      assertThat(given).hasSize(1);

      broker.setPassword("device", "second");
      broker.setPassword("fixed", "second-fixed");
      current.set("second");
      broker.restart();

      await().atMost(WAIT).until(() -> changing.connections.get() == 2);
      await().atMost(WAIT).until(() -> !fixed.refusals.isEmpty());
      // Mosquitto answers a wrong password with "not authorized".
      assertThat(fixed.refusals.get(0).reason())
          .isIn(
              BrokerRefusedException.Reason.CREDENTIALS,
              BrokerRefusedException.Reason.NOT_AUTHORIZED);
      assertThat(device.isConnected()).isTrue();
      assertThat(given.size()).isGreaterThanOrEqualTo(2);
      // Zeroed once the attempt that sent it ended: the last one as the reconnection completed.
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> assertThat(given).allSatisfy(copy -> assertThat(copy).containsOnly(0)));
      device.disconnect().get(10, TimeUnit.SECONDS);
      fixedDevice.disconnect().exceptionally(notConnected -> null).get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * An e4j device logging in with {@link E4MqttClient.Builder#deviceLogin()}: after C2 changes its
   * key (a SetIDKey on its control topic) and the broker takes the new password, its reconnection
   * logs in with the password of the key it now holds.
   */
  @Test
  void deviceLogin_afterASetIdKey_reconnectsWithTheNewKeysPassword() throws Exception {
    byte[] oldKey = Keys.randomKey();
    byte[] newKey = Keys.randomKey();
    E4Client device =
        E4Client.builder().name("meter-0042").key(oldKey).store(ClientStore.memory()).build();
    String user = HexFormat.of().formatHex(device.id());
    String oldPassword = device.brokerPassword();
    try (Mosquitto broker =
        Mosquitto.start(directory, null, Map.of(user, oldPassword, "c2", "c2-password"))) {
      AtomicInteger connections = new AtomicInteger();
      List<BrokerRefusedException> refusals = new CopyOnWriteArrayList<>();
      E4MqttClient mqtt =
          E4MqttClient.builder(device)
              .host("127.0.0.1")
              .port(broker.port())
              .reconnectMaxDelay(Duration.ofSeconds(1))
              .deviceLogin()
              .listener(
                  new E4MqttListener() {
                    @Override
                    public void connected() {
                      connections.incrementAndGet();
                    }

                    @Override
                    public void refused(BrokerRefusedException refusal) {
                      refusals.add(refusal);
                    }
                  })
              .build();
      mqtt.connect().get(10, TimeUnit.SECONDS);
      MqttConnection c2 =
          MqttConnection.create(
              settings(broker.port(), 5, "c2")
                  .credentials("c2", "c2-password".getBytes(UTF_8))
                  .build(),
              new MqttConnection.Events() {});
      c2.connect().get(10, TimeUnit.SECONDS);

      c2.publish(
              device.controlTopic(),
              Commands.protect(Commands.setIdKey(newKey), oldKey, Instant.now()),
              2,
              false)
          .get(10, TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> !device.brokerPassword().equals(oldPassword));
      broker.setPassword(user, device.brokerPassword());
      broker.restart();

      await().atMost(WAIT).until(() -> connections.get() >= 2);
      assertThat(refusals).isEmpty();
      assertThat(mqtt.toString()).doesNotContain(device.brokerPassword(), oldPassword);
      mqtt.disconnect().get(10, TimeUnit.SECONDS);
      c2.disconnect().get(10, TimeUnit.SECONDS);
    }
  }

  private static MqttConnection.Settings.Builder settings(
      int port, int mqttVersion, String clientId) {
    return MqttConnection.Settings.builder()
        .host("127.0.0.1")
        .port(port)
        .mqttVersion(mqttVersion)
        .clientId(clientId)
        .reconnectMaxDelay(Duration.ofSeconds(1));
  }

  private static final class Events implements MqttConnection.Events {
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
}
