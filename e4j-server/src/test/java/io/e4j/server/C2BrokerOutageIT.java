package io.e4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.e4j.mqtt.Mosquitto;
import io.e4j.server.Devices.Device;
import io.e4j.server.node.C2Server;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * C2 outlives its broker: commands, and rotations, that failed while the broker was down go out
 * when it is back.
 */
class C2BrokerOutageIT {
  @TempDir Path brokerDirectory;
  @TempDir Path dataDirectory;

  /** Backoff far beyond the tests' wait: only the reconnection can bring a retry forward. */
  private static final C2Config.Delivery SLOW_RETRIES =
      new C2Config.Delivery(
          1_000,
          4_000,
          0,
          Duration.ofSeconds(30),
          Duration.ofMinutes(10),
          Duration.ofMinutes(10),
          Duration.ofDays(7),
          Duration.ofMinutes(15));

  private C2Server startC2(Mosquitto broker, C2Config.Delivery delivery) {
    C2Config config =
        C2Config.defaults(dataDirectory)
            .withApi(C2Config.Api.disabled())
            .withBroker(C2Config.Mqtt.plain("127.0.0.1", broker.port()))
            .withDelivery(delivery);
    return C2Server.start(config, Clock.systemUTC(), Map.of());
  }

  @Test
  void commandsThatFailedDuringAnOutage_goOutAsSoonAsTheBrokerIsBack() throws Exception {
    try (Mosquitto broker = Mosquitto.start(brokerDirectory)) {
      try (C2Server server = startC2(broker, SLOW_RETRIES);
          Devices devices = new Devices(server.service(), broker.port())) {
        C2Service c2 = server.service();
        c2.createTopic("outage/topic");
        // A persistent session: the broker keeps what C2 sends before the device is back too.
        Device device = devices.connect(devices.provision("outage-device"), false);

        broker.stop();
        c2.link(device.ref(), "outage/topic");
        await()
            .atMost(Devices.WAIT)
            .until(() -> c2.deliveries(device.ref(), 1).get(0).status() == DeliveryStatus.FAILED);
        // "not connected ...", or the session's end if the command was already on its way.
        assertThat(c2.deliveries(device.ref(), 1).get(0).lastError()).isPresent();

        broker.restart();

        await().atMost(Devices.WAIT).until(() -> device.client.hasTopicKey("outage/topic"));
        assertThat(Devices.taken(c2.deliveries(device.ref(), 1).get(0)))
            .isEqualTo(DeliveryStatus.SENT);
      }
    }
  }

  @Test
  void aRotationDuringAnOutage_reachesItsDevicesWhenTheBrokerIsBack() throws Exception {
    try (Mosquitto broker = Mosquitto.start(brokerDirectory)) {
      try (C2Server server = startC2(broker, SLOW_RETRIES);
          Devices devices = new Devices(server.service(), broker.port())) {
        C2Service c2 = server.service();
        c2.createTopic("outage/rotated");
        Device device = devices.connect(devices.provision("outage-rotated-device"), false);
        c2.link(device.ref(), "outage/rotated");
        await().atMost(Devices.WAIT).until(() -> device.commands.get() == 1);

        broker.stop();
        c2.rotateTopicKey("outage/rotated");
        // The rotation's send to the device failed: it became the device's own outbox row.
        await()
            .atMost(Devices.WAIT)
            .until(() -> c2.deliveries(device.ref(), 1).get(0).status() == DeliveryStatus.FAILED);
        assertThat(c2.deliveries(device.ref(), 1).get(0).command()).isEqualTo("SetTopicKey");
        assertThat(c2.undeliveredCount()).isEqualTo(1);

        broker.restart();

        await().atMost(Devices.WAIT).until(() -> device.commands.get() == 2);
        await().atMost(Devices.WAIT).until(() -> c2.undeliveredCount() == 0);
        Delivery rotation = c2.deliveries(device.ref(), 1).get(0);
        assertThat(Devices.taken(rotation)).isEqualTo(DeliveryStatus.SENT);
        assertThat(rotation.attempts()).isGreaterThanOrEqualTo(2);
        assertThat(device.rejections).isEmpty();
      }
    }
  }

  @Test
  void rotationSendsTheBrokerNeverAcknowledges_failAfterTheTimeoutAndAreRetried() throws Exception {
    try (Mosquitto broker = Mosquitto.start(brokerDirectory)) {
      try (C2Server server =
              startC2(broker, C2Config.Delivery.defaults().withAckTimeout(Duration.ofSeconds(1)));
          Devices devices = new Devices(server.service(), broker.port())) {
        C2Service c2 = server.service();
        c2.createTopic("frozen/rotated");
        Device device = devices.connect(devices.provision("frozen-device"), false);
        c2.link(device.ref(), "frozen/rotated");
        await().atMost(Devices.WAIT).until(() -> device.commands.get() == 1);

        broker.freeze();
        c2.rotateTopicKey("frozen/rotated");
        await()
            .atMost(Devices.WAIT)
            .until(() -> c2.deliveries(device.ref(), 1).get(0).status() == DeliveryStatus.FAILED);
        assertThat(c2.deliveries(device.ref(), 1).get(0).lastError())
            .hasValueSatisfying(error -> assertThat(error).contains("not acknowledged within"));

        broker.thaw();

        await().atMost(Devices.WAIT).until(() -> c2.undeliveredCount() == 0);
        // The first send may arrive too, once the broker is back: a repeat the device applies
        // again, harmlessly.
        await().atMost(Devices.WAIT).until(() -> device.commands.get() >= 2);
        assertThat(device.rejections).isEmpty();
      }
    }
  }
}
