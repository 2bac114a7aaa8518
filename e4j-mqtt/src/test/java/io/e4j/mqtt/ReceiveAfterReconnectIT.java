package io.e4j.mqtt;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A connection on a clean session goes on receiving after it connects again, whether the
 * application disconnected it or the broker went away: the HiveMQ client drops its handlers of
 * incoming messages when a session ends, and the connection must give them back.
 */
class ReceiveAfterReconnectIT {
  @TempDir Path directory;

  @ParameterizedTest
  @ValueSource(ints = {3, 5})
  void disconnectedThenConnectedAgain_receives(int mqttVersion) throws Exception {
    try (Mosquitto broker = Mosquitto.start(directory)) {
      Receiver receiver = new Receiver();
      MqttConnection device = connection(broker.port(), mqttVersion, "device", receiver);
      MqttConnection sender = connection(broker.port(), 5, "sender", new Receiver());
      device.connect().get(10, TimeUnit.SECONDS);
      sender.connect().get(10, TimeUnit.SECONDS);
      device.subscribe("plant/a", 1).get(10, TimeUnit.SECONDS);
      send(sender, "first");
      await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received.contains("first"));

      device.disconnect().get(10, TimeUnit.SECONDS);
      device.connect().get(10, TimeUnit.SECONDS);
      device.subscribe("plant/a", 1).get(10, TimeUnit.SECONDS);
      send(sender, "second");

      await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received.contains("second"));
      sender.disconnect().get(10, TimeUnit.SECONDS);
      device.disconnect().get(10, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {3, 5})
  void brokerRestarted_receivesAfterReconnecting(int mqttVersion) throws Exception {
    try (Mosquitto broker = Mosquitto.start(directory)) {
      Receiver receiver = new Receiver();
      MqttConnection device = connection(broker.port(), mqttVersion, "device", receiver);
      receiver.onConnected =
          () -> device.subscribe("plant/b", 1); // a clean session forgets subscriptions
      device.connect().get(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(10)).until(() -> receiver.connections.size() == 1);

      broker.restart();
      await().atMost(Duration.ofSeconds(30)).until(() -> receiver.connections.size() == 2);
      MqttConnection sender = connection(broker.port(), 5, "sender", new Receiver());
      sender.connect().get(10, TimeUnit.SECONDS);
      Thread.sleep(200); // the subscription after the reconnection is on its way
      send(sender, "after restart");

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> receiver.received.contains("after restart"));
      sender.disconnect().get(10, TimeUnit.SECONDS);
      device.disconnect().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * The HiveMQ client reconnects with a CONNECT of its own; without the connection's credentials a
   * broker that needs them refuses it, and the client stays out (C2 was locked out of its own
   * broker so).
   */
  @ParameterizedTest
  @ValueSource(ints = {3, 5})
  void brokerWithPasswordsRestarted_logsInAgainAndReceives(int mqttVersion) throws Exception {
    try (Mosquitto broker =
        Mosquitto.start(
            directory,
            null,
            java.util.Map.of("device", "s3cret-device", "sender", "s3cret-sender"))) {
      Receiver receiver = new Receiver();
      MqttConnection device =
          MqttConnection.create(
              settings(broker.port(), mqttVersion, "device")
                  .credentials("device", "s3cret-device".getBytes(StandardCharsets.UTF_8))
                  .build(),
              receiver);
      receiver.onConnected = () -> device.subscribe("plant/b", 1);
      device.connect().get(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(10)).until(() -> receiver.connections.size() == 1);

      broker.restart();
      await().atMost(Duration.ofSeconds(30)).until(() -> receiver.connections.size() == 2);
      MqttConnection sender =
          MqttConnection.create(
              settings(broker.port(), 5, "sender")
                  .credentials("sender", "s3cret-sender".getBytes(StandardCharsets.UTF_8))
                  .build(),
              new Receiver());
      sender.connect().get(10, TimeUnit.SECONDS);
      Thread.sleep(200);
      send(sender, "after restart");

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> receiver.received.contains("after restart"));
      sender.disconnect().get(10, TimeUnit.SECONDS);
      device.disconnect().get(10, TimeUnit.SECONDS);
    }
  }

  private static MqttConnection.Settings.Builder settings(
      int port, int mqttVersion, String clientId) {
    return MqttConnection.Settings.builder()
        .host("127.0.0.1")
        .port(port)
        .mqttVersion(mqttVersion)
        .clientId(clientId)
        .cleanSession(true)
        .reconnectMaxDelay(Duration.ofSeconds(1));
  }

  private static void send(MqttConnection sender, String text) throws Exception {
    String topic = text.equals("after restart") ? "plant/b" : "plant/a";
    sender
        .publish(topic, text.getBytes(StandardCharsets.UTF_8), 1, false)
        .get(10, TimeUnit.SECONDS);
  }

  private static MqttConnection connection(
      int port, int mqttVersion, String clientId, Receiver receiver) {
    return MqttConnection.create(
        MqttConnection.Settings.builder()
            .host("127.0.0.1")
            .port(port)
            .mqttVersion(mqttVersion)
            .clientId(clientId)
            .cleanSession(true)
            .reconnectMaxDelay(Duration.ofSeconds(1))
            .build(),
        receiver);
  }

  private static final class Receiver implements MqttConnection.Events {
    final List<String> received = new CopyOnWriteArrayList<>();
    final List<Boolean> connections = new CopyOnWriteArrayList<>();
    volatile Runnable onConnected = () -> {};

    @Override
    public void received(String topic, byte[] payload, int qos, boolean retained) {
      received.add(new String(payload, StandardCharsets.UTF_8));
    }

    @Override
    public void connected() {
      connections.add(true);
      onConnected.run();
    }
  }
}
