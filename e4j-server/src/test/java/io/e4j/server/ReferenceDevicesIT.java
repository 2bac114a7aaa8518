package io.e4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.e4j.mqtt.Mosquitto;
import io.e4j.server.node.C2Server;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Devices that never report their keys (Teserakt's clients, played by plain MQTT clients on clean
 * sessions) get what they missed while away as soon as they subscribe, with no operator action: C2
 * learns of the subscription from the broker (here Mosquitto's log on {@code $SYS}).
 */
class ReferenceDevicesIT {
  /** What the issue asks: a key within 5 s of subscribing. */
  private static final Duration WITHIN = Duration.ofSeconds(5);

  @TempDir Path brokerDirectory;
  @TempDir Path dataDirectory;

  /** Where the devices connect: C2's own broker, or Mosquitto telling C2 through its log. */
  enum Broker {
    EMBEDDED,
    MOSQUITTO
  }

  private Mosquitto mosquitto;
  private C2Server server;
  private int brokerPort;

  private C2Service startC2(Broker kind) throws Exception {
    C2Config config = C2Config.defaults(dataDirectory).withApi(C2Config.Api.disabled());
    if (kind == Broker.MOSQUITTO) {
      mosquitto = Mosquitto.startPublishingLog(brokerDirectory);
      config =
          config.withBroker(
              C2Config.Mqtt.plain("127.0.0.1", mosquitto.port())
                  .withPresence(C2Config.PresenceSource.MOSQUITTO_LOG));
    } else {
      config = config.withBroker(new C2Config.EmbeddedMqtt("127.0.0.1", 0));
    }
    server = C2Server.start(config, Clock.systemUTC(), Map.of());
    brokerPort = kind == Broker.MOSQUITTO ? mosquitto.port() : server.embeddedBrokerPort().get();
    return server.service();
  }

  static Stream<Arguments> everyClientOnEveryBroker() {
    return Stream.of(Broker.values())
        .flatMap(
            broker ->
                Stream.of(ReferenceDevice.Client.values())
                    .map(client -> Arguments.of(broker, client)));
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (mosquitto != null) {
      mosquitto.close();
    }
  }

  @ParameterizedTest
  @MethodSource("everyClientOnEveryBroker")
  void linkedBeforeItEverConnected_getsTheKeyOnSubscribing(
      Broker broker, ReferenceDevice.Client client) throws Exception {
    C2Service c2 = startC2(broker);
    c2.createTopic("plant/pressure");
    try (ReferenceDevice device =
        ReferenceDevice.create(c2, "sensor-" + client.ordinal(), client, brokerPort)) {
      c2.link(device.ref(), "plant/pressure");
      // The broker took the SetTopicKey for a client with no session, and dropped it.
      await()
          .atMost(Devices.WAIT)
          .until(() -> c2.deliveries(device.ref(), 1).get(0).status() == DeliveryStatus.SENT);

      device.connect();

      await()
          .atMost(WITHIN)
          .untilAsserted(
              () ->
                  assertThat(device.holdsCurrentKey(c2, "plant/pressure"))
                      .as("refused: %s", device.refused())
                      .isTrue());
    }
  }

  @ParameterizedTest
  @EnumSource(Broker.class)
  void offlineDuringThreeRotations_getsTheNewestKeyOnReconnecting(Broker broker) throws Exception {
    C2Service c2 = startC2(broker);
    c2.createTopic("plant/flow");
    try (ReferenceDevice device =
        ReferenceDevice.create(c2, "flow-meter", ReferenceDevice.Client.MQTT_5, brokerPort)) {
      device.connect();
      c2.link(device.ref(), "plant/flow");
      await().atMost(WITHIN).until(() -> device.holdsCurrentKey(c2, "plant/flow"));

      device.disconnect();
      for (int rotation = 0; rotation < 3; rotation++) {
        c2.rotateTopicKey("plant/flow");
      }
      await().atMost(Devices.WAIT).until(() -> c2.undeliveredCount() == 0);
      assertThat(device.holdsCurrentKey(c2, "plant/flow")).isFalse();

      device.connect();

      await()
          .atMost(WITHIN)
          .untilAsserted(
              () ->
                  assertThat(device.holdsCurrentKey(c2, "plant/flow"))
                      .as("refused: %s", device.refused())
                      .isTrue());
    }
  }

  @ParameterizedTest
  @EnumSource(Broker.class)
  void topicRemovedWhileOffline_isRemovedOnReconnecting(Broker broker) throws Exception {
    C2Service c2 = startC2(broker);
    c2.createTopic("plant/old");
    c2.createTopic("plant/kept");
    try (ReferenceDevice device =
        ReferenceDevice.create(c2, "valve", ReferenceDevice.Client.MOSQUITTO_SUB, brokerPort)) {
      device.connect();
      c2.link(device.ref(), "plant/old");
      c2.link(device.ref(), "plant/kept");
      await()
          .atMost(WITHIN)
          .until(() -> device.holds("plant/old") && device.holdsCurrentKey(c2, "plant/kept"));

      device.disconnect();
      c2.removeTopic("plant/old");
      await().atMost(Devices.WAIT).until(() -> c2.undeliveredCount() == 0);

      device.connect();

      await()
          .atMost(WITHIN)
          .untilAsserted(
              () ->
                  assertThat(device.holds("plant/old"))
                      .as("refused: %s", device.refused())
                      .isFalse());
      assertThat(device.holdsCurrentKey(c2, "plant/kept")).isTrue();
    }
  }
}
