package io.e4j.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.e4j.server.Devices.Device;
import io.e4j.server.node.C2Server;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The zero-setup run: C2 with its embedded broker (Moquette, MQTT 3.1.1) and H2. */
class EmbeddedBrokerIT {
  @TempDir Path dataDirectory;

  @Test
  void devicesOnTheEmbeddedBrokerFollowARotation() throws Exception {
    C2Config config =
        C2Config.defaults(dataDirectory)
            .withApi(C2Config.Api.disabled())
            // Any free port, as broker.port=0 asks.
            .withBroker(new C2Config.EmbeddedMqtt("127.0.0.1", 0));
    List<Device> fleet;
    try (C2Server server = C2Server.start(config, Clock.systemUTC(), Map.of());
        Devices devices =
            // Moquette 0.17 speaks MQTT 3.1.1 only.
            new Devices(server.service(), server.embeddedBrokerPort().orElseThrow(), 3)) {
      C2Service c2 = server.service();
      c2.createTopic("embedded/topic");
      fleet = devices.createAll("embedded-device-", 40);
      Device publisher = fleet.get(0);
      for (Device device : fleet) {
        c2.link(device.ref(), "embedded/topic");
        device.subscribe("embedded/topic");
      }
      await().atMost(Devices.WAIT).until(() -> fleet.stream().allMatch(d -> d.commands.get() == 1));

      c2.rotateTopicKey("embedded/topic");

      await().atMost(Devices.WAIT).until(() -> fleet.stream().allMatch(d -> d.commands.get() == 2));
      publisher.publish("embedded/topic", "rotated".getBytes(UTF_8));
      await()
          .atMost(Devices.WAIT)
          .until(() -> fleet.stream().allMatch(d -> d.messages.size() == 1));
      assertThat(c2.undeliveredCount()).isZero();
    }
  }
}
